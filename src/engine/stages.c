#include "engine/stages.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *section_name(enum section s)
{
	switch (s) {
	case SEC_INPUT: return "input";
	case SEC_ENCODER: return "encoder";
	case SEC_DECODER: return "decoder";
	case SEC_OUTPUT: return "output";
	case SEC_BLOCK: return "block";
	case SEC_TRAINING: return "training";
	}
	return "?";
}

/* A stage as written in the tables below: up to four panel templates, and
 * the same four for "every head" (empty: head 0 stands in). */
struct def {
	const char *id, *title, *intro;
	enum view_kind view;
	int primary, mask, head_cols;
	const char *panel[STAGE_PANELS];
	const char *avg[STAGE_PANELS];
};

static struct stage *add(struct pipeline *p, enum section sec, int block, const struct def *d)
{
	if (p->n >= PIPE_MAX_STAGES)
		return NULL;
	struct stage *s = &p->st[p->n++];
	memset(s, 0, sizeof *s);
	s->id = d->id;
	s->title = d->title;
	s->intro = d->intro;
	s->view = d->view;
	s->section = sec;
	s->block = block;
	s->primary = d->primary;
	s->mask = d->mask;
	s->head_cols = d->head_cols;
	for (int i = 0; i < STAGE_PANELS && d->panel[i]; i++) {
		snprintf(s->panel[i], sizeof s->panel[i], "%s", d->panel[i]);
		if (d->avg[i])
			snprintf(s->avg[i], sizeof s->avg[i], "%s", d->avg[i]);
		s->npanels = i + 1;
	}
	if (s->primary >= s->npanels)
		s->primary = 0;
	return s;
}

/* Adds the stage only when the trace has its first panel (layer 0, head 0),
 * so what the pane lists is what can be shown. */
static void add_if(struct pipeline *p, const struct trace *tr, enum section sec, int block,
		   const struct def *d)
{
	struct stage *s = add(p, sec, block, d);
	if (!s)
		return;
	char name[STAGE_NAME];
	stage_panel_name(p, s, 0, 0, 0, name, sizeof name);
	if (!trace_get(tr, name))
		p->n--;
}

static int open_block(struct pipeline *p, int nlayers, const char *what)
{
	if (p->nblk >= PIPE_MAX_BLOCKS)
		return -1;
	struct block *b = &p->blk[p->nblk];
	b->first = p->n;
	b->last = p->n - 1;
	b->nlayers = nlayers < 1 ? 1 : nlayers;
	b->what = what;
	return p->nblk++;
}

static void close_block(struct pipeline *p, int b)
{
	if (b < 0)
		return;
	p->blk[b].last = p->n - 1;
	if (p->blk[b].last < p->blk[b].first) /* nothing in it survived */
		p->nblk--;
}

/* The training history (train.json's "log", or a run in the explorer): it
 * opens as the plot of the loss and the validation scores (app/plotspec.c),
 * the loss as bars in the other view modes. */
static const struct def loss_curve = {
	"training", "training history",
	"The training history (train.json's, or the training running now): the mean loss at each logged step, and each validation; the loss falls as the model learns.",
	VIEW_BARS, 0, 0, 0, {"train.loss"}, {0}};

static void build_transformer(struct pipeline *p, const struct config *c, const struct trace *tr)
{
	static const struct def input[] = {
		{"tokenize", "tokenize",
		 "The sentence is cut into tokens; each token is looked up in the vocabulary and becomes an id.",
		 VIEW_TOKENS, 0, 0, 0, {"src.tokens", "tgt.tokens"}, {0}},
		{"embed", "embed",
		 "Each id selects one row of the embedding table: a vector of d_model numbers per token.",
		 VIEW_MATRIX, 0, 0, 0, {"src.embed"}, {0}},
		{"positions", "+ positions",
		 "Attention ignores order, so a position vector is added to each (scaled) embedding.",
		 VIEW_EMBEDPOS, 2, 0, 0, {"src.embed", "src.pos", "src.input"}, {0}},
	};
	static const struct def enc[] = {
		{"qkv", "Q/K/V",
		 "Three projections of every position: a query (what it looks for), a key (what it offers), a value (what it passes on).",
		 VIEW_MATRIX, 0, 0, 1,
		 {"enc.{L}.self_attn.q", "enc.{L}.self_attn.k", "enc.{L}.self_attn.v"}, {0}},
		{"scores", "scores",
		 "How well each query matches each key: dot products of one head's columns, divided by the square root of d_head.",
		 VIEW_MATRIX, 0, 0, 0, {"enc.{L}.self_attn.h{H}.scores"}, {0}},
		{"mask", "mask",
		 "Masked cells are set to -inf so softmax gives them weight 0; the encoder sees the whole sentence, so nothing is masked here.",
		 VIEW_MATRIX, 0, 1, 0, {"enc.{L}.self_attn.h{H}.scores"}, {0}},
		{"softmax", "softmax",
		 "Each row of scores becomes attention weights: positive, summing to 1.",
		 VIEW_MATRIX, 0, 0, 0, {"enc.{L}.self_attn.h{H}.weights"},
		 {"enc.{L}.self_attn.weights_avg"}},
		{"weighted", "weights x V",
		 "Each position's head output is the weighted average of the value rows, with its attention weights.",
		 VIEW_MATRIX, 2, 0, 1,
		 {"enc.{L}.self_attn.h{H}.weights", "enc.{L}.self_attn.v", "enc.{L}.self_attn.h{H}.out"},
		 {"enc.{L}.self_attn.weights_avg"}},
		{"concat", "concat + W_o",
		 "The heads' outputs are put side by side and mixed by the output projection W_o.",
		 VIEW_MATRIX, 1, 0, 1, {"enc.{L}.self_attn.concat", "enc.{L}.self_attn.out"}, {0}},
		{"addnorm1", "add & norm",
		 "The residual connection adds the attention output to the layer input; LayerNorm rescales each row.",
		 VIEW_MATRIX, 1, 0, 0, {"enc.{L}.add1", "enc.{L}.norm1"}, {0}},
		{"ffn", "FFN",
		 "A two-layer network applied to every position separately: expand, ReLU/GELU, project back.",
		 VIEW_MATRIX, 1, 0, 0, {"enc.{L}.ffn.pre", "enc.{L}.ffn.hidden", "enc.{L}.ffn.out"}, {0}},
		{"addnorm2", "add & norm",
		 "Second residual connection and LayerNorm; the result is the layer's output.",
		 VIEW_MATRIX, 1, 0, 0, {"enc.{L}.add2", "enc.{L}.norm2"}, {0}},
	};
	static const struct def mid[] = {
		{"memory", "encoder output",
		 "The encoder's output, one vector per source token: the memory the decoder attends to.",
		 VIEW_MATRIX, 0, 0, 0, {"enc.out"}, {0}},
		{"dec.input", "decoder input",
		 "The decoder reads the target shifted right: <bos> then the tokens produced so far, embedded plus positions.",
		 VIEW_EMBEDPOS, 2, 0, 0, {"tgt.embed", "tgt.pos", "tgt.input"}, {0}},
	};
	static const struct def dec[] = {
		{"dec.masked", "masked self-attn",
		 "Decoder step t may only look at positions 0..t: later cells are masked to -inf before softmax.",
		 VIEW_MATRIX, 1, 1, 0,
		 {"dec.{L}.self_attn.h{H}.scores", "dec.{L}.self_attn.h{H}.weights"},
		 {"", "dec.{L}.self_attn.weights_avg"}},
		{"dec.cross", "cross-attention",
		 "Queries from the decoder, keys and values from the encoder output: which source tokens step t reads.",
		 VIEW_MATRIX, 1, 0, 0,
		 {"dec.{L}.cross_attn.h{H}.scores", "dec.{L}.cross_attn.h{H}.weights"},
		 {"", "dec.{L}.cross_attn.weights_avg"}},
		{"dec.ffn", "FFN",
		 "The position-wise feed-forward network of the decoder layer.",
		 VIEW_MATRIX, 0, 0, 0, {"dec.{L}.ffn.hidden", "dec.{L}.ffn.out"}, {0}},
	};
	static const struct def out[] = {
		{"output", "output softmax",
		 "The decoder output is projected to one score per target word (logits); softmax turns them into probabilities.",
		 VIEW_MATRIX, 1, 0, 0, {"logits", "probs"}, {0}},
		{"next", "next token",
		 "Decoder step t: what it attended to, and the most likely next tokens.",
		 VIEW_STEP, 0, 0, 0,
		 {"decode.topk.probs", "dec.{LAST}.self_attn.h{H}.weights", "dec.{LAST}.cross_attn.h{H}.weights"},
		 {"", "dec.{LAST}.self_attn.weights_avg", "dec.{LAST}.cross_attn.weights_avg"}},
		{"alignment", "alignment",
		 "The full target x source alignment: the last decoder layer's cross-attention, averaged over the heads.",
		 VIEW_MATRIX, 0, 0, 0, {"dec.{LAST}.cross_attn.weights_avg"}, {0}},
	};
	for (size_t i = 0; i < sizeof input / sizeof *input; i++)
		add_if(p, tr, SEC_INPUT, -1, &input[i]);
	int b = open_block(p, c->n_enc_layers, "encoder layer");
	for (size_t i = 0; i < sizeof enc / sizeof *enc; i++)
		add_if(p, tr, SEC_ENCODER, b, &enc[i]);
	close_block(p, b);
	add_if(p, tr, SEC_ENCODER, -1, &mid[0]);
	add_if(p, tr, SEC_DECODER, -1, &mid[1]);
	b = open_block(p, c->n_dec_layers, "decoder layer");
	for (size_t i = 0; i < sizeof dec / sizeof *dec; i++)
		add_if(p, tr, SEC_DECODER, b, &dec[i]);
	close_block(p, b);
	for (size_t i = 0; i < sizeof out / sizeof *out; i++)
		add_if(p, tr, SEC_OUTPUT, -1, &out[i]);
	add_if(p, tr, SEC_TRAINING, -1, &loss_curve);
}

static void build_rnn(struct pipeline *p, const struct config *c, const struct trace *tr)
{
	static const struct def tok[] = {
		{"tokenize", "tokenize",
		 "The sentence is cut into tokens; each token is looked up in the vocabulary and becomes an id.",
		 VIEW_TOKENS, 0, 0, 0, {"src.tokens", "tgt.tokens"}, {0}},
		{"embed", "embed",
		 "Each id selects one row of the embedding table.",
		 VIEW_MATRIX, 0, 0, 0, {"src.embed"}, {0}},
	};
	static const struct def gates_lstm = {
		"gates", "gates",
		"At each time step the gates decide what to forget (f), what to write (i, g) and what to show (o).",
		VIEW_GATES, 0, 0, 0,
		{"enc.l{L}.gate.i", "enc.l{L}.gate.f", "enc.l{L}.gate.g", "enc.l{L}.gate.o"}, {0}};
	static const struct def gates_gru = {
		"gates", "gates",
		"At each time step the reset gate r and the update gate z decide how much of the past to keep.",
		VIEW_GATES, 0, 0, 0, {"enc.l{L}.gate.r", "enc.l{L}.gate.z", "enc.l{L}.gate.n"}, {0}};
	static const struct def state_lstm = {
		"state", "c_t and h_t",
		"The memory cell c_t carries information along the sentence; h_t = o * tanh(c_t) is what the next step sees.",
		VIEW_MATRIX, 1, 0, 0, {"enc.l{L}.c", "enc.l{L}.h"}, {0}};
	static const struct def state_h = {
		"state", "h_t",
		"The hidden state after each time step: everything the network remembers so far.",
		VIEW_MATRIX, 0, 0, 0, {"enc.l{L}.h"}, {0}};
	static const struct def grads = {
		"grads", "gradient norms",
		"How strongly the loss reaches back to each time step: vanishing gradients show as small values at the early steps, clearest on the log axis of the plot.",
		VIEW_BARS, 0, 0, 0, {"grad.enc.l{L}.h"}, {0}};
	static const struct def bptt = {
		"bptt", "grad vs distance",
		"The gradient reaching each step relative to where it enters, by distance, on a log scale; beside it another model's (grad MODEL) and the bound from the step Jacobians' norms.",
		VIEW_GRAD, 0, 0, 0,
		{"grad.enc.l{L}.ratio", "cmp.grad.enc.l{L}.ratio", "grad.enc.l{L}.jacprod"}, {0}};
	static const struct def memory = {
		"memory", "encoder outputs",
		"The top layer's hidden state at every source position: the keys and values of attention.",
		VIEW_MATRIX, 0, 0, 0, {"enc.out"}, {0}};
	static const struct def dinput = {
		"dec.input", "decoder input",
		"The decoder reads <bos> then the tokens produced so far, embedded.",
		VIEW_MATRIX, 0, 0, 0, {"tgt.embed"}, {0}};
	static const struct def att[] = {
		{"align.scores", "alignment scores",
		 "How well the decoder's previous state (the query) matches each encoder output (the keys).",
		 VIEW_MATRIX, 0, 0, 0, {"dec.attn.scores"}, {0}},
		{"align", "alignment weights",
		 "softmax of each row of scores: where step t looks in the source sentence.",
		 VIEW_MATRIX, 0, 0, 0, {"dec.attn.weights"}, {0}},
		{"context", "context",
		 "The context vector is the attention-weighted sum of the encoder outputs; it is fed to the decoder with the embedding.",
		 VIEW_MATRIX, 0, 0, 0, {"dec.context", "dec.x"}, {0}},
	};
	static const struct def fixed = {
		"context", "fixed context",
		"Without attention the decoder gets the encoder's final state as its context at every step: one vector for the whole sentence.",
		VIEW_MATRIX, 0, 0, 0, {"dec.context", "dec.x"}, {0}};
	static const struct def dgates_lstm = {
		"dec.gates", "gates",
		"The decoder's gates at each output step.",
		VIEW_GATES, 0, 0, 0,
		{"dec.l{L}.gate.i", "dec.l{L}.gate.f", "dec.l{L}.gate.g", "dec.l{L}.gate.o"}, {0}};
	static const struct def dgates_gru = {
		"dec.gates", "gates",
		"The decoder's gates at each output step.",
		VIEW_GATES, 0, 0, 0, {"dec.l{L}.gate.r", "dec.l{L}.gate.z", "dec.l{L}.gate.n"}, {0}};
	static const struct def dstate_lstm = {
		"dec.state", "c_t and h_t",
		"The decoder's memory cell and hidden state at each output step.",
		VIEW_MATRIX, 1, 0, 0, {"dec.l{L}.c", "dec.l{L}.h"}, {0}};
	static const struct def dstate_h = {
		"dec.state", "h_t",
		"The decoder's hidden state at each output step.",
		VIEW_MATRIX, 0, 0, 0, {"dec.l{L}.h"}, {0}};
	static const struct def out[] = {
		{"output", "output softmax",
		 "The top hidden state is projected to one score per target word; softmax gives probabilities.",
		 VIEW_MATRIX, 1, 0, 0, {"logits", "probs"}, {0}},
		{"next", "next token",
		 "Decoder step t: where it looked in the source, and the most likely next tokens.",
		 VIEW_STEP, 0, 0, 0, {"decode.topk.probs", "", "dec.attn.weights"}, {0}},
	};
	int lstm = c->cell == CELL_LSTM, gru = c->cell == CELL_GRU;
	for (size_t i = 0; i < sizeof tok / sizeof *tok; i++)
		add_if(p, tr, SEC_INPUT, -1, &tok[i]);
	int b = open_block(p, c->n_layers, "encoder layer");
	if (lstm || gru)
		add_if(p, tr, SEC_ENCODER, b, lstm ? &gates_lstm : &gates_gru);
	add_if(p, tr, SEC_ENCODER, b, lstm ? &state_lstm : &state_h);
	add_if(p, tr, SEC_ENCODER, b, &grads);
	add_if(p, tr, SEC_ENCODER, b, &bptt);
	close_block(p, b);
	add_if(p, tr, SEC_ENCODER, -1, &memory);
	add_if(p, tr, SEC_DECODER, -1, &dinput);
	if (c->attention != ATTN_NONE)
		for (size_t i = 0; i < sizeof att / sizeof *att; i++)
			add_if(p, tr, SEC_DECODER, -1, &att[i]);
	else
		add_if(p, tr, SEC_DECODER, -1, &fixed);
	b = open_block(p, c->n_layers, "decoder layer");
	if (lstm || gru)
		add_if(p, tr, SEC_DECODER, b, lstm ? &dgates_lstm : &dgates_gru);
	add_if(p, tr, SEC_DECODER, b, lstm ? &dstate_lstm : &dstate_h);
	close_block(p, b);
	for (size_t i = 0; i < sizeof out / sizeof *out; i++)
		add_if(p, tr, SEC_OUTPUT, -1, &out[i]);
	add_if(p, tr, SEC_TRAINING, -1, &loss_curve);
}

static void build_blocks(struct pipeline *p, const struct config *c, const struct trace *tr)
{
	static const struct def sa[] = {
		{"input", "input X",
		 "The input rows: one vector per token.",
		 VIEW_MATRIX, 0, 0, 0, {"self_attn.x"}, {0}},
		{"qkv", "Q/K/V",
		 "q = x W_q, k = x W_k, v = x W_v: a query, a key and a value per token.",
		 VIEW_MATRIX, 0, 0, 0, {"self_attn.q", "self_attn.k", "self_attn.v"}, {0}},
		{"scores", "scores",
		 "scores = Q K^T / sqrt(d_k): how well each query matches each key.",
		 VIEW_MATRIX, 0, 0, 0, {"self_attn.scores"}, {0}},
		{"softmax", "softmax",
		 "Each row of scores becomes weights that are positive and sum to 1.",
		 VIEW_MATRIX, 0, 0, 0, {"self_attn.weights"}, {0}},
		{"weighted", "weights x V",
		 "Each output row is the weighted average of the value rows.",
		 VIEW_MATRIX, 2, 0, 0, {"self_attn.weights", "self_attn.v", "self_attn.out"}, {0}},
	};
	static const struct def pool[] = {
		{"data", "keys & values",
		 "Training pairs (x_i, y_i) and the queries x where f is estimated.",
		 VIEW_MATRIX, 0, 0, 0, {"pool.keys", "pool.values", "pool.queries"}, {0}},
		{"scores", "scores",
		 "How close each query is to each key (the kernel).",
		 VIEW_MATRIX, 0, 0, 0, {"pool.scores"}, {0}},
		{"softmax", "weights",
		 "softmax of each row: how much each training value counts for that query.",
		 VIEW_MATRIX, 0, 0, 0, {"pool.weights"}, {0}},
		{"output", "output",
		 "f(x) = sum_i alpha(x, x_i) y_i: the weighted average of the values.",
		 VIEW_MATRIX, 0, 0, 0, {"pool.out"}, {0}},
	};
	const struct def *d = c->arch == ARCH_SELF_ATTENTION ? sa : pool;
	size_t n = c->arch == ARCH_SELF_ATTENTION ? sizeof sa / sizeof *sa : sizeof pool / sizeof *pool;
	for (size_t i = 0; i < n; i++)
		add_if(p, tr, SEC_BLOCK, -1, &d[i]);
}

enum status pipeline_build(struct pipeline *p, const struct config *c, const struct trace *tr,
			   struct err *e)
{
	memset(p, 0, sizeof *p);
	p->arch = c->arch;
	p->nheads = 1;
	if (c->arch == ARCH_TRANSFORMER) {
		p->nheads = c->n_heads > 0 ? c->n_heads : 1;
		p->dhead = c->d_model / p->nheads;
		p->last_dec = c->n_dec_layers > 0 ? c->n_dec_layers - 1 : 0;
		build_transformer(p, c, tr);
	} else if (c->arch == ARCH_RNN_SEQ2SEQ) {
		p->last_dec = c->n_layers > 0 ? c->n_layers - 1 : 0;
		build_rnn(p, c, tr);
	} else {
		build_blocks(p, c, tr);
	}
	int n = 0;
	for (int i = 0; i < p->n; i++)
		n += stage_nlayers(p, i);
	p->walk = calloc(n ? (size_t)n : 1, sizeof *p->walk);
	if (!p->walk)
		return err_set(e, ST_NOMEM, "out of memory for the pipeline");
	/* A block is walked layer by layer: all its stages for layer 0, then
	 * for layer 1, ... so n goes through the network in computation order. */
	for (int i = 0; i < p->n;) {
		int b = p->st[i].block;
		if (b < 0) {
			p->walk[p->nwalk++] = (struct walkpos){i, 0};
			i++;
			continue;
		}
		for (int l = 0; l < p->blk[b].nlayers; l++)
			for (int j = p->blk[b].first; j <= p->blk[b].last; j++)
				p->walk[p->nwalk++] = (struct walkpos){j, l};
		i = p->blk[b].last + 1;
	}
	return ST_OK;
}

void pipeline_release(struct pipeline *p)
{
	free(p->walk);
	p->walk = NULL;
	p->nwalk = p->n = 0;
}

int stage_nlayers(const struct pipeline *p, int stage)
{
	if (stage < 0 || stage >= p->n || p->st[stage].block < 0)
		return 1;
	return p->blk[p->st[stage].block].nlayers;
}

int pipeline_find(const struct pipeline *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (strcasecmp(p->st[i].id, name) == 0)
			return i;
	for (int i = 0; i < p->n; i++)
		if (strcasecmp(p->st[i].title, name) == 0)
			return i;
	return -1;
}

int pipeline_walk_index(const struct pipeline *p, int stage, int layer)
{
	int nl = stage_nlayers(p, stage);
	layer = layer < 0 ? 0 : layer >= nl ? nl - 1 : layer;
	for (int i = 0; i < p->nwalk; i++)
		if (p->walk[i].stage == stage && p->walk[i].layer == layer)
			return i;
	return 0;
}

static void expand(const char *tpl, int layer, int head, int last, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (const char *s = tpl; *s && o + 1 < n;) {
		const char *rep = NULL;
		int v = 0, skip = 0;
		if (strncmp(s, "{L}", 3) == 0)
			v = layer, skip = 3, rep = "";
		else if (strncmp(s, "{H}", 3) == 0)
			v = head, skip = 3, rep = "";
		else if (strncmp(s, "{LAST}", 6) == 0)
			v = last, skip = 6, rep = "";
		if (rep) {
			int w = snprintf(buf + o, n - o, "%d", v);
			o += w > 0 ? (size_t)w : 0;
			if (o >= n)
				o = n - 1;
			s += skip;
		} else {
			buf[o++] = *s++;
		}
	}
	buf[o] = 0;
}

void stage_panel_name(const struct pipeline *p, const struct stage *s, int i, int layer, int head,
		      char *buf, size_t n)
{
	if (i < 0 || i >= s->npanels || n == 0) {
		if (n)
			buf[0] = 0;
		return;
	}
	const char *tpl = head < 0 && s->avg[i][0] ? s->avg[i] : s->panel[i];
	expand(tpl, layer, head < 0 ? 0 : head, p->last_dec, buf, n);
}

int pipeline_locate(const struct pipeline *p, const char *name, int *walk, int *head, int *panel)
{
	char buf[STAGE_NAME];
	for (int w = 0; w < p->nwalk; w++) {
		const struct stage *s = &p->st[p->walk[w].stage];
		for (int h = -1; h < p->nheads; h++) {
			for (int i = 0; i < s->npanels; i++) {
				if (h < 0 && !s->avg[i][0])
					continue;
				stage_panel_name(p, s, i, p->walk[w].layer, h, buf, sizeof buf);
				if (strcmp(buf, name) == 0) {
					*walk = w;
					*head = h;
					*panel = i;
					return 1;
				}
			}
		}
	}
	return 0;
}
