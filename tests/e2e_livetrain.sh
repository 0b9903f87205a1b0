#!/bin/sh
# Live training as a lecturer uses it. Batch mode: `train N --from scratch`
# on a shipped model gives the files `seqstep train` gives for the same
# config, seed and steps, byte for byte; `train save` never overwrites
# without --force. The screen (tmux): `train 2000 --from scratch` starts,
# the status line's step and loss move while keys still work (n goes on to
# the loss curve), pause holds
# the step, stop ends it, and q leaves the terminal as it was.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
case $SEQSTEP in /*) ;; *) SEQSTEP="$PWD/$SEQSTEP" ;; esac
. tests/lib_e2e.sh livetrain
fail=0
die() { echo "FAIL: $*"; fail=1; }

# ---- batch: the explorer's trainer is `seqstep train` ----
M=en-zh-transformer
"$SEQSTEP" train --config models/$M/train.json --corpus models/corpus/en-zh --out "$tmp/cli" \
	--steps 12 >/dev/null 2>&1 || die "seqstep train failed"
"$SEQSTEP" -c "load $M; train 12 --from scratch; train save $tmp/live" >"$tmp/out" 2>&1 ||
	die "train in batch mode failed: $(tail -1 "$tmp/out")"
for f in model.safetensors train_state.safetensors train.json config.json src.vocab tgt.vocab; do
	cmp -s "$tmp/cli/$f" "$tmp/live/$f" || die "live training: $f differs from seqstep train's"
done
grep -q "^trained 12 steps" "$tmp/out" || die "no summary line: $(cat "$tmp/out")"
grep -q "^== alignment ==" "$tmp/out" || die "train does not show the alignment"
"$SEQSTEP" -c "load $M; train 2 --from scratch; train save $tmp/live" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q -- "--force" "$tmp/err" || die "train save overwrote a model without --force"
cmp -s "$tmp/cli/model.safetensors" "$tmp/live/model.safetensors" || die "the refused save changed files"
"$SEQSTEP" --model "$tmp/live" --translate "the cat" >/dev/null 2>&1 || die "the saved model does not load"

# ---- the screen ----
if ! command -v tmux >/dev/null 2>&1; then
	echo "e2e_livetrain: tmux is not installed (make deps); screen part skipped"
	exit $fail
fi
# The step and loss the status line shows: "training 340/20000  loss 2.3142 ..."
progress() { status_line | sed -n 's/.*\(training\|paused\) \([0-9]*\)\/20000  loss \([0-9.]*\).*/\2 \3/p'; }

cmd="stty -g >$tmp/before; env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $SEQSTEP; echo exit=\$? >$tmp/rc; stty -g >$tmp/after; echo DONE; sleep 600"
T -f /dev/null new-session -d -s w -x 110 -y 32 "$cmd"
win=w:0
wait_for "press n to step" || die "first frame"
# Long enough not to end during the test.
keys : "train 20000 --from scratch" Enter
wait_for "training from scratch" || die "train did not start: $(status_line)"
wait_for "/20000  loss" || die "no status line"
a=$(progress)
sleep 1.5
b=$(progress)
[ -n "$a" ] && [ -n "$b" ] || die "status line unreadable: '$(status_line)'"
[ "${a% *}" -lt "${b% *}" ] 2>/dev/null || die "the step did not move: '$a' then '$b'"
[ "${a#* }" != "${b#* }" ] || die "the loss did not move: '$a' then '$b'"
screen | grep -q "dec.1.cross_attn.weights_avg" || die "the alignment is not on screen"
# The interpreter stays responsive while it trains: n goes on to the
# loss curve, a stage once the history has its first point (step 200).
i=0
while [ $i -lt 40 ] && ! screen | grep -qF "training history: loss"; do
	keys n
	sleep 0.25
	i=$((i + 1))
done
screen | grep -qF "training history: loss" || die "n did not reach the loss curve while training"
keys : "train pause" Enter
wait_for "paused at step" || die "pause: $(status_line)"
p1=$(progress)
sleep 0.6
p2=$(progress)
[ -n "$p1" ] && [ "$p1" = "$p2" ] || die "paused, yet the step moved: '$p1' then '$p2'"
keys : "train resume" Enter
wait_for "training again from step" || die "resume: $(status_line)"
keys : "train stop" Enter
wait_for "stopped at step" || die "stop: $(status_line)"
screen | grep -q "/20000  loss" && die "the status line stayed after stop"
keys q
wait_for DONE || die "q did not quit"
[ "$(cat "$tmp/rc" 2>/dev/null)" = "exit=0" ] || die "exit status: $(cat "$tmp/rc" 2>/dev/null)"
cmp -s "$tmp/before" "$tmp/after" || die "terminal not restored"
[ $fail -eq 0 ] && echo "e2e_livetrain: ok (steps $a -> $b)"
exit $fail
