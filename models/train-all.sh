#!/bin/sh
# Retrains every shipped model from the committed corpora (`make models`).
# Each model trains into a scratch folder first, so a failed or interrupted
# run never clobbers the shipped one; then its files are copied over and it
# is evaluated on the test split. Prints the wall time of each training.
# train.json is the exact configuration plus the run's history ("log":
# the loss curve and the validations), which the explorer plots.
#   models/train-all.sh [NAME...]     (default: all six)
set -eu
cd "$(dirname "$0")/.."
SEQSTEP=${SEQSTEP:-build/seqstep}
[ -x "$SEQSTEP" ] || { echo "train-all.sh: $SEQSTEP not built (run make)" >&2; exit 1; }
# The trainer's own two shards are its parallelism; BLAS threads only add noise.
export OPENBLAS_NUM_THREADS=1

corpus_of() {
	case "$1" in
	en-fr-*) echo models/corpus/en-fr ;;
	recall-*) echo models/corpus/recall ;;
	*) echo models/corpus/en-zh ;;
	esac
}

names=${*:-"en-zh-transformer en-fr-transformer en-zh-lstm-attn en-zh-rnn recall-rnn recall-lstm"}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/seqstep-models.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
summary=""
for name in $names; do
	dir=models/$name
	[ -f "$dir/train.json" ] || { echo "train-all.sh: $dir/train.json missing" >&2; exit 1; }
	corpus=$(corpus_of "$name")
	echo "== $name (corpus $corpus)"
	start=$(date +%s.%N)
	"$SEQSTEP" train --config "$dir/train.json" --corpus "$corpus" --out "$scratch/$name"
	end=$(date +%s.%N)
	secs=$(echo "$start $end" | awk '{printf "%.0f", $2 - $1}')
	for f in "$scratch/$name"/*; do
		case "$(basename "$f")" in
		train_state.safetensors) ;; # the state is for --resume only
		*) cp "$f" "$dir/" ;;
		esac
	done
	"$SEQSTEP" eval --model "$dir" --corpus "$corpus" --split test | tee "$scratch/$name.eval"
	score=$(head -1 "$scratch/$name.eval" | sed 's/.*: //')
	summary="$summary$name: trained in ${secs} s; test $score
"
done
echo "== summary"
printf '%s' "$summary"
