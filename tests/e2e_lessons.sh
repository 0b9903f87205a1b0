#!/bin/sh
# Every lesson end to end in batch mode (seqstep --lesson FILE): exit 0, every
# check's question and value in the handout, every expect: matched by the
# engine's value (checked again here, independently of seqstep). A broken
# lesson fails with one line naming the file and the line. Exported quiz
# sheets are identical for one seed and are not overwritten without --force.
# Then the explorer in tmux: lesson 9 stepped with n / p (the section's prose
# in the detail pane), a check answered right and wrong, a quiz, and the
# terminal restored at the end.
set -u
SEQSTEP=${SEQSTEP:-build/seqstep}
case $SEQSTEP in /*) ;; *) SEQSTEP="$PWD/$SEQSTEP" ;; esac
export SEQSTEP_LESSONS="$PWD/lessons" SEQSTEP_MODELS="$PWD/models"
. tests/lib_e2e.sh lessons

SEP=$(printf '\037')
# checks FILE: one line per check block, "question|kind|expect|tolerance"
# separated by the unit separator (empty fields stay fields).
checks() {
	awk -v T="$SEP" '
	/^```check[ \t]*$/ { inb = 1; q = ""; k = "cell"; x = ""; tol = "0.005"; next }
	inb && /^```[ \t]*$/ { print q T k T x T tol; inb = 0; next }
	inb && /^question:/ { sub(/^question:[ \t]*/, ""); q = $0; next }
	inb && /^answer:[ \t]*text[ \t]*$/ { k = "text"; next }
	inb && /^expect:/ { sub(/^expect:[ \t]*/, ""); x = $0; next }
	inb && /^tolerance:/ { sub(/^tolerance:[ \t]*/, ""); tol = $0; next }
	' "$1"
}

# ---- every lesson, batch mode ----
n=0
for f in lessons/[0-9][0-9]-*.md; do
	n=$((n + 1))
	name=$(basename "$f" .md)
	out="$tmp/$name.out"
	if "$SEQSTEP" --lesson "$f" >"$out" 2>"$tmp/$name.err"; then ok; else
		bad "$name: exit $? ($(head -1 "$tmp/$name.err"))"
		continue
	fi
	[ -s "$tmp/$name.err" ] && bad "$name: stderr: $(head -1 "$tmp/$name.err")"
	checks "$f" >"$tmp/$name.checks"
	nchecks=$(wc -l <"$tmp/$name.checks")
	nanswers=$(grep -c '^Answer: ' "$out")
	if [ "$nchecks" -ge 2 ] && [ "$nchecks" -eq "$nanswers" ]; then ok; else
		bad "$name: $nchecks checks, $nanswers answers in the handout"
	fi
	while IFS="$SEP" read -r q kind expect tol; do
		# the question, then its answer on the next line
		ans=$(grep -F -x -A1 -- "Check: $q" "$out" | sed -n '2p')
		case $ans in
		"Answer: "*) ok ;;
		*) bad "$name: question not in the handout: $q"; continue ;;
		esac
		[ "$kind" = text ] && continue
		# "Answer: NAME[ROW, COL] = VALUE ..." : VALUE is a number
		value=$(printf '%s\n' "$ans" | sed -n 's/^Answer: .*\] = \([-0-9.inf]*\).*/\1/p')
		if [ -n "$value" ]; then ok; else bad "$name: no value in '$ans'"; continue; fi
		[ -z "$expect" ] && continue
		# within the check's tolerance (0.005 unless it says: a value worked by
		# hand to 2 decimals), plus one unit of the 4th printed decimal, so
		# the rounding of the handout never decides it
		if awk -v v="$value" -v x="$expect" -v t="$tol" 'BEGIN { d = v - x; if (d < 0) d = -d; exit !(d <= t + 1.01e-4) }'; then
			ok
		else
			bad "$name: '$q': engine $value, lesson expects $expect (tolerance $tol)"
		fi
	done <"$tmp/$name.checks"
done
if [ "$n" -eq 12 ]; then ok; else bad "expected 12 lessons, found $n"; fi

# The explorer's own name forms run the same handout.
if "$SEQSTEP" -c "lesson 9" >"$tmp/nine.out" 2>&1 && cmp -s "$tmp/nine.out" "$tmp/09-self-attention.out"; then ok
else bad "lesson 9 in -c differs from --lesson lessons/09-self-attention.md"; fi

# ---- broken lessons: one line naming the file and the line, exit 2 ----
broken() { # NAME EXPECTED-LINE-PREFIX WORDS, the lesson on stdin
	cat >"$tmp/$1.md"
	"$SEQSTEP" --lesson "$tmp/$1.md" >/dev/null 2>"$tmp/$1.err"
	rc=$?
	lines=$(wc -l <"$tmp/$1.err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF -- "$tmp/$1.md:$2: " "$tmp/$1.err" &&
		grep -qF -- "$3" "$tmp/$1.err"; then ok
	else bad "$1: exit $rc, $lines lines: $(cat "$tmp/$1.err")"; fi
}
broken unknown-tensor 7 "no trace entry named 'self_attn.nope'" <<'EOF'
---
title: Broken
model: qkv-example
---
## One
```seqstep
show self_attn.nope
```
EOF
broken unknown-command 7 "unknown command 'shw'" <<'EOF'
---
title: Broken
model: qkv-example
---
## One
```seqstep
shw self_attn.x
```
EOF
broken wrong-expect 8 "the lesson expects 2.0000" <<'EOF'
---
title: Broken
model: qkv-example
---
```check
question: q?
answer: self_attn.q[Cat, 1]
expect: 2
```
EOF
broken unterminated 6 "unterminated" <<'EOF'
---
title: Broken
model: qkv-example
---
text
```seqstep
show self_attn.x
EOF
printf -- '---\ntitle: Broken\nmodel: qkv-example\n---\nan \033[2J escape\n' | broken control 5 "control character 0x1b"

# ---- exam sheets ----
if "$SEQSTEP" quiz --export "$tmp/q1" --count 9 --seed 11 2>/dev/null &&
	"$SEQSTEP" quiz --export "$tmp/q2" --count 9 --seed 11 2>/dev/null && diff -r "$tmp/q1" "$tmp/q2" >/dev/null; then ok
else bad "quiz --export: the same seed gave different sheets"; fi
if [ -s "$tmp/q1/sheet.md" ] && [ -s "$tmp/q1/answers.csv" ] && [ -s "$tmp/q1/p04-masked/dec.0.self_attn.q.csv" ] &&
	grep -q '^4,masked,11004,dec.0.self_attn.h0.scores,.*,-inf,-inf$' "$tmp/q1/answers.csv"; then ok
else bad "quiz --export: files missing"; fi
cp "$tmp/q1/sheet.md" "$tmp/sheet.before"
if "$SEQSTEP" quiz --export "$tmp/q1" --count 9 --seed 12 2>"$tmp/q.err"; then bad "quiz --export overwrote without --force"
elif grep -q "exists; use --force" "$tmp/q.err" && cmp -s "$tmp/sheet.before" "$tmp/q1/sheet.md"; then ok
else bad "quiz --export refusal: $(cat "$tmp/q.err")"; fi
if "$SEQSTEP" quiz --export "$tmp/q1" --count 9 --seed 12 --force 2>/dev/null && ! cmp -s "$tmp/sheet.before" "$tmp/q1/sheet.md"; then ok
else bad "quiz --export --force"; fi
if "$SEQSTEP" quiz --topic posenc --seed 4 | grep -q '^Question: What is PE\['; then ok; else bad "seqstep quiz --topic posenc"; fi

# ---- the explorer on a terminal ----
if ! command -v tmux >/dev/null 2>&1; then
	echo "e2e_lessons: tmux is not installed (make deps); explorer part skipped"
else
	T() { tmux -L "$SOCK" "$@"; }
	screen() { T capture-pane -p -t "$win"; }
	keys() { T send-keys -t "$win" "$@"; }
	wait_for() { # TEXT: poll the screen up to 5 s
		i=0
		while [ $i -lt 100 ]; do
			screen | grep -qF -- "$1" && return 0
			sleep 0.05
			i=$((i + 1))
		done
		return 1
	}
	gone() { # TEXT: poll until it has left the screen
		i=0
		while [ $i -lt 100 ]; do
			screen | grep -qF -- "$1" || return 0
			sleep 0.05
			i=$((i + 1))
		done
		return 1
	}
	check() { # TEXT message
		if wait_for "$1"; then ok; else
			bad "$2: '$1' not on screen"
			screen | sed 's/^/  | /'
		fi
	}
	win=lesson
	cmd="stty -g >$tmp/before; env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $SEQSTEP; echo exit=\$? >$tmp/rc; stty -g >$tmp/after; echo DONE-lesson; sleep 600"
	T -f /dev/null new-session -d -s "$win" -x 100 -y 30 "$cmd"
	win=$win:0
	check "press n to step" "first frame"
	keys : "lesson 9" Enter
	check "Self-attention by hand · step 1/" "lesson 9 started"
	check "In self-attention (自注意力) the queries" "lesson 9: its introduction in the detail pane"
	keys n
	check "step 2/" "n: the next step"
	check "## The input rows" "n: the section's title"
	check "Each row of X is a word embedding plus its positional" "n: the section's prose"
	keys n
	check "## A query, one product at a time" "n: the next section"
	check "q = x W_q is a row vector times a 6 × 4 matrix" "n: the next section's prose"
	keys p
	check "Each row of X is a word embedding plus its positional" "p: back to the previous step"
	keys n n
	check "Check: In the hand-worked example, what is q for \"Cat\" in dimension 1?" "the check"
	check ":answer VALUE" "how to answer"
	keys : "answer 1.38" Enter
	check "Right!" "a right answer"
	check "q[Cat, 1] = x[Cat,0]·W_q[0,1]" "the worked solution"
	keys q
	check "Your answer 1.38 is RIGHT" "right, in the detail pane"
	keys : "answer 2" Enter
	check "Not quite." "a wrong answer"
	check "= 1.3801" "the engine's value" # printed stably: test_lesson proves it
	keys q
	check "Your answer 2 is WRONG" "wrong, in the detail pane"
	keys : "lesson stop" Enter
	check "lesson ended" "lesson stop"
	gone "Self-attention by hand · step" || bad "lesson stop: the lesson's text stays"
	keys : "quiz score --seed 12" Enter
	check "Exam practice: a scaled score (topic score, seed 12)" "quiz"
	keys q
	check "quiz-score" "quiz: its model in the explorer"
	keys : "answer" Enter
	check "The worked solution:" "quiz: the solution"
	keys q
	keys q
	if wait_for "DONE-lesson" && [ "$(cat "$tmp/rc")" = "exit=0" ] && cmp -s "$tmp/before" "$tmp/after"; then ok
	else bad "the explorer did not exit cleanly ($(cat "$tmp/rc" 2>/dev/null))"; fi
fi

echo "e2e_lessons: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
