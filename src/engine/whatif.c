/* What-if switches and edits (see whatif.h): the values the kernels use,
 * the line a trace records, and the map from a given trace tensor back to
 * the weight it shows. */
#include "engine/whatif.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void whatif_init(struct whatif *w)
{
	memset(w, 0, sizeof *w);
	w->sw.temperature = 1.0f;
}

float switches_scale(const struct switches *sw, int d_k)
{
	return sw && sw->no_scale ? 1.0f : 1.0f / sqrtf((float)d_k);
}

int switches_causal(const struct switches *sw)
{
	return !(sw && sw->no_mask);
}

int switches_positions(const struct switches *sw)
{
	return !(sw && sw->no_positions);
}

float switches_temperature(const struct switches *sw)
{
	return sw && sw->temperature > 0 ? sw->temperature : 1.0f;
}

uint64_t switches_heads_off(const struct switches *sw, enum head_block b, int layer)
{
	if (!sw || (unsigned)b >= HB_COUNT || layer < 0 || layer >= CFG_MAX_LAYERS)
		return 0;
	return sw->head_off[b][layer];
}

void switches_record_probs(struct trace *tr, const struct switches *sw, int rows, int V,
			   const float *probs, const char *row_title, const char *const *row_labels,
			   const char *const *vocab)
{
	float T = switches_temperature(sw);
	struct tensor *t;
	if (T == 1.0f)
		t = trace_put(tr, "probs", rows, V, probs, row_title, row_labels, "next token", vocab,
			      "next-token probabilities = softmax(logits) per row");
	else
		t = trace_put(tr, "probs", rows, V, probs, row_title, row_labels, "next token", vocab,
			      "next-token probabilities = softmax(logits / T) per row at temperature "
			      "T = %g (what-if)", (double)T);
	tensor_set_prov(tr, t, PROV_SOFTMAX, "logits", NULL, NULL, NULL, NULL);
	if (t && T != 1.0f)
		t->prov.scale = 1.0f / T;
}

static const char *const block_names[HB_COUNT][2] = {
	{"enc", "self_attn"}, {"dec", "self_attn"}, {"dec", "cross_attn"}};

void whatif_block_name(enum head_block b, int layer, char *buf, size_t n)
{
	snprintf(buf, n, "%s.%d.%s", block_names[b][0], layer, block_names[b][1]);
}

int whatif_head_block(const struct config *c, const char *name, enum head_block *b, int *layer)
{
	if (c->arch != ARCH_TRANSFORMER)
		return 0;
	for (int k = 0; k < HB_COUNT; k++) {
		int nl = k == HB_ENC_SELF ? c->n_enc_layers : c->n_dec_layers;
		for (int l = 0; l < nl; l++) {
			char want[64];
			whatif_block_name((enum head_block)k, l, want, sizeof want);
			if (strcmp(name, want) == 0) {
				*b = (enum head_block)k;
				*layer = l;
				return 1;
			}
		}
	}
	return 0;
}

/* Appends "; " and a printf'd part to buf. */
static void part(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void part(char *buf, size_t n, const char *fmt, ...)
{
	size_t o = strlen(buf);
	if (o && o + 2 < n) {
		memcpy(buf + o, "; ", 3);
		o += 2;
	}
	if (o >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + o, n - o, fmt, ap);
	va_end(ap);
}

void whatif_describe(const struct whatif *w, const struct config *c, char *buf, size_t n)
{
	if (!n)
		return;
	buf[0] = 0;
	if (!w)
		return;
	const struct switches *s = &w->sw;
	int tf = c->arch == ARCH_TRANSFORMER, seq = tf || c->arch == ARCH_RNN_SEQ2SEQ;
	int scaled = tf || c->arch == ARCH_SELF_ATTENTION ||
		     (c->arch == ARCH_RNN_SEQ2SEQ && c->attention == ATTN_SCALED_DOT);
	if (s->no_scale && scaled)
		part(buf, n, "scale off");
	if (s->no_mask && tf)
		part(buf, n, "mask off");
	if (s->no_positions && tf)
		part(buf, n, "positions off");
	for (int b = 0; tf && b < HB_COUNT; b++)
		for (int l = 0; l < CFG_MAX_LAYERS; l++)
			for (int h = 0; h < 64 && h < c->n_heads; h++)
				if (s->head_off[b][l] >> h & 1) {
					char bn[64];
					whatif_block_name((enum head_block)b, l, bn, sizeof bn);
					part(buf, n, "head %s.h%d off", bn, h);
				}
	if (seq && switches_temperature(s) != 1.0f)
		part(buf, n, "temperature %g", (double)switches_temperature(s));
	if (c->arch == ARCH_ATTENTION_POOLING) {
		if (s->has_query)
			part(buf, n, "query x = %g added", (double)s->query);
		if (s->has_width && c->pooling != POOL_AVERAGE)
			part(buf, n, "width w = %g", (double)s->width);
	}
	for (int i = 0; i < w->n_edits; i++) {
		const struct whatif_edit *d = &w->edits[i];
		part(buf, n, "edit %s[%d, %d] = %g (was %g)", d->name, d->row, d->col, (double)d->after,
		     (double)d->before);
	}
}

int whatif_active(const struct whatif *w, const struct config *c)
{
	char buf[16];
	whatif_describe(w, c, buf, sizeof buf);
	return buf[0] != 0;
}

/* ---- from a trace name to the weight ---- */

/* How trace cell (r, c) sits in a parameter: element (r + off, c) of a
 * matrix, (c + off, r) of a transposed one (PyTorch's [out, in] shown as
 * x W), or element off + c of a vector. */
enum placing { DIRECT, TRANSPOSED, VECTOR };

struct place {
	char param[160];
	enum placing how;
	int off;
};

static int set_place(struct place *p, enum placing how, int off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int set_place(struct place *p, enum placing how, int off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->param, sizeof p->param, fmt, ap);
	va_end(ap);
	p->how = how;
	p->off = off;
	return 1;
}

/* Splits a dotted name into at most 6 parts (in buf); returns the count. */
static int split_name(const char *name, char *buf, size_t n, char **parts)
{
	snprintf(buf, n, "%s", name);
	int k = 0;
	for (char *s = buf; k < 6;) {
		parts[k++] = s;
		char *d = strchr(s, '.');
		if (!d)
			break;
		*d = 0;
		s = d + 1;
	}
	return k;
}

static int layer_of(const char *s, int *l)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v >= CFG_MAX_LAYERS)
		return 0;
	*l = (int)v;
	return 1;
}

static int place_transformer(const struct config *c, const char *name, struct place *p)
{
	char buf[160], *v[6];
	int k = split_name(name, buf, sizeof buf, v), l;
	int d = c->d_model;
	if (k == 3 && !strcmp(v[1], "embed") && !strcmp(v[2], "table") &&
	    (!strcmp(v[0], "src") || !strcmp(v[0], "tgt")))
		return set_place(p, DIRECT, 0, "%s_embed.weight", v[0]);
	if (k == 2 && !strcmp(v[1], "pos") && c->positional == POS_LEARNED &&
	    (!strcmp(v[0], "src") || !strcmp(v[0], "tgt")))
		return set_place(p, DIRECT, 0, "%s_pos.weight", v[0]);
	if (k == 2 && !strcmp(v[0], "generator")) {
		const char *wn = c->tie_output ? "tgt_embed.weight" : "generator.weight";
		if (!strcmp(v[1], "w"))
			return set_place(p, TRANSPOSED, 0, "%s", wn);
		if (!strcmp(v[1], "b") && !c->tie_output)
			return set_place(p, VECTOR, 0, "generator.bias");
		return 0;
	}
	if (k < 3 || (strcmp(v[0], "enc") && strcmp(v[0], "dec")))
		return 0;
	const char *side = v[0][0] == 'e' ? "encoder" : "decoder";
	if (k == 3 && !strcmp(v[1], "norm") && c->final_norm)
		return !strcmp(v[2], "w") ? set_place(p, VECTOR, 0, "transformer.%s.norm.weight", side)
		       : !strcmp(v[2], "b") ? set_place(p, VECTOR, 0, "transformer.%s.norm.bias", side)
					    : 0;
	if (!layer_of(v[1], &l) || l >= (v[0][0] == 'e' ? c->n_enc_layers : c->n_dec_layers))
		return 0;
	char pre[96];
	snprintf(pre, sizeof pre, "transformer.%s.layers.%d", side, l);
	if (k == 4 && (!strcmp(v[2], "self_attn") || (!strcmp(v[2], "cross_attn") && v[0][0] == 'd'))) {
		const char *mod = v[2][0] == 's' ? "self_attn" : "multihead_attn";
		static const char qkv[] = "qkv";
		const char *leaf = v[3];
		if ((leaf[0] == 'w' || leaf[0] == 'b') && leaf[1] == '_' && leaf[2] && !leaf[3]) {
			const char *at = strchr(qkv, leaf[2]);
			int wgt = leaf[0] == 'w';
			if (leaf[2] == 'o')
				return wgt ? set_place(p, TRANSPOSED, 0, "%s.%s.out_proj.weight", pre, mod)
					   : set_place(p, VECTOR, 0, "%s.%s.out_proj.bias", pre, mod);
			if (at && *at)
				return wgt ? set_place(p, TRANSPOSED, (int)(at - qkv) * d, "%s.%s.in_proj_weight",
						       pre, mod)
					   : set_place(p, VECTOR, (int)(at - qkv) * d, "%s.%s.in_proj_bias", pre,
						       mod);
		}
		return 0;
	}
	if (k == 4 && !strcmp(v[2], "ffn")) {
		if (!strcmp(v[3], "w1") || !strcmp(v[3], "w2"))
			return set_place(p, TRANSPOSED, 0, "%s.linear%c.weight", pre, v[3][1]);
		if (!strcmp(v[3], "b1") || !strcmp(v[3], "b2"))
			return set_place(p, VECTOR, 0, "%s.linear%c.bias", pre, v[3][1]);
		return 0;
	}
	if (k == 3 && !strncmp(v[2], "norm", 4) && v[2][4] >= '1' && v[2][4] <= '3' && !v[2][5])
		return 0; /* the LayerNorm output itself: computed */
	if (k == 4 && !strncmp(v[2], "norm", 4) && v[2][4] >= '1' && v[2][4] <= '3' && !v[2][5])
		return !strcmp(v[3], "w") ? set_place(p, VECTOR, 0, "%s.%s.weight", pre, v[2])
		       : !strcmp(v[3], "b") ? set_place(p, VECTOR, 0, "%s.%s.bias", pre, v[2])
					    : 0;
	return 0;
}

static int place_rnn(const struct config *c, const char *name, struct place *p)
{
	char buf[160], *v[6];
	int k = split_name(name, buf, sizeof buf, v), l;
	if (k == 3 && !strcmp(v[1], "embed") && !strcmp(v[2], "table") &&
	    (!strcmp(v[0], "src") || !strcmp(v[0], "tgt")))
		return set_place(p, DIRECT, 0, "%s.embedding.weight", v[0][0] == 's' ? "encoder" : "decoder");
	if (k == 3 && !strcmp(v[0], "dec") && !strcmp(v[1], "attn") && c->attention == ATTN_ADDITIVE) {
		if (!strcmp(v[2], "w_q") || !strcmp(v[2], "w_k"))
			return set_place(p, TRANSPOSED, 0, "decoder.attention.W_%c.weight", v[2][2]);
		if (!strcmp(v[2], "w_v"))
			return set_place(p, DIRECT, 0, "decoder.attention.w_v.weight");
		return 0;
	}
	if (k == 3 && !strcmp(v[0], "dec") && !strcmp(v[1], "out"))
		return !strcmp(v[2], "w") ? set_place(p, TRANSPOSED, 0, "decoder.out.weight")
		       : !strcmp(v[2], "b") ? set_place(p, VECTOR, 0, "decoder.out.bias")
					    : 0;
	if (k == 3 && (!strcmp(v[0], "enc") || !strcmp(v[0], "dec")) && v[1][0] == 'l' &&
	    layer_of(v[1] + 1, &l) && l < c->n_layers) {
		const char *side = v[0][0] == 'e' ? "encoder" : "decoder";
		if (!strcmp(v[2], "w_ih") || !strcmp(v[2], "w_hh"))
			return set_place(p, TRANSPOSED, 0, "%s.rnn.weight_%s_l%d", side, v[2] + 2, l);
		if (!strcmp(v[2], "b_ih") || !strcmp(v[2], "b_hh"))
			return set_place(p, VECTOR, 0, "%s.rnn.bias_%s_l%d", side, v[2] + 2, l);
	}
	return 0;
}

static int place_block(const struct config *c, const char *name, struct place *p)
{
	if (c->arch == ARCH_SELF_ATTENTION) {
		if (!strcmp(name, "self_attn.x"))
			return set_place(p, DIRECT, 0, "X");
		if (!strcmp(name, "self_attn.w_q") || !strcmp(name, "self_attn.w_k") ||
		    !strcmp(name, "self_attn.w_v"))
			return set_place(p, DIRECT, 0, "W_%c", name[strlen(name) - 1]);
		return 0;
	}
	static const char *const pool[][2] = {
		{"pool.keys", "keys"}, {"pool.values", "values"}, {"pool.queries", "queries"}, {"pool.w", "w"}};
	for (size_t i = 0; i < sizeof pool / sizeof *pool; i++)
		if (!strcmp(name, pool[i][0]))
			return set_place(p, VECTOR, 0, "%s", pool[i][1]);
	return 0;
}

enum status whatif_locate(const struct config *c, const struct weights *w, const char *name,
			  int r, int col, size_t *param, size_t *index, int *transposed,
			  struct err *e)
{
	struct place p;
	int ok = c->arch == ARCH_TRANSFORMER   ? place_transformer(c, name, &p)
		 : c->arch == ARCH_RNN_SEQ2SEQ ? place_rnn(c, name, &p)
					       : place_block(c, name, &p);
	if (!ok) {
		if (c->arch == ARCH_TRANSFORMER && (!strcmp(name, "src.pos") || !strcmp(name, "tgt.pos")))
			return err_set(e, ST_USAGE,
				       "%s is computed (sin/cos of the position), not a weight; "
				       "set positions off removes it", name);
		if (!strcmp(name, "src.embed") || !strcmp(name, "tgt.embed"))
			return err_set(e, ST_USAGE,
				       "%s is rows of %.3s.embed.table: edit the table's row of that token id "
				       "(%.3s.tokens has the ids)", name, name, name);
		return err_set(e, ST_USAGE,
			       "%s is computed by the engine, not given: edit a weight, an embedding "
			       "table or an input it is made from (its explanation names them)", name);
	}
	const struct param *pp = weights_find(w, p.param);
	if (!pp)
		return err_set(e, ST_USAGE, "%s: the model has no weight %s", name, p.param);
	size_t i;
	int prow = pp->ndim == 2 ? pp->dims[0] : 1, pcol = pp->ndim == 2 ? pp->dims[1] : pp->dims[0];
	if (r < 0 || col < 0)
		return err_set(e, ST_USAGE, "%s has no cell [%d, %d]", name, r, col);
	if (p.how == VECTOR) {
		if (r != 0 || (size_t)p.off + (size_t)col >= pp->count)
			return err_set(e, ST_USAGE, "%s has no cell [%d, %d]", name, r, col);
		i = (size_t)p.off + (size_t)col;
	} else if (p.how == DIRECT) {
		if (r + p.off >= prow || col >= pcol)
			return err_set(e, ST_USAGE, "%s has no cell [%d, %d]", name, r, col);
		i = (size_t)(r + p.off) * (size_t)pcol + (size_t)col;
	} else {
		if (col + p.off >= prow || r >= pcol)
			return err_set(e, ST_USAGE, "%s has no cell [%d, %d]", name, r, col);
		i = (size_t)(col + p.off) * (size_t)pcol + (size_t)r;
	}
	*param = (size_t)(pp - w->params);
	*index = i;
	if (transposed)
		*transposed = p.how == TRANSPOSED;
	return ST_OK;
}

enum status whatif_edit(struct whatif *w, const struct config *c, struct weights *wt,
			const struct tensor *t, int r, int col, float value, struct err *e)
{
	if (!isfinite(value))
		return err_set(e, ST_USAGE, "edit takes a finite number");
	if (r < 0 || col < 0 || r >= t->rows || col >= t->cols)
		return err_set(e, ST_USAGE, "%s has no cell [%d, %d]: it is [%d x %d]", t->name, r, col,
			       t->rows, t->cols);
	if (c->arch == ARCH_ATTENTION_POOLING && !strcmp(t->name, "pool.queries") &&
	    col >= c->n_queries)
		return err_set(e, ST_USAGE, "query %d is the one set query added: set query X moves it", col);
	size_t pi, idx;
	enum status st = whatif_locate(c, wt, t->name, r, col, &pi, &idx, NULL, e);
	if (st)
		return st;
	float *cell = &wt->params[pi].data[idx];
	/* The trace shows this weight: if it does not, a switch replaced it. */
	if (tensor_at(t, r, col) != *cell)
		return err_set(e, ST_USAGE,
			       "%s[%d, %d] is %g in this run but its weight %s holds %g: a switch "
			       "replaced it (reset, or switch it back on)", t->name, r, col,
			       (double)tensor_at(t, r, col), wt->params[pi].name, (double)*cell);
	struct whatif_edit *d = NULL;
	for (int i = 0; i < w->n_edits && !d; i++)
		if (w->edits[i].param == pi && w->edits[i].index == idx)
			d = &w->edits[i];
	if (!d) {
		if (w->n_edits >= WHATIF_MAX_EDITS)
			return err_set(e, ST_USAGE, "at most %d edits at a time (reset undoes them)",
				       WHATIF_MAX_EDITS);
		d = &w->edits[w->n_edits++];
		snprintf(d->name, sizeof d->name, "%s", t->name);
		d->row = r;
		d->col = col;
		d->param = pi;
		d->index = idx;
		d->before = *cell;
	}
	d->after = value;
	*cell = value;
	return ST_OK;
}

void whatif_undo_edits(struct whatif *w, struct weights *wt)
{
	for (int i = w->n_edits - 1; i >= 0; i--) {
		const struct whatif_edit *d = &w->edits[i];
		if (d->param < wt->n_params && d->index < wt->params[d->param].count)
			wt->params[d->param].data[d->index] = d->before;
	}
	w->n_edits = 0;
}
