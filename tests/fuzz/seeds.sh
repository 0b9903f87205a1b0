#!/bin/sh
# Assembles the seed corpus of every target in $FUZZ_BUILD/seeds/NAME from the
# real files in the repository (fixtures, shipped models, tests/data/bad) and
# the hand-written seeds in tests/fuzz/seeds/NAME. Rebuilt on every run; the
# growing corpus lives in $FUZZ_BUILD/corpus/NAME.
set -eu
B=${FUZZ_BUILD:-build/fuzz}/seeds
HERE=tests/fuzz
rm -rf "$B"
for t in $(grep -v '^#' "$HERE/targets" | awk 'NF {print $1}'); do
	mkdir -p "$B/$t"
	[ -d "$HERE/seeds/$t" ] && cp "$HERE/seeds/$t"/* "$B/$t/" 2>/dev/null || true
done
n=0
add() { # target file
	[ -f "$2" ] || return 0
	n=$((n + 1))
	cp "$2" "$B/$1/repo-$n-$(basename "$2")"
}
for d in tests/ref/fixtures/*/ models/*/; do
	d=${d%/}
	add safetensors "$d/model.safetensors"
	add safetensors "$d/expected.safetensors"
	add config "$d/config.json"
	for f in "$d"/*.vocab; do add vocab "$f"; done
	for f in "$d"/*.merges; do add merges "$f"; done
	for f in "$d"/tensors/*.csv; do add csv "$f"; done
	if [ -f "$d/config.json" ]; then
		n=$((n + 1))
		sh "$HERE/pack_model.sh" "$d" >"$B/model/repo-$n-$(basename "$d")"
	fi
done
for f in tests/data/good/*; do
	case $f in *.safetensors) add safetensors "$f" ;; *.csv) add csv "$f" ;; esac
done
TF=tests/ref/fixtures/tf-post-relu-h2
QKV=models/qkv-example
for f in tests/data/bad/*; do
	name=$(basename "$f")
	n=$((n + 1))
	case $name in
	st-* | model-*)
		add safetensors "$f"
		sh "$HERE/pack_model.sh" "$TF" "s4 s5" model.safetensors "$f" >"$B/model/bad-$n-$name" ;;
	csv-*)
		add csv "$f"
		[ -d "$QKV" ] && sh "$HERE/pack_model.sh" "$QKV" "" tensors/W_q.csv "$f" >"$B/model/bad-$n-$name" ;;
	config-*)
		add config "$f"
		sh "$HERE/pack_model.sh" "$TF" "s4 s5" config.json "$f" >"$B/model/bad-$n-$name" ;;
	vocab-*)
		add vocab "$f"
		sh "$HERE/pack_model.sh" "$TF" "s4 s5" src.vocab "$f" >"$B/model/bad-$n-$name" ;;
	lesson-*)
		add lesson "$f" ;;
	esac
done
# Lessons, and every command line of their seqstep blocks for the parser.
for f in lessons/*.md; do
	add lesson "$f"
	awk '/^```seqstep/ {on = 1; next} /^```/ {on = 0} on' "$f" | while IFS= read -r line; do
		n=$((n + 1))
		printf '%s' "$line" >"$B/command/lesson-$n"
	done
done
# The sentences of the seeds and a few real model sentences for the encoder.
for s in "the cat is sleeping on the mat" "s4 s5 s6" "l'homme qu'il voit" "猫在睡觉。"; do
	for k in 0 1 2 6 9 10; do
		n=$((n + 1))
		printf "\\$(printf %03o $((k + 48)))%s" "$s" >"$B/encode/s-$n"
	done
done
for t in "$B"/*; do echo "  seeds  $(basename "$t"): $(ls "$t" | wc -l) files"; done
