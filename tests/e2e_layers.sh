#!/bin/sh
# The source tree's layering (src/README.md), checked from every
# `#include "LAYER/FILE.h"` under src/:
#   - the layers, bottom to top: base trace io text engine teach app tui;
#     a file includes headers of its own layer or of layers below it;
#   - the one exception is the program itself, app/main.c, which links every
#     layer and opens the screen (tui);
#   - an include names its layer ("engine/model.h"), so a reader sees it;
#   - no cycle between modules (a module is FILE.c with FILE.h): A -> B when
#     a file of A includes B's header.
# Each problem is one line naming the file, the line and the include.
# SRC=DIR checks another tree (the test below uses it on a broken copy).
set -u
SRC=${SRC:-src}
LAYERS="base trace io text engine teach app tui"
EXCEPT="app/main.c" # may include any layer

check_tree() {
	find "$1" -name '*.[ch]' | sort | while read -r f; do
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" /dev/null
	done | awk -v root="$1" -v layers="$LAYERS" -v except="$EXCEPT" '
	BEGIN {
		n = split(layers, L, " ")
		for (i = 1; i <= n; i++) rank[L[i]] = i
		bad = 0
	}
	{
		# "src/engine/model.c:7:#include "io/config.h""
		file = $0; sub(/:[0-9]+:.*/, "", file)
		line = $0; sub(/^[^:]*:/, "", line); sub(/:.*/, "", line)
		inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
		rel = substr(file, length(root) + 2)
		layer = rel; sub(/\/.*/, "", layer)
		if (!(layer in rank)) {
			printf "%s: not in a layer folder (%s)\n", file, layers; bad = 1; next
		}
		if (inc !~ /^[a-z]+\/[A-Za-z0-9_]+\.h$/) {
			printf "%s:%s: #include \"%s\": name the layer, as in \"engine/model.h\"\n", file, line, inc
			bad = 1; next
		}
		il = inc; sub(/\/.*/, "", il)
		if (!(il in rank)) {
			printf "%s:%s: #include \"%s\": no layer %s\n", file, line, inc, il; bad = 1; next
		}
		if (rank[il] > rank[layer] && rel != except) {
			printf "%s:%s: #include \"%s\": layer %s includes %s, which is above it (%s)\n",
				file, line, inc, layer, il, layers
			bad = 1
		}
		# modules: "engine/model" -> "io/config"
		from = rel; sub(/\.[ch]$/, "", from)
		to = inc; sub(/\.h$/, "", to)
		if (from != to && !((from, to) in seen)) {
			seen[from, to] = 1
			edges[from] = edges[from] " " to
			where[from, to] = file ":" line
			nodes[from] = 1; nodes[to] = 1
		}
	}
	function dfs(u,   k, m, v, i, path, nb) {
		color[u] = 1
		stack[++depth] = u
		m = split(edges[u], nb, " ")
		for (k = 1; k <= m; k++) {
			v = nb[k]
			if (v == "") continue
			if (color[v] == 1) {
				path = v
				for (i = depth; i >= 1 && stack[i] != v; i--) path = stack[i] " -> " path
				path = v " -> " path
				printf "%s: include cycle: %s\n", where[u, v], path
				bad = 1
			} else if (color[v] == 0) {
				dfs(v)
			}
		}
		depth--
		color[u] = 2
	}
	END {
		for (u in nodes) color[u] = 0
		depth = 0
		for (u in nodes) if (color[u] == 0) dfs(u)
		exit bad
	}'
}

if [ "${1:-}" = --tree ]; then
	check_tree "$2"
	exit $?
fi

pass=0 fail=0
if out=$(check_tree "$SRC"); then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL the layering of $SRC:"
	echo "$out"
fi

# The check itself fails where it must: a copy of the tree with a deliberate
# upward include, an unnamed layer, and a cycle.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
broken() { # NAME WORDS: copy src, let the caller break it, check the report
	rm -rf "$tmp/src"
	cp -r "$SRC" "$tmp/src"
}
expect() { # NAME WORDS
	if check_tree "$tmp/src" >"$tmp/out"; then
		fail=$((fail + 1)); echo "FAIL $1: the check passed a broken tree"
	elif grep -qF -- "$2" "$tmp/out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL $1: report lacks '$2':"; cat "$tmp/out"
	fi
}
broken
printf '#include "tui/tui.h"\n' >>"$tmp/src/engine/ops.c"
expect upward "src/engine/ops.c:$(grep -c '' "$tmp/src/engine/ops.c"): #include \"tui/tui.h\": layer engine includes tui, which is above it"
broken
printf '#include "ops.h"\n' >>"$tmp/src/engine/model.c"
expect unqualified "#include \"ops.h\": name the layer"
broken
printf '#include "base/arena.h"\n' >>"$tmp/src/base/parse.h"
printf '#include "base/parse.h"\n' >>"$tmp/src/base/arena.c"
expect cycle "include cycle: base/"

echo "e2e_layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
