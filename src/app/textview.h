/* The explorer's views as plain text, for batch mode (-c, --script, stdin)
 * and printed handouts: the same stages and the same trace values as the
 * screen, drawn with trace/render_text.c's labelled numbers and ASCII
 * heatmaps. */
#ifndef SEQSTEP_APP_TEXTVIEW_H
#define SEQSTEP_APP_TEXTVIEW_H

#include "app/session.h"
#include "trace/trace.h"

#include <stdio.h>

/* The current stage (or the tensor shown on its own), as wide as width;
 * its plot when it shows one (trace/plot_text.h). */
void textview_stage(FILE *f, const struct session *s, int width);
/* Lines of a text plot at that width. */
int textview_plot_height(int width);
/* "WHAT-IF: scale off" when the trace is of a what-if run (nothing else),
 * so no printed view passes for the model as trained. */
void textview_whatif(FILE *f, const struct trace *tr);
/* One tensor: its header, numbers and heatmap. */
void textview_tensor(FILE *f, const struct tensor *t, int width);

#endif
