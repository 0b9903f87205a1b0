#!/bin/sh
# make bench: every benchmark binary, the PyTorch counterparts when Debian's
# python3-torch is installed, and a table of seqstep / torch ratios measured
# in this same run (< 1 means seqstep is faster).
BUILD=${BUILD:-build}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
export OPENBLAS_NUM_THREADS=1   # torch is pinned to one thread too
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
for b in "$BUILD"/bench/*; do
	[ -x "$b" ] || continue
	"$b" models | tee -a "$out"
done
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	for p in tests/bench/torch_*.py; do
		[ -e "$p" ] || continue
		/usr/bin/python3 "$p" | tee -a "$out"
	done
else
	echo "python3-torch not installed: no PyTorch ratios (apt-get install python3-torch)"
fi
echo
printf '%-32s %12s %12s %8s\n' measurement seqstep torch ratio
awk '$3 == "seqstep" || $3 == "torch" { key = $1 " " $2; v[key, $3] = $4; keys[key] = 1 }
END { for (k in keys) printf "%-32s %12s %12s %8s\n", k, v[k, "seqstep"], v[k, "torch"],
      (v[k, "torch"] > 0 && v[k, "seqstep"] > 0) ? sprintf("%.2f", v[k, "seqstep"] / v[k, "torch"]) : "-" }' "$out" | sort
