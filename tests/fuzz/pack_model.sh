#!/bin/sh
# Packs a model folder into one fuzz_model input on stdout (format in
# fuzz_model.c): "==> NAME <==" sections separated by "\n".
#   sh tests/fuzz/pack_model.sh DIR [SENTENCE] [REPLACE_NAME REPLACE_FILE]
# REPLACE_NAME (e.g. model.safetensors) takes its bytes from REPLACE_FILE.
set -eu
dir=$1 sentence=${2:-} rname=${3:-} rfile=${4:-}
first=1
section() { # name file
	[ "$first" = 1 ] || printf '\n'
	first=0
	printf '==> %s <==\n' "$1"
	cat "$2"
}
for f in "$dir"/config.json "$dir"/*.vocab "$dir"/*.merges "$dir"/model.safetensors "$dir"/tensors/*.csv; do
	[ -f "$f" ] || continue
	name=${f#"$dir"/}
	if [ "$name" = "$rname" ]; then section "$name" "$rfile"; else section "$name" "$f"; fi
done
if [ -n "$rname" ] && [ ! -f "$dir/$rname" ]; then section "$rname" "$rfile"; fi
if [ -n "$sentence" ]; then
	printf '\n==> sentence <==\n%s' "$sentence"
fi
