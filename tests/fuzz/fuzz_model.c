/* model_load on a whole model folder built from the input, then model_run
 * on a short sentence, then every trace tensor printed as CSV.
 *
 * Input format (tests/fuzz/pack_model.sh writes it from a real folder): a
 * sequence of sections, each a header line "==> NAME <==" followed by the
 * file's bytes up to the "\n" before the next header (or the end). NAME is a
 * plain file name ([A-Za-z0-9_.-], not starting with '.') or tensors/NAME;
 * the names "sentence" and "target" are not files but the text to translate
 * and a teacher-forcing target, and "beam" holds the beam width as a digit.
 * Without a sentence, vocabulary tokens 4..6 of src.vocab are used. */
#include "io/csvio.h"
#include "fuzz_common.h"
#include "engine/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char HDR[] = "==> ", END[] = " <==";

static int valid_name(const char *s, size_t n)
{
	if (n > 9 && !memcmp(s, "tensors/", 8)) {
		s += 8;
		n -= 8;
	}
	if (n == 0 || n > 100 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/* If a header line starts at p (end e), sets its name and returns the
 * offset of the content after it; 0 otherwise. */
static size_t header_at(const char *p, const char *e, char *name, size_t cap)
{
	size_t h = sizeof HDR - 1;
	if ((size_t)(e - p) < h || memcmp(p, HDR, h))
		return 0;
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	const char *line_end = nl ? nl : e;
	size_t t = sizeof END - 1;
	if ((size_t)(line_end - p) < h + t + 1 || memcmp(line_end - t, END, t))
		return 0;
	const char *n0 = p + h;
	size_t n = (size_t)(line_end - t - n0);
	if (n >= cap || !valid_name(n0, n))
		return 0;
	memcpy(name, n0, n);
	name[n] = 0;
	return (size_t)(line_end - p) + (nl ? 1 : 0);
}

struct run_text {
	char *sentence, *target;
	int beam;
};

static void unpack(const uint8_t *data, size_t size, struct run_text *rt)
{
	const char *b = (const char *)data, *e = b + size, *p = b;
	char name[128], next[128];
	size_t off = header_at(p, e, name, sizeof name);
	if (!off)
		return; /* no sections: an empty folder */
	p += off;
	mkdir(fuzz_path("m"), 0700);
	while (p <= e) {
		/* the content runs to the next "\n==> NAME <==" */
		const char *q = p, *end = e, *after = NULL;
		while (q < e) {
			const char *nl = memchr(q, '\n', (size_t)(e - q));
			if (!nl)
				break;
			size_t o = header_at(nl + 1, e, next, sizeof next);
			if (o) {
				end = nl;
				after = nl + 1 + o;
				break;
			}
			q = nl + 1;
		}
		size_t n = (size_t)(end - p);
		if (!strcmp(name, "sentence") || !strcmp(name, "target")) {
			char **dst = name[0] == 's' ? &rt->sentence : &rt->target;
			free(*dst);
			*dst = fuzz_strndup((const uint8_t *)p, n);
		} else if (!strcmp(name, "beam")) {
			rt->beam = n && p[0] >= '1' && p[0] <= '4' ? p[0] - '0' : 1;
		} else {
			char path[160];
			snprintf(path, sizeof path, "m/%s", name);
			if (!strncmp(name, "tensors/", 8))
				mkdir(fuzz_path("m/tensors"), 0700);
			fuzz_try_write(path, p, n); /* "tensors" and "tensors/x" cannot both be */
		}
		if (!after)
			break;
		memcpy(name, next, sizeof name);
		p = after;
	}
}

static void check_trace(const struct trace *tr)
{
	static FILE *null;
	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	for (size_t i = 0; i < tr->n; i++) {
		const struct tensor *t = tr->items[i];
		FUZZ_CHECK(t->name && t->rows >= 0 && t->cols >= 0 && (t->ndim == 1 || t->ndim == 2),
			   "tensor %zu", i);
		FUZZ_CHECK(trace_get(tr, t->name) == t, "trace_get(%s)", t->name);
		struct err e = {0};
		FUZZ_CHECK(csv_fprint_tensor(null, t, &e) == ST_OK, "%s", e.msg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_clean();
	struct run_text rt = {NULL, NULL, 1};
	unpack(data, size, &rt);
	struct model *m = malloc(sizeof *m);
	FUZZ_CHECK(m != NULL, "oom");
	struct err e = {0};
	enum status st = model_load(m, fuzz_path("m"), &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_BADINPUT || st == ST_NOMEM, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		free(m);
		free(rt.sentence);
		free(rt.target);
		return 0;
	}
	char fallback[3 * TOK_MAX_TOKEN + 4] = "";
	int seq2seq = m->cfg.arch == ARCH_TRANSFORMER || m->cfg.arch == ARCH_RNN_SEQ2SEQ;
	if (seq2seq) {
		FUZZ_CHECK(m->src_vocab.n >= 4 && m->tgt_vocab.n >= 4, "vocabularies");
		for (int i = 4; i < 7 && i < m->src_vocab.n; i++) {
			strcat(fallback, vocab_token(&m->src_vocab, i));
			strcat(fallback, " ");
		}
	}
	struct run_opts o;
	run_opts_default(&o);
	o.max_len = 6;
	o.topk = 3;
	o.beam = rt.beam;
	o.target = rt.target;
	struct trace tr;
	trace_init(&tr);
	struct run_result res;
	st = model_run(m, rt.sentence ? rt.sentence : fallback, &o, &tr, &res, &e);
	if (st == ST_OK) {
		FUZZ_CHECK(!seq2seq || res.translation != NULL, "no translation");
		check_trace(&tr);
		run_result_release(&res);
	} else {
		FUZZ_CHECK(st == ST_BADINPUT || st == ST_NOMEM, "run status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		FUZZ_CHECK(res.translation == NULL, "result not released on failure");
	}
	trace_release(&tr);
	model_release(m);
	free(m);
	free(rt.sentence);
	free(rt.target);
	return 0;
}
