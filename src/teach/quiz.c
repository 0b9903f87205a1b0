/* Exam problems (quiz.h): the topics, building and running a problem's
 * tiny model, printing the problem and its worked solution, checking an
 * answer. The sheet export is quiz_export.c. */
#include "teach/quiz.h"
#include "io/config.h"
#include "io/csvio.h"
#include "trace/explain.h"
#include "trace/render_text.h"
#include "base/rng.h"
#include "base/textwidth.h"
#include "engine/weights.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- topics ---- */

static const struct {
	const char *name, *title;
} topics[QUIZ_NTOPICS] = {
	[QUIZ_QROW] = {"qrow", "a row of Q"},
	[QUIZ_SCORE] = {"score", "a scaled score"},
	[QUIZ_SOFTMAX] = {"softmax", "a softmax row"},
	[QUIZ_MASKED] = {"masked", "a masked score row"},
	[QUIZ_POSENC] = {"posenc", "a positional-encoding entry"},
	[QUIZ_LSTM_GATE] = {"lstm-gate", "an LSTM gate value"},
	[QUIZ_ADDITIVE] = {"additive", "an additive-attention score"},
	[QUIZ_WSUM] = {"wsum", "an attention-weighted sum"},
};

const char *quiz_topic_name(enum quiz_topic t)
{
	return (unsigned)t < QUIZ_NTOPICS ? topics[t].name : "?";
}

const char *quiz_topic_title(enum quiz_topic t)
{
	return (unsigned)t < QUIZ_NTOPICS ? topics[t].title : "?";
}

int quiz_topic_find(const char *s)
{
	for (int i = 0; i < QUIZ_NTOPICS; i++)
		if (strcmp(s, topics[i].name) == 0)
			return i;
	/* Forgiving spellings: lstm_gate, lstm, pos, attn-sum. */
	static const struct {
		const char *alias;
		int t;
	} alias[] = {{"lstm_gate", QUIZ_LSTM_GATE}, {"lstm", QUIZ_LSTM_GATE}, {"gate", QUIZ_LSTM_GATE},
		     {"pos", QUIZ_POSENC}, {"q", QUIZ_QROW}, {"mask", QUIZ_MASKED},
		     {"weighted-sum", QUIZ_WSUM}};
	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
		if (strcmp(s, alias[i].alias) == 0)
			return alias[i].t;
	return -1;
}

const char *quiz_topic_list(void)
{
	return "qrow, score, softmax, masked, posenc, lstm-gate, additive, wsum";
}

/* ---- a seeded generator (rng.h): the same seed, the same numbers ---- */

static int rng_int(struct rng *r, int lo, int hi)
{
	return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* A one-decimal value in [-0.9, 0.9], never 0: easy to multiply by hand. */
static float rng_weight(struct rng *r)
{
	int k = rng_int(r, 1, 9) * (rng_int(r, 0, 1) ? 1 : -1);
	return (float)k / 10.0f;
}

/* ---- the temporary model folder ---- */

static enum status write_file(const char *path, const char *text, struct err *e)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return err_set(e, ST_IO, "%s: cannot create: %s", path, strerror(errno));
	int bad = fputs(text, f) < 0;
	bad |= fclose(f) != 0;
	return bad ? err_set(e, ST_IO, "%s: cannot write", path) : ST_OK;
}

static void remove_tree(const char *path, int depth)
{
	struct stat sb;
	if (depth > 3 || lstat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		if (d) {
			struct dirent *de;
			while ((de = readdir(d))) {
				if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
					continue;
				char p[PATH_MAX];
				if ((size_t)snprintf(p, sizeof p, "%s/%s", path, de->d_name) < sizeof p)
					remove_tree(p, depth + 1);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

void quiz_remove_dir(struct quiz_problem *p)
{
	if (p->root[0])
		remove_tree(p->root, 0);
	p->root[0] = 0;
}

void quiz_problem_release(struct quiz_problem *p)
{
	quiz_remove_dir(p);
	trace_release(&p->trace);
	if (p->model) {
		model_release(p->model);
		free(p->model);
	}
	memset(p, 0, sizeof *p);
	trace_init(&p->trace);
}

static int is_norm_param(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return strstr(name, "norm") && n > k && strcmp(name + n - k, suffix) == 0;
}

/* Writes every tensor the config needs as tensors/NAME.csv, with random
 * one-decimal values (LayerNorm: γ = 1, β = 0, the identity scaling). */
static enum status write_tensors(const char *dir, const char *json, int vs, int vt, struct rng *r,
				 struct err *e)
{
	struct config cfg;
	struct weights w;
	enum status st = config_parse(&cfg, json, strlen(json), "config.json", e);
	if (st)
		return st;
	if ((st = weights_init(&w, &cfg, vs, vt, e)))
		return st;
	char tdir[PATH_MAX];
	snprintf(tdir, sizeof tdir, "%s/tensors", dir);
	if (mkdir(tdir, 0777) != 0) {
		weights_release(&w);
		return err_set(e, ST_IO, "%s: cannot create folder: %s", tdir, strerror(errno));
	}
	for (size_t i = 0; i < w.n_params && !st; i++) {
		const struct param *p = &w.params[i];
		for (size_t k = 0; k < p->count; k++)
			p->data[k] = is_norm_param(p->name, ".weight") ? 1.0f
				     : is_norm_param(p->name, ".bias") ? 0.0f
								       : rng_weight(r);
		struct tensor t;
		memset(&t, 0, sizeof t);
		t.name = p->name;
		t.ndim = p->ndim;
		t.rows = p->ndim == 1 ? 1 : p->dims[0];
		t.cols = p->ndim == 1 ? p->dims[0] : p->dims[1];
		t.data = p->data;
		t.row.n = t.rows;
		t.col.n = t.cols;
		char path[PATH_MAX + 300];
		snprintf(path, sizeof path, "%s/%s.csv", tdir, p->name);
		FILE *f = fopen(path, "w");
		if (!f) {
			st = err_set(e, ST_IO, "%s: cannot create: %s", path, strerror(errno));
			break;
		}
		st = csv_fprint_tensor(f, &t, e);
		if (fclose(f) != 0 && !st)
			st = err_set(e, ST_IO, "%s: cannot write", path);
	}
	weights_release(&w);
	return st;
}

static void vocab_text(char *buf, size_t n, const char *const *words, int nw)
{
	size_t o = (size_t)snprintf(buf, n, "<pad>\n<unk>\n<bos>\n<eos>\n");
	for (int i = 0; i < nw && o < n; i++) {
		/* each word once */
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= strcmp(words[i], words[j]) == 0;
		if (!dup)
			o += (size_t)snprintf(buf + o, n - o, "%s\n", words[i]);
	}
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Splits a sentence into at most max words (pointers into buf). */
static int split_words(char *buf, const char **w, int max)
{
	int n = 0;
	for (char *t = strtok(buf, " "); t && n < max; t = strtok(NULL, " "))
		w[n++] = t;
	return n;
}

static const char *const sa_sentences[] = {
	"the cat sleeps", "dogs chase birds", "she reads books", "we eat rice",
	"the sun shines", "my friend laughs", "rain falls softly", "kids play outside",
	"the cat sat down", "a dog runs fast", "we like green tea", "the river flows north",
	"my sister sings well", "our teacher writes slowly", "birds fly over hills", "he opens the door",
};

static const struct {
	const char *src, *tgt;
} pairs[] = {
	{"the cat sleeps", "le chat dort"},
	{"a dog runs fast", "un chien court"},
	{"my friend reads a book", "mon ami lit"},
	{"the small bird sings", "le petit oiseau"},
	{"we eat bread", "nous mangeons pain"},
	{"she likes green tea", "elle aime thé"},
	{"the river flows north", "la rivière coule"},
	{"he opens the door", "il ouvre porte"},
};

struct build {
	struct quiz_problem *p;
	struct rng r;
	char json[2048];
	char src_vocab[1024], tgt_vocab[1024];
};

/* Writes the folder, loads the model and runs it. */
static enum status build_and_run(struct build *b, struct err *e)
{
	struct quiz_problem *p = b->p;
	const char *tmp = getenv("TMPDIR");
	snprintf(p->root, sizeof p->root, "%s/seqstep-quiz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(p->root)) {
		int err = errno;
		p->root[0] = 0;
		return err_set(e, ST_IO, "cannot create a temporary folder for the quiz model: %s",
			       strerror(err));
	}
	snprintf(p->dir, sizeof p->dir, "%s/quiz-%s", p->root, quiz_topic_name(p->topic));
	if (mkdir(p->dir, 0777) != 0)
		return err_set(e, ST_IO, "%s: cannot create folder: %s", p->dir, strerror(errno));
	char path[PATH_MAX + 32];
	enum status st;
	snprintf(path, sizeof path, "%s/config.json", p->dir);
	if ((st = write_file(path, b->json, e)))
		return st;
	int vs = 0, vt = 0;
	if (b->src_vocab[0]) {
		snprintf(path, sizeof path, "%s/src.vocab", p->dir);
		if ((st = write_file(path, b->src_vocab, e)))
			return st;
		snprintf(path, sizeof path, "%s/tgt.vocab", p->dir);
		if ((st = write_file(path, b->tgt_vocab, e)))
			return st;
		vs = count_lines(b->src_vocab);
		vt = count_lines(b->tgt_vocab);
	}
	if ((st = write_tensors(p->dir, b->json, vs, vt, &b->r, e)))
		return st;
	p->model = calloc(1, sizeof *p->model);
	if (!p->model)
		return err_set(e, ST_NOMEM, "out of memory");
	if ((st = model_load(p->model, p->dir, e))) {
		free(p->model);
		p->model = NULL;
		return st;
	}
	struct run_opts o;
	struct run_result res = {0};
	run_opts_default(&o);
	o.target = p->target[0] ? p->target : NULL;
	st = model_run(p->model, p->sentence[0] ? p->sentence : "", &o, &p->trace, &res, e);
	run_result_release(&res);
	return st;
}

static const struct tensor *need(struct quiz_problem *p, const char *name, struct err *e)
{
	const struct tensor *t = trace_get(&p->trace, name);
	if (!t)
		err_set(e, ST_BADINPUT, "quiz %s: the engine's trace has no %s", quiz_topic_name(p->topic),
			name);
	return t;
}

static enum status add_cell(struct quiz_problem *p, const char *name, int r, int c, struct err *e)
{
	const struct tensor *t = need(p, name, e);
	if (!t)
		return ST_BADINPUT;
	if (r < 0 || c < 0 || r >= t->rows || c >= t->cols || p->ncells >= QUIZ_MAX_CELLS)
		return err_set(e, ST_BADINPUT, "quiz %s: cell %d, %d is outside %s [%d x %d]",
			       quiz_topic_name(p->topic), r, c, name, t->rows, t->cols);
	struct quiz_cell *q = &p->cells[p->ncells++];
	q->t = t;
	q->row = r;
	q->col = c;
	q->value = (double)tensor_at(t, r, c);
	return ST_OK;
}

static enum status add_given(struct quiz_problem *p, const char *name, struct err *e)
{
	const struct tensor *t = need(p, name, e);
	if (!t)
		return ST_BADINPUT;
	if (p->ngiven < QUIZ_MAX_GIVEN)
		p->given[p->ngiven++] = t->name;
	return ST_OK;
}

const char *quiz_axis_label(const struct axis *a, int i, char *buf, size_t n)
{
	char raw[128];
	text_sanitize(buf, n, axis_label(a, i, raw, sizeof raw));
	return buf;
}

/* ---- the topics ---- */

static enum status build_self_attention(struct build *b, struct err *e)
{
	struct quiz_problem *p = b->p;
	struct rng *r = &b->r;
	char sent[128];
	snprintf(sent, sizeof sent, "%s", sa_sentences[rng_int(r, 0, (int)(sizeof sa_sentences / sizeof *sa_sentences) - 1)]);
	const char *w[8];
	int n = split_words(sent, w, 8);
	int d = rng_int(r, 3, 6), dk = p->topic == QUIZ_QROW ? rng_int(r, 3, 4) : rng_int(r, 3, 6);
	size_t o = (size_t)snprintf(b->json, sizeof b->json,
				    "{\"architecture\": \"self_attention\", \"d_model\": %d, \"d_k\": %d, \"tokens\": [",
				    d, dk);
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(b->json + o, sizeof b->json - o, "%s\"%s\"", i ? ", " : "", w[i]);
	snprintf(b->json + o, sizeof b->json - o, "]}\n");
	enum status st = build_and_run(b, e);
	if (st)
		return st;
	int row = rng_int(r, 0, n - 1), other = rng_int(r, 0, n - 1), col;
	char tokens[256] = "";
	for (int i = 0, k = 0; i < n; i++)
		k += snprintf(tokens + k, sizeof tokens - (size_t)k, "%s%s", i ? " " : "", w[i]);
	snprintf(p->setup, sizeof p->setup,
		 "Self-attention with one head on the tokens \"%s\" (one row each): d_model = %d, "
		 "d_k = %d. Q = X W_q, K = X W_k, V = X W_v, scores = Q Kᵀ / √d_k, "
		 "weights = softmax of each row of the scores, output = weights V.",
		 tokens, d, dk);
	switch (p->topic) {
	case QUIZ_QROW:
		if ((st = add_given(p, "self_attn.x", e)) || (st = add_given(p, "self_attn.w_q", e)))
			return st;
		for (int c = 0; c < dk && !st; c++)
			st = add_cell(p, "self_attn.q", row, c, e);
		snprintf(p->question, sizeof p->question,
			 "Compute the query row q = x W_q for \"%s\": %d numbers, q[%s, 0] ... q[%s, %d].",
			 w[row], dk, w[row], w[row], dk - 1);
		break;
	case QUIZ_SCORE:
		if ((st = add_given(p, "self_attn.q", e)) || (st = add_given(p, "self_attn.k", e)))
			return st;
		st = add_cell(p, "self_attn.scores", row, other, e);
		snprintf(p->question, sizeof p->question,
			 "Compute the scaled score of query \"%s\" against key \"%s\": q·k / √d_k with d_k = %d.",
			 w[row], w[other], dk);
		break;
	case QUIZ_SOFTMAX:
		if ((st = add_given(p, "self_attn.scores", e)))
			return st;
		for (int c = 0; c < n && !st; c++)
			st = add_cell(p, "self_attn.weights", row, c, e);
		snprintf(p->question, sizeof p->question,
			 "Apply the softmax to the score row of \"%s\": its %d attention weights, "
			 "exp(s_j) / Σ_i exp(s_i), in the order of the keys (they sum to 1).",
			 w[row], n);
		break;
	default: /* QUIZ_WSUM */
		if ((st = add_given(p, "self_attn.weights", e)) || (st = add_given(p, "self_attn.v", e)))
			return st;
		col = rng_int(r, 0, dk - 1);
		st = add_cell(p, "self_attn.out", row, col, e);
		snprintf(p->question, sizeof p->question,
			 "Compute output[%s, %d] = Σ_j weights[%s, j] · v[j, %d], the attention-weighted "
			 "sum of column %d of V.",
			 w[row], col, w[row], col, col);
		break;
	}
	return st;
}

/* Sentence pair k for a seq2seq problem: its source and target, and both
 * vocabularies. */
static void use_pair(struct build *b, int k)
{
	char s[128], t[128];
	const char *ws[16], *wt[16];
	snprintf(b->p->sentence, sizeof b->p->sentence, "%s", pairs[k].src);
	snprintf(b->p->target, sizeof b->p->target, "%s", pairs[k].tgt);
	snprintf(s, sizeof s, "%s", pairs[k].src);
	snprintf(t, sizeof t, "%s", pairs[k].tgt);
	int ns = split_words(s, ws, 16), nt = split_words(t, wt, 16);
	vocab_text(b->src_vocab, sizeof b->src_vocab, ws, ns);
	vocab_text(b->tgt_vocab, sizeof b->tgt_vocab, wt, nt);
}

static enum status build_transformer(struct build *b, struct err *e)
{
	struct quiz_problem *p = b->p;
	struct rng *r = &b->r;
	int k = rng_int(r, 0, (int)(sizeof pairs / sizeof *pairs) - 1);
	int d = rng_int(r, 3, 6);
	use_pair(b, k);
	snprintf(b->json, sizeof b->json,
		 "{\"architecture\": \"transformer\", \"d_model\": %d, \"nhead\": 1, "
		 "\"num_encoder_layers\": 1, \"num_decoder_layers\": 1, \"dim_feedforward\": 4, "
		 "\"final_norm\": false, \"max_len\": 16,\n"
		 " \"src\": {\"tokenizer\": \"word\", \"vocab\": \"src.vocab\", \"lowercase\": true},\n"
		 " \"tgt\": {\"tokenizer\": \"word\", \"vocab\": \"tgt.vocab\", \"lowercase\": true}}\n",
		 d);
	enum status st = build_and_run(b, e);
	if (st)
		return st;
	char l1[128], l2[128];
	if (p->topic == QUIZ_POSENC) {
		const struct tensor *t = need(p, "src.pos", e);
		if (!t)
			return ST_BADINPUT;
		int i = rng_int(r, 1, t->rows - 1), j = rng_int(r, 0, d - 1);
		if ((st = add_given(p, "src.tokens", e)) || (st = add_cell(p, "src.pos", i, j, e)))
			return st;
		snprintf(p->setup, sizeof p->setup,
			 "A Transformer with d_model = %d reads \"%s\" (then <eos>), positions counted "
			 "from 0. Its sinusoidal positional encoding is PE[i, 2j] = sin(i / 10000^(2j/d)), "
			 "PE[i, 2j+1] = cos(i / 10000^(2j/d)), angles in radians.",
			 d, p->sentence);
		snprintf(p->question, sizeof p->question,
			 "What is PE[%d, %d], column %d of the encoding of position %d (the token \"%s\")?", i,
			 j, j, i, quiz_axis_label(&t->row, i, l1, sizeof l1));
		return ST_OK;
	}
	/* QUIZ_MASKED: the decoder reads <bos> and three target words. */
	const struct tensor *s = need(p, "dec.0.self_attn.h0.scores", e);
	if (!s)
		return ST_BADINPUT;
	int i = rng_int(r, 1, s->rows - 2);
	if ((st = add_given(p, "dec.0.self_attn.q", e)) || (st = add_given(p, "dec.0.self_attn.k", e)))
		return st;
	for (int c = 0; c < s->cols && !st; c++)
		st = add_cell(p, "dec.0.self_attn.h0.scores", i, c, e);
	if (st)
		return st;
	snprintf(p->setup, sizeof p->setup,
		 "The masked self-attention of a Transformer decoder, one head, d = %d. The decoder "
		 "reads \"<bos> %s\" (teacher forcing). Q and K below are its query and key rows. "
		 "Position t may only attend to positions 0 ... t: the causal mask sets every later "
		 "score to -inf.",
		 d, p->target);
	snprintf(p->question, sizeof p->question,
		 "Give the score row of position %d (\"%s\"): %d numbers, q·k / √%d for the visible "
		 "positions and -inf for the masked ones.",
		 i, quiz_axis_label(&s->row, i, l2, sizeof l2), s->cols, d);
	return ST_OK;
}

static enum status build_rnn(struct build *b, struct err *e)
{
	struct quiz_problem *p = b->p;
	struct rng *r = &b->r;
	int k = rng_int(r, 0, (int)(sizeof pairs / sizeof *pairs) - 1);
	int lstm = p->topic == QUIZ_LSTM_GATE;
	int E = rng_int(r, 3, 4), H = lstm ? rng_int(r, 2, 3) : 3, A = rng_int(r, 3, 4);
	use_pair(b, k);
	snprintf(b->json, sizeof b->json,
		 "{\"architecture\": \"rnn_seq2seq\", \"cell\": \"%s\", \"embed_dim\": %d, "
		 "\"hidden_size\": %d, \"num_layers\": 1, \"attention\": \"%s\", \"attention_dim\": %d, "
		 "\"max_len\": 16,\n"
		 " \"src\": {\"tokenizer\": \"word\", \"vocab\": \"src.vocab\", \"lowercase\": true},\n"
		 " \"tgt\": {\"tokenizer\": \"word\", \"vocab\": \"tgt.vocab\", \"lowercase\": true}}\n",
		 lstm ? "lstm" : "rnn", E, H, lstm ? "none" : "additive", A);
	enum status st = build_and_run(b, e);
	if (st)
		return st;
	char l1[128], l2[128];
	if (lstm) {
		static const char gates[] = "ifgo";
		static const char *const gname[] = {"input gate I", "forget gate F", "candidate C̃",
						    "output gate O"};
		int g = rng_int(r, 0, 3), t = rng_int(r, 0, 1), u = rng_int(r, 0, H - 1);
		char name[32];
		snprintf(name, sizeof name, "enc.l0.gate.%c", gates[g]);
		const struct tensor *gt = need(p, name, e);
		if (!gt)
			return ST_BADINPUT;
		if ((st = add_given(p, "enc.l0.x", e)) || (st = add_given(p, "enc.l0.w_ih", e)) ||
		    (st = add_given(p, "enc.l0.w_hh", e)) || (st = add_given(p, "enc.l0.b_ih", e)) ||
		    (st = add_given(p, "enc.l0.b_hh", e)) || (t && (st = add_given(p, "enc.l0.h", e))) ||
		    (st = add_cell(p, name, t, u, e)))
			return st;
		snprintf(p->setup, sizeof p->setup,
			 "An LSTM encoder layer reads \"%s\" (then <eos>): embed_dim = %d, hidden = %d. "
			 "x holds the input rows. W_ih and W_hh hold the four gates side by side in the "
			 "order i, f, g, o, %d columns each, so gate %c uses columns %d..%d; b_ih and b_hh "
			 "likewise. σ is the sigmoid 1 / (1 + e^-z), and the candidate g uses tanh. %s",
			 p->sentence, E, H, H, gates[g], g * H, g * H + H - 1,
			 t ? "h holds the hidden state after each step." : "The initial state H_0 is zero.");
		snprintf(p->question, sizeof p->question,
			 "Compute the %s at step t = %d (token \"%s\"), unit %d: %s(x_t W_ih[:, %d] + "
			 "h_{t-1} W_hh[:, %d] + b_ih[%d] + b_hh[%d]).",
			 gname[g], t, quiz_axis_label(&gt->row, t, l1, sizeof l1), u, g == 2 ? "tanh" : "σ", g * H + u,
			 g * H + u, g * H + u, g * H + u);
		return ST_OK;
	}
	const struct tensor *s = need(p, "dec.attn.scores", e);
	if (!s)
		return ST_BADINPUT;
	int t = rng_int(r, 0, s->rows - 1), j = rng_int(r, 0, s->cols - 1);
	if ((st = add_given(p, "dec.attn.qproj", e)) || (st = add_given(p, "dec.attn.kproj", e)) ||
	    (st = add_given(p, "dec.attn.w_v", e)) || (st = add_cell(p, "dec.attn.scores", t, j, e)))
		return st;
	snprintf(p->setup, sizeof p->setup,
		 "Additive (Bahdanau) attention in an RNN encoder-decoder, attention_dim = %d: "
		 "score(q, k) = w_v · tanh(W_q q + W_k k). The source is \"%s\" (then <eos>); the "
		 "decoder reads \"<bos> %s\". qproj = W_q q for each decoder step (labelled with its "
		 "input token), kproj = W_k k for each source token.",
		 A, p->sentence, p->target);
	snprintf(p->question, sizeof p->question,
		 "Compute the score of decoder step %d (\"%s\") against source token %d (\"%s\"): "
		 "Σ_a w_v[a] · tanh(qproj[%d, a] + kproj[%d, a]).",
		 t, quiz_axis_label(&s->row, t, l1, sizeof l1), j, quiz_axis_label(&s->col, j, l2, sizeof l2), t, j);
	return ST_OK;
}

enum status quiz_build(struct quiz_problem *p, enum quiz_topic topic, uint64_t seed, struct err *e)
{
	memset(p, 0, sizeof *p);
	trace_init(&p->trace);
	if ((unsigned)topic >= QUIZ_NTOPICS)
		return err_set(e, ST_USAGE, "unknown quiz topic %d (topics: %s)", (int)topic,
			       quiz_topic_list());
	p->topic = topic;
	p->seed = seed;
	snprintf(p->title, sizeof p->title, "%s", quiz_topic_title(topic));
	struct build *b = calloc(1, sizeof *b);
	if (!b)
		return err_set(e, ST_NOMEM, "out of memory");
	b->p = p;
	/* The topic is mixed in, so one seed gives different numbers per topic. */
	b->r.s = seed * 0x100000001B3ULL + (uint64_t)topic * 0x9E3779B97F4A7C15ULL + 1;
	rng_next(&b->r);
	enum status st;
	switch (topic) {
	case QUIZ_MASKED:
	case QUIZ_POSENC: st = build_transformer(b, e); break;
	case QUIZ_LSTM_GATE:
	case QUIZ_ADDITIVE: st = build_rnn(b, e); break;
	default: st = build_self_attention(b, e); break;
	}
	free(b);
	if (!st && p->ncells == 0)
		st = err_set(e, ST_BADINPUT, "quiz %s: no answer cell", quiz_topic_name(topic));
	if (st) {
		quiz_problem_release(p);
		return st;
	}
	return ST_OK;
}

/* ---- printing ---- */

const char *quiz_fmt_num(double v, char *buf, size_t n)
{
	if (isinf(v))
		snprintf(buf, n, "%s", v < 0 ? "-inf" : "inf");
	else if (isnan(v))
		snprintf(buf, n, "nan");
	else {
		snprintf(buf, n, "%.4f", v);
		char *dot = strchr(buf, '.');
		if (dot) {
			char *end = buf + strlen(buf);
			while (end > dot + 1 && end[-1] == '0')
				*--end = 0;
			if (end == dot + 1)
				*dot = 0;
		}
		if (strcmp(buf, "-0") == 0)
			snprintf(buf, n, "0");
	}
	return buf;
}

void quiz_cell_name(const struct quiz_cell *c, char *buf, size_t n)
{
	char rl[128], cl[128];
	if (c->t->ndim == 1)
		snprintf(buf, n, "%s[%s]", c->t->name, quiz_axis_label(&c->t->col, c->col, cl, sizeof cl));
	else
		snprintf(buf, n, "%s[%s, %s]", c->t->name, quiz_axis_label(&c->t->row, c->row, rl, sizeof rl),
			 quiz_axis_label(&c->t->col, c->col, cl, sizeof cl));
}

static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

static void print_table_md(FILE *f, const struct tensor *t)
{
	char buf[128];
	fputs("| ", f);
	md_cell(f, t->row.title ? t->row.title : "");
	fputs(" |", f);
	for (int c = 0; c < t->cols; c++) {
		fputs(" ", f);
		md_cell(f, quiz_axis_label(&t->col, c, buf, sizeof buf));
		fputs(" |", f);
	}
	fputs("\n|---|", f);
	for (int c = 0; c < t->cols; c++)
		fputs("---|", f);
	fputs("\n", f);
	for (int r = 0; r < t->rows; r++) {
		fputs("| ", f);
		md_cell(f, quiz_axis_label(&t->row, r, buf, sizeof buf));
		fputs(" |", f);
		for (int c = 0; c < t->cols; c++)
			fprintf(f, " %s |", quiz_fmt_num(tensor_at(t, r, c), buf, sizeof buf));
		fputs("\n", f);
	}
}

void quiz_print_problem(FILE *f, const struct quiz_problem *p, int markdown, const char *csv_dir)
{
	char buf[256];
	if (!markdown)
		fprintf(f, "Exam practice: %s (topic %s, seed %llu)\n\n", p->title, quiz_topic_name(p->topic),
			(unsigned long long)p->seed);
	fprintf(f, "%s\n\n", p->setup);
	for (int i = 0; i < p->ngiven; i++) {
		const struct tensor *t = trace_get(&p->trace, p->given[i]);
		if (!t)
			continue;
		if (markdown) {
			fprintf(f, "%s [%d x %d]", t->name, t->rows, t->cols);
			if (csv_dir)
				fprintf(f, " (`%s/%s.csv`)", csv_dir, t->name);
			fprintf(f, ": %s\n\n", t->desc ? (text_sanitize(buf, sizeof buf, t->desc), buf) : "");
			print_table_md(f, t);
			fputs("\n", f);
		} else {
			render_tensor_text(f, t, RENDER_NUMBERS, 100);
			fputs("\n", f);
		}
	}
	fprintf(f, "%s%s\n", markdown ? "**Question.** " : "Question: ", p->question);
	if (!markdown)
		fprintf(f, "\nType  answer V%s  (to 2 decimals; -inf for a masked cell), or answer alone to "
			   "see the solution.\n",
			p->ncells > 1 ? " V ..." : "");
}

void quiz_print_solution(FILE *f, const struct quiz_problem *p)
{
	static char buf[16384];
	char name[300], v[64];
	for (int i = 0; i < p->ncells; i++) {
		const struct quiz_cell *c = &p->cells[i];
		explain_cell(&p->trace, c->t, c->row, c->col, buf, sizeof buf);
		fprintf(f, "%s\n\n", buf);
	}
	fputs("Answer:", f);
	for (int i = 0; i < p->ncells; i++) {
		quiz_cell_name(&p->cells[i], name, sizeof name);
		fprintf(f, "%s %s = %s", i ? ";" : "", name, quiz_fmt_num(p->cells[i].value, v, sizeof v));
	}
	fputs("\n", f);
}

/* ---- answers ---- */

int quiz_parse_value(const char *s, double *v)
{
	static const char *const masked[] = {"-inf", "−inf", "-∞", "−∞", "masked", "mask", "-infinity"};
	char w[64];
	/* Forgive separators around a value: "1.38," "(0.2" "0.5]". */
	while (*s == '(' || *s == '[')
		s++;
	snprintf(w, sizeof w, "%s", s);
	size_t n = strlen(w);
	while (n && (w[n - 1] == ',' || w[n - 1] == ')' || w[n - 1] == ']' || w[n - 1] == ';'))
		w[--n] = 0;
	for (size_t i = 0; i < sizeof masked / sizeof *masked; i++)
		if (strcasecmp(w, masked[i]) == 0) {
			*v = -INFINITY;
			return 1;
		}
	/* A Unicode minus in a number. */
	char a[64];
	if (strncmp(w, "−", strlen("−")) == 0)
		snprintf(a, sizeof a, "-%s", w + strlen("−"));
	else
		snprintf(a, sizeof a, "%s", w);
	if (!a[0])
		return 0;
	char *end;
	errno = 0;
	double x = strtod(a, &end);
	if (*end || errno || !isfinite(x))
		return 0;
	*v = x;
	return 1;
}

int quiz_value_ok(double given, double engine, double tol)
{
	if (isinf(engine) || isinf(given))
		return isinf(engine) && isinf(given) && (engine < 0) == (given < 0);
	if (isnan(engine) || isnan(given))
		return 0;
	return fabs(given - engine) <= tol + 1e-5 * fmax(1.0, fabs(engine));
}

enum status quiz_check(const struct quiz_problem *p, int argc, char **argv, FILE *f, int *right,
		       struct err *e)
{
	char name[300], v1[64], v2[64];
	*right = 0;
	if (argc != p->ncells) {
		char first[300], last[300];
		quiz_cell_name(&p->cells[0], first, sizeof first);
		quiz_cell_name(&p->cells[p->ncells - 1], last, sizeof last);
		if (p->ncells == 1)
			return err_set(e, ST_USAGE, "this problem wants one number (%s), not %d", first, argc);
		return err_set(e, ST_USAGE, "this problem wants %d numbers (%s ... %s), not %d", p->ncells,
			       first, last, argc);
	}
	double given[QUIZ_MAX_CELLS];
	for (int i = 0; i < argc; i++)
		if (!quiz_parse_value(argv[i], &given[i])) {
			char shown[64];
			text_fit(shown, sizeof shown, argv[i], 20);
			return err_set(e, ST_USAGE, "'%s' is not a number (write -inf for a masked cell)", shown);
		}
	int ok = 1;
	for (int i = 0; i < argc; i++) {
		const struct quiz_cell *c = &p->cells[i];
		int r = quiz_value_ok(given[i], c->value, QUIZ_TOLERANCE);
		ok &= r;
		quiz_cell_name(c, name, sizeof name);
		fprintf(f, "  %-28s you: %-8s engine: %-8s %s\n", name, quiz_fmt_num(given[i], v1, sizeof v1),
			quiz_fmt_num(c->value, v2, sizeof v2), r ? "right" : "wrong");
	}
	*right = ok;
	return ST_OK;
}
