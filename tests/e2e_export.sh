#!/bin/sh
# Pictures to files, as a person makes them. Batch mode: --export writes a
# PNG (its size the one `export` states), an SVG (well-formed, the labels
# as text, CJK included) and a PDF (its text holds the labels and the
# what-if line); --force, and without it an existing file is kept; a bad
# format, an unknown tensor, an unwritable folder: one line, exit 2, no
# file and no temp file left; usage errors exit 1. A lesson as a PDF
# handout: a page per step and a solutions page (pdfinfo), each page's
# prose and the answers with their worked explanations (pdftotext), the
# answers the same as the text handout's; a wrong expect: exit 2 and no
# PDF. The explorer under tmux: export from the command line, an error
# that keeps the session, the diff view's Δ, a lesson printed from it.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
case $SEQSTEP in /*) ;; *) SEQSTEP="$PWD/$SEQSTEP" ;; esac
export SEQSTEP_LESSONS="$PWD/lessons" SEQSTEP_MODELS="$PWD/models"
. tests/lib_e2e.sh export
export XDG_STATE_HOME="$tmp/state"
S="the cat sleeps on the mat"
for tool in pdfinfo pdftotext xmllint; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "e2e_export: $tool is not installed (make deps installs poppler-utils, libxml2-utils)"
		exit 1
	fi
done
# one line on stderr containing TEXT, exit WANT
one_line() { # want rc errfile text what
	if [ "$2" -eq "$1" ] && [ "$(wc -l <"$3")" -eq 1 ] && grep -qF -- "$4" "$3"; then ok
	else bad "$5: exit $2 (want $1): $(head -c 300 "$3")"; fi
}
no_temp() { # dir what
	if ls -a "$1" 2>/dev/null | grep -q '\.tmp$'; then bad "$2: a temp file is left in $1"; else ok; fi
}
png_size() { # file: "W x H" from the IHDR chunk
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d x %d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}

# ---- --export, each format ----
"$SEQSTEP" --translate "$S" --export 'enc.0.self_attn.h*.weights' --out "$tmp/png" --format png >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -qF "wrote 2 pictures to $tmp/png" "$tmp/err"; then ok; else bad "--export png: exit $rc: $(cat "$tmp/err")"; fi
for h in 0 1; do
	f=$tmp/png/enc.0.self_attn.h$h.weights.png
	if [ "$(od -An -c -N4 "$f" 2>/dev/null | tr -d ' ')" = '211PNG' ]; then ok; else bad "$f is not a PNG"; fi
done
# the size export states is the file's
"$SEQSTEP" -c "translate $S; export enc.0.self_attn.h0.weights $tmp/one.png" >"$tmp/out" 2>&1
stated=$(sed -n 's/^wrote .*one.png (\([0-9]* x [0-9]*\) px)$/\1/p' "$tmp/out")
if [ -n "$stated" ] && [ "$stated" = "$(png_size "$tmp/one.png")" ]; then ok
else bad "PNG size: stated '$stated', file '$(png_size "$tmp/one.png")'"; fi
if cmp -s "$tmp/one.png" "$tmp/png/enc.0.self_attn.h0.weights.png"; then ok
else bad "export from -c and --export draw different PNGs"; fi

# SVG: well-formed, the Chinese target tokens and the English source as text
"$SEQSTEP" --translate "$S" --export dec.0.cross_attn.weights_avg --out "$tmp/svg" --format svg 2>"$tmp/err"
svg=$tmp/svg/dec.0.cross_attn.weights_avg.svg
if xmllint --noout "$svg" 2>"$tmp/xml"; then ok; else bad "SVG does not parse: $(head -3 "$tmp/xml")"; fi
xmllint --xpath '//*[local-name()="text"]/text()' "$svg" >"$tmp/svgtext" 2>/dev/null
for w in 猫 垫 睡 sleeps '&lt;eos&gt;' 'dec.0.cross_attn.weights_avg [8 × 7]' 'target position (query)'; do
	has "$tmp/svgtext" "$w" "SVG text"
done
n=$(xmllint --xpath 'count(//*[local-name()="path"][contains(@style,"fill:rgb(")])' "$svg")
[ "$n" -ge 56 ] && ok || bad "SVG: $n filled paths, want at least the 8 x 7 cells"

# PDF: one page, the labels as text, the what-if line in the caption
"$SEQSTEP" --translate "$S" --export dec.0.cross_attn.weights_avg --out "$tmp/pdf" --format pdf 2>"$tmp/err"
pdf=$tmp/pdf/dec.0.cross_attn.weights_avg.pdf
info() { pdfinfo "$2" 2>/dev/null | sed -n "s/^$1: *//p"; }
[ "$(info Pages "$pdf")" = 1 ] && ok || bad "figure PDF: $(info Pages "$pdf") pages, want 1"
pdftotext "$pdf" "$tmp/pdftext"
for w in 猫 垫 sleeps 'attention weights averaged'; do has "$tmp/pdftext" "$w" "PDF text"; done
"$SEQSTEP" -c "translate $S; set scale off; export enc.0.self_attn.h0.scores $tmp/wi.pdf; export stage $tmp/wi.svg" >/dev/null 2>&1
pdftotext "$tmp/wi.pdf" "$tmp/witext"
has "$tmp/witext" "WHAT-IF: scale off" "the what-if line in a PDF caption"
xmllint --xpath '//*[local-name()="desc"]/text()' "$tmp/wi.svg" >"$tmp/widesc" 2>/dev/null
has "$tmp/widesc" "WHAT-IF: scale off" "the what-if line in an SVG's desc"
# the model as trained has none
if grep -qF "WHAT-IF" "$tmp/pdftext"; then bad "a what-if line on the model as trained"; else ok; fi

# ---- --force, atomicity, errors ----
before=$(cksum <"$tmp/png/enc.0.self_attn.h0.weights.png")
"$SEQSTEP" --translate "the cat" --export 'enc.0.self_attn.h0.weights' --out "$tmp/png" --format png >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "exists; use --force to overwrite" "no overwrite without --force"
[ "$(cksum <"$tmp/png/enc.0.self_attn.h0.weights.png")" = "$before" ] && ok || bad "the refused file changed"
"$SEQSTEP" --translate "the cat" --export 'enc.0.self_attn.h0.weights' --out "$tmp/png" --format png --force 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ "$(cksum <"$tmp/png/enc.0.self_attn.h0.weights.png")" != "$before" ] && ok ||
	bad "--force: exit $rc, the file $( [ "$(cksum <"$tmp/png/enc.0.self_attn.h0.weights.png")" = "$before" ] && echo unchanged)"
no_temp "$tmp/png" "--export"
"$SEQSTEP" --translate "the cat" --export 'enc.0.*' --out "$tmp/bad" --format gif >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "--format takes png, svg or pdf, not 'gif'" "bad --format"
[ -e "$tmp/bad" ] && bad "a bad format made the folder" || ok
"$SEQSTEP" --translate "the cat" --export 'no.such.*' --out "$tmp/bad" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "no trace entry matches 'no.such.*'" "unknown tensor"
: >"$tmp/afile"
"$SEQSTEP" --translate "the cat" --export 'enc.0.self_attn.h0.weights' --out "$tmp/afile/sub" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "$tmp/afile/sub" "unwritable folder"
"$SEQSTEP" --translate "the cat" --export 'enc.0.*' >/dev/null 2>"$tmp/err"
one_line 1 $? "$tmp/err" "--export needs --out DIR" "--export without --out"
"$SEQSTEP" -c "export stage $tmp/x.gif" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "x.gif: not a picture format" "export to .gif"
"$SEQSTEP" -c "export no.such $tmp/x.png" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "no trace entry named 'no.such'" "export of an unknown tensor"
"$SEQSTEP" -c "export stage $tmp/afile/x.png" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "$tmp/afile/x.png" "export into a file's 'folder'"
"$SEQSTEP" -c "export stage" >/dev/null 2>"$tmp/err"
one_line 1 $? "$tmp/err" "usage: export NAME|stage FILE" "export without a file"
"$SEQSTEP" -c "export stage $tmp/one.png" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "exists; use --force" "export refuses an existing file"
"$SEQSTEP" -c "export stage $tmp/one.png --force" >/dev/null 2>"$tmp/err" && ok || bad "export --force: $(cat "$tmp/err")"
no_temp "$tmp" "export"

# ---- a lesson as a PDF handout ----
# Three steps (prose + block, a section's prose + block, a check): a page
# each and a solutions page.
cat >"$tmp/small.md" <<'EOF'
---
title: A handout in three steps
model: qkv-example
---

Alpha marker: the input rows, one per token.

```seqstep
show self_attn.x
```

## The queries

Bravo marker: each query is a row of X times W_q.

```seqstep
show self_attn.q
```

```check
question: What is q for "Cat" in dimension 1?
answer: self_attn.q[Cat, 1]
expect: 1.3801
```

Why: charlie marker, the sum of six products.
EOF
"$SEQSTEP" --lesson "$tmp/small.md" --pdf "$tmp/small.pdf" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -qF "wrote $tmp/small.pdf: 4 pages, 2 figures, solutions from page 4" "$tmp/out"; then ok
else bad "lesson PDF: exit $rc: $(cat "$tmp/out" "$tmp/err")"; fi
[ "$(info Pages "$tmp/small.pdf")" = 4 ] && ok || bad "lesson PDF: $(info Pages "$tmp/small.pdf") pages, want a page per step and a solutions page (4)"
[ "$(info Title "$tmp/small.pdf")" = "A handout in three steps" ] && ok || bad "the PDF's title: $(info Title "$tmp/small.pdf")"
page() { pdftotext -f "$1" -l "$1" "$2" - | tr -s ' \n' '  '; }
page 1 "$tmp/small.pdf" >"$tmp/p1"
for w in "A handout in three steps" "step 1 of 3" "Alpha marker: the input rows, one per token." "\$ show self_attn.x" "self_attn.x [6 × 6]" "sleeping"; do
	has "$tmp/p1" "$w" "page 1"
done
page 2 "$tmp/small.pdf" >"$tmp/p2"
for w in "The queries" "Bravo marker: each query is a row of X times W_q." "self_attn.q [6 × 4]" "self_attn.q: queries Q = X W_q"; do
	has "$tmp/p2" "$w" "page 2"
done
page 3 "$tmp/small.pdf" >"$tmp/p3"
has "$tmp/p3" 'What is q for "Cat" in dimension 1?' "page 3: the check's question"
if grep -qF "1.3801" "$tmp/p3"; then bad "page 3 gives the answer away"; else ok; fi
page 4 "$tmp/small.pdf" >"$tmp/p4"
for w in Solutions "Answer: self_attn.q[Cat, 1] = 1.3801" "q[Cat, 1] = x[Cat,0]·W_q[0,1]" "= 1.3801" "charlie marker"; do
	has "$tmp/p4" "$w" "the solutions page"
done
"$SEQSTEP" --lesson "$tmp/small.md" --pdf "$tmp/small.pdf" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "exists; use --force" "--pdf over an existing file"
"$SEQSTEP" --lesson "$tmp/small.md" --pdf "$tmp/small.pdf" --force >/dev/null 2>&1 && ok || bad "--pdf --force"
sed 's/expect: 1.3801/expect: 2.5/' "$tmp/small.md" >"$tmp/wrong.md"
"$SEQSTEP" --lesson "$tmp/wrong.md" --pdf "$tmp/wrong.pdf" >/dev/null 2>"$tmp/err"
one_line 2 $? "$tmp/err" "wrong.md:23: the engine has self_attn.q[Cat, 1] = 1.3801, the lesson expects 2.5000" "a wrong expect"
[ -e "$tmp/wrong.pdf" ] && bad "a failed handout left a PDF" || ok
no_temp "$tmp" "lesson PDF"
"$SEQSTEP" --pdf "$tmp/x.pdf" >/dev/null 2>"$tmp/err"
one_line 1 $? "$tmp/err" "--pdf goes with --lesson FILE" "--pdf without --lesson"

# A shipped lesson: at least a page per step plus solutions; its prose; the
# same answers as the text handout.
L9=lessons/09-self-attention.md
"$SEQSTEP" --lesson "$L9" --pdf "$tmp/l9.pdf" >"$tmp/out" 2>"$tmp/err" || bad "lesson 9 PDF: $(cat "$tmp/err")"
pages=$(info Pages "$tmp/l9.pdf")
steps=$(pdftotext -f 1 -l 1 "$tmp/l9.pdf" - | sed -n 's/.*step 1 of \([0-9]*\).*/\1/p' | head -1)
sol=$(sed -n 's/.*solutions from page \([0-9]*\)$/\1/p' "$tmp/out")
if [ -n "$steps" ] && [ "$steps" -ge 10 ] && [ "$pages" -ge $((steps + 1)) ] && [ "$sol" -gt "$steps" ]; then ok
else bad "lesson 9: $pages pages, $steps steps, solutions from page '$sol'"; fi
i=1
while [ $i -le "$steps" ]; do # each step starts a page of its own, in order
	pdftotext "$tmp/l9.pdf" - | grep -c "step $i of $steps" >/dev/null || bad "no page of step $i"
	i=$((i + 1))
done
pdftotext "$tmp/l9.pdf" - | tr -s ' \n' '  ' >"$tmp/l9text"
has "$tmp/l9text" "every token asks a question of every token (including itself) and collects an answer" "lesson 9 prose"
has "$tmp/l9text" "Each row of X is a word embedding plus its positional encoding" "lesson 9 prose"
"$SEQSTEP" --lesson "$L9" >"$tmp/l9.txt" 2>&1
n=0
grep '^Answer: ' "$tmp/l9.txt" | sed 's/^Answer: //; s/   (expected.*//' >"$tmp/answers"
while IFS= read -r a; do
	n=$((n + 1))
	has "$tmp/l9text" "Answer: $a" "lesson 9 solution $n (as in the text handout)"
done <"$tmp/answers"
[ "$n" -ge 5 ] && ok || bad "lesson 9: only $n answers in the text handout"

if ! command -v tmux >/dev/null 2>&1; then
	echo "e2e_export: tmux is not installed (make deps); the explorer part skipped"
	echo "e2e_export: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

# ---- the explorer ----
win=export
T -f /dev/null new-session -d -s "$win" -x 160 -y 45 \
	"env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $SEQSTEP; sleep 600"
win=$win:0
check "tokenize" "first frame"
mkdir "$tmp/ui"
keys : "goto softmax" Enter
check "softmax" "goto softmax"
keys : "export stage $tmp/ui/s.png" Enter
check "wrote $tmp/ui/s.png (" "export stage: the message line"
[ "$(od -An -c -N4 "$tmp/ui/s.png" 2>/dev/null | tr -d ' ')" = '211PNG' ] && ok || bad "the explorer's PNG"
keys : "export dec.0.cross_attn.weights_avg $tmp/ui/x.svg" Enter
check "wrote $tmp/ui/x.svg (" "export NAME to SVG"
xmllint --noout "$tmp/ui/x.svg" 2>/dev/null && ok || bad "the explorer's SVG does not parse"
keys : "export stage $tmp/ui/x.gif" Enter
check "x.gif: not a picture format" "a bad format: one line on the screen"
keys : "export stage $tmp/ui/s.png" Enter
check "exists; use --force to overwrite" "no overwrite from the explorer"
# the diff view: Δ in the figure, as on the screen
keys : "set scale off" Enter
check "WHAT-IF" "set scale off: the badge"
keys d
check "diff: the views show" "d: the diff view"
keys : "export stage $tmp/ui/d.pdf" Enter
check "wrote $tmp/ui/d.pdf (" "export of the diff view"
pdftotext "$tmp/ui/d.pdf" "$tmp/dtext"
has "$tmp/dtext" "Δ enc.0.self_attn.h0.weights" "the diff view's picture shows Δ"
has "$tmp/dtext" "WHAT-IF: scale off" "the diff view's picture: the what-if line"
# a lesson printed from the explorer leaves the explorer where it was
keys : "lesson 9 --pdf $tmp/ui/l9.pdf" Enter
check "wrote $tmp/ui/l9.pdf (" "lesson 9 --pdf from the explorer"
check "WHAT-IF" "the explorer keeps its what-if run"
[ "$(info Pages "$tmp/ui/l9.pdf")" = "$pages" ] && ok || bad "lesson 9 from the explorer: not $pages pages"
no_temp "$tmp/ui" "the explorer's exports"
keys : quit Enter

echo "e2e_export: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
