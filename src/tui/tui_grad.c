/* The BPTT lab's view: each panel of the stage (this model's gradient
 * ratio, another model's on the same sentence, the Jacobian bound) as a
 * column of log-scale bars, one line per distance from the last step, so
 * a geometric decay is a straight slope. Every value is the trace's. */
#include "trace/render_text.h"
#include "tui/tui.h"

#include <math.h>
#include <string.h>

static void grad_draw(struct tui *t, struct rect r)
{
	const struct session *s = t->s;
	char names[STAGE_PANELS][STAGE_NAME * 2], lab[64];
	const struct tensor *v[STAGE_PANELS];
	int n = session_panels(s, v, names);
	if (!n) {
		tui_put(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_DIM), "no gradient norms in this trace");
		return;
	}
	struct log_axis ax;
	log_axis_fit(&ax, v, n);
	int T = v[0]->cols;
	tui_putf(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_SECTION),
		 "gradient against the distance from the last step, log scale 1e%+d .. 1e%+d", ax.lo,
		 ax.hi);
	for (int k = 0; k < n; k++)
		tui_putf(t, r.y + 1 + k, r.x, r.w, palette_ui(&t->pal, k ? PAL_DIM : PAL_TEXT),
			 "%c %s: %s", 'A' + k, names[k], v[k]->desc ? v[k]->desc : "");
	int y0 = r.y + 2 + n;
	int colw = (r.w - 15) / n, bw = colw - 10;
	if (bw < 4)
		bw = 4;
	tui_put(t, y0, r.x, 15, palette_ui(&t->pal, PAL_LABEL), "dist token");
	for (int k = 0; k < n; k++)
		tui_putf(t, y0, r.x + 15 + k * colw, colw, palette_ui(&t->pal, PAL_LABEL), "%c", 'A' + k);
	int vis = r.h - (y0 - r.y) - 1;
	int sel = T - 1 - (s->col < T ? s->col : T - 1); /* the selected distance */
	int first = tui_scroll(&t->c0[0], sel, vis, T);
	for (int d = first; d < T && d - first < vis; d++) {
		int y = y0 + 1 + d - first, tt = T - 1 - d;
		attr_t la = d == sel ? palette_ui(&t->pal, PAL_SELLABEL) : palette_ui(&t->pal, PAL_LABEL);
		tui_putf(t, y, r.x, 15, la, "%4d %s", d, axis_label(&v[0]->col, tt, lab, sizeof lab));
		for (int k = 0; k < n; k++) {
			if (tt >= v[k]->cols)
				continue;
			float x = v[k]->data[tt];
			int bx = r.x + 15 + k * colw;
			tui_bar(t, y, bx, bw, (float)log_axis_at(&ax, x), palette_ui(&t->pal, PAL_BAR));
			tui_putf(t, y, bx + bw + 1, 9, palette_ui(&t->pal, PAL_TEXT), "%.2e", x);
		}
	}
}

static int grad_key(struct tui *t, int key)
{
	/* Down the screen is further from the loss: an earlier step. */
	switch (key) {
	case KEY_UP: case 'k': session_move(t->s, 0, 1); return 1;
	case KEY_DOWN: case 'j': session_move(t->s, 0, -1); return 1;
	}
	return 0;
}

static void grad_nothing(struct tui *t)
{
	(void)t;
}

const struct view_ops view_grad = {"grad", grad_draw, grad_key, grad_nothing, grad_nothing};
