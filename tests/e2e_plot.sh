#!/bin/sh
# Plots, as a person uses them. Batch mode: a stage in plot view and
# `show NAME --plot` print the plot as text (compared with golden files by
# tests/tools/textcmp; UPDATE=1 rewrites them), `set view plot` where a
# stage has no plot is one line and exit 1. The explorer under tmux: the
# pooling figure's axes and legend on the screen, moving between points with
# the arrow keys, Enter explaining the selected point (the detail pane and
# the explanation show the trace's value), a click selecting the nearest
# point, v and set view switching, the positional encoding with its heatmap
# on a projector-sized screen, the gradient norms on a log axis, the top-k
# bars of decoder step t, the training history, NO_COLOR's and a non-UTF-8
# terminal's ASCII plot, 80x24 and a resize.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
case $SEQSTEP in /*) ;; *) SEQSTEP="$PWD/$SEQSTEP" ;; esac
TEXTCMP=${TEXTCMP:-build/tools/textcmp}
EXP=tests/data/expected
POOL=$PWD/models/pooling-nw
RNN=$PWD/models/en-zh-rnn
. tests/lib_e2e.sh plot
export XDG_STATE_HOME="$tmp/state"

# ---- batch mode ----
# The pooling figure opens as a plot; the positional encoding on request.
golden plot-pooling --model "$POOL" -c 'goto data'
golden plot-posenc -c 'show src.pos --plot' --width 80
"$SEQSTEP" --model "$POOL" -c 'goto output' >"$tmp/pool" 2>&1
has "$tmp/pool" "o training data (x_i, y_i)   * true f(x) (pool.truth)   x pooled f(x) at the queries (pool.out)" "pooling legend"
has "$tmp/pool" "  0                  1                  2                   3                  4                  5" "pooling x axis: x values"
"$SEQSTEP" --model "$RNN" -c 'show grad.enc.l0.h --plot' >"$tmp/grad" 2>&1
has "$tmp/grad" "(log scale)" "gradient norms on a log axis"
if grep -qE '^ +the +cat +sleeps +on +the +mat +<eos>$' "$tmp/grad"; then ok
else bad "gradient norms: the source tokens are not the x axis"; fi
# The top-k bars carry the same probabilities as the step view.
"$SEQSTEP" -c 'goto next' >"$tmp/step" 2>&1
p1=$(sed -n 's/^  1\. [^ ]* *[#.]* \([0-9.]*\)$/\1/p' "$tmp/step" | head -1)
"$SEQSTEP" -c 'goto next; set view plot' >"$tmp/topk" 2>&1
has "$tmp/topk" "decoder step t=0: the 5 most likely next tokens" "top-k plot title"
has "$tmp/topk" "$p1" "top-1 probability as in the step view ($p1)"
# The training history from the model folder's train.json.
"$SEQSTEP" -c 'show train.valid.bleu --plot' >"$tmp/train" 2>&1
has "$tmp/train" "training history: loss" "training loss plot"
has "$tmp/train" "o training loss (train.loss)   * validation loss (train.valid.loss)" "training loss legend"
has "$tmp/train" "training history: validation scores" "validation scores plot"
has "$tmp/train" "x exact match, % (train.valid.exact)   % BLEU (train.valid.bleu)" "validation scores legend"
has "$tmp/train" "1000" "steps on the x axis"
# No plot here: one line, exit 1, and the view stays.
"$SEQSTEP" -c 'goto embed; set view plot' >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -qF "this stage (embed) has no plot; stages with a plot: positions, dec.input, next" "$tmp/err"; then ok
else bad "set view plot without a plot: exit $rc: $(cat "$tmp/err")"; fi
"$SEQSTEP" -c 'show enc.0.ffn.hidden --plot' >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 1 ] && grep -qF "enc.0.ffn.hidden has no plot" "$tmp/err"; then ok
else bad "show --plot of a matrix: $(cat "$tmp/err")"; fi

if ! command -v tmux >/dev/null 2>&1; then
	echo "e2e_plot: tmux is not installed (make deps); the explorer part skipped"
	echo "e2e_plot: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

# ---- the explorer ----
gone() { # TEXT what: not on the screen (after the last change settled)
	sleep 0.3
	if screen | grep -qF -- "$1"; then badscreen "$2: '$1' still on screen"; else ok; fi
}
start() { # NAME COLS ROWS MODEL [ENV=...]
	win=$1
	c=$2 r=$3 m=$4
	shift 4
	T -f /dev/null new-session -d -s "$win" -x "$c" -y "$r" \
		"env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $* $SEQSTEP --model $m; sleep 600"
	win=$win:0
}
chr() { printf "\\$(printf %o $(($1 + 32)))"; }
click() { # Y X: a left click (xterm X10 encoding)
	T send-keys -t "$win" -l "$(printf '\033[M ')$(chr "$2")$(chr "$1")$(printf '\033[M#')$(chr "$2")$(chr "$1")"
}

# The pooling figure, 100x30: axes, legend, the known point f(2.0).
start pool 100 30 "$POOL"
check "attention pooling, Nadaraya-Watson Gaussian kernel" "plot title"
check "● training data (x_i, y_i)   ━ true f(x) (pool.truth)" "legend"
check "└┬──" "x axis"
check "  0              1             2              3             4              5" "x ticks are x values"
check "pool.values[0.044] = 0.5018" "the cursor starts on the first training point"
keys : "goto output" Enter
check "pool.out[0.0] = 1.8835" "the output stage: the first prediction"
keys l l l l l l l l
check "pool.out[2.0] = 2.8325  (row 0, col 8)" "right arrow: the next prediction, query 8"
want=$("$SEQSTEP" --model "$POOL" -c 'show pool.out' | awk '/^ +2.0 /{getline; print $1; exit}')
[ "$want" = 2.8325 ] && ok || bad "batch show of pool.out[8]: '$want'"
keys Enter
check "out[2.0] = weights[2.0,0.044]·values[0.044] +" "Enter explains the point"
check "= 2.8325" "the explanation ends with the trace's value"
keys Escape
keys k
check "pool.truth[2.0] = 3.5597" "up: the true curve above the prediction"
keys j
check "pool.out[2.0] = 2.8325" "down: back to the prediction"
keys h
check "pool.out[1.75] = 2.7960" "left arrow"
# A click at the origin of the axes selects the nearest point, f(0) = 0:
# the first cell right of "0┤" (X10 coordinates count from 1).
line=$(screen | grep -n '0┤' | tail -1)
y=${line%%:*}
prefix=${line#*:}
prefix=${prefix%%0┤*}
x=$(($(printf '%s' "$prefix" | LC_ALL=C.UTF-8 wc -m) + 3))
click "$y" "$x"
check "pool.truth[0.0] = 0.0000" "a click selects the nearest point"
# v: the matrices and back; set view; the message on a stage without a plot.
keys v
check "pool.out [20]" "v shows the matrix"
gone "└┬──" "v leaves the plot"
keys v
check "└┬──" "v shows the plot again"
keys : "goto scores" Enter : "set view plot" Enter
check "pool.scores: the scores of each query over the keys x_i" "set view plot on the scores"
keys : "set view numbers" Enter
check "-0.0010" "set view numbers: the scores as numbers"
keys : "load qkv-example" Enter : "set view plot" Enter
check "has no plot; this model has no stage with a plot" "no plot here"
keys : quit Enter

# NO_COLOR at 80x24: the ASCII plot, no colour codes; a resize keeps it.
start mono 80 24 "$POOL" NO_COLOR=1
check "o training data (x_i, y_i)   * true f(x) (pool.truth)" "NO_COLOR legend"
check " ++----------+" "NO_COLOR x axis"
check "pool.values[0.044] = 0.5018" "NO_COLOR detail"
if T capture-pane -e -p -t "$win" | grep -q '\[[34][0-7]m\|38;5;\|48;5;'; then bad "colour codes under NO_COLOR"
else ok; fi
keys l l
check "pool.values[0.103] =" "NO_COLOR: the arrows move along the data"
T resize-window -t "$win" -x 200 -y 60
check "o training data (x_i, y_i)   * true f(x) (pool.truth)   x pooled f(x)" "resized to 200x60: the legend on one line"
check "pool.values[0.103] =" "resized: the same point"
T resize-window -t "$win" -x 50 -y 12
check "enlarge the terminal" "too small"
T resize-window -t "$win" -x 80 -y 24
check " ++----------+" "back to 80x24"
keys q

# A terminal without UTF-8: the same ASCII glyphs (in colour).
start ascii 100 30 "$POOL" LANG=C LC_ALL=C
check "o training data (x_i, y_i)   * true f(x) (pool.truth)" "non-UTF-8 legend"
check " ++--------------+" "non-UTF-8 x axis"
if screen | grep -q "$(printf '\342\240')"; then bad "braille on a terminal without UTF-8"; else ok; fi
keys q

# A projector: the positional encoding with its heatmap; top-k bars.
start proj 200 60 en-zh-transformer
check "tokenize" "200x60 first frame"
keys : "goto positions" Enter v
check "src.pos: columns of P over the positions" "positional encoding plot"
check "src.pos [7 x 32]" "P as a heatmap beside the curves"
check "━ dim 0 (sin)   ━ dim 1 (cos)   ━ dim 4 (sin)   ━ dim 5 (cos)" "the default columns"
keys l
check "src.pos[cat, 0] = 0.8415" "right arrow: the next position (sin 1)"
keys : "explain src.pos 2 9" Enter Escape
check "━ dim 9 (cos)   ━ dim 0 (sin)" "the cursor's dimension is drawn"
# the decoder step is the cursor's row, kept from stage to stage (2 here)
keys : "goto next" Enter : "set view plot" Enter
check "decoder step t=2: the 5 most likely next tokens (output: 垫)" "top-k plot"
keys j
check "decoder step t=3: the 5 most likely next tokens (output: 子)" "down: the next decoder step"
keys : quit Enter

# The training history: two plots side by side, the cursor on a point.
start train 100 30 en-zh-transformer
check "tokenize" "training: first frame"
keys : "show train.loss --plot" Enter
check "training history: loss" "training plot in the explorer"
check "training history: validation scores" "validation plot beside it"
want=$("$SEQSTEP" -c 'show train.loss' | awk '/^ +40 /{getline; print $1; exit}')
check "train.loss[40] = $want" "the cursor on the first logged step ($want)"
keys j
check "train.valid.loss[1000] =" "down: the validation loss"
keys : quit Enter

# The gradient norms open as a log plot.
start rnn 100 30 "$RNN"
keys : "goto grads" Enter
check "‖∂loss/∂h_t‖ (log scale)" "gradient norms on a log axis"
check "grad.enc.l0.h[the] =" "the cursor on the first step"
keys : quit Enter

echo "e2e_plot: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
