#!/bin/sh
# tests/tools/textcmp, the golden-file comparator: a difference that only
# rounding or a BLAS kernel's summation order can make passes; any other
# difference fails and is reported with its line, both numbers and the
# tolerance.
set -u
TEXTCMP=${TEXTCMP:-build/tools/textcmp}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# same NAME WANT-RC EXPECTED-LINE ACTUAL-LINE [WORDS]: textcmp's exit status,
# and the words its report must contain
same() {
	printf 'head line\n%s\ntail 12\n' "$3" >"$tmp/a"
	printf 'head line\n%s\ntail 12\n' "$4" >"$tmp/b"
	"$TEXTCMP" "$tmp/a" "$tmp/b" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$2" ]; then bad "$1: exit $rc, want $2: $(cat "$tmp/out")"; return; fi
	if [ $# -ge 5 ] && ! grep -qF -- "$5" "$tmp/out"; then bad "$1: report lacks '$5': $(cat "$tmp/out")"; return; fi
	ok
}

same identical 0 '<bos>   0.0766  0.0684' '<bos>   0.0766  0.0684'
same last-digit 0 '<bos>   0.0766  0.0684' '<bos>   0.0766  0.0685'
same sign-of-zero 0 't6   -0.0000  1.0000' 't6    0.0000  1.0000'
same g-format 0 "'@' = 1 (ramp)" "'@' = 0.9999 (ramp)"
same two-units 1 '<bos>   0.0766  0.0684' '<bos>   0.0766  0.0686' '0.0684 and 0.0686 differ by 0.0002'
same tolerance-named 1 'x 2.1497' 'x 2.1600' 'tolerance 0.0001'
same line-number 1 'x 2.1497' 'x 2.1600' "$tmp/a:2:"
same integer 1 '[4 x 8]' '[4 x 9]' 'integers 8 and 9 differ'
same id 1 'token 4' 'token 5' 'integers'
same word-digit 1 'h0.weights' 'h1.weights' 'text differs'
same text 1 'translation: t6 t6' 'translation: t6 t7' 'text differs'
same heatmap-step 0 's4        |+ #%+-=.|' 's4        |+ #%+-+.|'
same heatmap-jump 1 's4        |+ #%+-=.|' 's4        |+ #%+-@.|'
same heatmap-outside 1 'a = b |..|' 'a - b |..|'
same bar-one 0 '  gate.r   ##################............ 0.5936' '  gate.r   #################............. 0.5936'
same bar-two 1 '  gate.r   ##################............ 0.5936' '  gate.r   ################.............. 0.5936'
same number-vs-text 1 'value 0.5' 'value x.5'

printf 'a\nb\n' >"$tmp/a"
printf 'a\n' >"$tmp/b"
if "$TEXTCMP" "$tmp/a" "$tmp/b" >"$tmp/out"; then bad "a missing line passed"
elif grep -q '2 lines' "$tmp/out"; then ok; else bad "line count not reported: $(cat "$tmp/out")"; fi
if "$TEXTCMP" "$tmp/a" "$tmp/nonexistent" >/dev/null 2>&1; [ $? -eq 2 ]; then ok; else bad "missing file: not exit 2"; fi

echo "textcmp: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
