/* What-if on the screen: the title bar's badge naming the switches and
 * edits of the run shown (so no screen passes for the real model), and the
 * detail pane's line in the diff mode of the views (whose panels draw Δ =
 * now - before, tui_draw.c). Nothing is computed here: Δ, before and now
 * are read from the traces. */
#include "base/textwidth.h"
#include "tui/tui.h"

#include <math.h>
#include <string.h>

int tui_whatif_badge(struct tui *t, int x)
{
	const char *w = trace_whatif(&t->s->trace);
	if (!w[0] || x + 12 >= t->cols)
		return 0;
	/* Room for a little of the subject when the line is wide. */
	int room = t->cols - x - 2;
	return 1 + tui_putf(t, 0, x + 1, room, palette_ui(&t->pal, PAL_ERROR), " WHAT-IF: %s ", w);
}

int tui_diff_detail(struct tui *t, struct rect r)
{
	const struct session *s = t->s;
	const struct tensor *now = session_focused(s);
	const char *base;
	const struct trace *bt = session_baseline(s, &base);
	if (!now || !bt || r.h < 1)
		return 0;
	attr_t a = palette_ui(&t->pal, PAL_SECTION);
	const struct tensor *d = trace_get(&s->diff.delta, now->name);
	const struct tensor *b = trace_get(bt, now->name);
	char rb[64], cb[64], vn[48], vb[48], vd[48];
	const char *rl = axis_label(&now->row, s->row, rb, sizeof rb);
	const char *cl = axis_label(&now->col, s->col, cb, sizeof cb);
	if (!d || !b) {
		tui_putf(t, r.y, r.x, r.w, a, "Δ %s: %s %s", now->name,
			 !b ? "not in" : b->rows != now->rows || b->cols != now->cols
						 ? "a different shape in" : "unchanged against", base);
		return 1;
	}
	float dv = tensor_at(d, s->row, s->col);
	tensor_fmt(now, tensor_at(b, s->row, s->col), vb, sizeof vb);
	tensor_fmt(now, tensor_at(now, s->row, s->col), vn, sizeof vn);
	if (isfinite(dv))
		snprintf(vd, sizeof vd, "%+.4f", (double)dv);
	else
		tensor_fmt(NULL, dv, vd, sizeof vd);
	const struct diff_entry *x = trace_diff_find(&s->diff, now->name);
	tui_putf(t, r.y, r.x, r.w, a, "Δ %s[%s, %s] = %s   (before %s, now %s; %zu of %zu cells "
		 "changed against %s)", now->name, rl, cl, vd, vb, vn, x ? x->changed : 0,
		 x ? x->cells : 0, base);
	return 1;
}
