/* Rendering a drawn sentence (corpus_grammar.h) in English, Chinese and
 * French. Every rendering is a pure function of the structure, and the
 * English keeps enough of it that each English sentence has one
 * translation (corpus_generate checks). Word order differs: French
 * adjectives after the noun and object clitics before the verb; Chinese
 * time and place before the verb, questions in situ. */
#ifndef SEQSTEP_CORPUS_RENDER_H
#define SEQSTEP_CORPUS_RENDER_H

#include "text/corpus_grammar.h"

#include <stddef.h>

enum { SENT_MAX_TOKS = 64, SENT_MAX_TEXT = 1024 };

/* Tokens point into the static tables; multi-word table entries
 * ("in front of", "tous les jours") are split so French contractions can
 * see every word. */
struct toks {
	const char *p[SENT_MAX_TOKS];
	int len[SENT_MAX_TOKS];
	int n, over;
};

/* Appends the space-separated words of s (a table entry). */
void toks_add(struct toks *t, const char *s);

/* A rendered sentence, NUL-terminated; over: it did not fit. */
struct textbuf {
	char b[SENT_MAX_TEXT];
	size_t n;
	int over;
};

/* Each renders s into out, replacing what it held, and returns -1 when the
 * sentence is too long for the buffers; English and French return their
 * token count, Chinese (no spaces) 0. */
int sent_render_en(const struct sent *s, struct textbuf *out);
int sent_render_zh(const struct sent *s, struct textbuf *out);
int sent_render_fr(const struct sent *s, struct textbuf *out);

#endif
