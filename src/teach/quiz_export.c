/* The exam sheet: quiz --export writes a set of problems as a Markdown
 * sheet, worked solutions, an answer key and each problem's given matrices
 * as CSV, all or nothing (quiz.h). */
#include "teach/quiz.h"
#include "base/atomicfile.h"
#include "io/csvio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A given tensor as CSV in the --dump layout, numbers as on the sheet. */
static void given_csv(FILE *f, const struct tensor *t)
{
	char buf[128];
	csv_put_text(f, t->row.title);
	for (int c = 0; c < t->cols; c++) {
		fputc(',', f);
		csv_put_text(f, quiz_axis_label(&t->col, c, buf, sizeof buf));
	}
	fputc('\n', f);
	for (int r = 0; r < t->rows; r++) {
		csv_put_text(f, quiz_axis_label(&t->row, r, buf, sizeof buf));
		for (int c = 0; c < t->cols; c++)
			fprintf(f, ",%s", quiz_fmt_num(tensor_at(t, r, c), buf, sizeof buf));
		fputc('\n', f);
	}
}

struct out_file {
	char rel[256];
	char *text;
	size_t len;
};

struct export {
	struct out_file *files;
	int n, cap;
};

static FILE *export_open(struct export *x, const char *rel, struct err *e)
{
	if (x->n == x->cap) {
		int cap = x->cap ? x->cap * 2 : 16;
		struct out_file *v = realloc(x->files, (size_t)cap * sizeof *v);
		if (!v) {
			err_set(e, ST_NOMEM, "out of memory");
			return NULL;
		}
		x->files = v;
		x->cap = cap;
	}
	struct out_file *o = &x->files[x->n];
	memset(o, 0, sizeof *o);
	snprintf(o->rel, sizeof o->rel, "%s", rel);
	FILE *f = open_memstream(&o->text, &o->len);
	if (!f) {
		err_set(e, ST_NOMEM, "out of memory");
		return NULL;
	}
	x->n++;
	return f;
}

static void export_release(struct export *x)
{
	for (int i = 0; i < x->n; i++)
		free(x->files[i].text);
	free(x->files);
	memset(x, 0, sizeof *x);
}

static enum status close_mem(FILE *f, struct err *e)
{
	int bad = ferror(f);
	bad |= fclose(f) != 0;
	return bad ? err_set(e, ST_NOMEM, "out of memory writing the sheet") : ST_OK;
}

static void problem_dir(char *buf, size_t n, int k, enum quiz_topic t)
{
	snprintf(buf, n, "p%02d-%s", k, quiz_topic_name(t));
}

static enum status compose(struct export *x, struct quiz_problem *ps, int count,
			   const struct quiz_export_opts *o, struct err *e)
{
	enum status st = ST_OK;
	FILE *sheet = export_open(x, "sheet.md", e);
	if (!sheet)
		return ST_NOMEM;
	fprintf(sheet, "# Exam practice (seed %llu)\n\n", (unsigned long long)o->seed);
	fprintf(sheet,
		"%d problem%s built by seqstep from small models with random weights. Work each one by "
		"hand and give every number rounded to 2 decimals: an answer within 0.005 of the "
		"engine's value is right. Write -inf for a masked score. Each problem's matrices are "
		"also given as CSV files (first row and column: labels). The answers are in "
		"`answers.csv`, the worked solutions in `solutions.md`; `seqstep` then `quiz TOPIC "
		"--seed N` (shown with each problem) rebuilds a problem in the explorer.\n",
		count, count == 1 ? "" : "s");
	for (int k = 0; k < count; k++) {
		char pd[64];
		problem_dir(pd, sizeof pd, k + 1, ps[k].topic);
		fprintf(sheet, "\n## Problem %d: %s\n\n", k + 1, ps[k].title);
		fprintf(sheet, "(topic `%s`, `quiz %s --seed %llu`)\n\n", quiz_topic_name(ps[k].topic),
			quiz_topic_name(ps[k].topic), (unsigned long long)ps[k].seed);
		quiz_print_problem(sheet, &ps[k], 1, pd);
		fprintf(sheet, "\nAnswer: ______________________________\n");
	}
	if ((st = close_mem(sheet, e)))
		return st;

	FILE *sol = export_open(x, "solutions.md", e);
	if (!sol)
		return ST_NOMEM;
	fprintf(sol, "# Exam practice (seed %llu): worked solutions\n", (unsigned long long)o->seed);
	for (int k = 0; k < count; k++) {
		fprintf(sol, "\n## Problem %d: %s\n\n%s\n\n```\n", k + 1, ps[k].title, ps[k].question);
		quiz_print_solution(sol, &ps[k]);
		fprintf(sol, "```\n");
	}
	if ((st = close_mem(sol, e)))
		return st;

	FILE *key = export_open(x, "answers.csv", e);
	if (!key)
		return ST_NOMEM;
	fprintf(key, "problem,topic,seed,tensor,row,col,answer,rounded\n");
	for (int k = 0; k < count; k++)
		for (int i = 0; i < ps[k].ncells; i++) {
			const struct quiz_cell *c = &ps[k].cells[i];
			char rl[128], cl[128], v[64];
			fprintf(key, "%d,%s,%llu,", k + 1, quiz_topic_name(ps[k].topic),
				(unsigned long long)ps[k].seed);
			csv_put_text(key, c->t->name);
			fputc(',', key);
			csv_put_text(key, c->t->ndim == 1 ? "" : quiz_axis_label(&c->t->row, c->row, rl, sizeof rl));
			fputc(',', key);
			csv_put_text(key, quiz_axis_label(&c->t->col, c->col, cl, sizeof cl));
			fprintf(key, ",%s,", quiz_fmt_num(c->value, v, sizeof v));
			if (isinf(c->value))
				fprintf(key, "%s\n", c->value < 0 ? "-inf" : "inf");
			else
				fprintf(key, "%.2f\n", fabs(c->value) < 0.005 ? 0.0 : c->value);
		}
	if ((st = close_mem(key, e)))
		return st;

	for (int k = 0; k < count; k++) {
		char pd[64];
		problem_dir(pd, sizeof pd, k + 1, ps[k].topic);
		for (int i = 0; i < ps[k].ngiven; i++) {
			const struct tensor *t = trace_get(&ps[k].trace, ps[k].given[i]);
			char rel[256];
			snprintf(rel, sizeof rel, "%s/%s.csv", pd, ps[k].given[i]);
			FILE *f = export_open(x, rel, e);
			if (!f)
				return ST_NOMEM;
			given_csv(f, t);
			if ((st = close_mem(f, e)))
				return st;
		}
	}
	return ST_OK;
}

/* What this export wrote, so a failure can take it back. */
struct undo {
	char (*paths)[PATH_MAX];
	int n, cap;
};

static int undo_push(struct undo *u, const char *p)
{
	if (u->n == u->cap) {
		int cap = u->cap ? u->cap * 2 : 32;
		char(*v)[PATH_MAX] = realloc(u->paths, (size_t)cap * sizeof *v);
		if (!v)
			return 0;
		u->paths = v;
		u->cap = cap;
	}
	snprintf(u->paths[u->n++], PATH_MAX, "%s", p);
	return 1;
}

static enum status make_dir(const char *dir, struct undo *dirs, struct err *e)
{
	struct stat sb;
	if (stat(dir, &sb) == 0)
		return S_ISDIR(sb.st_mode) ? ST_OK
					   : err_set(e, ST_IO, "%s: exists and is not a folder", dir);
	if (mkdir(dir, 0777) != 0)
		return err_set(e, ST_IO, "%s: cannot create folder: %s", dir, strerror(errno));
	if (!undo_push(dirs, dir)) {
		rmdir(dir);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	return ST_OK;
}

static enum status write_all(const struct export *x, const struct quiz_export_opts *o, struct err *e)
{
	char path[PATH_MAX];
	/* Nothing is written when anything is in the way. */
	for (int i = 0; i < x->n; i++) {
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", o->dir, x->files[i].rel);
		if (lstat(path, &sb) == 0 && (!o->force || S_ISDIR(sb.st_mode)))
			return err_set(e, ST_IO, "%s: exists; use --force to overwrite", path);
	}
	struct undo dirs = {0}, files = {0};
	enum status st = make_dir(o->dir, &dirs, e);
	for (int i = 0; i < x->n && !st; i++) {
		const struct out_file *of = &x->files[i];
		const char *slash = strchr(of->rel, '/');
		if (slash) {
			snprintf(path, sizeof path, "%s/%.*s", o->dir, (int)(slash - of->rel), of->rel);
			if ((st = make_dir(path, &dirs, e)))
				break;
		}
		snprintf(path, sizeof path, "%s/%s", o->dir, of->rel);
		struct atomic_file af;
		if ((st = atomic_open(&af, path, o->force, e)))
			break;
		if (of->len && fwrite(of->text, 1, of->len, af.f) != of->len) {
			atomic_abort(&af);
			st = err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(errno));
			break;
		}
		if ((st = atomic_commit(&af, e)))
			break;
		if (!undo_push(&files, path)) {
			st = err_set(e, ST_NOMEM, "out of memory");
			unlink(path);
		}
	}
	if (st) {
		for (int i = files.n - 1; i >= 0; i--)
			unlink(files.paths[i]);
		for (int i = dirs.n - 1; i >= 0; i--)
			rmdir(dirs.paths[i]);
	}
	free(files.paths);
	free(dirs.paths);
	return st;
}

enum status quiz_export(const struct quiz_export_opts *o, struct err *e)
{
	if (!o->dir || !o->dir[0])
		return err_set(e, ST_USAGE, "quiz --export needs a folder");
	if (o->count < 1 || o->count > QUIZ_MAX_COUNT)
		return err_set(e, ST_USAGE, "--count takes a number 1..%d, not %d", QUIZ_MAX_COUNT, o->count);
	if (o->seed > QUIZ_MAX_SEED / 1000)
		return err_set(e, ST_USAGE, "--seed takes a number 0..%llu",
			       (unsigned long long)(QUIZ_MAX_SEED / 1000));
	struct quiz_problem *ps = calloc((size_t)o->count, sizeof *ps);
	if (!ps)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = ST_OK;
	int built = 0;
	for (int k = 0; k < o->count && !st; k++) {
		enum quiz_topic t = o->topic >= 0 ? (enum quiz_topic)o->topic : (enum quiz_topic)(k % QUIZ_NTOPICS);
		st = quiz_build(&ps[k], t, o->seed * 1000 + (uint64_t)(k + 1), e);
		if (!st) {
			quiz_remove_dir(&ps[k]);
			built++;
		}
	}
	struct export x = {0};
	if (!st)
		st = compose(&x, ps, o->count, o, e);
	if (!st)
		st = write_all(&x, o, e);
	export_release(&x);
	for (int k = 0; k < built; k++)
		quiz_problem_release(&ps[k]);
	free(ps);
	return st;
}
