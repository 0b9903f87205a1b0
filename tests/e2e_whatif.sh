#!/bin/sh
# What-if end to end. Batch mode: a switch shows in every printed view and in
# the formulas; edit + diff on qkv-example lists exactly the tensors
# downstream; dump writes the switches as a CSV comment and the file loads
# back (dump -> edit -> load); switches a model lacks, computed tensors and a
# diff with nothing to compare are one-line errors (exit 1); reset; a
# lesson-style mask note. The explorer in tmux at 80x24: the title bar's
# WHAT-IF badge while a switch is on (and not after reset), the diff list in
# its pager, the Δ heatmap of the matrix view with its detail line, and d
# toggling it. Polls with a timeout.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
case $SEQSTEP in /*) ;; *) SEQSTEP="$PWD/$SEQSTEP" ;; esac
export SEQSTEP_MODELS="$PWD/models"
. tests/lib_e2e.sh whatif
has() { # FILE TEXT what
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: no '$2' in:"; sed 's/^/  | /' "$1" | head -30; fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then bad "$3: '$2' should not be there"; else ok; fi
}
runs() { # RC OUT ARGS...: seqstep exits RC
	want=$1 out=$2
	shift 2
	"$SEQSTEP" "$@" >"$out" 2>"$out.err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else bad "seqstep $*: exit $rc, want $want ($(head -1 "$out.err"))"; fi
}

# ---- batch: a switch in the views and the formulas ----
runs 0 "$tmp/scale" -c 'set scale off; show enc.0.self_attn.h0.scores; explain enc.0.self_attn.h0.scores 0 1'
has "$tmp/scale" "what-if: scale off" "set scale off reports"
has "$tmp/scale" "WHAT-IF: scale off" "the printed view names the switch"
has "$tmp/scale" "without the 1/√d_k" "the description says what was computed"
if grep -A3 '^h0.scores\[the, cat\] =' "$tmp/scale" | grep -qF '√'; then
	bad "the worked sum of a scale-off score still divides by √d"
else ok; fi
runs 0 "$tmp/reset" -c 'set scale off; reset; show enc.0.self_attn.h0.scores'
has "$tmp/reset" "what-if: none (the model as trained)" "reset"
hasnt "$tmp/reset" "WHAT-IF" "reset: no badge in the view"

# ---- edit + diff on the hand-worked example ----
runs 0 "$tmp/qkv" -c 'load qkv-example; edit self_attn.w_q 0 0 1.67; diff; diff self_attn.q'
has "$tmp/qkv" "the model's W_q[0, 0]" "edit names the weight"
sed -n '/tensors changed, in pipeline order/,/^[^ ]/p' "$tmp/qkv" | grep '^  ' | awk '{print $1}' >"$tmp/qkv.list"
printf 'self_attn.w_q\nself_attn.q\nself_attn.scores\nself_attn.weights\nself_attn.out\n' >"$tmp/qkv.want"
if cmp -s "$tmp/qkv.list" "$tmp/qkv.want"; then ok; else bad "diff lists $(tr '\n' ' ' <"$tmp/qkv.list")"; fi
has "$tmp/qkv" "self_attn.w_q [6 x 4]" "diff: the edited weight's line"
has "$tmp/qkv" "1/24 cells, edited" "diff marks the edit"
has "$tmp/qkv" "self_attn.q [6 x 4]  max|Δ|" "diff NAME: the entry"
has "$tmp/qkv" "Δ = now - before of self_attn.q" "diff NAME: the Δ tensor"
# Δq[Cat, 0] = X[Cat, 0] (ΔW_q[0,0] = 1)
x0=$("$SEQSTEP" --model qkv-example --show self_attn.x | awk '$1 == "Cat" { print $2; exit }')
d0=$(awk '/^self_attn.q .*Δ = now/ { f = 1 } f && $1 == "Cat" { print $2; exit }' "$tmp/qkv")
if [ -n "$x0" ] && [ "$x0" = "$d0" ]; then ok; else bad "Δq[Cat, 0] = '$d0', X[Cat, 0] = '$x0'"; fi

# ---- dump writes the switches; the CSV loads back ----
runs 0 "$tmp/dump" -c "load qkv-example; edit self_attn.w_q 0 0 1.67; dump self_attn.w_q $tmp/out"
if head -1 "$tmp/out/self_attn.w_q.csv" | grep -qF "# what-if: edit self_attn.w_q[0, 0] = 1.67 (was 0.67)"; then ok
else bad "dump: first line $(head -1 "$tmp/out/self_attn.w_q.csv")"; fi
cp -r models/qkv-example "$tmp/m"
cp "$tmp/out/self_attn.w_q.csv" "$tmp/m/tensors/W_q.csv"
runs 0 "$tmp/back" --model "$tmp/m" -c 'show self_attn.w_q'
has "$tmp/back" "1.6700" "the dumped weight loads back (comment skipped)"
hasnt "$tmp/back" "WHAT-IF" "a loaded model is a model as trained"

# ---- one-line errors ----
runs 1 "$tmp/e1" -c 'load qkv-example; set positions off'
has "$tmp/e1.err" "has nothing to switch: positional encoding is in transformer models" "positions on a block"
runs 1 "$tmp/e2" -c 'load qkv-example; edit self_attn.q 0 0 1'
has "$tmp/e2.err" "is computed by the engine, not given" "edit of a computed tensor"
runs 1 "$tmp/e3" -c 'load qkv-example; diff'
has "$tmp/e3.err" "nothing to compare with yet" "diff without a baseline"
runs 1 "$tmp/e4" -c 'set head enc.7.self_attn 0 off'
has "$tmp/e4.err" "no attention block 'enc.7.self_attn'" "a block that does not exist"
runs 1 "$tmp/e5" -c 'set temperature 0'
has "$tmp/e5.err" "set temperature takes a number from 0.01 to 100" "temperature 0"
for f in "$tmp"/e[1-5].err; do
	if [ "$(wc -l <"$f")" -eq 1 ]; then ok; else bad "$f: not one line"; fi
done

# ---- a head off, the mask note, temperature while decoding ----
runs 0 "$tmp/head" -c 'set head enc.0.self_attn.h1 off; explain enc.0.self_attn.concat 0 16'
has "$tmp/head" "head 1 is switched off (what-if)" "concat explains the zero"
runs 0 "$tmp/mask" -c 'set mask off'
has "$tmp/mask" "Decoding stays causal" "mask off while decoding says what it means"
runs 0 "$tmp/temp" -c 'set beam 3; set temperature 2; explain probs 0 0'
has "$tmp/temp" "temperature T = 2" "probs explained at T"
runs 0 "$tmp/snap" -c 'snapshot; set scale off; set head enc.0.self_attn 0 off; diff'
has "$tmp/snap" "before: the model as trained (the snapshot)" "diff against the snapshot"

# The pooling plot with a query added: the model's queries stay one line
# (and the true curve), the what-if query is a point of its own.
out=$("$SEQSTEP" --model "$PWD/models/pooling-nw" -c 'set query 2.5; goto output' 2>&1)
if printf '%s\n' "$out" | grep -qF "the what-if query (set query)" &&
	printf '%s\n' "$out" | grep -qF "true f(x) (pool.truth)"; then ok
else bad "pooling plot with a what-if query: $(printf '%s' "$out" | tail -3)"; fi

# ---- the explorer ----
if ! command -v tmux >/dev/null 2>&1; then
	echo "e2e_whatif: tmux is not installed (make deps); the screen part skipped"
	echo "e2e_whatif: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi
win=w
T -f /dev/null new-session -d -s w -x 80 -y 24 \
	"env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $SEQSTEP; echo DONE-w; sleep 600"
win=w:0
check "press n to step" "first frame"
if screen | head -1 | grep -qF "WHAT-IF"; then bad "the badge before any switch"; else ok; fi
keys : "set scale off" Enter
check "WHAT-IF: scale off" "the title bar's badge at 80x24" title
keys : "set head enc.0.self_attn 1 off" Enter
check "WHAT-IF: scale off; head enc.0.self_attn.h1 off" "both switches in the badge" title
keys : "diff" Enter
check "tensors changed, in pipeline order" "the diff in a pager"
check "enc.0.self_attn.concat" "the diff lists the concat"
keys q
keys : "goto concat" Enter
check "Δ enc.0.self_attn.concat" "the matrix view draws Δ"
check "Δ enc.0.self_attn.out[the, 0] = " "the detail pane's Δ line"
check "before " "the detail line has the value before"
keys d
check "the values (d: Δ against the run before)" "d leaves the diff mode"
if screen | grep -qF "Δ enc.0.self_attn.concat ["; then bad "Δ still drawn after d"; else ok; fi
keys d
check "Δ enc.0.self_attn.concat" "d: the Δ again"
keys : reset Enter
wait_for "reset:" >/dev/null
sleep 0.2
if screen | head -1 | grep -qF "WHAT-IF"; then bad "the badge after reset"; else ok; fi
keys q
if wait_for "DONE-w"; then ok; else bad "q did not quit"; fi

echo "e2e_whatif: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
