/* Explains trace tensors and single cells the way a student writes them by
 * hand, from the provenance the engines record (see trace.h): the formula
 * with the tensor's own labels, the numbers substituted, and the trace's own
 * stored value at the end. Used by the explorer's detail pane, the lessons
 * and the quizzes.
 *
 * Symbols are trace names shortened relative to the explained tensor
 * ("enc.0.self_attn.x" is "x" when explaining "enc.0.self_attn.q"); weight
 * matrices are capitalised as in the notes (w_q -> W_q, w1 -> W_1). Numbers
 * are printed with %.4f. Sums of more than 8 terms show the first 4 and the
 * last 2: "a + b + c + d + ... (N terms) + y + z".
 *
 * All three functions only read the trace. The buffers are always
 * NUL-terminated (when n > 0) and never cut a UTF-8 character. */
#ifndef SEQSTEP_EXPLAIN_H
#define SEQSTEP_EXPLAIN_H

#include <stddef.h>

#include "trace/trace.h"

/* What the tensor is and computes, with the actual shapes: one line
 * "name [rows x cols]: description", then the formula with the dimensions
 * filled in, e.g. "q = x W_q + b_q: [7 x 8] = [7 x 8]·[8 x 8] + [1 x 8]",
 * then which trace entries the symbols stand for. Returns the number of
 * chars written (excluding the NUL; truncates safely). */
size_t explain_tensor(const struct trace *tr, const struct tensor *t, char *buf, size_t n);

/* How cell (r, c) was computed, several lines, e.g.
 *   q[cat, 1] = x[cat,0]·W_q[0,1] + x[cat,1]·W_q[1,1] + ... + b_q[1]
 *             = 0.5400·0.1400 + 1.6010·0.3100 + ... + 0.0000
 *             = 1.3801
 * The last line is always "= <value>" (after the alignment spaces) with the
 * trace's own stored value printed with %.4f, never a recomputed number.
 * When the buffer is too small the middle is dropped ("...") before the last
 * line. A tensor without provenance is explained from its description
 * ("given: ..." or "copied from ..."). Returns the chars written. */
size_t explain_cell(const struct trace *tr, const struct tensor *t, int r, int c, char *buf,
		    size_t n);

/* Recomputes cell (r, c) from its provenance inputs exactly as explain_cell
 * writes it (in double precision); NAN when it cannot (no provenance and no
 * identifiable copy source, a missing input, a shape that does not fit). */
double explain_recompute(const struct trace *tr, const struct tensor *t, int r, int c);

#endif
