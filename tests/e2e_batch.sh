#!/bin/sh
# Batch mode: `seqstep -c`, `--script` and commands on stdin run the
# explorer's one command interpreter and print each view as text. Checks the
# text against tests/data/expected/*.txt with tests/tools/textcmp (text
# exactly, numbers within one unit of the last printed place, so no BLAS
# kernel set decides a test; UPDATE=1 rewrites the files), the exit statuses
# (0 ok, 1 usage, 2 bad input), that the first failing command stops a script
# with one line on stderr, and that what batch mode prints agrees with the
# CLI (--show, --dump) and with explain.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
TEXTCMP=${TEXTCMP:-build/tools/textcmp}
EXP=tests/data/expected
TF=tests/ref/fixtures/tf-post-relu-h2
TF3=tests/ref/fixtures/tf-pre-gelu-h3-odd
LSTM=tests/ref/fixtures/lstm-additive-2l
GRU=tests/ref/fixtures/gru-none-2l
QKV=models/qkv-example
POOL=models/pooling-nw
. tests/lib_e2e.sh batch
export XDG_STATE_HOME="$tmp/state"

status() { # name rc expect args...: that exit status, one stderr line containing expect
	name=$1 want=$2 expect=$3
	shift 3
	"$SEQSTEP" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qF -- "$expect" "$tmp/err"; then
		ok
	else
		bad "$name: exit $rc (want $want), $lines stderr line(s): $(head -c 300 "$tmp/err")"
	fi
}

mkdir -p "$EXP"

# ---- views as text, one golden file each ----
golden batch-tf-walk --model "$TF" \
	-c 'translate s4 s5 s6; step; step; goto softmax; show enc.0.self_attn.h0.weights'
golden batch-tf-decoder --model "$TF" \
	-c 'translate s4 s5 s6; goto dec.masked 1; set head 1; set head all; goto next'
golden batch-tf-forced --model "$TF" -c 'translate s4 s5; target t5 t6 t7; goto alignment'
golden batch-tf-stages --model "$TF" -c 'stages'
golden batch-tf3-qkv --model "$TF3" -c 'translate s4 s5 s6 s7; goto qkv; set head 2; goto concat 1'
golden batch-lstm --model "$LSTM" -c 'translate s4 s5 s6; stages; goto gates 1; goto state 0; goto next'
golden batch-gru --model "$GRU" -c 'translate s7 s8; stages; goto context; goto dec.gates 1'
golden batch-qkv --model "$QKV" -c 'stages; goto weighted'
golden batch-pool --model "$POOL" -c 'stages; goto softmax'

# --script: comments, several commands on a line, quotes.
cat >"$tmp/walk.seqstep" <<'EOF'
# a handout: the first encoder layer's attention
translate "s4 s5 s6"
goto scores; step   # the mask, then softmax
step
list enc.0.self_attn.h
EOF
golden batch-script --model "$TF" --script "$tmp/walk.seqstep"

# Commands on stdin, one per line (no terminal: batch mode).
printf 'translate s9 s10\nshow dec.1.cross_attn.weights_avg\n' >"$tmp/stdin.txt"
golden batch-stdin --model "$TF" --script - <"$tmp/stdin.txt"
"$SEQSTEP" --model "$TF" <"$tmp/stdin.txt" >"$tmp/out2" 2>&1
if "$TEXTCMP" "$EXP/batch-stdin.txt" "$tmp/out2" >"$tmp/cmp"; then ok; else bad "stdin without --script differs"; head "$tmp/cmp"; fi

# ---- errors: one line on stderr, the right status, and nothing after ----
status unknown-command 1 "unknown command 'frob'" --model "$TF" -c 'frob; stages'
if [ -s "$tmp/out" ]; then bad "unknown-command: the commands after the error ran"; else ok; fi
status did-you-mean 1 "did you mean 'show'" --model "$TF" -c 'shwo src.embed'
status bad-head 1 "head 9 does not exist" --model "$TF" -c 'set head 9'
status bad-stage 1 "no stage 'nowhere'" --model "$TF" -c 'goto nowhere'
status bad-name 1 "no trace entry named 'enc.9.out'" --model "$TF" -c 'show enc.9.out'
status bad-quote 1 "unterminated double quote" --model "$TF" -c 'translate "s4 s5'
status usage-translate 1 "usage: translate SENTENCE" --model "$TF" -c 'translate'
status bad-option 1 "unknown or incomplete option" --frob
status bad-model 2 "nosuch-model" -c 'load nosuch-model'
status bad-utf8 2 "UTF-8" --model "$TF" -c "translate s4 $(printf '\377')"
printf 'translate s4 s5\nstages\ngoto nowhere\nstages\n' >"$tmp/bad.seqstep"
status script-stops 1 "bad.seqstep:3: no stage 'nowhere'" --model "$TF" --script "$tmp/bad.seqstep"
if [ "$(grep -c '^> tokenize' "$tmp/out")" -eq 1 ]; then ok; else bad "script-stops: line 4 ran or line 2 did not"; fi
status no-script 2 "cannot open" --script "$tmp/none.seqstep"

# The default model: missing models say so by name (and a present one works).
SEQSTEP_MODELS="$tmp/empty" "$SEQSTEP" -c stages >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ] && grep -qF "en-zh-transformer" "$tmp/err"; then ok; else bad "default model missing: $(cat "$tmp/err")"; fi
if [ -e models/en-zh-transformer/config.json ]; then
	"$SEQSTEP" -c 'goto softmax; goto next' >"$tmp/out" 2>"$tmp/err"
	if [ $? -eq 0 ] && grep -q '^== softmax' "$tmp/out" && grep -q '^top-5 next tokens' "$tmp/out"; then ok
	else bad "default model: $(head -c 300 "$tmp/err")"; fi
fi

# ---- one interpreter, one set of numbers ----
# show prints exactly what the CLI's --show prints.
"$SEQSTEP" --model "$TF" -c 'translate s4 s5 s6; show dec.0.self_attn.h1.scores' | sed 1,3d >"$tmp/a"
"$SEQSTEP" --model "$TF" --translate 's4 s5 s6' --show dec.0.self_attn.h1.scores >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b"; then ok; else bad "show differs from --show"; diff "$tmp/a" "$tmp/b" | head; fi

# explain ends with the trace's own value, the one show prints.
"$SEQSTEP" --model "$TF" -c 'translate s4 s5 s6; explain enc.1.self_attn.h0.weights 2 1' >"$tmp/x"
want=$("$SEQSTEP" --model "$TF" --translate 's4 s5 s6' --show enc.1.self_attn.h0.weights |
	awk 'NR > 3 && $1 == "s6" { print $3; exit }')
got=$(grep '= ' "$tmp/x" | tail -1 | awk '{ print $NF }')
if [ -n "$want" ] && [ "$got" = "$want" ]; then ok; else bad "explain's value '$got' is not show's '$want'"; fi

# Token ids, decoded ids and top-k ids are integers: they print as such, in
# the explanation (the detail pane's text) and in the numbers.
for cell in "src.tokens 0 1" "tgt.tokens 0 0" "decode.output 0 1" "decode.topk.ids 1 2"; do
	"$SEQSTEP" --model "$TF" -c "translate s4 s5 s6; explain $cell" >"$tmp/x" 2>&1
	last=$(tail -1 "$tmp/x")
	case $last in
	*"= "*[0-9]) if printf '%s\n' "$last" | grep -Eq '= [0-9]+$'; then ok; else bad "explain $cell: '$last'"; fi ;;
	*) bad "explain $cell: '$last'" ;;
	esac
done
"$SEQSTEP" --model "$TF" -c "translate s4 s5 s6; show src.tokens" >"$tmp/x" 2>&1
if grep -q '\.0000' "$tmp/x"; then bad "show src.tokens prints decimals: $(grep '0000' "$tmp/x" | head -1)"; else ok; fi

# dump writes the CLI's CSV files, atomically, and refuses to overwrite.
"$SEQSTEP" --model "$TF" -c "translate s4 s5 s6; dump 'enc.0.self_attn.h0.*' $tmp/d1" >/dev/null 2>&1
"$SEQSTEP" --model "$TF" --translate 's4 s5 s6' --dump 'enc.0.self_attn.h0.*' --out "$tmp/d2" 2>/dev/null
if [ "$(ls "$tmp/d1" | wc -l)" -eq 3 ] && diff -r "$tmp/d1" "$tmp/d2" >/dev/null; then ok; else bad "dump differs from --dump"; fi
status dump-exists 2 "use --force" --model "$TF" -c "dump enc.0.self_attn.h0.weights $tmp/d1"
if "$SEQSTEP" --model "$TF" -c "dump enc.0.self_attn.h0.weights $tmp/d1 --force" >/dev/null 2>&1; then ok
else bad "dump --force"; fi
if [ -z "$(ls -A "$tmp/d1" | grep -v '\.csv$')" ]; then ok; else bad "dump left temp files: $(ls -A "$tmp/d1")"; fi

echo "e2e_batch: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
