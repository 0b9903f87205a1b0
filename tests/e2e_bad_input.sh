#!/bin/sh
# Every file in tests/data/bad/ dropped into an otherwise good model folder:
# seqstep must exit 2 with exactly one line on stderr that names the file and
# contains the expected words (tests/data/bad/EXPECT), and never crash.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
BAD=tests/data/bad
TF=tests/ref/fixtures/tf-post-relu-h2
QKV=models/qkv-example
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # name expect dir [args...]
	name=$1 expect=$2 dir=$3
	shift 3
	"$SEQSTEP" --model "$dir" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF -- "$expect" "$tmp/err" &&
		{ [ -z "${want_file:-}" ] || grep -qF -- "$want_file" "$tmp/err"; }; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc, $lines line(s): $(head -c 300 "$tmp/err")"
	fi
}

fresh() { # copy of a good model folder
	rm -rf "$tmp/m"
	cp -r "$1" "$tmp/m"
}

while IFS="$(printf '\t')" read -r name expect; do
	[ -n "$name" ] || continue
	case $name in
	st-* | model-*)
		fresh "$TF"
		cp "$BAD/$name" "$tmp/m/model.safetensors"
		want_file=model.safetensors check "$name" "$expect" "$tmp/m" --translate "s4 s5"
		;;
	csv-*)
		fresh "$QKV"
		cp "$BAD/$name" "$tmp/m/tensors/W_q.csv"
		want_file=W_q.csv check "$name" "$expect" "$tmp/m" --list
		;;
	config-*)
		fresh "$TF"
		cp "$BAD/$name" "$tmp/m/config.json"
		want_file=m/ check "$name" "$expect" "$tmp/m" --translate "s4 s5"
		;;
	vocab-*)
		fresh "$TF"
		cp "$BAD/$name" "$tmp/m/src.vocab"
		want_file=src.vocab check "$name" "$expect" "$tmp/m" --translate "s4 s5"
		;;
	log-*)
		# train.json's training history (read when the model loads)
		fresh "$TF"
		cp "$BAD/$name" "$tmp/m/train.json"
		want_file=train.json check "$name" "$expect" "$tmp/m" --translate "s4 s5"
		;;
	lesson-*)
		# A shared lesson file: --lesson stops at the first problem (the
		# handout printed so far goes to stdout).
		want_file=$name check "$name" "$expect" "$QKV" --lesson "$BAD/$name"
		;;
	*) echo "FAIL: no rule for $name"; fail=$((fail + 1)) ;;
	esac
done <"$BAD/EXPECT"

# Tensors the config does not use (a buffer of a real state_dict, layers the
# config leaves out) are not bad input: the model loads, runs as without
# them, and one warning line names the file and the tensors.
WARN=tests/data/warn
warns() { # name words file-in-folder
	fresh "$TF"
	"$SEQSTEP" --model "$tmp/m" --translate "s4 s5" >"$tmp/plain" 2>/dev/null
	cp "$WARN/$1" "$tmp/m/$3"
	"$SEQSTEP" --model "$tmp/m" --translate "s4 s5" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -qF -- "warning: $tmp/m/model.safetensors: " "$tmp/err" && grep -qF -- "$2" "$tmp/err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: exit $rc: $(head -c 300 "$tmp/err")"
	fi
	# the explorer's interpreter says it too, once, on stderr
	"$SEQSTEP" --model "$tmp/m" -c 'translate s4 s5; step' >/dev/null 2>"$tmp/err"
	if [ $? -eq 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$2" "$tmp/err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1 (-c): $(head -c 300 "$tmp/err")"
	fi
}
warns model-extra-tensor.safetensors "1 tensor not used by config.json, ignored: encoder.extra.weight" model.safetensors
warns config-fewer-layers.json "18 tensors not used by config.json, ignored: transformer.decoder.layers.1." config.json
# an extra tensor changes nothing the model computes
fresh "$TF"
"$SEQSTEP" --model "$tmp/m" --translate "s4 s5" --show dec.out >"$tmp/plain" 2>/dev/null
cp "$WARN/model-extra-tensor.safetensors" "$tmp/m/model.safetensors"
"$SEQSTEP" --model "$tmp/m" --translate "s4 s5" --show dec.out >"$tmp/out" 2>/dev/null
if cmp -s "$tmp/plain" "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL extra tensor changed the output"; fi

# Cases that are not a file: links out of the folder, bad sentences, missing folder.
fresh "$TF"
ln -sf /etc/hostname "$tmp/m/tgt.vocab" 2>/dev/null || ln -sf "$PWD/$TF/tgt.vocab" "$tmp/m/tgt.vocab"
want_file=tgt.vocab check symlink "symbolic link" "$tmp/m" --translate "s4"
fresh "$QKV"
mv "$tmp/m/tensors" "$tmp/tensors-elsewhere"
ln -s "$tmp/tensors-elsewhere" "$tmp/m/tensors"
want_file=tensors check symlink-tensors-folder "symbolic link" "$tmp/m" --list
fresh "$TF"
want_file= check empty-sentence "empty sentence" "$tmp/m" --translate "   "
long=$(yes s4 | head -40 | tr '\n' ' ')
want_file= check long-sentence "too long" "$tmp/m" --translate "$long"
want_file= check invalid-utf8 "invalid UTF-8" "$tmp/m" --translate "$(printf 's4 \377 s5')"
want_file= check no-folder "not a model folder" "$tmp/nowhere" --translate "s4"
fresh "$TF"
rm "$tmp/m/config.json"
want_file=config.json check no-config "missing" "$tmp/m" --translate "s4"
# Usage errors exit 1.
"$SEQSTEP" --model "$TF" --translate s4 --show no.such.name >/dev/null 2>&1
[ $? -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL unknown trace name: want exit 1"; }
"$SEQSTEP" --bogus >/dev/null 2>&1
[ $? -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL unknown option: want exit 1"; }

echo "bad input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
