/* English, Chinese and French renderings (corpus_render.h). */
#include "text/corpus_render.h"
#include "text/corpus_lexicon.h"

#include <string.h>

void toks_add(struct toks *t, const char *s)
{
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *b = s;
		while (*s && *s != ' ')
			s++;
		if (t->n == SENT_MAX_TOKS) {
			t->over = 1;
			return;
		}
		t->p[t->n] = b;
		t->len[t->n] = (int)(s - b);
		t->n++;
	}
}

static int toks_is(const struct toks *t, int i, const char *w)
{
	return i < t->n && t->len[i] == (int)strlen(w) && memcmp(t->p[i], w, (size_t)t->len[i]) == 0;
}

static void sb_addn(struct textbuf *s, const char *p, size_t n)
{
	if (s->over || s->n + n + 1 > sizeof s->b) {
		s->over = 1;
		return;
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = 0;
}

static void sb_add(struct textbuf *s, const char *p)
{
	sb_addn(s, p, strlen(p));
}

static int np_third_sg(const struct np *np)
{
	return np->pron >= 0 ? lex_prons[np->pron].third_sg : !np->pl;
}

static int np_live(const struct np *np)
{
	return np->pron >= 0 || (lex_nouns[np->noun].cls & C_LIVE);
}

/* English */

static void en_np(struct toks *t, const struct np *np, int object)
{
	if (np->pron >= 0) {
		toks_add(t, object ? lex_prons[np->pron].en_obj : lex_prons[np->pron].en);
		return;
	}
	const struct noun *n = &lex_nouns[np->noun];
	if (np->det != D_BARE)
		toks_add(t, lex_dets[np->det].en);
	for (int i = 0; i < np->nadj; i++)
		toks_add(t, lex_adjs[np->adj[i]].en);
	toks_add(t, np->pl ? n->en_pl : n->en);
}

static const char *en_be(const struct np *np)
{
	return np->pron >= 0 ? lex_prons[np->pron].be : np->pl ? "are" : "is";
}

static void en_tail(struct toks *t, const struct sent *s)
{
	if (s->has_obj)
		en_np(t, &s->obj, 1);
	if (s->has_dest) {
		toks_add(t, "to");
		en_np(t, &s->dest, 1);
	}
	if (s->prep >= 0) {
		toks_add(t, lex_preps[s->prep].en);
		en_np(t, &s->place, 1);
	}
}

static void en_time(struct toks *t, const struct sent *s)
{
	if (s->time >= 0)
		toks_add(t, lex_times[s->time].en);
}

static const char *const en_adv[] = {NULL, "not", "never", "often", "always"};

/* The adverb, if any, where English puts it: before the verb, after "be". */
static void en_adverb(struct toks *t, const struct sent *s)
{
	if (s->adv != A_NONE)
		toks_add(t, en_adv[s->adv]);
}

/* What follows a copula: the adjective, or the place. */
static void en_complement(struct toks *t, const struct sent *s)
{
	if (s->type == S_COP_ADJ || s->type == S_Q_COP_ADJ)
		toks_add(t, lex_adjs[s->padj].en);
	else
		en_tail(t, s);
}

static void en_sentence(struct toks *t, const struct sent *s)
{
	const struct verb *v = s->verb >= 0 ? &lex_verbs[s->verb] : NULL;
	const char *aux = np_third_sg(&s->subj) ? "does" : "do";
	switch (s->type) {
	case S_DECL:
		en_np(t, &s->subj, 0);
		if (s->adv == A_NOT) {
			toks_add(t, aux);
			toks_add(t, "not");
			toks_add(t, v->en);
		} else {
			en_adverb(t, s);
			toks_add(t, np_third_sg(&s->subj) ? v->en3 : v->en);
		}
		en_tail(t, s);
		break;
	case S_Q_DO:
	case S_Q_WHAT:
	case S_Q_WHERE:
		/* [what | where] does the cat [often] eat ... (where-questions
		 * draw no adverb) */
		if (s->type != S_Q_DO)
			toks_add(t, s->type == S_Q_WHAT ? "what" : "where");
		toks_add(t, aux);
		en_np(t, &s->subj, 0);
		en_adverb(t, s);
		toks_add(t, v->en);
		en_tail(t, s);
		break;
	case S_COP_ADJ:
	case S_COP_LOC:
		en_np(t, &s->subj, 0);
		toks_add(t, en_be(&s->subj));
		en_adverb(t, s);
		en_complement(t, s);
		break;
	case S_Q_COP_ADJ:
	case S_Q_COP_LOC:
		toks_add(t, en_be(&s->subj));
		en_np(t, &s->subj, 0);
		en_complement(t, s);
		break;
	case S_Q_WHERE_IS:
		toks_add(t, "where");
		toks_add(t, en_be(&s->subj));
		en_np(t, &s->subj, 0);
		break;
	}
	en_time(t, s);
}

static int is_en_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Joins with single spaces; "a" becomes "an" before a vowel. */
static void en_join(const struct toks *t, struct textbuf *out)
{
	for (int i = 0; i < t->n; i++) {
		if (i)
			sb_add(out, " ");
		if (toks_is(t, i, "a") && i + 1 < t->n && is_en_vowel(t->p[i + 1][0]))
			sb_add(out, "an");
		else
			sb_addn(out, t->p[i], (size_t)t->len[i]);
	}
}

/* Chinese: subject, time, adverb or negation, place, verb, object. */

static void zh_np(struct textbuf *b, const struct np *np, int dest)
{
	if (np->pron >= 0) {
		sb_add(b, lex_prons[np->pron].zh);
		return;
	}
	const struct noun *n = &lex_nouns[np->noun];
	int live = (n->cls & C_LIVE) != 0;
	sb_add(b, lex_dets[np->det].zh);
	if (lex_dets[np->det].mw)
		sb_add(b, n->mw);
	for (int i = 0; i < np->nadj; i++) {
		const struct adj *a = &lex_adjs[np->adj[i]];
		sb_add(b, !live && a->zh_inan ? a->zh_inan : a->zh);
	}
	sb_add(b, dest && n->zh_dest ? n->zh_dest : n->zh);
}

static void zh_place(struct textbuf *b, const struct sent *s)
{
	if (s->prep < 0)
		return;
	sb_add(b, "在");
	zh_np(b, &s->place, 0);
	const struct noun *n = &lex_nouns[s->place.noun];
	sb_add(b, s->prep == P_IN && n->zh_in ? n->zh_in : lex_preps[s->prep].zh_loc);
}

static void zh_adv(struct textbuf *b, const struct sent *s)
{
	switch (s->adv) {
	case A_NONE: break;
	case A_NOT: sb_add(b, s->verb >= 0 && lex_verbs[s->verb].zh_neg ? lex_verbs[s->verb].zh_neg : "不"); break;
	case A_NEVER: sb_add(b, "从不"); break;
	case A_OFTEN: sb_add(b, "经常"); break;
	case A_ALWAYS: sb_add(b, "总是"); break;
	}
}

static void zh_sentence(struct textbuf *b, const struct sent *s)
{
	const struct verb *v = s->verb >= 0 ? &lex_verbs[s->verb] : NULL;
	zh_np(b, &s->subj, 0);
	if (s->time >= 0)
		sb_add(b, lex_times[s->time].zh);
	switch (s->type) {
	case S_DECL:
	case S_Q_DO:
	case S_Q_WHAT:
		zh_adv(b, s);
		zh_place(b, s);
		sb_add(b, v->zh);
		if (s->has_dest)
			zh_np(b, &s->dest, 1);
		if (s->has_obj)
			zh_np(b, &s->obj, 0);
		if (s->type == S_Q_WHAT)
			sb_add(b, "什么"); /* in the object's place, which it lacks */
		break;
	case S_Q_WHERE:
		if (v->flags & V_GO) {
			sb_add(b, "去哪里");
		} else {
			sb_add(b, "在哪里");
			sb_add(b, v->zh);
			if (s->has_obj)
				zh_np(b, &s->obj, 0);
		}
		break;
	case S_COP_ADJ:
	case S_Q_COP_ADJ: {
		const struct adj *a = &lex_adjs[s->padj];
		const char *pred = !np_live(&s->subj) && a->zh_pred_inan ? a->zh_pred_inan : a->zh_pred;
		if (s->adv == A_NOT) {
			/* 很大 -> 不大, 是黑色的 -> 不是黑色的 */
			sb_add(b, "不");
			if (strncmp(pred, "很", strlen("很")) == 0)
				pred += strlen("很");
		} else {
			zh_adv(b, s);
		}
		sb_add(b, pred);
		break;
	}
	case S_COP_LOC:
	case S_Q_COP_LOC:
		zh_adv(b, s);
		zh_place(b, s);
		break;
	case S_Q_WHERE_IS:
		sb_add(b, "在哪里");
		break;
	}
	/* yes/no questions end in 吗 */
	if (s->type == S_Q_DO || s->type == S_Q_COP_ADJ || s->type == S_Q_COP_LOC)
		sb_add(b, "吗");
}

/* French: subject, ne, clitic, verb, pas/jamais/adverb, object, place, time. */

enum { FR_NEG = 1, FR_GENERIC = 2 };

static void fr_np(struct toks *t, const struct np *np, int mode)
{
	if (np->pron >= 0) {
		toks_add(t, lex_prons[np->pron].fr);
		return;
	}
	const struct noun *n = &lex_nouns[np->noun];
	int g = n->fem, form = g + 2 * np->pl;
	if (np->det == D_BARE) {
		/* aime le lait / ne boit pas de lait / boit du lait ("de le" contracts) */
		if (mode & FR_GENERIC) {
			toks_add(t, g ? "la" : "le");
		} else if (mode & FR_NEG) {
			toks_add(t, "de");
		} else {
			toks_add(t, "de");
			toks_add(t, g ? "la" : "le");
		}
	} else if (np->det == D_A && (mode & FR_NEG)) {
		toks_add(t, "de"); /* ne voit pas de chat */
	} else {
		const struct det *d = &lex_dets[np->det];
		toks_add(t, np->pl ? d->fr_pl : g ? d->fr_f : d->fr_m);
	}
	for (int i = 0; i < np->nadj; i++)
		if (lex_adjs[np->adj[i]].flags & ADJ_PRE)
			toks_add(t, lex_adjs[np->adj[i]].fr[form]);
	toks_add(t, np->pl ? n->fr_pl : n->fr);
	for (int i = 0; i < np->nadj; i++)
		if (!(lex_adjs[np->adj[i]].flags & ADJ_PRE))
			toks_add(t, lex_adjs[np->adj[i]].fr[form]);
}

static int fr_person(const struct np *np)
{
	return np->pron >= 0 ? lex_prons[np->pron].person : np->pl ? 5 : 2;
}

static int fr_form(const struct np *np)
{
	if (np->pron >= 0)
		return lex_prons[np->pron].fem + 2 * lex_prons[np->pron].pl;
	return lex_nouns[np->noun].fem + 2 * np->pl;
}

static void fr_place_time(struct toks *t, const struct sent *s)
{
	if (s->has_dest) {
		toks_add(t, "à");
		fr_np(t, &s->dest, 0);
	}
	if (s->prep >= 0) {
		toks_add(t, lex_preps[s->prep].fr);
		fr_np(t, &s->place, 0);
	}
	if (s->time >= 0)
		toks_add(t, lex_times[s->time].fr);
}

static void fr_post_adv(struct toks *t, enum adv a)
{
	static const char *const w[] = {NULL, "pas", "jamais", "souvent", "toujours"};
	if (a != A_NONE)
		toks_add(t, w[a]);
}

/* The verb group of a verb sentence, from the subject on. */
static void fr_clause(struct toks *t, const struct sent *s, int with_obj)
{
	const struct verb *v = &lex_verbs[s->verb];
	int neg = s->adv == A_NOT || s->adv == A_NEVER;
	fr_np(t, &s->subj, 0);
	if (neg)
		toks_add(t, "ne");
	if (with_obj && s->has_obj && s->obj.pron >= 0)
		toks_add(t, lex_prons[s->obj.pron].fr_obj);
	toks_add(t, v->fr[fr_person(&s->subj)]);
	fr_post_adv(t, s->adv);
	if (with_obj && s->has_obj && s->obj.pron < 0)
		fr_np(t, &s->obj, (neg ? FR_NEG : 0) | ((v->flags & V_GENERIC) ? FR_GENERIC : 0));
}

static void fr_copula(struct toks *t, const struct sent *s)
{
	int neg = s->adv == A_NOT;
	fr_np(t, &s->subj, 0);
	if (neg)
		toks_add(t, "ne");
	toks_add(t, lex_fr_etre[fr_person(&s->subj)]);
	fr_post_adv(t, s->adv);
	if (s->padj >= 0)
		toks_add(t, lex_adjs[s->padj].fr[fr_form(&s->subj)]);
}

static void fr_sentence(struct toks *t, const struct sent *s)
{
	switch (s->type) {
	case S_DECL:
		fr_clause(t, s, 1);
		break;
	case S_Q_DO:
		toks_add(t, "est-ce que");
		fr_clause(t, s, 1);
		break;
	case S_Q_WHAT:
		toks_add(t, "qu'est-ce que");
		fr_clause(t, s, 0);
		break;
	case S_Q_WHERE:
		toks_add(t, "où est-ce que");
		fr_clause(t, s, 1);
		break;
	case S_COP_ADJ:
	case S_COP_LOC:
		fr_copula(t, s);
		break;
	case S_Q_COP_ADJ:
	case S_Q_COP_LOC:
		toks_add(t, "est-ce que");
		fr_copula(t, s);
		break;
	case S_Q_WHERE_IS:
		toks_add(t, "où");
		toks_add(t, s->subj.pl ? "sont" : "est");
		fr_np(t, &s->subj, 0);
		break;
	}
	fr_place_time(t, s);
}

static int fr_vowel(const struct toks *t, int i)
{
	if (i >= t->n)
		return 0;
	const unsigned char *p = (const unsigned char *)t->p[i];
	if (strchr("aeiouy", p[0]) && p[0])
		return 1;
	/* à â è é ê î ô û */
	return p[0] == 0xC3 && t->len[i] > 1 &&
	       (p[1] == 0xA0 || p[1] == 0xA2 || p[1] == 0xA8 || p[1] == 0xA9 || p[1] == 0xAA || p[1] == 0xAE ||
		p[1] == 0xB4 || p[1] == 0xBB);
}

/* Contractions (de le -> du, à le -> au, ...) and elision (je aime ->
 * j'aime, que il -> qu'il), the way French is written. */
static void fr_join(const struct toks *t, struct textbuf *out)
{
	static const char *const elide[] = {"je", "me", "le", "la", "ne", "de", "que"};
	int glue = 1; /* no space before the first token or after an elision */
	for (int i = 0; i < t->n; i++) {
		if (!glue)
			sb_add(out, " ");
		glue = 0;
		int de = toks_is(t, i, "de"), a = toks_is(t, i, "à");
		if ((de || a) && (toks_is(t, i + 1, "les") || (toks_is(t, i + 1, "le") && !fr_vowel(t, i + 2)))) {
			int pl = toks_is(t, i + 1, "les");
			sb_add(out, de ? (pl ? "des" : "du") : (pl ? "aux" : "au"));
			i++;
			continue;
		}
		int el = 0;
		for (size_t k = 0; k < sizeof elide / sizeof elide[0]; k++)
			if (toks_is(t, i, elide[k]))
				el = 1;
		if (el && fr_vowel(t, i + 1)) {
			sb_addn(out, t->p[i], (size_t)t->len[i] - 1);
			sb_add(out, "'");
			glue = 1;
			continue;
		}
		sb_addn(out, t->p[i], (size_t)t->len[i]);
	}
}

static void textbuf_reset(struct textbuf *b)
{
	b->n = 0;
	b->over = 0;
	b->b[0] = 0;
}

/* A sentence built as tokens, then joined into text: its token count. */
static int render_tokens(const struct sent *s, struct textbuf *out,
			 void (*build)(struct toks *, const struct sent *),
			 void (*join)(const struct toks *, struct textbuf *))
{
	struct toks t = {0};
	textbuf_reset(out);
	build(&t, s);
	if (t.over)
		return -1;
	join(&t, out);
	return out->over ? -1 : t.n;
}

int sent_render_en(const struct sent *s, struct textbuf *out)
{
	return render_tokens(s, out, en_sentence, en_join);
}

int sent_render_zh(const struct sent *s, struct textbuf *out)
{
	textbuf_reset(out);
	zh_sentence(out, s);
	return out->over ? -1 : 0;
}

int sent_render_fr(const struct sent *s, struct textbuf *out)
{
	return render_tokens(s, out, fr_sentence, fr_join);
}
