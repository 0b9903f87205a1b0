/* The toy corpus's grammar: a sentence drawn as a structure (subject,
 * verb, object, place, destination, time, adverb, sentence type) from the
 * lexicon (corpus_lexicon.h), before any language renders it
 * (corpus_render.h). Randomness comes only from splitmix64 with integer
 * arithmetic, so a seed draws the same sentences on every machine. */
#ifndef SEQSTEP_CORPUS_GRAMMAR_H
#define SEQSTEP_CORPUS_GRAMMAR_H

#include "base/rng.h"

enum stype {
	S_DECL,       /* the cat sleeps on the mat */
	S_COP_ADJ,    /* the cat is black */
	S_COP_LOC,    /* the cat is on the mat */
	S_Q_DO,       /* does the cat sleep on the mat */
	S_Q_COP_ADJ,  /* is the cat black */
	S_Q_COP_LOC,  /* is the cat on the mat */
	S_Q_WHAT,     /* what does the cat eat */
	S_Q_WHERE,    /* where does the cat sleep */
	S_Q_WHERE_IS, /* where is the cat */
};

enum adv { A_NONE, A_NOT, A_NEVER, A_OFTEN, A_ALWAYS };

struct np {
	int pron; /* >= 0: a pronoun, the rest unused */
	int noun, det, pl, nadj;
	int adj[2];
};

struct sent {
	enum stype type;
	struct np subj;
	int verb; /* -1 for copula sentences */
	int has_obj;
	struct np obj;
	enum adv adv;
	int padj;  /* predicate adjective, copula sentences */
	int prep;  /* -1: no place phrase */
	struct np place;
	int has_dest;
	struct np dest;
	int time; /* -1: none */
};

/* Draws one sentence structure; every field is set (-1 / A_NONE for what
 * the sentence lacks). */
void sent_draw(struct rng *r, struct sent *s);

#endif
