#!/bin/sh
# The batch-mode commands under valgrind memcheck: no invalid read or write,
# no use of uninitialised values, no leak (definite, indirect or possible)
# on good models (translate, list, show, dump as CSV and .npy, teacher
# forcing, beam search, a CSV-only block model) and on bad input (the error
# paths must free everything too). Skips when valgrind is not installed.
# OpenBLAS runs single-threaded so no thread pool can look like a "possibly
# lost" leak; tests/valgrind.supp names the one library table that does
# (pango's interned language tags). The pictures release pango's, cairo's
# and fontconfig's font caches at exit (app/figure.c).
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed, skipped (apt-get install valgrind)"
	exit 0
fi
# A sanitizer build (make asan) cannot run under valgrind; ASan checks it.
if grep -q -e __asan_init -e __ubsan_handle "$SEQSTEP" 2>/dev/null; then
	echo "valgrind: $SEQSTEP is a sanitizer build, skipped"
	exit 0
fi
export OPENBLAS_NUM_THREADS=1
VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --suppressions=tests/valgrind.supp"
TF=tests/ref/fixtures/tf-post-relu-h2
TF3=tests/ref/fixtures/tf-pre-gelu-h3-odd
LSTM=tests/ref/fixtures/lstm-additive-2l
GRU=tests/ref/fixtures/gru-scaled-dot
QKV=models/qkv-example
BAD=tests/data/bad
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

run() { # want_exit name args...
	want=$1 name=$2
	shift 2
	# shellcheck disable=SC2086
	$VG "$SEQSTEP" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		if [ "$rc" -eq 99 ]; then
			echo "FAIL $name: valgrind found errors:"
		else
			echo "FAIL $name: exit $rc, want $want:"
		fi
		head -40 "$tmp/err" | sed 's/^/    /'
	fi
}

# Good models: every batch command.
for m in "$TF" "$TF3" "$LSTM" "$GRU"; do
	n=$(basename "$m")
	run 0 "$n translate" --model "$m" --translate "s4 s5 s6"
	run 0 "$n list" --model "$m" --translate "s4 s5 s6" --list
done
run 0 "tf show" --model "$TF" --translate "s4 s5 s6" --show enc.0.self_attn.h1.weights
run 0 "tf3 show" --model "$TF3" --translate "s4 s5" --show dec.0.cross_attn.weights_avg
run 0 "lstm show" --model "$LSTM" --translate "s4 s5 s6" --show dec.attn.weights
run 0 "tf dump csv" --model "$TF" --translate "s4 s5 s6" --dump 'enc.0.*' --out "$tmp/d1"
run 0 "lstm dump npy" --model "$LSTM" --translate "s4 s5 s6" --dump '*' --out "$tmp/d2" --npy
run 0 "tf dump again, force" --model "$TF" --translate "s4 s5 s6" --dump 'enc.0.*' --out "$tmp/d1" --force
run 0 "tf teacher forcing" --model "$TF" --translate "s4 s5 zz" --target "t4 t5"
run 0 "tf beam" --model "$TF3" --translate "s4 s5 s6" --beam 3 --max-len 6
run 0 "lstm beam" --model "$LSTM" --translate "s4 s5 s6" --beam 4 --max-len 5
run 0 "qkv show" --model "$QKV" --show self_attn.q
run 0 "qkv dump" --model "$QKV" --dump '*' --out "$tmp/d3"
# Plots as text: the pooling figure, the positional encoding, the top-k bars.
run 0 "plots" --model models/pooling-nw -c 'goto data; goto softmax; set view plot'
run 0 "tf plots" --model "$TF" -c 'translate s4 s5 s6; show src.pos --plot; goto next'
run 1 "plot refused" --model "$TF" -c 'translate s4 s5; goto embed; set view plot'
if ! ls "$tmp/d1"/enc.0.*.csv >/dev/null 2>&1 || ! ls "$tmp/d2"/*.npy >/dev/null 2>&1; then
	fail=$((fail + 1))
	echo "FAIL dump: no files written"
fi

# The BPTT lab: a second model's gradients copied into the trace (which a
# snapshot copies again), the radius switch, clipping. (Live training runs
# under ASan in test_livetrain: a model's corpus is too slow here.)
S=$(sed -n 171p models/corpus/recall/test.tsv)
run 0 "bptt lab" --model recall-rnn -c "translate ${S%%	*}; target ${S#*	}; grad; set radius 6; set clip 1; snapshot; set radius trained; diff; grad off"

# What-if: switches, an edit, the diff and its snapshot, reset, and a
# refused edit (the undo and the error paths free everything too).
run 0 "what-if tf" --model "$TF" -c "translate s4 s5 s6; set scale off; set head dec.0.cross_attn 1 off; set temperature 2; snapshot; set positions off; diff; diff enc.0.self_attn.h0.weights; reset"
run 0 "what-if lstm" --model "$LSTM" -c "translate s4 s5 s6; set beam 2; set temperature 0.5; edit dec.out.b 0 4 1.5; diff"
run 0 "what-if qkv" --model "$QKV" -c "edit self_attn.w_q 0 0 1.67; diff self_attn.q; reset"
run 1 "what-if refused" --model "$QKV" -c "edit self_attn.q 0 0 1"

# Pictures: each format from --export, the explorer's export of a plot,
# a lesson as a PDF handout, and the error paths (an existing file, a bad
# format, a folder that cannot be made).
run 0 "export png" --model "$TF" --translate "s4 s5 s6" --export 'enc.0.self_attn.h*.weights' --out "$tmp/p" --format png
run 0 "export svg" --model "$LSTM" --translate "s4 s5 s6" --export dec.attn.weights --out "$tmp/p" --format svg
run 0 "export pdf" --model "$QKV" --export 'self_attn.*' --out "$tmp/p" --format pdf
run 0 "export plot" --model models/pooling-nw -c "goto data; export stage $tmp/p/pool.svg"
run 0 "lesson pdf" --lesson lessons/09-self-attention.md --pdf "$tmp/p/l9.pdf"
run 2 "export refuses" --model "$QKV" --export 'self_attn.q' --out "$tmp/p" --format pdf
run 2 "export bad format" --model "$QKV" -c "export stage $tmp/p/x.gif"
run 2 "export no folder" --model "$QKV" --export 'self_attn.q' --out "$tmp/p/l9.pdf/sub"

# Bad input: the error paths. Exit 2 (1 for usage), never 99.
run 1 "unknown trace name" --model "$TF" --translate "s4" --show no.such.name
run 2 "dump refuses to overwrite" --model "$TF" --translate "s4 s5 s6" --dump 'enc.0.*' --out "$tmp/d1"
run 2 "empty sentence" --model "$TF" --translate "   "
run 2 "invalid UTF-8 sentence" --model "$TF" --translate "$(printf 's4 \377')"
run 2 "no folder" --model "$tmp/nowhere" --translate "s4"
bad() { # file as-name model
	rm -rf "$tmp/m"
	cp -r "$3" "$tmp/m"
	cp "$BAD/$1" "$tmp/m/$2"
	if [ "$3" = "$QKV" ]; then
		run 2 "$1" --model "$tmp/m" --list
	else
		run 2 "$1" --model "$tmp/m" --translate "s4 s5"
	fi
}
bad st-offsets-overlap.safetensors model.safetensors "$TF"
bad st-header-invalid-utf8.safetensors model.safetensors "$TF"
bad st-metadata-not-strings.safetensors model.safetensors "$TF"
bad model-wrong-shape.safetensors model.safetensors "$TF"
bad model-missing-tensor.safetensors model.safetensors "$TF"
bad config-layers-huge.json config.json "$TF"
bad config-duplicate-key.json config.json "$TF"
bad vocab-duplicate.vocab src.vocab "$TF"
bad vocab-invalid-utf8.vocab src.vocab "$TF"
bad csv-ragged.csv tensors/W_q.csv "$QKV"
bad csv-unclosed-quote.csv tensors/W_q.csv "$QKV"

echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
