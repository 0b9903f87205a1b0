#!/bin/sh
# Terminal faults: tiny, narrow and huge terminals, a burst of resizes, an
# unknown TERM, TERM=dumb, and stdin from /dev/null or a pipe. No crash, and
# the terminal settings after exit are the same as before (stty -g).
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
case $SEQSTEP in /*) ;; *) SEQSTEP="$PWD/$SEQSTEP" ;; esac
TF=$PWD/tests/ref/fixtures/tf-post-relu-h2
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
SOCK=seqstep-faults-$$
cleanup() {
	for n in tiny narrow huge resizes unknown-term dumb; do
		command -v tmux >/dev/null 2>&1 && tmux -L "$SOCK-$n" kill-server 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- no terminal at all: batch mode, never a hang ----
out=$(timeout 20 "$SEQSTEP" --model "$TF" </dev/null 2>&1)
rc=$?
[ $rc -eq 0 ] && ok || bad "stdin from /dev/null: exit $rc: $out"
out=$(printf 'translate s4 s5\nshow src.tokens\n' | timeout 20 "$SEQSTEP" --model "$TF" 2>&1)
rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'src.tokens'; then ok; else bad "stdin from a pipe: exit $rc"; fi
out=$(printf 'bogus-command\n' | timeout 20 "$SEQSTEP" --model "$TF" 2>&1)
rc=$?
[ $rc -ne 0 ] && printf '%s' "$out" | grep -qi 'unknown' && ok || bad "pipe with a bad command: exit $rc: $out"

if ! command -v tmux >/dev/null 2>&1; then
	echo "terminal faults: tmux missing, terminal cases skipped; $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi
# Each run gets its own tmux server, so a tmux crash cannot hide or fake one of ours.
T() { tmux -L "$SOCK-$name" "$@"; }
wait_file() { # FILE: up to 10 s
	i=0
	while [ $i -lt 200 ] && [ ! -e "$1" ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$1" ]
}
# run NAME COLS ROWS TERM QUIT KEYS...: start the explorer in a pane of that
# size, send the keys, quit with QUIT ("q", or "quit" + Enter where seqstep
# fell back to reading commands), and check the exit status and the
# terminal settings.
run() {
	name=$1 cols=$2 rows=$3 term=$4 quit=$5
	shift 5
	cmd="stty -g >$tmp/$name.before; env TERM=$term LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $SEQSTEP --model $TF; echo \$? >$tmp/$name.rc; stty -g >$tmp/$name.after; sleep 600"
	T -f /dev/null new-session -d -s "$name" -x "$cols" -y "$rows" "$cmd"
	sleep 0.5
	for k in "$@"; do
		case $k in
		resize:*) size=${k#resize:}; T resize-window -t "$name" -x "${size%x*}" -y "${size#*x}" ;;
		*) T send-keys -t "$name:0" "$k" ;;
		esac
		sleep 0.05
	done
	if [ "$quit" = q ]; then T send-keys -t "$name:0" q; else T send-keys -t "$name:0" quit Enter; fi
	# .after is written last: wait for it, not for .rc.
	if wait_file "$tmp/$name.after" && [ "$(cat "$tmp/$name.rc")" = 0 ] &&
		cmp -s "$tmp/$name.before" "$tmp/$name.after"; then
		ok
	else
		bad "$name: exit $(cat "$tmp/$name.rc" 2>/dev/null || echo none), terminal restored: $(cmp -s "$tmp/$name.before" "$tmp/$name.after" && echo yes || echo no)"
		T capture-pane -p -t "$name:0" | head -5 | sed 's/^/  | /'
	fi
	T kill-server 2>/dev/null
}

run tiny 1 1 tmux-256color q n n p
run narrow 10 38 tmux-256color q n n j l
run huge 300 100 tmux-256color q n n n t n
burst=""
for s in 80x24 40x10 200x60 12x5 1x1 120x40 60x16 300x100 80x24 33x7 100x30; do burst="$burst resize:$s n"; done
# shellcheck disable=SC2086
run resizes 80 24 tmux-256color q $burst
run unknown-term 80 24 no-such-terminal-type quit
run dumb 80 24 dumb quit
echo "terminal faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
