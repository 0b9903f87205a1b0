/* Explanations of the entries without provenance (explain_given.c): the
 * cell and tensor functions of PROV_NONE, as explain_core.h describes them. */
#ifndef SEQSTEP_EXPLAIN_GIVEN_H
#define SEQSTEP_EXPLAIN_GIVEN_H

#include "trace/explain_core.h"

int ex_none_cell(struct ctx *x);
void ex_none_tensor(const struct form *f);

#endif
