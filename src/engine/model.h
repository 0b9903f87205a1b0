/* A loaded model directory: config, weights, vocabularies, tokenizers. */
#ifndef SEQSTEP_MODEL_H
#define SEQSTEP_MODEL_H

#include "io/config.h"
#include "engine/decode.h"
#include "base/status.h"
#include "text/tokenizer.h"
#include "trace/trace.h"
#include "engine/train_log.h"
#include "engine/weights.h"
#include "engine/whatif.h"

struct model {
	char dir[1024];
	char name[256];        /* last path component, for the UI */
	struct config cfg;
	struct weights w;
	struct vocab src_vocab, tgt_vocab;     /* seq2seq only */
	struct tokenizer src_tok, tgt_tok;     /* seq2seq only */
	char **row_tokens;     /* self_attention: labels of the input rows */
	char warning[512];     /* "" or one line the caller shows (unused tensors) */
	struct train_log log;  /* train.json's training history (empty: none) */
};

/* Reads DIR/config.json, DIR/model.safetensors and/or DIR/tensors/NAME.csv
 * (a CSV overrides the safetensors tensor of that name), and the vocabularies.
 * Every problem is reported as one line naming the file. Tensors of the
 * safetensors file that the config does not use are ignored and named in
 * m->warning. */
enum status model_load(struct model *m, const char *dir, struct err *e);
void model_release(struct model *m);

/* How to run a model on a sentence. */
struct run_opts {
	int beam;          /* 1 = greedy */
	int max_len;       /* decoded tokens at most (0: config's max_decode_len) */
	int topk;          /* next-token candidates recorded per step (default 5) */
	const char *target; /* teacher forcing: decoder input text, NULL to decode */
	/* What-if switches and edits (whatif.h): every path of the run honours
	 * the switches (the edits are in the weights already) and the trace
	 * records them as its what-if line. NULL: the model as trained. */
	const struct whatif *whatif;
	/* The BPTT lab (bptt.h), plain rnn encoders only: */
	float whh_radius;  /* > 0: run with each encoder W_hh rescaled to this
			    * spectral radius (the model's weights stay as they are) */
	float clip;        /* > 0: also record the encoder's gradients as global
			    * norm clipping at this threshold leaves them */
};

struct run_result {
	char *translation;  /* malloc'd; the decoded (or forced) target text */
	int n_src, n_tgt;   /* token counts including specials */
	int n_unknown;      /* source words that became <unk> */
	char unknown[256];  /* the first few of them, comma separated */
};

void run_opts_default(struct run_opts *o);
void run_result_release(struct run_result *r);

/* Tokenizes text, runs the encoder, decodes (or forces the target) and
 * records every intermediate in tr (cleared first). o->whh_radius on a
 * model that is not a plain rnn_seq2seq RNN is ST_USAGE. Block architectures
 * (self_attention, attention_pooling) ignore text and run on their inputs. */
enum status model_run(struct model *m, const char *text, const struct run_opts *o,
		      struct trace *tr, struct run_result *out, struct err *e);

/* Encodes src (Ts ids, ending with <eos>) and decodes into out (set up
 * here; decode_out_release it, whatever the status) as model_run does, but
 * records nothing: evaluation during training uses it. o->whatif's
 * switches apply (the decoder stays causal whatever the mask switch). */
enum status model_decode_ids(struct model *m, const int *src, int Ts, const struct run_opts *o,
			     struct decode_out *out, struct err *e);

/* Teacher-forced run on token ids: src_ids (n_src, ends with <eos>) and the
 * decoder input tgt_ids (n_tgt, starts with <bos>). Used by the reference tests. */
enum status model_run_ids(struct model *m, const int *src_ids, int n_src, const int *tgt_ids,
			  int n_tgt, struct trace *tr, struct err *e);

#endif
