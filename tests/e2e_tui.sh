#!/bin/sh
# The explorer on a real terminal: tmux runs it in a detached session of a
# fixed size, and `tmux capture-pane -p` reads the screen. Checks the first
# frame, translating from the command line, stepping through every stage
# with n (in the order batch mode prints them), a cell's value against batch
# mode's `show` of the same tensor, resizing (and the too-small message),
# NO_COLOR, a bad command, tab completion, help, the history file, TERM=dumb
# falling back to batch mode, and that q and Ctrl-C restore the terminal
# (stty -g before and after, inside the pane). Polls with a timeout.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
case $SEQSTEP in /*) ;; *) SEQSTEP="$PWD/$SEQSTEP" ;; esac
TF=$PWD/tests/ref/fixtures/tf-post-relu-h2
if ! command -v tmux >/dev/null 2>&1; then
	echo "e2e_tui: tmux is not installed (make deps); skipped"
	exit 0
fi
. tests/lib_e2e.sh tui
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
	tmux -L "$SOCK" capture-pane -p -t "$win" 2>/dev/null | sed 's/^/  | /'
}


# wait_for TEXT [what]: poll the screen (or one line of it) up to 5 s.

ENVS="TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state"
# start NAME COLS ROWS [ENV=...]: the explorer in a shell that records the
# terminal settings before and after it.
start() {
	win=$1
	cols=$2 rows=$3
	shift 3
	cmd="stty -g >$tmp/$win.before; env $ENVS $* $SEQSTEP --model $TF; echo exit=\$? >$tmp/$win.rc; stty -g >$tmp/$win.after; echo DONE-$win; sleep 600"
	# One session per run (a window of its own size; no global options:
	# tmux 3.3 can crash on new-window after "window-size manual").
	T -f /dev/null new-session -d -s "$win" -x "$cols" -y "$rows" "$cmd"
	win=$win:0
}

restored() { # NAME [RC]: the explorer exited with RC (0) and the terminal is as before
	if wait_for "DONE-$1" && [ "$(cat "$tmp/$1.rc")" = "exit=${2:-0}" ] &&
		cmp -s "$tmp/$1.before" "$tmp/$1.after"; then
		ok
	else
		bad "$1: terminal not restored or bad exit ($(cat "$tmp/$1.rc" 2>/dev/null))"
	fi
}

# ---- the walk batch mode prints, to compare the screen with ----
steps=$("$SEQSTEP" --model "$TF" -c "translate s4 s5 s6; stages" | grep -c '^[ >] ')
walk=$("$SEQSTEP" --model "$TF" -c "translate s4 s5 s6$(i=1; while [ $i -lt 40 ]; do printf '; step'; i=$((i + 1)); done)" 2>/dev/null |
	sed -n 's/^== \([^|=]*[^ |=]\).*/\1/p')
nwalk=$(printf '%s\n' "$walk" | wc -l)
if [ "$steps" -eq 20 ] && [ "$nwalk" -eq 31 ]; then ok; else bad "batch walk: $steps stages, $nwalk steps"; fi

# ---- main session: 100x30 ----
start main 100 30
check "tokenize" "first frame"
check "press n to step" "first frame hint"
keys :
keys "translate s4 s5 s6" Enter
check "s4 s5 s6 " "translated sentence in the title"
check "<eos>" "token labels"
check "  1/32" "position" status
# Every stage, in batch mode's order.
k=2
printf '%s\n' "$walk" >"$tmp/walk"
while read -r title; do
	keys n
	if wait_for "  $k/32" status && status_line | grep -qF -- "$title"; then ok
	else bad "step $k: want '$title' in the status line"; fi
	k=$((k + 1))
done <"$tmp/walk"
keys n
check "this is the last stage" "end of the walk" status

# A value on screen is the trace's: batch show of the same tensor.
keys : "goto softmax 1" Enter
check "softmax  layer 1" "goto" status
keys j l
check "enc.1.self_attn.h0.weights[s5, s5] =" "the selected cell"
want=$("$SEQSTEP" --model "$TF" --translate "s4 s5 s6" --show enc.1.self_attn.h0.weights |
	awk 'NR > 3 && $1 == "s5" { print $3; exit }')
check "enc.1.self_attn.h0.weights[s5, s5] = $want" "value of the cell ($want)"
keys t
check "numbers (t: heatmap)" "numbers view" status
check "$want" "numbers view"
# A mouse click (xterm X10 encoding, what tmux-256color's kmous says) on
# the second number of row s6 selects that cell.
line=$(screen | grep -n '│s6 ' | head -1)
y=${line%%:*}
prefix=${line#*:}
prefix=${prefix%%│s6 *}
x=$(($(printf '%s' "$prefix" | LC_ALL=C.UTF-8 wc -m) + 20))
chr() { printf "\\$(printf %o $(($1 + 32)))"; }
T send-keys -t "$win" -l "$(printf '\033[M ')$(chr "$x")$(chr "$y")$(printf '\033[M#')$(chr "$x")$(chr "$y")"
check "enc.1.self_attn.h0.weights[s6, s5] =" "mouse click on a cell"
keys ]
check "enc.1.self_attn.h1.weights" "next head"
keys '}'
check "layers go from 0 to 1" "no layer 2" status
keys '{'
check "enc.0.self_attn.h1.weights" "previous layer"

# Resize mid-session: the state stays; too small says so.
T resize-window -t "$win" -x 50 -y 12
check "enlarge the terminal" "too small"
T resize-window -t "$win" -x 80 -y 24
check "softmax  layer 0" "resized: same stage" status
check "enc.0.self_attn.h1.weights" "resized: same head"
T resize-window -t "$win" -x 100 -y 30

# A bad command: a clear message, and the session goes on.
keys : "frobnicate now" Enter
check "unknown command 'frobnicate'" "bad command message" status
keys n
check "weights x V" "keys work after a bad command" status

# Tab completion and help.
keys : "goto so" Tab
check ":goto softmax" "completion"
keys C-u Escape
sleep 0.2 # Esc then a key at once would be Meta-key
keys '?'
check "commands (help CMD for one" "help overlay"
keys q
wait_for "press n" >/dev/null
if screen | grep -qF "commands (help CMD"; then bad "help overlay did not close"; else ok; fi
keys Enter
check "= " "Enter explains the cell"
keys Escape

# ':' with a popup open closes it and opens the command line: the keys that
# follow are the command, not view keys (g, o, t, space would move the view).
keys : "goto qkv" Enter
check "Q/K/V" "goto qkv" status
keys '?'
check "commands (help CMD for one" "help overlay again"
keys : "goto softmax" Enter
check "softmax" "':' from the help overlay runs the command" status
if status_line | grep -qF "numbers (t:"; then bad "keys typed after ':' reached the view"; else ok; fi
keys : stages Enter
check "> softmax" "the stages popup"
keys : "goto concat" Enter
check "concat + W_o" "':' from the stages popup runs the command" status

# A block model's title says what it runs on, not the last sentence.
keys : "load $PWD/models/pooling-nw" Enter
check "training pairs, 20 queries, Nadaraya-Watson" "the pooling model's title"
if screen | grep -qF "s4 s5 s6"; then bad "the title or message still shows the last sentence"; else ok; fi
keys : "load $PWD/models/qkv-example" Enter
check "X: 6 tokens, Cat is sleeping on the mat" "the qkv model's title"
keys : "load $TF" Enter
check "s4 s5 s6 " "back on a translation model: the sentence again"

# Quit with q: the terminal is restored; the history was saved.
keys q
restored main
if grep -qxF "translate s4 s5 s6" "$tmp/state/seqstep/history" 2>/dev/null; then ok
else bad "history file: $(cat "$tmp/state/seqstep/history" 2>&1)"; fi

# ---- NO_COLOR: an ASCII ramp, no colour codes; Ctrl-C quits cleanly ----
start mono 80 24 NO_COLOR=1
check "tokenize" "NO_COLOR first frame"
keys : "goto softmax" Enter
check "0  .:-=+*#%@ 1" "NO_COLOR legend"
if T capture-pane -e -p -t "$win" | grep -q '\[[34][0-7]m\|38;5;\|48;5;'; then bad "colour codes under NO_COLOR"
else ok; fi
keys C-c
restored mono

# ---- the high-contrast theme, and Ctrl-C while typing cancels the line ----
start contrast 200 60
check "tokenize" "200x60 first frame"
keys : "set theme contrast" Enter
keys : "translat"
wait_for ":translat" >/dev/null # ^C flushes typed-ahead input: wait for it to land
keys C-c
check "n next  p back" "Ctrl-C cancels the command line" status
keys n
check "  2/32" "still running after Ctrl-C on the command line" status
keys : quit Enter
restored contrast

# ---- a crash (SIGABRT) still restores the terminal, then dies of it ----
start crash 80 24
check "tokenize" "crash: first frame"
pane=$(T display-message -p -t "$win" '#{pane_pid}')
pid=$(ps -o pid= --ppid "$pane" | head -1)
if [ -n "$pid" ]; then kill -ABRT $pid; restored crash 134; else bad "crash: no seqstep process"; fi

# ---- TERM=dumb: batch mode on the terminal ----
T -f /dev/null new-session -d -s dumb -x 100 -y 30 "env TERM=dumb $SEQSTEP --model $TF; echo DONE-dumb; sleep 600"
win=dumb:0
keys "stages" Enter
check "> tokenize" "TERM=dumb runs commands as text"
keys C-d
check "DONE-dumb" "TERM=dumb ends at end of input"

echo "e2e_tui: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
