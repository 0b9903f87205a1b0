/* The recurrent cells' explanations (explain_recurrent.c): each kind's cell
 * and tensor functions, as explain_core.h describes them. */
#ifndef SEQSTEP_EXPLAIN_RECURRENT_H
#define SEQSTEP_EXPLAIN_RECURRENT_H

#include "trace/explain_core.h"

int ex_gate_cell(struct ctx *x);
void ex_gate_tensor(const struct form *f);
/* Continues the tensor's "where" line (first: nothing written on it yet)
 * with what a gate reads beyond its provenance: b_hh, a GRU's reset gate. */
void ex_gate_where(const struct form *f, int first);
int ex_lstm_c_cell(struct ctx *x);
void ex_lstm_c_tensor(const struct form *f);
int ex_lstm_h_cell(struct ctx *x);
void ex_lstm_h_tensor(const struct form *f);
int ex_gru_h_cell(struct ctx *x);
void ex_gru_h_tensor(const struct form *f);

#endif
