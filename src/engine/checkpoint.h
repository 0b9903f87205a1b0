/* Writing a model directory that `seqstep --model DIR` loads (config.json,
 * vocabularies, BPE merges, model.safetensors), plus the training state that
 * `seqstep train --resume` continues from. Every file is written atomically
 * (temp file + fsync + rename), so an interrupted or failed save leaves each
 * file either as it was or complete, and never a stray temp file. */
#ifndef SEQSTEP_CHECKPOINT_H
#define SEQSTEP_CHECKPOINT_H

#include "io/config.h"
#include "engine/optim.h"
#include "base/status.h"
#include "text/tokenizer.h"
#include "engine/weights.h"

#include <stdint.h>

#define CKPT_STATE_FILE "train_state.safetensors"

/* What the optimiser needs to continue exactly where it stopped. */
struct train_state {
	long step;           /* steps done */
	long total;          /* the schedule's horizon */
	uint64_t seed;
	const struct adam *opt; /* moments and bias-correction count */
};

struct checkpoint {
	const char *config_json;   /* config.json text (the model config) */
	const char *train_json;    /* train.json text, or NULL to leave it out */
	const struct config *cfg;  /* file names of vocabularies and merges */
	const struct vocab *src_vocab, *tgt_vocab;
	const struct tokenizer *src_tok, *tgt_tok; /* merge tables of BPE sides */
	const struct weights *w;
	const struct train_state *state; /* NULL: no train state written */
};

/* Writes the model files into dir (created if missing), then the train state. */
enum status checkpoint_save(const char *dir, const struct checkpoint *ck, struct err *e);

/* Reads dir/train_state.safetensors into w (every tensor of w's layout must be
 * there with its shape), opt (n == w->total, allocated by the caller) and the
 * step/total/seed fields of st. */
enum status checkpoint_load_state(const char *dir, struct weights *w, struct adam *opt,
				  struct train_state *st, struct err *e);

/* Writes text to path atomically. */
enum status checkpoint_write_text(const char *path, const char *text, struct err *e);

#endif
