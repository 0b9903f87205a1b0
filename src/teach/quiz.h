/* Exam practice: hand-sized problems built from the real engine. Each
 * problem is a tiny model with random one-decimal weights from a seeded
 * generator (d = 3..6), written to a temporary model folder, loaded with
 * model_load and run with model_run; the question's answer is the trace's
 * cell and the worked solution is explain_cell of that cell. Nothing here
 * computes an answer itself.
 *
 * Topics:
 *   qrow       a row of Q = X W_q (self-attention)
 *   score      a scaled score q·k/√d_k
 *   softmax    a row of attention weights from a row of scores
 *   masked     a row of decoder self-attention scores under the causal mask
 *              (future cells are -inf)
 *   posenc     a sinusoidal positional-encoding entry
 *   lstm-gate  one LSTM gate value σ(x W_x + h W_h + b)
 *   additive   an additive-attention score w_v·tanh(W_q q + W_k k)
 *   wsum       an attention-weighted sum of values
 *
 * The same topic and seed always give the same problem, byte for byte. */
#ifndef SEQSTEP_QUIZ_H
#define SEQSTEP_QUIZ_H

#include "engine/model.h"
#include "base/status.h"
#include "trace/trace.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

enum quiz_topic {
	QUIZ_QROW,
	QUIZ_SCORE,
	QUIZ_SOFTMAX,
	QUIZ_MASKED,
	QUIZ_POSENC,
	QUIZ_LSTM_GATE,
	QUIZ_ADDITIVE,
	QUIZ_WSUM,
	QUIZ_NTOPICS
};

/* Answers within this of the engine's value are right: a number worked by
 * hand and rounded to 2 decimals is at most 0.005 from the exact value. */
#define QUIZ_TOLERANCE 0.005
#define QUIZ_MAX_SEED 999999999999999ULL

enum { QUIZ_MAX_CELLS = 8, QUIZ_MAX_GIVEN = 8, QUIZ_MAX_COUNT = 200 };

struct quiz_cell {
	const struct tensor *t; /* in the problem's trace */
	int row, col;
	double value;           /* the trace's value; -inf for a masked cell */
};

struct quiz_problem {
	enum quiz_topic topic;
	uint64_t seed;
	char root[4096];     /* the temporary folder ("" once removed) */
	char dir[4096];      /* the model folder inside it */
	struct model *model;
	struct trace trace;
	char sentence[128];      /* seq2seq: the source sentence */
	char target[128];        /* seq2seq: the forced decoder input */
	const char *given[QUIZ_MAX_GIVEN]; /* trace names of the given tensors */
	int ngiven;
	struct quiz_cell cells[QUIZ_MAX_CELLS]; /* the answer, in order */
	int ncells;
	char title[128];         /* "a row of Q" */
	char setup[1024];        /* the model and what is given */
	char question[512];      /* what to compute */
};

const char *quiz_topic_name(enum quiz_topic t);
const char *quiz_topic_title(enum quiz_topic t);
/* The topic named s ("qrow", "lstm-gate"), or -1. */
int quiz_topic_find(const char *s);
/* "qrow, score, ..." */
const char *quiz_topic_list(void);

/* Builds, loads and runs the problem. Its model folder stays on disk (for
 * the explorer to load) until quiz_remove_dir or quiz_problem_release. */
enum status quiz_build(struct quiz_problem *p, enum quiz_topic topic, uint64_t seed, struct err *e);
void quiz_remove_dir(struct quiz_problem *p);
void quiz_problem_release(struct quiz_problem *p);

/* The problem as text: setup, the given tensors (labelled tables; Markdown
 * tables when markdown, with csv_dir naming their CSV files) and the
 * question. */
void quiz_print_problem(FILE *f, const struct quiz_problem *p, int markdown, const char *csv_dir);
/* The worked solution: every answer cell's explain_cell and value. */
void quiz_print_solution(FILE *f, const struct quiz_problem *p);
/* "q[cat, 0]" */
void quiz_cell_name(const struct quiz_cell *c, char *buf, size_t n);
/* How problems write numbers: %.4f without trailing zeros (0.3, -1.25,
 * 0.0417, -inf); and a tensor's label i of axis a, control characters
 * replaced. Both return buf. */
const char *quiz_fmt_num(double v, char *buf, size_t n);
const char *quiz_axis_label(const struct axis *a, int i, char *buf, size_t n);

/* A typed answer: a number, or -inf / −∞ / masked for a masked cell. */
int quiz_parse_value(const char *s, double *v);
/* Whether given matches the engine's value within tol (-inf only -inf),
 * with 1e-5 relative slack for the engine's own float error, so a value
 * exactly half-way (0.125 rounded to 0.13) is right under every BLAS
 * kernel set, not only the one whose last bit lands below it. */
int quiz_value_ok(double given, double engine, double tol);
/* Checks the answer words (one per cell) and prints the verdict for each
 * value to f; *right is 1 when all are right. ST_USAGE (with a message
 * saying what is expected) when the count is wrong or a word is no number. */
enum status quiz_check(const struct quiz_problem *p, int argc, char **argv, FILE *f, int *right,
		       struct err *e);

/* seqstep quiz --export DIR --count N --seed S [--topic T] [--force]:
 * DIR/sheet.md (the problems), DIR/solutions.md (worked solutions),
 * DIR/answers.csv (the key), DIR/pNN-TOPIC/NAME.csv (given tensors).
 * Refuses existing files unless force; on any failure removes what it
 * wrote. Problem k's seed is seed * 1000 + k. topic < 0: the topics in
 * turn. */
struct quiz_export_opts {
	const char *dir;
	int count;
	uint64_t seed;
	int topic;
	int force;
};
enum status quiz_export(const struct quiz_export_opts *o, struct err *e);

/* seqstep quiz ... (quiz_cli.c). */
int quiz_main(int argc, char **argv);

#endif
