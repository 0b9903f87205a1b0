/* Which plot each stage and tensor offers (plotspec.h). The stages whose
 * picture is a curve open as plots: the pooling figure, the gradient
 * norms over time, the training history. Positional encoding and the
 * decoder's next token open as their matrices and bars (those stages are
 * about the sum x + P and the attention rows) and offer the plot. */
#include "app/plotspec.h"

#include <stdio.h>
#include <string.h>

static int starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static void add(struct plot_spec *p, const struct trace *tr, const char *name)
{
	if (p->n < STAGE_PANELS && trace_get(tr, name))
		snprintf(p->name[p->n++], sizeof p->name[0], "%s", name);
}

static int make(struct plot_spec *p, const struct trace *tr, enum plot_kind k, const char *source,
		int by_default)
{
	memset(p, 0, sizeof *p);
	if (!trace_get(tr, source))
		return 0;
	p->kind = k;
	p->by_default = by_default;
	snprintf(p->source, sizeof p->source, "%s", source);
	switch (k) {
	case PLOT_POOLING:
		add(p, tr, "pool.values");
		add(p, tr, "pool.truth");
		add(p, tr, "pool.out");
		/* the cursor starts on what the stage is about */
		for (int i = 0; i < p->n; i++)
			if (strcmp(p->name[i], source) == 0)
				p->primary = i;
		break;
	case PLOT_TRAINING:
		add(p, tr, "train.loss");
		add(p, tr, "train.valid.loss");
		add(p, tr, "train.valid.exact");
		add(p, tr, "train.valid.bleu");
		break;
	case PLOT_BPTT: {
		/* this model's ratio, the other model's (grad MODEL), the bound */
		char name[STAGE_NAME * 2 + 8];
		add(p, tr, source);
		snprintf(name, sizeof name, "cmp.%s", source);
		add(p, tr, name);
		const char *r = strstr(source, ".ratio");
		if (r) {
			snprintf(name, sizeof name, "%.*s.jacprod", (int)(r - source), source);
			add(p, tr, name);
		}
		break;
	}
	default:
		add(p, tr, source);
		break;
	}
	return p->n > 0;
}

int plot_spec_tensor(const struct trace *tr, const char *name, struct plot_spec *p)
{
	memset(p, 0, sizeof *p);
	const struct tensor *t = trace_get(tr, name);
	if (!t)
		return 0;
	if (strcmp(name, "pool.weights") == 0 || strcmp(name, "pool.scores") == 0)
		return make(p, tr, PLOT_POOL_WEIGHTS, name, 0);
	if (starts(name, "pool.") && trace_get(tr, "pool.out"))
		return make(p, tr, PLOT_POOLING, strcmp(name, "pool.values") == 0 ? name : "pool.out", 0);
	if (strcmp(name, "src.pos") == 0 || strcmp(name, "tgt.pos") == 0)
		return make(p, tr, PLOT_POSENC, name, 0);
	if (starts(name, "grad.") && (t->rows == 1 || t->cols == 1))
		return make(p, tr, PLOT_GRADNORM, name, 0);
	if (strcmp(name, "decode.topk.probs") == 0)
		return make(p, tr, PLOT_TOPK, name, 0);
	if (starts(name, "train.") && strcmp(name, "train.lr") != 0 && trace_get(tr, "train.loss"))
		return make(p, tr, PLOT_TRAINING, "train.loss", 0);
	if (t->rows == 1 || t->cols == 1)
		return make(p, tr, PLOT_VECTOR, name, 0);
	return 0;
}

int plot_spec_stage(const struct pipeline *pipe, const struct stage *st, int layer,
		    const struct trace *tr, struct plot_spec *p)
{
	memset(p, 0, sizeof *p);
	if (!st)
		return 0;
	char first[STAGE_NAME * 2];
	stage_panel_name(pipe, st, 0, layer, 0, first, sizeof first);
	const char *id = st->id;
	switch (pipe->arch) {
	case ARCH_ATTENTION_POOLING:
		if (strcmp(id, "data") == 0)
			return make(p, tr, PLOT_POOLING, "pool.values", 1);
		if (strcmp(id, "output") == 0)
			return make(p, tr, PLOT_POOLING, "pool.out", 1);
		if (strcmp(id, "softmax") == 0 || strcmp(id, "scores") == 0)
			return make(p, tr, PLOT_POOL_WEIGHTS, first, 0);
		break;
	case ARCH_TRANSFORMER:
	case ARCH_RNN_SEQ2SEQ:
		if (strcmp(id, "positions") == 0 || (strcmp(id, "dec.input") == 0 && st->npanels > 1)) {
			/* the positional encoding is the stage's second panel */
			char pos[STAGE_NAME * 2];
			stage_panel_name(pipe, st, 1, layer, 0, pos, sizeof pos);
			return make(p, tr, PLOT_POSENC, pos, 0);
		}
		if (strcmp(id, "next") == 0)
			return make(p, tr, PLOT_TOPK, first, 0);
		if (strcmp(id, "grads") == 0)
			return make(p, tr, PLOT_GRADNORM, first, 1);
		if (strcmp(id, "bptt") == 0)
			return make(p, tr, PLOT_BPTT, first, 1);
		break;
	case ARCH_SELF_ATTENTION:
		break;
	}
	if (strcmp(id, "training") == 0)
		return make(p, tr, PLOT_TRAINING, "train.loss", 1);
	return 0;
}

/* The rows of pool.weights to draw: the cursor's query and two spread
 * over the rest, so the kernel is seen moving along x. */
static int pool_rows(const struct trace *tr, const char *name, int sel, int rows[3])
{
	const struct tensor *w = trace_get(tr, name);
	int n = w ? w->rows : 0, k = 0;
	int want[3] = {sel, n / 4, 3 * n / 4};
	for (int i = 0; i < 3; i++) {
		int dup = want[i] < 0 || want[i] >= n;
		for (int j = 0; j < k && !dup; j++)
			dup = rows[j] == want[i];
		if (!dup)
			rows[k++] = want[i];
	}
	return k;
}

enum status plot_spec_build(const struct plot_spec *p, const struct trace *tr, const char *focused,
			    int row, int col, struct figure *f, struct err *e)
{
	int on = focused && strcmp(focused, p->source) == 0;
	switch (p->kind) {
	case PLOT_POOLING:
		return plot_pooling(f, tr, e);
	case PLOT_POOL_WEIGHTS: {
		int rows[3], n = pool_rows(tr, p->source, on ? row : -1, rows);
		return plot_pool_weights(f, tr, p->source, rows, n, e);
	}
	case PLOT_POSENC: {
		const struct tensor *P = trace_get(tr, p->source);
		int cols[4], n = plot_posenc_cols(P ? P->cols : 0, on ? col : -1, cols);
		return plot_posenc(f, tr, p->source, cols, n, e);
	}
	case PLOT_GRADNORM:
		return plot_gradnorm(f, tr, p->source, e);
	case PLOT_TOPK:
		return plot_topk(f, tr, p->source, on ? row : 0, e);
	case PLOT_TRAINING:
		return plot_training(f, tr, e);
	case PLOT_VECTOR:
		return plot_vector(f, tr, p->source, e);
	case PLOT_BPTT: {
		const char *names[STAGE_PANELS];
		for (int i = 0; i < p->n; i++)
			names[i] = p->name[i];
		return plot_bptt(f, tr, names, p->n, e);
	}
	case PLOT_NONE:
		break;
	}
	figure_init(f);
	return err_set(e, ST_USAGE, "nothing to plot here");
}

void plot_spec_stage_list(const struct pipeline *pipe, const struct trace *tr, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < pipe->n && o < n; i++) {
		struct plot_spec p;
		if (!plot_spec_stage(pipe, &pipe->st[i], 0, tr, &p))
			continue;
		int w = snprintf(buf + o, n - o, "%s%s", o ? ", " : "", pipe->st[i].id);
		o += w > 0 ? (size_t)w : 0;
	}
}
