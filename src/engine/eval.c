/* Evaluation (eval.h). */
#include "engine/eval.h"
#include "engine/decode.h"
#include "engine/loss.h"
#include "engine/rnn.h"
#include "engine/train_data.h"
#include "engine/transformer.h"
#include "text/metrics.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double eval_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

enum status eval_translate(struct model *m, const char *text, int beam, int **ids, int *n,
			   struct err *e)
{
	const struct config *c = &m->cfg;
	struct encoding se = {0};
	*ids = NULL;
	*n = 0;
	enum status st = tokenizer_encode(&m->src_tok, text, &se, e);
	if (st)
		return st;
	int Ts = se.n + 1;
	int *src = malloc((size_t)Ts * sizeof *src);
	struct decode_out d = {0};
	if (!src) {
		encoding_release(&se);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	memcpy(src, se.ids, (size_t)se.n * sizeof *src);
	src[se.n] = m->src_vocab.eos;
	encoding_release(&se);
	if (Ts > c->max_len) {
		free(src);
		return err_set(e, ST_BADINPUT, "source sentence too long: %d tokens, at most %d", Ts,
			       c->max_len);
	}
	struct run_opts o;
	run_opts_default(&o);
	o.beam = beam;
	o.topk = 1; /* max_len 0: the config's max_decode_len */
	st = model_decode_ids(m, src, Ts, &o, &d, e);
	free(src);
	if (!st) {
		int k = d.n;
		if (k > 0 && d.ids[k - 1] == m->tgt_vocab.eos)
			k--;
		*ids = malloc((size_t)(k ? k : 1) * sizeof **ids);
		if (!*ids)
			st = err_set(e, ST_NOMEM, "out of memory");
		else {
			memcpy(*ids, d.ids, (size_t)k * sizeof **ids);
			*n = k;
		}
	}
	decode_out_release(&d);
	return st;
}

static int ids_equal(const int *a, const int *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void count_word(const char *unit, void *ctx)
{
	(void)unit;
	(*(int *)ctx)++;
}

static const int bucket_lo[EVAL_BUCKETS] = {3, 6, 9, 12}, bucket_hi[EVAL_BUCKETS] = {5, 8, 11, 15};

/* Teacher-forced loss of one pair (mean over its tokens, no smoothing). */
static enum status pair_loss(struct model *m, const struct example *x, float *loss,
			     struct err *e)
{
	const struct config *c = &m->cfg;
	int V = m->tgt_vocab.n;
	enum status st;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a;
		if ((st = tf_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		tf_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		*loss = cross_entropy_forward_backward(a.logits, x->tgt_out, x->nt, V, 0, -1, NULL);
		tf_acts_release(&a);
	} else {
		struct rnn_acts a;
		if ((st = rnn_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		rnn_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		*loss = cross_entropy_forward_backward(a.logits, x->tgt_out, x->nt, V, 0, -1, NULL);
		rnn_acts_release(&a);
	}
	return ST_OK;
}

enum status eval_corpus(struct model *m, const struct corpus *c, size_t max_n, int beam,
			struct eval_result *r, struct err *e)
{
	double t0 = eval_now();
	/* Many tiny products: BLAS threads only add hand-offs (on a busy
	 * machine, waits of milliseconds each). */
	openblas_set_num_threads(1);
	memset(r, 0, sizeof *r);
	for (int b = 0; b < EVAL_BUCKETS; b++) {
		r->bucket[b].lo = bucket_lo[b];
		r->bucket[b].hi = bucket_hi[b];
	}
	r->bucket[EVAL_BUCKETS].lo = 0;
	r->bucket[EVAL_BUCKETS].hi = 0;
	size_t n = max_n && max_n < c->n ? max_n : c->n;
	/* Hypotheses and references kept for corpus BLEU (metrics.h), overall
	 * and per bucket. */
	int **hyps = calloc(n ? n : 1, sizeof *hyps), **refs = calloc(n ? n : 1, sizeof *refs);
	int *hl = calloc(n ? n : 1, sizeof *hl), *rl = calloc(n ? n : 1, sizeof *rl);
	int *bk = calloc(n ? n : 1, sizeof *bk);
	if (!hyps || !refs || !hl || !rl || !bk) {
		free(hyps);
		free(refs);
		free(hl);
		free(rl);
		free(bk);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	double loss_sum = 0;
	long loss_tokens = 0;
	enum status st = ST_OK;
	int unk = m->tgt_vocab.unk;
	for (size_t i = 0; i < n && !st; i++) {
		int words = 0, *hyp = NULL, nh = 0;
		struct encoding te = {0}, se = {0};
		if ((st = tokenizer_split(TOK_WORD, 1, c->src[i], count_word, &words, e)) ||
		    (st = tokenizer_encode(&m->tgt_tok, c->tgt[i], &te, e)) ||
		    (st = eval_translate(m, c->src[i], beam, &hyp, &nh, e))) {
			encoding_release(&te);
			break;
		}
		/* A reference unit the vocabulary lacks can never be produced:
		 * give it an id no hypothesis has. */
		for (int k = 0; k < te.n; k++)
			if (te.ids[k] == unk)
				te.ids[k] = -1;
		int b = EVAL_BUCKETS;
		for (int k = 0; k < EVAL_BUCKETS; k++)
			if (words >= bucket_lo[k] && words <= bucket_hi[k])
				b = k;
		int exact = nh == te.n && ids_equal(hyp, te.ids, nh);
		r->n++;
		r->exact += exact;
		r->bucket[b].n++;
		r->bucket[b].exact += exact;
		refs[i] = malloc((size_t)(te.n ? te.n : 1) * sizeof **refs);
		if (!refs[i]) {
			st = err_set(e, ST_NOMEM, "out of memory");
		} else {
			memcpy(refs[i], te.ids, (size_t)te.n * sizeof **refs);
			rl[i] = te.n;
		}
		hyps[i] = hyp;
		hl[i] = nh;
		bk[i] = b;
		hyp = NULL;
		/* Teacher-forced loss, for pairs that fit. */
		if (!tokenizer_encode(&m->src_tok, c->src[i], &se, NULL) && se.n + 1 <= m->cfg.max_len &&
		    te.n + 1 <= m->cfg.max_len) {
			int ns = se.n + 1, nt = te.n + 1;
			int *buf = malloc((size_t)(ns + 2 * nt) * sizeof *buf);
			if (buf) {
				struct example x = {ns, nt, buf, buf + ns, buf + ns + nt};
				memcpy(x.src, se.ids, (size_t)se.n * sizeof *buf);
				x.src[se.n] = m->src_vocab.eos;
				x.tgt_in[0] = m->tgt_vocab.bos;
				for (int k = 0; k < te.n; k++) {
					int id = te.ids[k] < 0 ? unk : te.ids[k];
					x.tgt_in[k + 1] = id;
					x.tgt_out[k] = id;
				}
				x.tgt_out[te.n] = m->tgt_vocab.eos;
				float l;
				if (!(st = pair_loss(m, &x, &l, e))) {
					loss_sum += (double)l * nt;
					loss_tokens += nt;
				}
				free(buf);
			}
		}
		encoding_release(&se);
		encoding_release(&te);
		free(hyp);
	}
	if (!st) {
		r->bleu = bleu_corpus((const int *const *)hyps, hl, (const int *const *)refs, rl, n);
		/* Per bucket: the same arrays, gathered. */
		const int **bh = malloc((n ? n : 1) * sizeof *bh), **br = malloc((n ? n : 1) * sizeof *br);
		int *bhl = malloc((n ? n : 1) * sizeof *bhl), *brl = malloc((n ? n : 1) * sizeof *brl);
		if (!bh || !br || !bhl || !brl)
			st = err_set(e, ST_NOMEM, "out of memory");
		for (int b = 0; b <= EVAL_BUCKETS && !st; b++) {
			size_t k = 0;
			for (size_t i = 0; i < n; i++)
				if (bk[i] == b) {
					bh[k] = hyps[i];
					br[k] = refs[i];
					bhl[k] = hl[i];
					brl[k] = rl[i];
					k++;
				}
			r->bucket[b].bleu = bleu_corpus(bh, bhl, br, brl, k);
		}
		free(bh);
		free(br);
		free(bhl);
		free(brl);
	}
	for (size_t i = 0; i < n; i++) {
		free(hyps[i]);
		free(refs[i]);
	}
	free(hyps);
	free(refs);
	free(hl);
	free(rl);
	free(bk);
	if (st)
		return st;
	r->loss = loss_tokens ? loss_sum / loss_tokens : 0;
	r->seconds = eval_now() - t0;
	return ST_OK;
}

void eval_print(FILE *f, const struct eval_result *r)
{
	fprintf(f, "%-8s %6s %8s %7s\n", "source", "pairs", "exact", "BLEU");
	for (int b = 0; b <= EVAL_BUCKETS; b++) {
		const struct eval_bucket *k = &r->bucket[b];
		if (b == EVAL_BUCKETS && k->n == 0)
			continue;
		char label[32];
		if (b < EVAL_BUCKETS)
			snprintf(label, sizeof label, "%d-%d", k->lo, k->hi);
		else
			snprintf(label, sizeof label, "other");
		if (k->n)
			fprintf(f, "%-8s %6d %7.1f%% %7.1f\n", label, k->n, 100.0 * k->exact / k->n,
				k->bleu);
		else
			fprintf(f, "%-8s %6d %8s %7s\n", label, 0, "-", "-");
	}
	fprintf(f, "%-8s %6d %7.1f%% %7.1f\n", "all", r->n, r->n ? 100.0 * r->exact / r->n : 0.0,
		r->bleu);
}
