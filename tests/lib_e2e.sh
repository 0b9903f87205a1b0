# What the end-to-end scripts share, sourced as `. tests/lib_e2e.sh NAME`:
# the pass/fail counters, a scratch folder and a private tmux server that
# are removed on exit, and the helpers that drive the explorer in tmux the
# way a person does (keys types, screen reads, check waits for text).
# A script sets win (the tmux target) before it uses the screen helpers.
pass=0 fail=0
tmp=$(mktemp -d)
SOCK=seqstep-${1:-e2e}-$$
e2e_cleanup() {
	command -v tmux >/dev/null 2>&1 && tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap e2e_cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}
T() { tmux -L "$SOCK" "$@"; }
screen() { T capture-pane -p -t "$win"; }
status_line() { screen | tail -2 | head -1; }
keys() { T send-keys -t "$win" "$@"; }
badscreen() {
	bad "$@"
	screen 2>/dev/null | sed 's/^/  | /'
}
# wait_for TEXT [status]: polls the screen (or only its status line) for up
# to 10 s, long enough for a loaded machine, short enough to fail soon.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		case ${2:-screen} in
		status) status_line | grep -qF -- "$1" && return 0 ;;
		*) screen | grep -qF -- "$1" && return 0 ;;
		esac
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
check() { # TEXT WHAT [status]
	if wait_for "$1" "${3:-screen}"; then ok; else badscreen "$2: '$1' not on screen"; fi
}
has() { # FILE TEXT WHAT: the file holds the text
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: no '$2' in $(basename "$1"):"; sed 's/^/  | /' "$1" | head -30; fi
}
# golden NAME ARGS...: seqstep ARGS exits 0, writes nothing on stderr, and
# prints $EXP/NAME.txt as tests/tools/textcmp compares it (UPDATE=1 rewrites).
golden() {
	name=$1
	shift
	"$SEQSTEP" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "${UPDATE:-0}" = 1 ] && [ "$rc" -eq 0 ] && cp "$tmp/out" "$EXP/$name.txt"
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
		bad "$name: exit $rc: $(head -c 300 "$tmp/err")"
	elif ! "$TEXTCMP" "$EXP/$name.txt" "$tmp/out" >"$tmp/cmp"; then
		bad "$name: output differs from $EXP/$name.txt:"
		head -20 "$tmp/cmp"
	else
		ok
	fi
}
