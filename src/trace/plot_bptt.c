/* The BPTT lab's figure (plots.h): gradient ratios against the distance
 * from the last step, log axis; every point is a trace cell. */
#include "trace/plots.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The legend entry of one tensor: which model (a cmp. entry's description
 * starts with the other model's name) and what it is. */
static void series_name(const struct tensor *t, char *buf, size_t n)
{
	int cmp = strncmp(t->name, "cmp.", 4) == 0;
	const char *what = strstr(t->name, ".jacprod") ? "∏ of the step Jacobians' norms (bound)"
			   : strstr(t->name, ".ratio") ? "gradient ratio"
							: t->name;
	char model[64] = "this model";
	if (cmp && t->desc) {
		size_t k = strcspn(t->desc, ":");
		snprintf(model, sizeof model, "%.*s", (int)(k < 60 ? k : 60), t->desc);
	}
	snprintf(buf, n, "%s: %s", model, what);
}

enum status plot_bptt(struct figure *f, const struct trace *tr, const char *const *names, int n,
		      struct err *e)
{
	figure_init(f);
	f->n = 1;
	struct plot *p = &f->p[0];
	p->y.scale = PLOT_LOG10;
	snprintf(p->title, sizeof p->title,
		 "BPTT: the gradient reaching each step, relative to where it enters");
	snprintf(p->x.label, sizeof p->x.label, "distance from the last step (steps back)");
	snprintf(p->y.label, sizeof p->y.label, "ratio (log scale)");
	int hidden = 0, T = -1;
	for (int k = 0; k < n; k++) {
		const struct tensor *t = trace_get(tr, names[k]);
		if (!t)
			return err_set(e, ST_USAGE, "%s is not in this trace", names[k]);
		if (t->rows != 1)
			return err_set(e, ST_USAGE, "%s is a %d x %d matrix, not a vector", t->name,
				       t->rows, t->cols);
		if (T < 0)
			T = t->cols;
		char name[PLOT_TEXT];
		series_name(t, name, sizeof name);
		struct plot_series *s = plot_series_add(p, name, PLOT_LINE, k);
		if (!s)
			return err_set(e, ST_USAGE, "too many series for one plot");
		for (int c = t->cols - 1; c >= 0; c--) {
			double v = t->data[c];
			if (!(v > 0) || !isfinite(v)) {
				hidden++; /* 0 or beyond the float range: not on a log axis */
				continue;
			}
			if (!plot_point_add(s, t->cols - 1 - c, v, t->name, 0, c))
				return err_set(e, ST_NOMEM, "out of memory for the plot");
		}
	}
	if (hidden)
		snprintf(p->note, sizeof p->note, "%d value%s not drawn: 0, or beyond the float range (inf)",
			 hidden, hidden > 1 ? "s" : "");
	plot_fit(p, 0, 0);
	return ST_OK;
}
