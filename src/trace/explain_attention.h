/* Attention's explanations (explain_attention.c): each kind's cell and
 * tensor functions, as explain_core.h describes them. */
#ifndef SEQSTEP_EXPLAIN_ATTENTION_H
#define SEQSTEP_EXPLAIN_ATTENTION_H

#include "trace/explain_core.h"

int ex_scores_cell(struct ctx *x);
void ex_scores_tensor(const struct form *f);
int ex_softmax_cell(struct ctx *x);
void ex_softmax_tensor(const struct form *f);
int ex_wsum_cell(struct ctx *x);
void ex_wsum_tensor(const struct form *f);
int ex_additive_cell(struct ctx *x);
void ex_additive_tensor(const struct form *f);
int ex_kernel_cell(struct ctx *x);
void ex_kernel_tensor(const struct form *f);

#endif
