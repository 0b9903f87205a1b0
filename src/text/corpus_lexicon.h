/* The toy corpus's lexicon (text/corpus.h): every noun, adjective, verb,
 * pronoun, determiner, preposition and time phrase the grammar can use,
 * with its English, Chinese and French forms and the classes and flags that
 * keep sentences sensible. Tables only: drawing a sentence is
 * corpus_grammar.c, rendering it corpus_render.c. */
#ifndef SEQSTEP_CORPUS_LEXICON_H
#define SEQSTEP_CORPUS_LEXICON_H

/* Semantic classes, so verbs and adjectives pick sensible nouns. */
enum {
	C_ANIM = 1 << 0,  /* animals */
	C_PERS = 1 << 1,  /* people */
	C_FOOD = 1 << 2,  /* countable food */
	C_MASS = 1 << 3,  /* mass food */
	C_DRINK = 1 << 4, /* mass drinks */
	C_READ = 1 << 5,  /* book, letter */
	C_THING = 1 << 6, /* small portable things */
	C_OPEN = 1 << 7,  /* can be opened */
	C_SHUT = 1 << 8,  /* can be closed */
	C_FURN = 1 << 9,  /* furniture */
	C_VEH = 1 << 10,  /* vehicles */
	C_HOUSE = 1 << 11,
	C_PLACE = 1 << 12, /* rooms and outdoor places (singular only) */
};
#define C_LIVE (C_ANIM | C_PERS)
#define C_OBJ (C_FOOD | C_READ | C_THING | C_FURN | C_VEH | C_HOUSE)
/* What can be "on the mat" or "where is ...". */
#define C_LOCATABLE (C_LIVE | C_FOOD | C_MASS | C_DRINK | C_READ | C_THING | C_VEH)

enum { P_ON, P_IN, P_UNDER, P_NEAR, P_BEHIND, P_FRONT, P_COUNT };
#define PB(p) (1u << (p))

enum {
	N_SGONLY = 1, /* never plural: places */
	N_MASS = 2,   /* bare in English objects; partitive in French */
	N_DEST = 4,   /* can follow "go to" */
	N_PUBLIC = 8, /* no possessive ("my river", "my woman") */
	N_WATER = 16, /* "in" only for swimming */
};

struct noun {
	const char *en, *en_pl, *fr, *fr_pl;
	int fem;
	const char *zh, *mw; /* Chinese noun and its measure word */
	unsigned cls, preps;
	const char *zh_in;   /* localizer for "in" when not 里 */
	const char *zh_dest; /* after 去 when not the noun itself */
	unsigned flags;
};

enum {
	ADJ_PRE = 1,   /* French: before the noun */
	ADJ_COLOR = 2, /* may follow a size/age adjective: "small black cat" */
	ADJ_ATTR = 4,  /* used before a noun */
	ADJ_PRED = 8,  /* used after "is" */
	ADJ_ADV = 16,  /* "is often tired" reads naturally */
};

struct adj {
	const char *en;
	const char *fr[4]; /* m sg, f sg, m pl, f pl */
	const char *zh, *zh_inan;           /* attributive; inanimate variant */
	const char *zh_pred, *zh_pred_inan; /* after the subject */
	unsigned cls, flags;
};

enum {
	V_TR = 1,      /* takes an object */
	V_PLACE = 2,   /* takes "on the mat" and "where does ..." */
	V_ADV = 4,     /* takes often/always/never */
	V_PRON = 8,    /* object may be a pronoun (French clitic before the verb) */
	V_GENERIC = 16, /* "like": bare mass noun -> le/la, never "a" or numbers */
	V_GO = 32,     /* "go to PLACE" */
	V_WATER = 64,  /* its place is "in the river/lake" */
};

struct verb {
	const char *en, *en3;
	const char *fr[6]; /* je tu il nous vous ils */
	const char *zh, *zh_neg;
	unsigned subj, obj, flags;
};

enum { PR_I, PR_YOU, PR_HE, PR_SHE, PR_WE, PR_THEY, N_PRONS };

struct pron {
	const char *en, *en_obj, *zh, *fr, *fr_obj, *be;
	int person; /* index into struct verb.fr */
	int third_sg, fem, pl;
	int group; /* 1 = I/we, 2 = you, 3 = third: "i see me" is avoided */
};

enum {
	D_THE, D_A, D_THIS, D_THAT, D_THESE, D_THOSE,
	D_MY, D_YOUR, D_HIS, D_HER, D_OUR, D_THEIR,
	D_TWO, D_THREE, D_FOUR, D_FIVE, D_BARE, N_DETS
};

struct det {
	const char *en, *zh;
	int mw; /* Chinese measure word follows */
	const char *fr_m, *fr_f, *fr_pl;
};

struct prep {
	const char *en, *fr, *zh_loc;
};

struct timex {
	const char *en, *fr, *zh;
	int every; /* not with often/always/never: "always ... every day" */
};

/* The tables; each count is checked against its table where it is defined. */
enum { N_NOUNS = 48, N_ADJS = 18, N_VERBS = 28, N_TIMES = 8, N_FRAME_WORDS = 13 };
extern const struct noun lex_nouns[];
extern const struct adj lex_adjs[];
extern const struct verb lex_verbs[];
extern const struct pron lex_prons[N_PRONS];
extern const char *const lex_fr_etre[6]; /* être, by struct pron.person */
extern const struct det lex_dets[N_DETS];
extern const struct prep lex_preps[P_COUNT];
extern const struct timex lex_times[];
/* English words that only the sentence frames emit. */
extern const char *const lex_frame_words[];

#endif
