/* Explains trace tensors and cells from their provenance (see explain.h):
 * the entry points, and the dispatch on the provenance kind to the
 * families' functions (explain_core.h says what each pair does).
 *
 * The explanation's last line is the trace's stored value, never the
 * recomputed one. */
#include "trace/explain.h"
#include "trace/explain_attention.h"
#include "trace/explain_given.h"
#include "trace/explain_core.h"
#include "trace/explain_ops.h"
#include "trace/explain_recurrent.h"

#include <math.h>
#include <string.h>

enum { SCRATCH = 16384 /* explanations are composed here, then fitted to the caller's buffer */ };

/* Each provenance kind's pair: the cell and the tensor explained. */
static const struct kind {
	int (*cell)(struct ctx *x);
	void (*tensor)(const struct form *f);
} kinds[] = {
	[PROV_NONE] = {ex_none_cell, ex_none_tensor},
	[PROV_LOOKUP] = {ex_lookup_cell, ex_lookup_tensor},
	[PROV_MATMUL] = {ex_matmul_cell, ex_matmul_tensor},
	[PROV_SCORES] = {ex_scores_cell, ex_scores_tensor},
	[PROV_SOFTMAX] = {ex_softmax_cell, ex_softmax_tensor},
	[PROV_WSUM] = {ex_wsum_cell, ex_wsum_tensor},
	[PROV_ADD] = {ex_add_cell, ex_add_tensor},
	[PROV_EMBED_POS] = {ex_embed_pos_cell, ex_embed_pos_tensor},
	[PROV_LAYERNORM] = {ex_layernorm_cell, ex_layernorm_tensor},
	[PROV_RELU] = {ex_act_cell, ex_act_tensor},
	[PROV_GELU] = {ex_act_cell, ex_act_tensor},
	[PROV_SINUSOID] = {ex_sinusoid_cell, ex_sinusoid_tensor},
	[PROV_GATE] = {ex_gate_cell, ex_gate_tensor},
	[PROV_LSTM_C] = {ex_lstm_c_cell, ex_lstm_c_tensor},
	[PROV_LSTM_H] = {ex_lstm_h_cell, ex_lstm_h_tensor},
	[PROV_GRU_H] = {ex_gru_h_cell, ex_gru_h_tensor},
	[PROV_ADDITIVE] = {ex_additive_cell, ex_additive_tensor},
	[PROV_KERNEL] = {ex_kernel_cell, ex_kernel_tensor},
	[PROV_MEAN] = {ex_mean_cell, ex_mean_tensor},
};

static const struct kind *kind_of(const struct tensor *t)
{
	unsigned k = (unsigned)t->prov.kind;
	return k < sizeof kinds / sizeof *kinds && kinds[k].cell ? &kinds[k] : NULL;
}

static int run_kind(struct ctx *x)
{
	const struct kind *k = kind_of(x->t);
	if (!k)
		return ex_fail(x, "unknown provenance kind %d", (int)x->t->prov.kind);
	return k->cell(x);
}

typedef void (*writefn)(struct out *o, const struct trace *tr, const struct tensor *t, int r,
			int c);

/* Composes an explanation in a scratch buffer, then fits it to the caller's:
 * the two entry points differ only in what they write. */
static size_t compose(writefn w, const struct trace *tr, const struct tensor *t, int r, int c,
		      char *buf, size_t n)
{
	if (!buf || n == 0)
		return 0;
	char scratch[SCRATCH];
	struct out o = {scratch, sizeof scratch, 0, 0};
	scratch[0] = 0;
	struct trace empty;
	if (!t) {
		ex_put(&o, "no tensor");
	} else {
		if (!tr) {
			memset(&empty, 0, sizeof empty);
			tr = &empty;
		}
		w(&o, tr, t, r, c);
	}
	return ex_deliver(scratch, o.len, buf, n);
}

/* ------------------------------------------------------------------ */
/* One cell                                                            */

static void write_cell(struct out *o, const struct trace *tr, const struct tensor *t, int r, int c)
{
	if (!ex_in_range(t, r, c)) {
		ex_put(o, "%s has no cell [%d, %d]: it is [%d x %d]", t->name, r, c, t->rows, t->cols);
		return;
	}
	struct ctx x = {tr, t, r, c, o, 0, NAN, ""};
	if (!run_kind(&x)) {
		/* Start over with what is known: the description and the reason. */
		o->len = 0;
		o->full = 0;
		o->buf[0] = 0;
		ex_lhs_named(&x, t->name);
		ex_put(o, ": %s", t->desc && *t->desc ? t->desc : "(no description)");
		ex_put(o, "\n  (cannot be worked out here: %s)", x.why);
	}
	/* The last line: the stored value as the views print it. Make room for it. */
	if (o->full) {
		o->len = o->len > 64 ? ex_utf8_boundary(o->buf, o->len - 64) : 0;
		o->full = 0;
		o->buf[o->len] = 0;
	}
	ex_cont(&x);
	char v[48];
	ex_put(o, "%s", tensor_fmt(t, tensor_at(t, r, c), v, sizeof v));
}

size_t explain_cell(const struct trace *tr, const struct tensor *t, int r, int c, char *buf,
		    size_t n)
{
	return compose(write_cell, tr, t, r, c, buf, n);
}

double explain_recompute(const struct trace *tr, const struct tensor *t, int r, int c)
{
	if (!tr || !t || !ex_in_range(t, r, c))
		return NAN;
	struct ctx x = {tr, t, r, c, NULL, 0, NAN, ""};
	if (!run_kind(&x))
		return NAN;
	return x.val;
}

/* ------------------------------------------------------------------ */
/* The whole tensor                                                    */

/* "where S = name, A = name, ...": what the formula's symbols stand for. */
static void write_where(const struct form *f)
{
	const struct tensor *t = f->t;
	const struct prov *p = &t->prov;
	int any = strcmp(f->self, t->name) != 0, first = 1;
	for (int k = 0; k < PROV_MAX_IN; k++)
		if (p->in[k] && strcmp(f->sym[k], p->in[k]) != 0)
			any = 1;
	if (p->kind == PROV_NONE || !any)
		return;
	ex_put(f->o, "\nwhere ");
	if (strcmp(f->self, t->name) != 0) {
		ex_put(f->o, "%s = %s", f->self, t->name);
		first = 0;
	}
	for (int k = 0; k < PROV_MAX_IN; k++) {
		int dup = 0;
		for (int j = 0; j < k; j++)
			dup |= p->in[j] && p->in[k] && !strcmp(p->in[j], p->in[k]);
		if (p->in[k] && !dup && strcmp(p->in[k], t->name) != 0 &&
		    strcmp(p->in[k], f->sym[k]) != 0) {
			ex_put(f->o, "%s%s = %s%s", first ? "" : ", ", f->sym[k], p->in[k],
			       f->in[k] ? "" : " (not in the trace)");
			first = 0;
		}
	}
	if (p->kind == PROV_GATE)
		ex_gate_where(f, first);
}

static void write_tensor(struct out *o, const struct trace *tr, const struct tensor *t, int r,
			 int c)
{
	(void)r;
	(void)c;
	ex_put(o, "%s [%d x %d]: %s", t->name, t->rows, t->cols,
	       t->desc && *t->desc ? t->desc : "(no description)");
	struct form f;
	ex_form_init(&f, o, tr, t);
	ex_put(o, "\n");
	const struct kind *k = kind_of(t);
	if (k)
		k->tensor(&f);
	write_where(&f);
}

size_t explain_tensor(const struct trace *tr, const struct tensor *t, char *buf, size_t n)
{
	return compose(write_tensor, tr, t, 0, 0, buf, n);
}
