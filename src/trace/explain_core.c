/* What every explanation is written with (see explain_core.h). */
#include "trace/explain_core.h"
#include "base/textwidth.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Bounded output                                                      */

size_t ex_utf8_boundary(const char *s, size_t len)
{
	size_t i = len, k = 0;
	while (i > 0 && k < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		k++;
	}
	if (i == 0)
		return len;
	unsigned char lead = (unsigned char)s[i - 1];
	if (lead < 0xC0)
		return len; /* ASCII (or stray continuation bytes): nothing to cut */
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	return k + 1 >= need ? len : i - 1;
}

void ex_put(struct out *o, const char *fmt, ...)
{
	if (!o || !o->buf || o->full)
		return;
	size_t room = o->n - o->len;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (k < 0) {
		o->buf[o->len] = 0;
	} else if ((size_t)k >= room) {
		o->full = 1;
		o->len = ex_utf8_boundary(o->buf, o->n - 1);
		o->buf[o->len] = 0;
	} else {
		o->len += (size_t)k;
	}
}

size_t ex_deliver(const char *s, size_t len, char *buf, size_t n)
{
	if (!buf || n == 0)
		return 0;
	if (len < n) {
		memcpy(buf, s, len);
		buf[len] = 0;
		return len;
	}
	const char *last = strrchr(s, '\n');
	static const char dots[] = "...";
	size_t tail = last ? len - (size_t)(last - s) : 0; /* with its '\n' */
	if (last && tail + sizeof dots < n) {
		size_t head = n - 1 - tail - (sizeof dots - 1) - 1; /* room for "\n..." */
		head = ex_utf8_boundary(s, head);
		while (head > 0 && s[head] != '\n')
			head--;
		size_t k = 0;
		if (head > 0) {
			memcpy(buf, s, head);
			k = head;
			buf[k++] = '\n';
		}
		memcpy(buf + k, dots, sizeof dots - 1);
		k += sizeof dots - 1;
		memcpy(buf + k, last, tail);
		k += tail;
		buf[k] = 0;
		return k;
	}
	size_t k = ex_utf8_boundary(s, n - 1);
	memcpy(buf, s, k);
	buf[k] = 0;
	return k;
}

/* ------------------------------------------------------------------ */
/* Numbers, labels, symbols                                            */

const char *ex_numstr(struct nb *b, double v)
{
	if (isnan(v))
		return "nan";
	if (isinf(v))
		return v < 0 ? "-inf" : "inf";
	snprintf(b->s, sizeof b->s, fabs(v) >= 1e6 ? "%.4e" : "%.4f", v);
	return b->s;
}

void ex_fac(struct out *o, double v)
{
	struct nb b;
	ex_put(o, v < 0 || (v == 0 && signbit(v)) ? "(%s)" : "%s", ex_numstr(&b, v));
}

void ex_num(struct out *o, double v)
{
	struct nb b;
	ex_put(o, "%s", ex_numstr(&b, v));
}

void ex_opfac(struct out *o, const char *op, double v)
{
	ex_put(o, "%s", op);
	ex_fac(o, v);
}

void ex_label(char *b, size_t n, const struct axis *a, int i)
{
	char idx[24], raw[200];
	const char *s = axis_label(a, i, idx, sizeof idx);
	if (!s || !*s) {
		snprintf(idx, sizeof idx, "%d", i);
		s = idx;
	}
	text_sanitize(raw, sizeof raw, s);
	int dup = 0;
	if (a->labels && s != idx)
		for (int j = 0; j < a->n && !dup; j++)
			dup = j != i && a->labels[j] && strcmp(a->labels[j], s) == 0;
	if (dup)
		snprintf(b, n, "%s#%d", raw, i);
	else
		snprintf(b, n, "%s", raw);
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Length of the block prefix of a name: the name minus the symbol it is shown
 * as. The symbol is the last component, or the last two when the one before
 * is a head ("h1.weights") or "gate" ("gate.i"). Includes the trailing dot. */
static size_t block_prefix_len(const char *name)
{
	const char *l = strrchr(name, '.');
	if (!l)
		return 0;
	const char *s = l;
	while (s > name && s[-1] != '.')
		s--;
	size_t plen = (size_t)(l - s);
	int two = (plen == 4 && strncmp(s, "gate", 4) == 0) ||
		  (plen >= 2 && s[0] == 'h' && all_digits(s + 1, plen - 1));
	return two ? (size_t)(s - name) : (size_t)(l + 1 - name);
}

/* Writes the symbol s with its last component in the notes' spelling:
 * weight matrices w_q -> W_q, w1 -> W_1; biases b1 -> b_1. */
static void pretty(char *b, size_t n, const char *s, const struct tensor *t)
{
	const char *l = strrchr(s, '.');
	int pre = l ? (int)(l + 1 - s) : 0;
	const char *c = s + pre;
	int matrix = t && t->rows > 1 && t->cols > 1;
	if (matrix && c[0] == 'w' && c[1] == '_' && c[2])
		snprintf(b, n, "%.*sW_%s", pre, s, c + 2);
	else if (matrix && c[0] == 'w' && isdigit((unsigned char)c[1]) && !c[2])
		snprintf(b, n, "%.*sW_%c", pre, s, c[1]);
	else if (c[0] == 'b' && isdigit((unsigned char)c[1]) && !c[2])
		snprintf(b, n, "%.*sb_%c", pre, s, c[1]);
	else
		snprintf(b, n, "%s", s);
}

void ex_sym_out(char *b, size_t n, const struct tensor *t)
{
	pretty(b, n, t->name + block_prefix_len(t->name), t);
}

void ex_sym_in(char *b, size_t n, const struct tensor *out, const char *in,
	       const struct tensor *it)
{
	size_t p = block_prefix_len(out->name);
	const char *s = in;
	if (p > 0 && strncmp(in, out->name, p) == 0 && in[p])
		s = in + p;
	pretty(b, n, s, it);
}

int ex_swap_suffix(char *b, size_t n, const char *name, const char *from, const char *to)
{
	size_t ln = strlen(name), lf = strlen(from);
	if (ln < lf || strcmp(name + ln - lf, from) != 0)
		return 0;
	snprintf(b, n, "%.*s%s", (int)(ln - lf), name, to);
	return 1;
}

void ex_root_text(char *b, size_t n, double v)
{
	double k = v * v, rk = floor(k + 0.5);
	if (rk >= 1 && fabs(k - rk) <= 1e-4 * rk)
		snprintf(b, n, "√%.0f", rk);
	else {
		struct nb t;
		snprintf(b, n, "%s", ex_numstr(&t, v));
	}
}

/* ------------------------------------------------------------------ */
/* The explanation context                                             */

const struct tensor *ex_input(struct ctx *x, int k)
{
	const char *nm = x->t->prov.in[k];
	if (!nm) {
		snprintf(x->why, sizeof x->why, "its provenance does not name input %d", k);
		return NULL;
	}
	const struct tensor *t = trace_get(x->tr, nm);
	if (!t)
		snprintf(x->why, sizeof x->why, "its input %s is not in the trace", nm);
	return t;
}

int ex_fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->why, sizeof x->why, fmt, ap);
	va_end(ap);
	return 0;
}

int ex_in_range(const struct tensor *t, int r, int c)
{
	return t && r >= 0 && c >= 0 && r < t->rows && c < t->cols;
}

int ex_ew(const struct tensor *a, const struct tensor *out, int r, int *ar)
{
	if (a->cols != out->cols || (a->rows != out->rows && a->rows != 1))
		return 0;
	*ar = a->rows == 1 ? 0 : r;
	return 1;
}

void ex_ref(struct ctx *x, const struct tensor *t, const char *sym, int r, int c, int spaced)
{
	if (!x->o)
		return;
	char a[224], b[224];
	ex_label(b, sizeof b, &t->col, c);
	if (t->ndim == 1) {
		ex_put(x->o, "%s[%s]", sym, b);
		return;
	}
	ex_label(a, sizeof a, &t->row, r);
	ex_put(x->o, spaced ? "%s[%s, %s]" : "%s[%s,%s]", sym, a, b);
}

void ex_lhs_named(struct ctx *x, const char *sym)
{
	if (!x->o)
		return;
	size_t start = x->o->len;
	ex_ref(x, x->t, sym, x->r, x->c, 1);
	x->indent = x->o->buf ? text_width(x->o->buf + start) + 1 : 0;
}

void ex_lhs(struct ctx *x)
{
	if (!x->o)
		return;
	char s[96];
	ex_sym_out(s, sizeof s, x->t);
	ex_lhs_named(x, s);
	ex_put(x->o, " = ");
}

void ex_cont(struct ctx *x)
{
	ex_put(x->o, "\n%*s= ", x->indent, "");
}

/* ------------------------------------------------------------------ */
/* Sums                                                                */

void ex_terms(struct ctx *x, int n, termfn f, void *arg, int numeric)
{
	if (!x->o)
		return;
	if (n <= 0) {
		ex_put(x->o, "0");
		return;
	}
	if (n <= SHOW_ALL) {
		for (int i = 0; i < n; i++) {
			if (i)
				ex_put(x->o, " + ");
			f(x, i, numeric, arg);
		}
		return;
	}
	for (int i = 0; i < SHOW_HEAD; i++) {
		if (i)
			ex_put(x->o, " + ");
		f(x, i, numeric, arg);
	}
	ex_put(x->o, " + ... (%d terms)", n);
	for (int i = n - SHOW_TAIL; i < n; i++) {
		ex_put(x->o, " + ");
		f(x, i, numeric, arg);
	}
}

int ex_lin_ok(const struct lin *l, int n)
{
	return n > 0 && ex_in_range(l->t, l->r0, l->c0) &&
	       ex_in_range(l->t, l->r0 + (n - 1) * l->rs, l->c0 + (n - 1) * l->cs);
}

double ex_lin_at(const struct lin *l, int i)
{
	return tensor_at(l->t, l->r0 + i * l->rs, l->c0 + i * l->cs);
}

void ex_lin_ref(struct ctx *x, const struct lin *l, int i)
{
	ex_ref(x, l->t, l->sym, l->r0 + i * l->rs, l->c0 + i * l->cs, 0);
}

void ex_dot_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct dot *d = arg;
	if (numeric) {
		ex_fac(x->o, ex_lin_at(&d->a, i));
		ex_opfac(x->o, "·", ex_lin_at(&d->b, i));
	} else {
		ex_lin_ref(x, &d->a, i);
		ex_put(x->o, "·");
		ex_lin_ref(x, &d->b, i);
	}
}

double ex_dot_sum(const struct dot *d, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += ex_lin_at(&d->a, i) * ex_lin_at(&d->b, i);
	return s;
}

void ex_sub_dot(struct ctx *x, const char *name, struct dot *d, int n, double sum)
{
	if (!x->o)
		return;
	ex_put(x->o, "\n  %s = ", name);
	int ind = 2 + text_width(name) + 1;
	ex_terms(x, n, ex_dot_term, d, 0);
	ex_put(x->o, "\n%*s= ", ind, "");
	ex_terms(x, n, ex_dot_term, d, 1);
	ex_put(x->o, "\n%*s= ", ind, "");
	ex_num(x->o, sum);
}

/* ------------------------------------------------------------------ */
/* The formula of a whole tensor                                       */

void ex_shape(struct out *o, const struct tensor *t)
{
	if (t)
		ex_put(o, "[%d x %d]", t->rows, t->cols);
	else
		ex_put(o, "[?]");
}

void ex_form_init(struct form *f, struct out *o, const struct trace *tr, const struct tensor *t)
{
	f->o = o;
	f->tr = tr;
	f->t = t;
	ex_sym_out(f->self, sizeof f->self, t);
	for (int k = 0; k < PROV_MAX_IN; k++) {
		const char *nm = t->prov.in[k];
		f->in[k] = nm ? trace_get(tr, nm) : NULL;
		if (nm)
			ex_sym_in(f->sym[k], sizeof f->sym[k], t, nm, f->in[k]);
		else
			f->sym[k][0] = 0;
	}
}
