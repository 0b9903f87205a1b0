#!/bin/sh
# make bench: every benchmark binary, the PyTorch counterparts when Debian's
# python3-torch is installed, and a table of time ratios measured in this
# same run: seqstep's time / torch's time, so < 1 means seqstep is faster
# (for throughput lines in tok/s the ratio is torch / seqstep, the same
# meaning).
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
printf '%-34s %14s %14s %11s\n' measurement seqstep torch 'time ratio'
awk '$3 == "seqstep" || $3 == "torch" { key = $1 " " $2; v[key, $3] = $4; u[key] = $5; keys[key] = 1 }
END { for (k in keys) {
        s = v[k, "seqstep"]; t = v[k, "torch"]
        r = (s > 0 && t > 0) ? (u[k] == "tok/s" ? t / s : s / t) : -1
        unit = u[k] == "tok/s" ? "t/s" : "ms"
        printf "%-34s %11s %-3s %11s %-3s %11s\n", k, s, unit, t == "" ? "-" : t, t == "" ? "" : unit, r < 0 ? "-" : sprintf("%.2f", r) } }' "$out" | sort
