/* The plain operations' explanations (explain_ops.c): each kind's cell and
 * tensor functions, as explain_core.h describes them. */
#ifndef SEQSTEP_EXPLAIN_OPS_H
#define SEQSTEP_EXPLAIN_OPS_H

#include "trace/explain_core.h"

int ex_lookup_cell(struct ctx *x);
void ex_lookup_tensor(const struct form *f);
int ex_matmul_cell(struct ctx *x);
void ex_matmul_tensor(const struct form *f);
int ex_add_cell(struct ctx *x);
void ex_add_tensor(const struct form *f);
int ex_embed_pos_cell(struct ctx *x);
void ex_embed_pos_tensor(const struct form *f);
int ex_layernorm_cell(struct ctx *x);
void ex_layernorm_tensor(const struct form *f);
/* PROV_RELU and PROV_GELU */
int ex_act_cell(struct ctx *x);
void ex_act_tensor(const struct form *f);
int ex_sinusoid_cell(struct ctx *x);
void ex_sinusoid_tensor(const struct form *f);
int ex_mean_cell(struct ctx *x);
void ex_mean_tensor(const struct form *f);

#endif
