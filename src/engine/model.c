#include "engine/model.h"
#include "engine/bptt.h"
#include "engine/blocks.h"
#include "io/csvio.h"
#include "engine/decode.h"
#include "engine/grad.h"
#include "engine/loss.h"
#include "engine/rnn.h"
#include "io/safetensors.h"
#include "engine/train_log.h"
#include "engine/transformer.h"
#include "base/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { TOPK_DEFAULT = 5 };

/* A file inside the model folder: must be a regular file, not a link, so a
 * shared folder cannot point seqstep at files outside it. Returns 0 when
 * absent, 1 when present, -1 (with e set) when it is there but unusable. */
static int model_file(const char *dir, const char *name, char *path, size_t n, struct err *e)
{
	if ((size_t)snprintf(path, n, "%s/%s", dir, name) >= n) {
		err_set(e, ST_BADINPUT, "%s/%s: path too long", dir, name);
		return -1;
	}
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return 0;
	if (S_ISLNK(sb.st_mode)) {
		err_set(e, ST_BADINPUT, "%s: is a symbolic link; model files must be plain files inside the model folder", path);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		err_set(e, ST_BADINPUT, "%s: not a regular file", path);
		return -1;
	}
	return 1;
}

static enum status check_shape(const struct param *p, const struct st_entry *t, const char *file,
			       struct err *e)
{
	int ok = t->ndim == p->ndim && t->shape[0] == (uint64_t)p->dims[0] &&
		 (p->ndim == 1 || t->shape[1] == (uint64_t)p->dims[1]);
	if (ok)
		return ST_OK;
	char got[128] = "", want[64];
	for (int i = 0; i < t->ndim && strlen(got) < 100; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%llu", i ? ", " : "",
			 (unsigned long long)t->shape[i]);
	if (p->ndim == 1)
		snprintf(want, sizeof want, "%d", p->dims[0]);
	else
		snprintf(want, sizeof want, "%d, %d", p->dims[0], p->dims[1]);
	return err_set(e, ST_BADINPUT, "%s: tensor %s has shape [%s], the config needs [%s]", file,
		       p->name, got, want);
}

/* A table with one row per token that disagrees with the config is almost
 * always a vocabulary file that does not belong to these weights: say so. */
static void explain_vocab_mismatch(const struct model *m, const struct param *p, struct err *e)
{
	const struct tok_config *side = NULL;
	const struct vocab *v = NULL;
	if (strstr(p->name, "src_embed") || strstr(p->name, "encoder.embedding")) {
		side = &m->cfg.src;
		v = &m->src_vocab;
	} else if (strstr(p->name, "tgt_embed") || strstr(p->name, "decoder.embedding") ||
		   strstr(p->name, "generator") || strstr(p->name, "decoder.out")) {
		side = &m->cfg.tgt;
		v = &m->tgt_vocab;
	}
	if (side) {
		size_t len = strlen(e->msg);
		snprintf(e->msg + len, sizeof e->msg - len, " (%s has %d tokens, one row each)",
			 side->vocab, v->n);
	}
}

/* Where each tensor comes from: a CSV file (read, shape checked), or a
 * safetensors entry. */
struct tensor_source {
	const struct st_entry *st; /* NULL: from csv */
	struct csv_matrix csv;
};

static enum status read_csv_param(const struct param *p, const char *path, struct csv_matrix *m,
				  struct err *e)
{
	enum status st = csv_read_matrix(path, m, e);
	if (st)
		return st;
	int ok = (size_t)m->rows * m->cols == p->count &&
		 (p->ndim == 1 ? (m->rows == 1 || m->cols == 1)
			       : (m->rows == p->dims[0] && m->cols == p->dims[1]));
	if (ok)
		return ST_OK;
	if (p->ndim == 1)
		st = err_set(e, ST_BADINPUT, "%s: has %d x %d values, tensor %s needs %d", path, m->rows,
			     m->cols, p->name, p->dims[0]);
	else
		st = err_set(e, ST_BADINPUT, "%s: has %d x %d values, tensor %s needs %d x %d", path,
			     m->rows, m->cols, p->name, p->dims[0], p->dims[1]);
	csv_matrix_release(m);
	return st;
}

/* Names the tensors of the file that the config does not use (buffers a
 * real state_dict carries, or weights of layers the config leaves out):
 * they are ignored, with one warning line. */
static void note_unused(struct model *m, const struct safetensors *f, const char *path)
{
	size_t unused = 0, len = 0;
	char list[sizeof m->warning];
	list[0] = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (weights_find(&m->w, f->entries[i].name))
			continue;
		if (unused++ < 4 && len < sizeof list - 1) {
			int k = snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
					 f->entries[i].name);
			len = k < 0 ? len : len + (size_t)k;
		} else if (unused == 5) {
			snprintf(list + strlen(list), sizeof list - strlen(list), ", ...");
		}
	}
	if (unused)
		snprintf(m->warning, sizeof m->warning,
			 "%s: %zu tensor%s not used by config.json, ignored: %s", path, unused,
			 unused == 1 ? "" : "s", list);
}

/* Finds every tensor's source and checks its shape (reading the CSV files,
 * which are bounded) before the weight block is reserved, so the block is
 * never larger than what the files hold: a 2 kB config cannot reserve
 * gigabytes. */
static enum status plan_sources(struct model *m, const struct safetensors *f, int have,
				const char *path, struct tensor_source *src, struct err *e)
{
	for (size_t i = 0; i < m->w.n_params; i++) {
		const struct param *p = &m->w.params[i];
		char name[300];
		snprintf(name, sizeof name, "tensors/%s.csv", p->name);
		char csv[2048];
		int c = model_file(m->dir, name, csv, sizeof csv, e);
		if (c < 0)
			return ST_BADINPUT;
		if (c) {
			enum status st = read_csv_param(p, csv, &src[i].csv, e);
			if (st)
				return st;
			continue;
		}
		const struct st_entry *t = have ? safetensors_get(f, p->name) : NULL;
		if (!t)
			return err_set(e, ST_BADINPUT, "%s: missing tensor %s (needed by %s in config.json)",
				       have ? path : m->dir, p->name, arch_name(m->cfg.arch));
		enum status st = check_shape(p, t, path, e);
		if (st) {
			explain_vocab_mismatch(m, p, e);
			return st;
		}
		src[i].st = t;
	}
	return ST_OK;
}

static enum status load_tensors(struct model *m, struct err *e)
{
	char path[2048];
	struct safetensors st_file = {0};
	/* tensors/ itself must not be a link out of the folder either */
	struct stat sb;
	if ((size_t)snprintf(path, sizeof path, "%s/tensors", m->dir) < sizeof path &&
	    lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
		return err_set(e, ST_BADINPUT, "%s: is a symbolic link; model files must be plain files inside the model folder", path);
	int have = model_file(m->dir, "model.safetensors", path, sizeof path, e);
	if (have < 0)
		return ST_BADINPUT;
	enum status st = ST_OK;
	if (have && (st = safetensors_load(&st_file, path, e)))
		return st;
	size_t np = m->w.n_params; /* a failed weights_alloc empties m->w */
	struct tensor_source *src = calloc(np ? np : 1, sizeof *src);
	if (!src)
		st = err_set(e, ST_NOMEM, "out of memory");
	if (!st)
		st = plan_sources(m, &st_file, have, path, src, e);
	if (!st)
		st = weights_alloc(&m->w, &m->cfg, m->src_vocab.n, m->tgt_vocab.n, e);
	for (size_t i = 0; i < m->w.n_params && !st; i++) {
		const struct param *p = &m->w.params[i];
		if (src[i].st)
			st = safetensors_read_f32(&st_file, src[i].st, p->data, p->count, e);
		else
			memcpy(p->data, src[i].csv.data, p->count * sizeof(float));
	}
	if (!st && have)
		note_unused(m, &st_file, path);
	for (size_t i = 0; src && i < np; i++)
		csv_matrix_release(&src[i].csv);
	free(src);
	safetensors_release(&st_file);
	return st;
}

static enum status load_side(struct model *m, const struct tok_config *tc, struct vocab *v,
			     struct tokenizer *t, struct err *e)
{
	char path[2048];
	int r = model_file(m->dir, tc->vocab, path, sizeof path, e);
	if (r < 0)
		return ST_BADINPUT;
	if (r == 0)
		return err_set(e, ST_BADINPUT, "%s: vocabulary file not found", path);
	enum status st = vocab_load(v, path, e);
	if (st)
		return st;
	if (tc->merges[0]) {
		char mp[2048];
		r = model_file(m->dir, tc->merges, mp, sizeof mp, e);
		if (r <= 0)
			return r < 0 ? ST_BADINPUT : err_set(e, ST_BADINPUT, "%s: merges file not found", mp);
	}
	return tokenizer_init(t, tc, v, m->dir, e);
}

/* The training history of train.json, when the folder has one (a model
 * trained by seqstep train); its other fields are the trainer's. */
static enum status load_log(struct model *m, struct err *e)
{
	char path[2048];
	int r = model_file(m->dir, "train.json", path, sizeof path, e);
	if (r <= 0)
		return r < 0 ? ST_BADINPUT : ST_OK;
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_BADINPUT, "%s: cannot open: %s", path, strerror(errno));
	char *buf;
	size_t len;
	int err;
	enum file_read fr = file_read_limited(f, TRAIN_LOG_FILE_MAX, &buf, &len, &err);
	fclose(f);
	if (fr == FILE_READ_TOO_LARGE)
		return err_set(e, ST_BADINPUT, "%s: larger than %d MB", path, TRAIN_LOG_FILE_MAX >> 20);
	if (fr == FILE_READ_NOMEM)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (fr == FILE_READ_FAILED)
		return err_set(e, ST_BADINPUT, "%s: read error", path);
	enum status st = train_log_parse(&m->log, buf, len, path, e);
	free(buf);
	return st;
}

enum status model_load(struct model *m, const char *dir, struct err *e)
{
	memset(m, 0, sizeof *m);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= sizeof m->dir)
		return err_set(e, ST_BADINPUT, "%s: path too long", dir);
	memcpy(m->dir, dir, n);
	m->dir[n] = 0;
	const char *base = strrchr(m->dir, '/');
	snprintf(m->name, sizeof m->name, "%.255s", base ? base + 1 : m->dir);
	struct stat sb;
	if (stat(m->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return err_set(e, ST_BADINPUT, "%s: not a model folder (no such directory)", m->dir);
	char path[2048];
	int r = model_file(m->dir, "config.json", path, sizeof path, e);
	if (r <= 0)
		return r < 0 ? ST_BADINPUT
			     : err_set(e, ST_BADINPUT, "%s: missing (a model folder needs config.json)", path);
	enum status st = config_load(&m->cfg, path, e);
	int vs = 0, vt = 0;
	int seq2seq = m->cfg.arch == ARCH_TRANSFORMER || m->cfg.arch == ARCH_RNN_SEQ2SEQ;
	if (!st && seq2seq) {
		st = load_side(m, &m->cfg.src, &m->src_vocab, &m->src_tok, e);
		if (!st)
			st = load_side(m, &m->cfg.tgt, &m->tgt_vocab, &m->tgt_tok, e);
		vs = m->src_vocab.n;
		vt = m->tgt_vocab.n;
	}
	if (!st)
		st = weights_plan(&m->w, &m->cfg, vs, vt, path, e);
	if (!st)
		st = load_tensors(m, e);
	if (!st)
		st = load_log(m, e);
	if (st)
		model_release(m);
	return st;
}

void model_release(struct model *m)
{
	train_log_release(&m->log);
	weights_release(&m->w);
	tokenizer_release(&m->src_tok);
	tokenizer_release(&m->tgt_tok);
	vocab_release(&m->src_vocab);
	vocab_release(&m->tgt_vocab);
}

void run_opts_default(struct run_opts *o)
{
	memset(o, 0, sizeof *o);
	o->beam = 1;
	o->topk = TOPK_DEFAULT;
}

void run_result_release(struct run_result *r)
{
	free(r->translation);
	memset(r, 0, sizeof *r);
}

static int is_seq2seq(const struct model *m)
{
	return m->cfg.arch == ARCH_TRANSFORMER || m->cfg.arch == ARCH_RNN_SEQ2SEQ;
}

/* BPTT on the sentence itself: the loss of the target (each decoder input
 * predicting the next, <eos> last) backpropagated to the encoder, so the
 * trace shows how much gradient reaches each source step (grad.enc.lL.h):
 * vanishing in a plain RNN, surviving in an LSTM. */
static enum status record_rnn_gradients(struct model *m, const struct rnn_acts *a,
					const int *tgt, int Tt, const char *const *src_labels,
					float clip, struct trace *tr, struct err *e)
{
	const struct config *c = &m->cfg;
	int V = m->tgt_vocab.n, Ts = a->Ts;
	struct rnn_acts da;
	struct weights g;
	enum status st = rnn_acts_init(&da, c, V, Ts, Tt, e);
	if (st)
		return st;
	if ((st = weights_init(&g, c, m->src_vocab.n, V, e))) {
		rnn_acts_release(&da);
		return st;
	}
	int *next = malloc((size_t)Tt * sizeof *next);
	float *dlogits = malloc((size_t)Tt * V * sizeof *dlogits);
	float *norms = malloc((size_t)c->n_layers * Ts * sizeof *norms);
	if (!next || !dlogits || !norms) {
		st = err_set(e, ST_NOMEM, "out of memory");
	} else {
		for (int t = 0; t < Tt; t++)
			next[t] = t + 1 < Tt ? tgt[t + 1] : m->tgt_vocab.eos;
		float loss = cross_entropy_forward_backward(a->logits, next, Tt, V, 0.0f, -1, dlogits);
		rnn_backward(c, &m->w, &g, V, a, &da, dlogits, norms);
		rnn_record_grad_norms(c, norms, Ts, src_labels, tr);
		st = bptt_record(c, &m->w, a, &da, src_labels, tr, e);
		if (!st)
			st = bptt_record_clip(c, &g, a, &da, clip, src_labels, tr, e);
		struct tensor *t = trace_add(tr, "loss", 1, 1, &loss,
					     "cross-entropy of the target sequence (mean over its tokens), the loss BPTT differentiates");
		if (t)
			t->ndim = 1;
	}
	free(next);
	free(dlogits);
	free(norms);
	weights_release(&g);
	rnn_acts_release(&da);
	return st;
}

/* Teacher-forced full forward + trace of a (src, tgt) pair, under the
 * what-if switches sw (NULL: none). */
static enum status forward_and_record(struct model *m, const int *src, int Ts, const int *tgt,
				      int Tt, const struct switches *sw, float clip, struct trace *tr,
				      struct err *e)
{
	const struct config *c = &m->cfg;
	int V = m->tgt_vocab.n;
	const char **sl = malloc((size_t)Ts * sizeof *sl), **tl = malloc((size_t)Tt * sizeof *tl);
	if (!sl || !tl) {
		free(sl);
		free(tl);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	for (int i = 0; i < Ts; i++)
		sl[i] = vocab_token(&m->src_vocab, src[i]);
	for (int i = 0; i < Tt; i++)
		tl[i] = vocab_token(&m->tgt_vocab, tgt[i]);
	enum status st;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a;
		if (!(st = tf_acts_init(&a, c, V, Ts, Tt, e))) {
			a.sw = sw;
			tf_forward(c, &m->w, V, &a, src, tgt);
			tf_record(c, &m->w, &a, m->src_vocab.n, V, sl, tl,
				  (const char *const *)m->src_vocab.tokens,
				  (const char *const *)m->tgt_vocab.tokens, tr);
			tf_acts_release(&a);
		}
	} else {
		struct rnn_acts a;
		if (!(st = rnn_acts_init(&a, c, V, Ts, Tt, e))) {
			a.sw = sw;
			rnn_forward(c, &m->w, V, &a, src, tgt);
			rnn_record(c, &m->w, &a, m->src_vocab.n, V, sl, tl,
				   (const char *const *)m->src_vocab.tokens,
				   (const char *const *)m->tgt_vocab.tokens, tr);
			/* The backward pass knows the model as trained only: a run
			 * whose switches change the numbers records no gradients. */
			if (rnn_dot_scale(c, sw) == rnn_dot_scale(c, NULL) &&
			    switches_temperature(sw) == 1.0f)
				st = record_rnn_gradients(m, &a, tgt, Tt, sl, clip, tr, e);
			rnn_acts_release(&a);
		}
	}
	free(sl);
	free(tl);
	return st ? st : trace_status(tr, e);
}

static enum status check_ids(const struct model *m, const int *ids, int n, int V,
			     const char *what, struct err *e)
{
	if (n < 1 || n > m->cfg.max_len)
		return err_set(e, ST_BADINPUT, "%s has %d tokens; the model takes 1..%d", what, n,
			       m->cfg.max_len);
	for (int i = 0; i < n; i++)
		if (ids[i] < 0 || ids[i] >= V)
			return err_set(e, ST_BADINPUT, "%s: token id %d out of range 0..%d", what, ids[i],
				       V - 1);
	return ST_OK;
}

enum status model_run_ids(struct model *m, const int *src_ids, int n_src, const int *tgt_ids,
			  int n_tgt, struct trace *tr, struct err *e)
{
	if (!is_seq2seq(m))
		return err_set(e, ST_USAGE, "%s: a %s model has no token input", m->name,
			       arch_name(m->cfg.arch));
	trace_clear(tr);
	enum status st;
	if ((st = check_ids(m, src_ids, n_src, m->src_vocab.n, "source", e)) ||
	    (st = check_ids(m, tgt_ids, n_tgt, m->tgt_vocab.n, "target", e)))
		return st;
	return forward_and_record(m, src_ids, n_src, tgt_ids, n_tgt, NULL, 0.0f, tr, e);
}

/* A stepper whose logits are divided by the what-if temperature, so greedy
 * and beam search choose from softmax(logits / T) as the trace's probs. */
struct tempered {
	const struct stepper *inner;
	float temp;
	int V;
};

static void tempered_step(void *ctx, int slot, int token, int t, float *logits)
{
	struct tempered *x = ctx;
	x->inner->step(x->inner->ctx, slot, token, t, logits);
	for (int v = 0; v < x->V; v++)
		logits[v] /= x->temp;
}

static void tempered_reorder(void *ctx, const int *parents, int n, int t)
{
	struct tempered *x = ctx;
	if (x->inner->reorder)
		x->inner->reorder(x->inner->ctx, parents, n, t);
}

/* The search over a model's stepper; ops->ctx is NULL when the stepper
 * (what: its cache or state) could not be allocated. */
static enum status decode_on(const struct stepper *ops, const char *what, int V,
			     const struct vocab *tv, int beam, int max_len, int topk,
			     const struct switches *sw, struct decode_out *out, struct err *e)
{
	if (!ops->ctx)
		return err_set(e, ST_NOMEM, "out of memory for the decoder %s", what);
	float temp = switches_temperature(sw);
	if (temp == 1.0f)
		return decode_run(ops, V, tv->bos, tv->eos, beam, max_len, topk, out, e);
	struct tempered x = {ops, temp, V};
	struct stepper t = {.ctx = &x, .step = tempered_step, .reorder = tempered_reorder};
	return decode_run(&t, V, tv->bos, tv->eos, beam, max_len, topk, out, e);
}

/* Incremental decoding from the encoder output. */
enum status model_decode_ids(struct model *m, const int *src, int Ts, const struct run_opts *o,
			     struct decode_out *out, struct err *e)
{
	const struct config *c = &m->cfg;
	const struct switches *sw = o->whatif ? &o->whatif->sw : NULL;
	int V = m->tgt_vocab.n;
	int max_len = o->max_len > 0 && o->max_len < c->max_decode_len ? o->max_len : c->max_decode_len;
	int topk = o->topk > 0 ? o->topk : TOPK_DEFAULT;
	enum status st = decode_out_init(out, max_len, topk, e);
	if (st)
		return st;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a;
		if ((st = tf_acts_init(&a, c, V, Ts, 1, e)))
			return st;
		a.sw = sw;
		tf_encode(c, &m->w, &a, src);
		struct tf_stepper *s = tf_stepper_new(c, &m->w, V, a.memory, Ts, o->beam, sw);
		struct stepper ops = tf_stepper_ops(s);
		st = decode_on(&ops, "cache", V, &m->tgt_vocab, o->beam, max_len, topk, sw, out, e);
		tf_stepper_free(s);
		tf_acts_release(&a);
	} else {
		struct rnn_acts a;
		if ((st = rnn_acts_init(&a, c, V, Ts, 1, e)))
			return st;
		a.sw = sw;
		rnn_encode(c, &m->w, &a, src);
		struct rnn_stepper *s = rnn_stepper_new(c, &m->w, V, &a, o->beam);
		struct stepper ops = rnn_stepper_ops(s);
		st = decode_on(&ops, "state", V, &m->tgt_vocab, o->beam, max_len, topk, sw, out, e);
		rnn_stepper_free(s);
		rnn_acts_release(&a);
	}
	return st;
}

static void record_topk(struct trace *tr, const struct decode_out *d, int topk,
			const struct vocab *v)
{
	int n = d->n;
	struct tensor *ti = trace_add(tr, "decode.topk.ids", n, topk, NULL,
				      "the k most likely next tokens at each decoding step (ids)");
	struct tensor *tp = trace_add(tr, "decode.topk.probs", n, topk, d->topk_probs,
				      "their probabilities; row t: the step that produced output token t");
	if (!ti || !tp)
		return;
	ti->integer = 1;
	const char **rows = malloc((size_t)n * sizeof *rows);
	char **names = calloc((size_t)n * topk, sizeof *names);
	if (rows && names) {
		for (int t = 0; t < n; t++)
			rows[t] = vocab_token(v, d->ids[t]);
		for (int i = 0; i < n * topk; i++) {
			ti->data[i] = (float)d->topk_ids[i];
			names[i] = (char *)vocab_token(v, d->topk_ids[i]);
		}
		const char *const *rl = trace_labels(tr, n, rows);
		tensor_set_rows(ti, "output token", rl);
		tensor_set_rows(tp, "output token", rl);
		tensor_set_cols(ti, "rank", NULL);
		tensor_set_cols(tp, "rank", NULL);
		/* The candidate tokens themselves, rank by rank (what the step
		 * view and the top-k plot name each bar by). */
		tensor_set_cells(tr, ti, (const char *const *)names);
		tensor_set_cells(tr, tp, (const char *const *)names);
		struct tensor *tt = trace_add(tr, "decode.output", 1, n, NULL, "decoded token ids");
		if (tt) {
			tt->ndim = 1;
			tt->integer = 1;
			for (int t = 0; t < n; t++)
				tt->data[t] = (float)d->ids[t];
			tensor_set_cols(tt, "output token", rl);
		}
	} else {
		tr->oom = 1; /* reported by trace_status, not a silently unlabelled trace */
	}
	free(rows);
	free(names);
}

/* The tokenization step itself, for the explorer's first view: the BPE
 * merges applied in order, and the units that became <unk>. */
static void record_tokenization(struct trace *tr, const char *side, const struct encoding *enc,
				int unk_id)
{
	char name[64], label[160];
	if (enc->n_merges > 0) {
		snprintf(name, sizeof name, "%s.bpe.merges", side);
		struct tensor *t = trace_add(tr, name, enc->n_merges, 1, NULL,
					     "BPE merges applied, in order: each joins two adjacent symbols; value = the merge's rank in the merges file");
		if (t) {
			t->integer = 1;
			const char **rows = malloc((size_t)enc->n_merges * sizeof *rows);
			char *buf = malloc((size_t)enc->n_merges * sizeof label);
			if (rows && buf) {
				for (int i = 0; i < enc->n_merges; i++) {
					char *b = buf + (size_t)i * sizeof label;
					snprintf(b, sizeof label, "%s + %s", enc->merges[i].left,
						 enc->merges[i].right);
					rows[i] = b;
					t->data[i] = (float)enc->merges[i].rank;
				}
				tensor_set_rows(t, "merge step", trace_labels(tr, enc->n_merges, rows));
				tensor_set_cols(t, "rank", NULL);
			} else {
				tr->oom = 1;
			}
			free(rows);
			free(buf);
		}
	}
	if (enc->n_unknown > 0) {
		snprintf(name, sizeof name, "%s.unknown", side);
		struct tensor *t = trace_add(tr, name, 1, enc->n_unknown, NULL,
					     "words missing from the vocabulary; each became <unk> (value = its id)");
		if (t) {
			t->ndim = 1;
			for (int i = 0; i < enc->n_unknown; i++)
				t->data[i] = (float)unk_id;
			tensor_set_cols(t, "word", trace_labels(tr, enc->n_unknown,
								(const char *const *)enc->unknown));
		}
	}
}

static enum status encode_side(const struct tokenizer *tok, const char *text, struct encoding *enc,
			       const char *what, struct err *e)
{
	enum status st = tokenizer_encode(tok, text, enc, e);
	if (st)
		err_prefix(e, "%s", what);
	return st;
}

/* The trace's what-if line: what this run switched and edited. */
static enum status record_whatif(const struct model *m, const struct run_opts *o,
				 struct trace *tr, struct err *e)
{
	char line[2048];
	whatif_describe(o->whatif, &m->cfg, line, sizeof line);
	trace_set_whatif(tr, line);
	return trace_status(tr, e);
}

static enum status run_block(struct model *m, const struct run_opts *o, struct trace *tr,
			     struct err *e)
{
	const struct switches *sw = o->whatif ? &o->whatif->sw : NULL;
	enum status st = m->cfg.arch == ARCH_SELF_ATTENTION
				 ? self_attention_run(&m->cfg, &m->w, sw, tr, e)
				 : attention_pooling_run(&m->cfg, &m->w, sw, tr, e);
	return st ? st : record_whatif(m, o, tr, e);
}

static enum status run_as_is(struct model *m, const char *text, const struct run_opts *o,
			     struct trace *tr, struct run_result *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	trace_clear(tr);
	if (m->cfg.arch == ARCH_SELF_ATTENTION || m->cfg.arch == ARCH_ATTENTION_POOLING)
		return run_block(m, o, tr, e);
	if (!text)
		return err_set(e, ST_USAGE, "no sentence to translate");
	struct encoding se = {0}, te = {0};
	struct decode_out d = {0};
	int *src = NULL, *tgt = NULL;
	enum status st = encode_side(&m->src_tok, text, &se, "source sentence", e);
	if (st)
		goto out;
	int Ts = se.n + 1;
	if (Ts > m->cfg.max_len) {
		st = err_set(e, ST_BADINPUT,
			     "source sentence too long: %d tokens with <eos>; this model takes at most %d",
			     Ts, m->cfg.max_len);
		goto out;
	}
	src = malloc((size_t)Ts * sizeof *src);
	if (!src) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	memcpy(src, se.ids, (size_t)se.n * sizeof *src);
	src[se.n] = m->src_vocab.eos;
	out->n_unknown = se.n_unknown;
	for (int i = 0; i < se.n_unknown; i++) {
		size_t len = strlen(out->unknown);
		snprintf(out->unknown + len, sizeof out->unknown - len, "%s%s", i ? ", " : "",
			 se.unknown[i]);
	}
	int Tt;
	int topk = o->topk > 0 ? o->topk : TOPK_DEFAULT;
	if (topk > m->tgt_vocab.n)
		topk = m->tgt_vocab.n;
	if (o->target) {
		if ((st = encode_side(&m->tgt_tok, o->target, &te, "target sentence", e)))
			goto out;
		Tt = te.n + 1;
		if (Tt > m->cfg.max_len) {
			st = err_set(e, ST_BADINPUT, "target sentence too long: %d tokens with <bos>; at most %d",
				     Tt, m->cfg.max_len);
			goto out;
		}
		tgt = malloc((size_t)Tt * sizeof *tgt);
		if (!tgt) {
			st = err_set(e, ST_NOMEM, "out of memory");
			goto out;
		}
		tgt[0] = m->tgt_vocab.bos;
		memcpy(tgt + 1, te.ids, (size_t)te.n * sizeof *tgt);
		out->translation = tokenizer_decode(&m->tgt_tok, te.ids, te.n);
	} else {
		struct run_opts oo = *o;
		oo.topk = topk;
		if ((st = model_decode_ids(m, src, Ts, &oo, &d, e)))
			goto out;
		Tt = d.n > 0 ? d.n : 1;
		tgt = malloc((size_t)Tt * sizeof *tgt);
		if (!tgt) {
			st = err_set(e, ST_NOMEM, "out of memory");
			goto out;
		}
		tgt[0] = m->tgt_vocab.bos;
		memcpy(tgt + 1, d.ids, (size_t)(Tt - 1) * sizeof *tgt);
		out->translation = tokenizer_decode(&m->tgt_tok, d.ids, d.n);
	}
	if (!out->translation) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	out->n_src = Ts;
	out->n_tgt = Tt;
	if ((st = forward_and_record(m, src, Ts, tgt, Tt, o->whatif ? &o->whatif->sw : NULL, o->clip,
				     tr, e)))
		goto out;
	record_tokenization(tr, "src", &se, m->src_vocab.unk);
	if (o->target)
		record_tokenization(tr, "tgt", &te, m->tgt_vocab.unk);
	if (!o->target) {
		record_topk(tr, &d, topk, &m->tgt_vocab);
	} else {
		/* Teacher forcing: the candidates come straight from probs. */
		const struct tensor *p = trace_get(tr, "probs");
		struct decode_out f = {0};
		if (p && !(st = decode_out_init(&f, Tt, topk, e))) {
			f.n = Tt;
			for (int t = 0; t < Tt; t++) {
				topk_select(p->data + (size_t)t * p->cols, p->cols, topk,
					    f.topk_ids + (size_t)t * topk, f.topk_probs + (size_t)t * topk);
				f.ids[t] = t + 1 < Tt ? tgt[t + 1] : m->tgt_vocab.eos;
			}
			record_topk(tr, &f, topk, &m->tgt_vocab);
			decode_out_release(&f);
		}
	}
	if (!st) {
		train_log_record(&m->log, tr);
		st = record_whatif(m, o, tr, e);
	}
out:
	if (st)
		run_result_release(out);
	encoding_release(&se);
	encoding_release(&te);
	decode_out_release(&d);
	free(src);
	free(tgt);
	return st;
}

enum status model_run(struct model *m, const char *text, const struct run_opts *o,
		      struct trace *tr, struct run_result *out, struct err *e)
{
	if (!(o->whh_radius > 0))
		return run_as_is(m, text, o, tr, out, e);
	memset(out, 0, sizeof *out);
	if (m->cfg.arch != ARCH_RNN_SEQ2SEQ || m->cfg.cell != CELL_RNN)
		return err_set(e, ST_USAGE,
			       "W_hh's spectral radius is set for plain RNN encoders only; %s is %s",
			       m->name, m->cfg.arch == ARCH_RNN_SEQ2SEQ ? cell_name(m->cfg.cell)
									: arch_name(m->cfg.arch));
	/* The run sees a copy of the weights with the encoder's W_hh rescaled;
	 * the model's own weights are back in place when it returns. */
	struct weights scaled;
	enum status st = weights_init(&scaled, &m->cfg, m->src_vocab.n, m->tgt_vocab.n, e);
	if (st)
		return st;
	memcpy(scaled.block, m->w.block, m->w.total * sizeof *scaled.block);
	for (int l = 0; l < m->cfg.n_layers && !st; l++)
		st = bptt_set_radius(scaled.rnn.enc[l].w_hh, m->cfg.hidden, o->whh_radius, e);
	if (!st) {
		struct weights own = m->w;
		m->w = scaled;
		st = run_as_is(m, text, o, tr, out, e);
		m->w = own;
	}
	if (!st) {
		/* Said where the what-if switches are, so no screen passes for
		 * the model as trained. */
		char line[2304];
		const char *w = trace_whatif(tr);
		snprintf(line, sizeof line, "%s%sencoder W_hh rescaled to spectral radius %g", w,
			 w[0] ? "; " : "", (double)o->whh_radius);
		trace_set_whatif(tr, line);
		st = trace_status(tr, e);
	}
	weights_release(&scaled);
	return st;
}
