#include "engine/rnn.h"
#include "engine/ops.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *fbuf(struct arena *ar, size_t n, int *ok)
{
	float *p = arena_calloc(ar, n ? n : 1, sizeof(float));
	if (!p)
		*ok = 0;
	return p;
}

static void layer_alloc(struct arena *ar, struct rnn_layer_acts *y, const struct config *c,
			int T, int *ok)
{
	int H = c->hidden, G = cell_gates(c->cell);
	y->gx = fbuf(ar, (size_t)T * G * H, ok);
	y->cache = fbuf(ar, (size_t)T * 4 * H, ok);
	y->h = fbuf(ar, (size_t)T * H, ok);
	y->c = fbuf(ar, (size_t)T * H, ok);
	y->h0 = fbuf(ar, (size_t)H, ok);
	y->c0 = fbuf(ar, (size_t)H, ok);
}

enum status rnn_acts_init(struct rnn_acts *a, const struct config *c, int v_tgt, int Ts, int Tt,
			  struct err *e)
{
	memset(a, 0, sizeof *a);
	arena_init(&a->arena);
	struct arena *ar = &a->arena;
	int ok = 1, E = c->embed_dim, H = c->hidden, A = c->attn_dim;
	a->Ts = Ts;
	a->Tt = Tt;
	a->src_ids = arena_calloc(ar, (size_t)Ts + 1, sizeof(int));
	a->tgt_ids = arena_calloc(ar, (size_t)Tt + 1, sizeof(int));
	ok = a->src_ids && a->tgt_ids;
	a->src_emb = fbuf(ar, (size_t)Ts * E, &ok);
	a->tgt_emb = fbuf(ar, (size_t)Tt * E, &ok);
	for (int l = 0; l < c->n_layers; l++) {
		layer_alloc(ar, &a->enc[l], c, Ts, &ok);
		layer_alloc(ar, &a->dec[l], c, Tt, &ok);
	}
	a->query = fbuf(ar, (size_t)Tt * H, &ok);
	a->kproj = fbuf(ar, (size_t)Ts * A, &ok);
	a->qproj = fbuf(ar, (size_t)Tt * A, &ok);
	a->scores = fbuf(ar, (size_t)Tt * Ts, &ok);
	a->weights = fbuf(ar, (size_t)Tt * Ts, &ok);
	a->context = fbuf(ar, (size_t)Tt * H, &ok);
	a->dec_x = fbuf(ar, (size_t)Tt * (E + H), &ok);
	a->logits = fbuf(ar, (size_t)Tt * v_tgt, &ok);
	a->probs = fbuf(ar, (size_t)Tt * v_tgt, &ok);
	a->scratch = fbuf(ar, (size_t)4 * H, &ok);
	if (!ok) {
		rnn_acts_release(a);
		return err_set(e, ST_NOMEM, "out of memory for activations");
	}
	return ST_OK;
}

void rnn_acts_release(struct rnn_acts *a)
{
	arena_release(&a->arena);
	memset(a, 0, sizeof *a);
}

void rnn_encode(const struct config *c, const struct weights *w, struct rnn_acts *a,
		const int *src)
{
	const struct rnn_weights *W = &w->rnn;
	int T = a->Ts, E = c->embed_dim, H = c->hidden, G = cell_gates(c->cell);
	memcpy(a->src_ids, src, (size_t)T * sizeof *src);
	embed_forward(a->src_emb, src, W->enc_embed, NULL, 1.0f, T, E);
	if (a->drop_src) /* the trainer's dropout mask (rnn.h) */
		for (size_t i = 0; i < (size_t)T * E; i++)
			a->src_emb[i] *= a->drop_src[i];
	const float *x = a->src_emb;
	int in = E;
	for (int l = 0; l < c->n_layers; l++) {
		struct rnn_layer_acts *y = &a->enc[l];
		const struct rnn_layer *L = &W->enc[l];
		y->x = (float *)x;
		matmul_forward(y->gx, x, L->w_ih, L->b_ih, T, in, G * H);
		for (int t = 0; t < T; t++) {
			const float *hp = t ? y->h + (size_t)(t - 1) * H : y->h0;
			const float *cp = t ? y->c + (size_t)(t - 1) * H : y->c0;
			cell_step_forward(c->cell, y->h + (size_t)t * H, y->c + (size_t)t * H,
					  y->cache + (size_t)t * 4 * H, y->gx + (size_t)t * G * H, hp,
					  cp, L->w_hh, L->b_hh, H, a->scratch);
		}
		x = y->h;
		in = H;
	}
	if (c->attention == ATTN_ADDITIVE)
		matmul_forward(a->kproj, a->enc[c->n_layers - 1].h, W->attn_wk, NULL, T, H,
			       c->attn_dim);
}

float rnn_dot_scale(const struct config *c, const struct switches *sw)
{
	return c->attention == ATTN_SCALED_DOT ? switches_scale(sw, c->hidden) : 1.0f;
}

/* Where one decoder step reads its previous state and writes its results. */
struct dec_io {
	const float *h_prev[CFG_MAX_LAYERS], *c_prev[CFG_MAX_LAYERS]; /* (H) */
	float *h[CFG_MAX_LAYERS], *c[CFG_MAX_LAYERS];                 /* (H) */
	float *cache[CFG_MAX_LAYERS];                                 /* (4H) */
	float *gx[CFG_MAX_LAYERS];                                    /* (G H) */
	float *query, *qproj, *scores, *weights, *context, *x;       /* one row each */
	float *scratch;                                               /* (4H) */
	const float *emb_mask; /* (E) dropout mask of the input embedding, or NULL */
};

/* One decoder step; the teacher-forced forward and the beam-search stepper
 * both run exactly this. */
static void dec_step(const struct config *c, const struct weights *w, const struct rnn_acts *a,
		     int token, struct dec_io *io)
{
	const struct rnn_weights *W = &w->rnn;
	int E = c->embed_dim, H = c->hidden, G = cell_gates(c->cell), L = c->n_layers;
	int Ts = a->Ts;
	const float *enc = a->enc[L - 1].h; /* (Ts, H) keys = values */
	memcpy(io->query, io->h_prev[L - 1], (size_t)H * sizeof(float));
	if (c->attention == ATTN_NONE) {
		memcpy(io->context, enc + (size_t)(Ts - 1) * H, (size_t)H * sizeof(float));
	} else {
		if (c->attention == ATTN_ADDITIVE) {
			matmul_forward(io->qproj, io->query, W->attn_wq, NULL, 1, H, c->attn_dim);
			additive_scores_forward(io->scores, io->qproj, a->kproj, W->attn_wv, 1, Ts,
						c->attn_dim);
		} else {
			float scale = rnn_dot_scale(c, a->sw);
			cblas_sgemv(CblasRowMajor, CblasNoTrans, Ts, H, scale, enc, H, io->query, 1,
				    0.0f, io->scores, 1);
		}
		softmax_forward(io->weights, io->scores, 1, Ts);
		cblas_sgemv(CblasRowMajor, CblasTrans, Ts, H, 1.0f, enc, H, io->weights, 1, 0.0f,
			    io->context, 1);
	}
	memcpy(io->x, W->dec_embed + (size_t)token * E, (size_t)E * sizeof(float));
	if (io->emb_mask)
		for (int i = 0; i < E; i++)
			io->x[i] *= io->emb_mask[i];
	memcpy(io->x + E, io->context, (size_t)H * sizeof(float));
	const float *x = io->x;
	int in = E + H;
	for (int l = 0; l < L; l++) {
		const struct rnn_layer *R = &W->dec[l];
		matmul_forward(io->gx[l], x, R->w_ih, R->b_ih, 1, in, G * H);
		cell_step_forward(c->cell, io->h[l], io->c[l], io->cache[l], io->gx[l], io->h_prev[l],
				  io->c_prev[l], R->w_hh, R->b_hh, H, io->scratch);
		x = io->h[l];
		in = H;
	}
}

/* The decoder starts from the encoder's final state, every layer. */
static void init_decoder_state(const struct config *c, struct rnn_acts *a)
{
	int H = c->hidden, Ts = a->Ts;
	for (int l = 0; l < c->n_layers; l++) {
		memcpy(a->dec[l].h0, a->enc[l].h + (size_t)(Ts - 1) * H, (size_t)H * sizeof(float));
		memcpy(a->dec[l].c0, a->enc[l].c + (size_t)(Ts - 1) * H, (size_t)H * sizeof(float));
	}
}

void rnn_forward(const struct config *c, const struct weights *w, int v_tgt, struct rnn_acts *a,
		 const int *src, const int *tgt)
{
	int T = a->Tt, E = c->embed_dim, H = c->hidden, G = cell_gates(c->cell), A = c->attn_dim;
	int L = c->n_layers, Ts = a->Ts;
	rnn_encode(c, w, a, src);
	init_decoder_state(c, a);
	memcpy(a->tgt_ids, tgt, (size_t)T * sizeof *tgt);
	embed_forward(a->tgt_emb, tgt, w->rnn.dec_embed, NULL, 1.0f, T, E);
	for (int t = 0; t < T; t++) {
		struct dec_io io = {0};
		for (int l = 0; l < L; l++) {
			struct rnn_layer_acts *y = &a->dec[l];
			io.h_prev[l] = t ? y->h + (size_t)(t - 1) * H : y->h0;
			io.c_prev[l] = t ? y->c + (size_t)(t - 1) * H : y->c0;
			io.h[l] = y->h + (size_t)t * H;
			io.c[l] = y->c + (size_t)t * H;
			io.cache[l] = y->cache + (size_t)t * 4 * H;
			io.gx[l] = y->gx + (size_t)t * G * H;
		}
		io.query = a->query + (size_t)t * H;
		io.qproj = a->qproj + (size_t)t * A;
		io.scores = a->scores + (size_t)t * Ts;
		io.weights = a->weights + (size_t)t * Ts;
		io.context = a->context + (size_t)t * H;
		io.x = a->dec_x + (size_t)t * (E + H);
		io.scratch = a->scratch;
		io.emb_mask = a->drop_tgt ? a->drop_tgt + (size_t)t * E : NULL;
		dec_step(c, w, a, tgt[t], &io);
	}
	a->dec[0].x = a->dec_x;
	for (int l = 1; l < L; l++)
		a->dec[l].x = a->dec[l - 1].h;
	matmul_forward(a->logits, a->dec[L - 1].h, w->rnn.out_w, w->rnn.out_b, T, H, v_tgt);
	softmax_temperature(a->probs, a->logits, T, v_tgt, switches_temperature(a->sw));
}

/* ---------- stepper ---------- */

struct rnn_stepper {
	const struct config *c;
	const struct weights *w;
	const struct rnn_acts *a;
	int V, beam, gen;
	float *h[2], *cs[2]; /* (beam, L, H) two generations */
	float *cache, *gx, *row; /* scratch */
};

void rnn_stepper_free(struct rnn_stepper *s)
{
	if (!s)
		return;
	free(s->h[0]);
	free(s->h[1]);
	free(s->cs[0]);
	free(s->cs[1]);
	free(s->cache);
	free(s->gx);
	free(s->row);
	free(s);
}

struct rnn_stepper *rnn_stepper_new(const struct config *c, const struct weights *w, int v_tgt,
				    const struct rnn_acts *a, int beam)
{
	struct rnn_stepper *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	int H = c->hidden, L = c->n_layers, Ts = a->Ts;
	*s = (struct rnn_stepper){.c = c, .w = w, .a = a, .V = v_tgt, .beam = beam};
	size_t n = (size_t)beam * L * H;
	int ok = 1;
	for (int g = 0; g < 2; g++) {
		s->h[g] = calloc(n, sizeof(float));
		s->cs[g] = calloc(n, sizeof(float));
		ok = ok && s->h[g] && s->cs[g];
	}
	s->cache = calloc((size_t)L * 4 * H, sizeof(float));
	s->gx = calloc((size_t)L * 4 * H, sizeof(float));
	/* query H, qproj A, scores Ts, weights Ts, context H, x E+H, scratch 4H */
	s->row = calloc((size_t)(H + c->attn_dim + 2 * Ts + H + c->embed_dim + H + 4 * H),
			sizeof(float));
	if (!ok || !s->cache || !s->gx || !s->row) {
		rnn_stepper_free(s);
		return NULL;
	}
	for (int b = 0; b < beam; b++)
		for (int l = 0; l < L; l++) {
			memcpy(s->h[0] + ((size_t)b * L + l) * H, a->enc[l].h + (size_t)(Ts - 1) * H,
			       (size_t)H * sizeof(float));
			memcpy(s->cs[0] + ((size_t)b * L + l) * H, a->enc[l].c + (size_t)(Ts - 1) * H,
			       (size_t)H * sizeof(float));
		}
	return s;
}

static void rnn_step(void *ctx, int slot, int token, int t, float *logits)
{
	struct rnn_stepper *s = ctx;
	const struct config *c = s->c;
	int H = c->hidden, L = c->n_layers, Ts = s->a->Ts;
	(void)t;
	float *hs = s->h[s->gen] + (size_t)slot * L * H, *cs = s->cs[s->gen] + (size_t)slot * L * H;
	struct dec_io io = {0};
	for (int l = 0; l < L; l++) {
		io.h_prev[l] = hs + (size_t)l * H;
		io.c_prev[l] = cs + (size_t)l * H;
		io.cache[l] = s->cache + (size_t)l * 4 * H;
		io.gx[l] = s->gx + (size_t)l * 4 * H;
	}
	float *p = s->row;
	io.query = p;
	p += H;
	io.qproj = p;
	p += c->attn_dim;
	io.scores = p;
	p += Ts;
	io.weights = p;
	p += Ts;
	io.context = p;
	p += H;
	io.x = p;
	p += c->embed_dim + H;
	io.scratch = p;
	/* The cell reads h_prev while it writes h: step into the other
	 * generation's slot (free until the next reorder), then copy back. */
	float *nh = s->h[1 - s->gen] + (size_t)slot * L * H;
	float *nc = s->cs[1 - s->gen] + (size_t)slot * L * H;
	for (int l = 0; l < L; l++) {
		io.h[l] = nh + (size_t)l * H;
		io.c[l] = nc + (size_t)l * H;
	}
	dec_step(c, s->w, s->a, token, &io);
	memcpy(hs, nh, (size_t)L * H * sizeof(float));
	memcpy(cs, nc, (size_t)L * H * sizeof(float));
	matmul_forward(logits, hs + (size_t)(L - 1) * H, s->w->rnn.out_w, s->w->rnn.out_b, 1, H,
		       s->V);
}

static void rnn_reorder(void *ctx, const int *parents, int n, int t)
{
	struct rnn_stepper *s = ctx;
	size_t slot = (size_t)s->c->n_layers * s->c->hidden;
	int g = s->gen, ng = 1 - g;
	(void)t;
	for (int i = 0; i < n; i++) {
		memcpy(s->h[ng] + i * slot, s->h[g] + parents[i] * slot, slot * sizeof(float));
		memcpy(s->cs[ng] + i * slot, s->cs[g] + parents[i] * slot, slot * sizeof(float));
	}
	s->gen = ng;
}

struct stepper rnn_stepper_ops(struct rnn_stepper *s)
{
	return (struct stepper){.ctx = s, .step = rnn_step, .reorder = rnn_reorder};
}
