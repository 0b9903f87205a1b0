#!/bin/sh
# seqstep train / eval end to end: Ctrl-C (SIGINT) saves a loadable model and
# a train state and exits 130; --resume continues it; usage errors exit 1;
# eval prints the length-bucket table.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }

cat >"$tmp/tiny.json" <<'JSON'
{"architecture": "transformer", "d_model": 8, "nhead": 2, "num_encoder_layers": 1,
 "num_decoder_layers": 1, "dim_feedforward": 16, "max_len": 48,
 "src": {"tokenizer": "word", "lowercase": true}, "tgt": {"tokenizer": "char"},
 "train": {"steps": 1000000, "batch_size": 4, "eval_every": 0, "eval_max": 20, "log_every": 10}}
JSON

"$SEQSTEP" train --config "$tmp/tiny.json" --corpus models/corpus/en-zh --out "$tmp/m" >"$tmp/log" 2>&1 &
pid=$!
# Wait for the first progress line, then interrupt.
i=0
while [ $i -lt 100 ] && ! grep -qs '^step ' "$tmp/log"; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || die "SIGINT: exit $rc, expected 130: $(tail -2 "$tmp/log")"
grep -q "interrupted at step" "$tmp/log" || die "SIGINT: no 'interrupted' line"
for f in config.json train.json model.safetensors src.vocab tgt.vocab train_state.safetensors; do
	[ -f "$tmp/m/$f" ] || die "SIGINT: $f not saved"
done
ls -a "$tmp/m" | grep -q '\.tmp$' && die "SIGINT: temp file left behind"
"$SEQSTEP" --model "$tmp/m" --translate "the cat" >/dev/null 2>&1 || die "saved model does not load"
step=$(sed -n 's/.*interrupted at step \([0-9]*\).*/\1/p' "$tmp/log")

# --resume picks up train.json and the state; --steps sets the end.
"$SEQSTEP" train --resume --corpus models/corpus/en-zh --out "$tmp/m" --steps $((step + 3)) >"$tmp/log2" 2>&1 ||
	die "resume failed: $(tail -1 "$tmp/log2")"
grep -q "resuming: step $step of $((step + 3))" "$tmp/log2" || die "resume did not start at step $step"

# Without --resume or --force the model is kept.
"$SEQSTEP" train --config "$tmp/tiny.json" --corpus models/corpus/en-zh --out "$tmp/m" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q -- "--force" "$tmp/err" || die "existing model not protected"

# Usage errors: exit 1, one line.
"$SEQSTEP" train --corpus x >/dev/null 2>&1
[ $? -eq 1 ] || die "train without --config/--out should exit 1"
"$SEQSTEP" eval --model "$tmp/m" >/dev/null 2>&1
[ $? -eq 1 ] || die "eval without --corpus should exit 1"
"$SEQSTEP" eval --model "$tmp/m" --corpus "$tmp/none" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "none/test.tsv" "$tmp/err" || die "eval of a missing split: exit 2 naming the file"

"$SEQSTEP" eval --model "$tmp/m" --corpus models/corpus/en-zh --max 8 >"$tmp/eval" 2>&1 || die "eval failed"
for b in 3-5 6-8 9-11 12-15 all; do
	grep -q "^$b " "$tmp/eval" || die "eval table lacks the $b row"
done
[ $fail -eq 0 ] && echo "e2e_train: ok (interrupted at step $step)"
exit $fail
