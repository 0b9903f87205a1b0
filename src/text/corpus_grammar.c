/* Drawing a sentence structure (corpus_grammar.h). */
#include "text/corpus_grammar.h"
#include "text/corpus_lexicon.h"

#include <stdint.h>
#include <string.h>

static int rnd(struct rng *r, int n)
{
	return (int)(rng_next(r) % (uint64_t)n);
}

static int chance(struct rng *r, int pct)
{
	return rnd(r, 100) < pct;
}

/* Index drawn with integer weights w[0..n-1] (sum > 0). */
static int pick_weighted(struct rng *r, const int *w, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++)
		sum += w[i];
	int x = rnd(r, sum);
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

enum profile { PF_ARG, PF_PLACE, PF_DEST };

/* Uniform draw among nouns with a class in cls, excluding `except`,
 * with all of `need` flags and (when want_preps) some preposition. */
static int pick_noun(struct rng *r, unsigned cls, int except, unsigned need, int want_preps, int want_dest)
{
	int cand[N_NOUNS], n = 0;
	for (int i = 0; i < N_NOUNS; i++) {
		if (!(lex_nouns[i].cls & cls) || i == except || (lex_nouns[i].flags & need) != need)
			continue;
		if (want_preps && !lex_nouns[i].preps)
			continue;
		if (want_dest && !(lex_nouns[i].flags & N_DEST))
			continue;
		cand[n++] = i;
	}
	return n ? cand[rnd(r, n)] : -1;
}

static int pick_adj(struct rng *r, unsigned cls, unsigned need, unsigned forbid, int except)
{
	int cand[N_ADJS], n = 0;
	for (int i = 0; i < N_ADJS; i++)
		if ((lex_adjs[i].cls & cls) && (lex_adjs[i].flags & need) == need && !(lex_adjs[i].flags & forbid) && i != except)
			cand[n++] = i;
	return n ? cand[rnd(r, n)] : -1;
}

/* max_adj: 0..2; only_pre: attributes limited to size/age (used when the
 * predicate is a colour, so "the small cat is black" but never
 * "the black cat is white"). */
static void gen_np(struct rng *r, struct np *np, int noun, enum profile pf, unsigned vflags, int max_adj,
		   int only_pre)
{
	const struct noun *n = &lex_nouns[noun];
	np->pron = -1;
	np->noun = noun;
	np->pl = 0;
	np->nadj = 0;
	int poss = D_MY + rnd(r, 6);
	if (pf == PF_DEST) {
		np->det = (n->flags & N_PUBLIC) || chance(r, 80) ? D_THE : poss;
		return; /* no adjectives: "去大河边" would be awkward */
	}
	if (pf == PF_PLACE) {
		static const int w[] = {70, 18, 6, 6};
		int k = pick_weighted(r, w, 4);
		if (k == 1 && (n->flags & N_PUBLIC))
			k = 0;
		np->det = k == 0 ? D_THE : k == 1 ? poss : k == 2 ? D_THIS : D_THAT;
	} else if (n->flags & N_MASS) {
		/* Bare mass nouns only as objects ("drinks milk"); pf == PF_ARG
		 * with vflags == 0 marks a subject. */
		static const int w[] = {45, 30, 25};
		int k = vflags ? pick_weighted(r, w, 3) : 1 + rnd(r, 2);
		np->det = k == 0 ? D_BARE : k == 1 ? D_THE : poss;
	} else if (n->flags & N_SGONLY) {
		static const int w[] = {65, 20, 15};
		int k = pick_weighted(r, w, 3);
		if (k == 1 && (n->flags & N_PUBLIC))
			k = 0;
		np->det = k == 0 ? D_THE : k == 1 ? poss : chance(r, 50) ? D_THIS : D_THAT;
	} else {
		/* the, a, this, that, these, those, possessive, number */
		int w[] = {32, 14, 6, 5, 4, 4, 20, 15};
		if (vflags & V_GENERIC)
			w[1] = w[7] = 0; /* "i like a cat" reads oddly; French would need "de" rules */
		if (n->flags & N_PUBLIC)
			w[6] = 0;
		int k = pick_weighted(r, w, 8);
		switch (k) {
		case 0: np->det = D_THE; np->pl = chance(r, 30); break;
		case 1: np->det = D_A; break;
		case 2: np->det = D_THIS; break;
		case 3: np->det = D_THAT; break;
		case 4: np->det = D_THESE; np->pl = 1; break;
		case 5: np->det = D_THOSE; np->pl = 1; break;
		case 6: np->det = poss; np->pl = chance(r, 25); break;
		default: np->det = D_TWO + rnd(r, 4); np->pl = 1; break;
		}
	}
	if (max_adj <= 0)
		return;
	static const int wa[] = {58, 32, 10};
	static const int wp[] = {80, 20, 0};
	int k = pick_weighted(r, pf == PF_PLACE ? wp : wa, 3);
	if (k > max_adj)
		k = max_adj;
	if (only_pre && k > 1)
		k = 1;
	if (k == 2) {
		int a = pick_adj(r, n->cls, ADJ_ATTR | ADJ_PRE, 0, -1);
		int b = pick_adj(r, n->cls, ADJ_ATTR | ADJ_COLOR, 0, -1);
		if (a >= 0 && b >= 0) {
			np->adj[0] = a;
			np->adj[1] = b;
			np->nadj = 2;
			return;
		}
		k = 1;
	}
	if (k == 1) {
		int a = pick_adj(r, n->cls, ADJ_ATTR | (only_pre ? ADJ_PRE : 0), 0, -1);
		if (a >= 0) {
			np->adj[0] = a;
			np->nadj = 1;
		}
	}
}

static void gen_pron(struct np *np, int p)
{
	memset(np, 0, sizeof *np);
	np->pron = p;
}

/* Subject of a verb: a pronoun or an animate noun phrase. */
static void gen_subject(struct rng *r, struct np *np, unsigned cls, int pron_pct)
{
	if (chance(r, pron_pct)) {
		gen_pron(np, rnd(r, N_PRONS));
		return;
	}
	gen_np(r, np, pick_noun(r, cls, -1, 0, 0, 0), PF_ARG, 0, 2, 0);
}

/* Swimming happens in water; nothing else does ("drinks tea in the river"). */
static void gen_place(struct rng *r, struct sent *s, int except, int swim)
{
	int n = pick_noun(r, swim ? C_PLACE : ~0u, except, swim ? N_WATER : 0, 1, 0);
	unsigned pm = lex_nouns[n].preps;
	if (swim)
		pm = PB(P_IN);
	else if (lex_nouns[n].flags & N_WATER)
		pm &= ~PB(P_IN);
	int cand[P_COUNT], k = 0;
	for (int p = 0; p < P_COUNT; p++)
		if (pm & PB(p))
			cand[k++] = p;
	s->prep = cand[rnd(r, k)];
	gen_np(r, &s->place, n, PF_PLACE, 0, 1, 0);
}

static int subj_noun(const struct sent *s)
{
	return s->subj.pron >= 0 ? -1 : s->subj.noun;
}

static void gen_verb_sentence(struct rng *r, struct sent *s)
{
	/* Pick a verb that fits the sentence type. */
	int cand[N_VERBS], nc = 0;
	for (int i = 0; i < N_VERBS; i++) {
		unsigned f = lex_verbs[i].flags;
		if (s->type == S_Q_WHAT &&
		    !((f & V_TR) && (lex_verbs[i].obj & (C_FOOD | C_MASS | C_DRINK | C_READ | C_THING | C_VEH | C_OPEN))))
			continue;
		if (s->type == S_Q_WHERE && !(f & (V_PLACE | V_GO)))
			continue;
		cand[nc++] = i;
	}
	s->verb = cand[rnd(r, nc)];
	const struct verb *v = &lex_verbs[s->verb];
	gen_subject(r, &s->subj, v->subj, 30);

	if ((v->flags & V_TR) && s->type != S_Q_WHAT) {
		s->has_obj = 1;
		int done = 0;
		if ((v->flags & V_PRON) && chance(r, 25)) {
			int p = rnd(r, N_PRONS);
			int sg = s->subj.pron >= 0 ? lex_prons[s->subj.pron].group : 3;
			if (!(sg == lex_prons[p].group && sg != 3)) {
				gen_pron(&s->obj, p);
				done = 1;
			}
		}
		if (!done)
			gen_np(r, &s->obj, pick_noun(r, v->obj, subj_noun(s), 0, 0, 0), PF_ARG, v->flags | V_TR, 2, 0);
	}
	if ((v->flags & V_GO) && s->type != S_Q_WHERE) {
		s->has_dest = 1;
		gen_np(r, &s->dest, pick_noun(r, C_PLACE, -1, 0, 0, 1), PF_DEST, 0, 0, 0);
	}

	if (s->type == S_DECL && (v->flags & V_ADV)) {
		static const int w[] = {50, 22, 9, 10, 9};
		s->adv = (enum adv)pick_weighted(r, w, 5);
	} else if (s->type == S_DECL) {
		s->adv = chance(r, 25) ? A_NOT : A_NONE;
	} else if ((s->type == S_Q_DO || s->type == S_Q_WHAT) && (v->flags & V_ADV)) {
		static const int w[] = {80, 0, 0, 10, 10};
		s->adv = (enum adv)pick_weighted(r, w, 5);
	}

	if ((v->flags & V_PLACE) && s->type != S_Q_WHERE && chance(r, 40))
		gen_place(r, s, subj_noun(s), (v->flags & V_WATER) != 0);
	if (chance(r, 35))
		s->time = rnd(r, N_TIMES);
}

/* "where is a horse" and "is a cat black" read oddly: questions about a
 * subject's place or look use "the". */
static void make_definite(struct np *np)
{
	if (np->pron < 0 && (np->det == D_A || (np->det >= D_TWO && np->det <= D_FIVE)))
		np->det = D_THE;
}

void sent_draw(struct rng *r, struct sent *s)
{
	memset(s, 0, sizeof *s);
	s->verb = -1;
	s->padj = -1;
	s->prep = -1;
	s->time = -1;
	s->subj.pron = s->obj.pron = s->place.pron = s->dest.pron = -1;

	static const int w[] = {48, 10, 8, 12, 3, 3, 8, 5, 3};
	s->type = (enum stype)pick_weighted(r, w, 9);
	switch (s->type) {
	case S_DECL:
	case S_Q_DO:
	case S_Q_WHAT:
	case S_Q_WHERE:
		gen_verb_sentence(r, s);
		break;
	case S_COP_ADJ:
	case S_Q_COP_ADJ: {
		s->padj = pick_adj(r, ~0u, ADJ_PRED, 0, -1);
		const struct adj *a = &lex_adjs[s->padj];
		/* Pronouns only where French agreement is known: he, she, they. */
		if ((a->cls & C_LIVE) && chance(r, 25)) {
			static const int p3[] = {PR_HE, PR_SHE, PR_THEY};
			gen_pron(&s->subj, p3[rnd(r, 3)]);
		} else {
			int pre = (a->flags & ADJ_PRE) != 0;
			gen_np(r, &s->subj, pick_noun(r, a->cls, -1, 0, 0, 0), PF_ARG, 0, pre ? 0 : 1, 1);
		}
		if (s->type == S_COP_ADJ) {
			static const int wa[] = {60, 25, 0, 8, 7};
			static const int wn[] = {70, 30, 0, 0, 0};
			s->adv = (enum adv)pick_weighted(r, (a->flags & ADJ_ADV) ? wa : wn, 5);
		}
		/* "is tired today", but not "is blue today" */
		if ((a->flags & ADJ_ADV) && chance(r, 35))
			s->time = rnd(r, N_TIMES);
		break;
	}
	case S_COP_LOC:
	case S_Q_COP_LOC:
		if (chance(r, 25))
			gen_pron(&s->subj, rnd(r, N_PRONS));
		else
			gen_np(r, &s->subj, pick_noun(r, C_LOCATABLE, -1, 0, 0, 0), PF_ARG, 0, 2, 0);
		gen_place(r, s, subj_noun(s), 0);
		if (s->type == S_COP_LOC) {
			static const int wl[] = {60, 25, 0, 8, 7};
			s->adv = (enum adv)pick_weighted(r, wl, 5);
		}
		if (chance(r, 30))
			s->time = rnd(r, N_TIMES);
		break;
	case S_Q_WHERE_IS:
		gen_np(r, &s->subj, pick_noun(r, C_LOCATABLE, -1, 0, 0, 0), PF_ARG, 0, 2, 0);
		if (chance(r, 30))
			s->time = rnd(r, N_TIMES);
		break;
	}
	if (s->adv >= A_NEVER && s->time >= 0 && lex_times[s->time].every)
		s->time = -1;
	if (s->type == S_Q_COP_ADJ || s->type == S_Q_COP_LOC || s->type == S_Q_WHERE_IS)
		make_definite(&s->subj);
}
