/* Lesson-sized blocks that run through the same ops as the big models:
 * one self-attention head on a given matrix, and 1-D attention pooling. */
#ifndef SEQSTEP_BLOCKS_H
#define SEQSTEP_BLOCKS_H

#include "io/config.h"
#include "trace/trace.h"
#include "engine/weights.h"
#include "engine/whatif.h"

/* sw: what-if switches (scale off; the pooling query and width), or NULL. */
enum status self_attention_run(const struct config *c, const struct weights *w,
			       const struct switches *sw, struct trace *tr, struct err *e);
enum status attention_pooling_run(const struct config *c, const struct weights *w,
				  const struct switches *sw, struct trace *tr, struct err *e);

#endif
