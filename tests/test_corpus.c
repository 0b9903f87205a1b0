/* The toy corpora: deterministic, equal to the committed files under
 * models/corpus/ (run from the repository root), and showing the phenomena
 * the grammar promises. SEQSTEP_CORPUS_REGEN=1 rewrites the committed files
 * first (after a deliberate grammar change). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/corpus.h"

#include "testdata.h"

static const char *const splits[3] = {"train", "valid", "test"};
static const enum corpus_lang langs[2] = {CORPUS_EN_ZH, CORPUS_EN_FR};

static char root[64];
static struct corpus data[2][3]; /* [lang][split], generated with the defaults */

/* ---- helpers ---------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap + 1);
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

static int same_file(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	char *x = read_file(a, &la), *y = read_file(b, &lb);
	int same = x && y && la == lb && memcmp(x, y, la) == 0;
	free(x);
	free(y);
	return same;
}

static void path3(char *out, size_t n, const char *a, const char *b, const char *c)
{
	snprintf(out, n, "%s/%s/%s.tsv", a, b, c);
}

static void generate(enum corpus_lang lang, const char *dir)
{
	struct corpus_opts o;
	corpus_opts_default(&o, lang);
	struct err e = {0};
	enum status st = corpus_generate(&o, dir, &e);
	if (st)
		print_error("%s\n", e.msg);
	assert_int_equal(st, ST_OK);
}

static void remove_split_dir(const char *dir)
{
	char p[512];
	for (int s = 0; s < 3; s++) {
		snprintf(p, sizeof p, "%s/%s.tsv", dir, splits[s]);
		unlink(p);
	}
	rmdir(dir);
}

static int ntok(const char *s)
{
	int n = 0, in = 0;
	for (; *s; s++) {
		if (*s == ' ')
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* Splits a copy of s at single spaces; returns the count. */
static int words(const char *s, char *buf, size_t cap, char **w, int max)
{
	snprintf(buf, cap, "%s", s);
	int n = 0;
	for (char *p = strtok(buf, " "); p && n < max; p = strtok(NULL, " "))
		w[n++] = p;
	return n;
}

/* Whole-word phrase search. */
static int has_phrase(const char *s, const char *ph)
{
	size_t n = strlen(ph);
	for (const char *p = strstr(s, ph); p; p = strstr(p + 1, ph))
		if ((p == s || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
	return 0;
}

/* A small string set (open addressing), for uniqueness and vocabularies. */
struct sset {
	const char **v;
	size_t cap, n;
};

static int sset_add(struct sset *s, const char *str)
{
	if (!s->v) {
		s->cap = 1 << 16;
		s->v = calloc(s->cap, sizeof *s->v);
	}
	uint64_t h = 1469598103934665603ull;
	for (const char *p = str; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (size_t j = h & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
		if (!s->v[j]) {
			s->v[j] = str;
			s->n++;
			assert_true(s->n < s->cap / 2);
			return 1;
		}
		if (strcmp(s->v[j], str) == 0)
			return 0;
	}
}

static void sset_free(struct sset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* ---- setup ------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/seqstep-corpus-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	for (int l = 0; l < 2; l++) {
		char dir[256], p[512];
		snprintf(dir, sizeof dir, "%s/%s", root, corpus_lang_dir(langs[l]));
		struct corpus_opts o;
		corpus_opts_default(&o, langs[l]);
		struct err e = {0};
		if (corpus_generate(&o, dir, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return -1;
		}
		for (int s = 0; s < 3; s++) {
			path3(p, sizeof p, root, corpus_lang_dir(langs[l]), splits[s]);
			if (corpus_load(&data[l][s], p, &e)) {
				fprintf(stderr, "%s\n", e.msg);
				return -1;
			}
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int l = 0; l < 2; l++) {
		char dir[256];
		for (int s = 0; s < 3; s++)
			corpus_release(&data[l][s]);
		snprintf(dir, sizeof dir, "%s/%s", root, corpus_lang_dir(langs[l]));
		remove_split_dir(dir);
	}
	rmdir(root);
	return 0;
}

/* ---- generation ------------------------------------------------------- */

static void test_deterministic(void **state)
{
	(void)state;
	for (int l = 0; l < 2; l++) {
		char dir[256], a[512], b[512];
		snprintf(dir, sizeof dir, "%s/again", root);
		generate(langs[l], dir);
		for (int s = 0; s < 3; s++) {
			snprintf(a, sizeof a, "%s/%s.tsv", dir, splits[s]);
			path3(b, sizeof b, root, corpus_lang_dir(langs[l]), splits[s]);
			assert_true(same_file(a, b));
		}
		remove_split_dir(dir);
	}
}

static void test_committed_files(void **state)
{
	(void)state;
	int regen = getenv("SEQSTEP_CORPUS_REGEN") != NULL;
	for (int l = 0; l < 2; l++) {
		char dir[256], a[512], b[512];
		snprintf(dir, sizeof dir, "models/corpus/%s", corpus_lang_dir(langs[l]));
		if (regen)
			generate(langs[l], dir);
		for (int s = 0; s < 3; s++) {
			snprintf(a, sizeof a, "%s/%s.tsv", dir, splits[s]);
			path3(b, sizeof b, root, corpus_lang_dir(langs[l]), splits[s]);
			if (!same_file(a, b)) {
				print_error("%s differs from corpus_generate's output (run from the repository root;"
					    " SEQSTEP_CORPUS_REGEN=1 rewrites it)\n", a);
				fail();
			}
		}
	}
}

/* The BPTT lab's recall task: the committed files are the generator's,
 * every answer is the first three symbols reversed, lengths 10..100 (both
 * ends drawn), and the options are checked. */
static void test_recall(void **state)
{
	(void)state;
	struct recall_opts o;
	recall_opts_default(&o);
	char dir[256], a[512], b[512];
	snprintf(dir, sizeof dir, "%s/recall", root);
	struct err e = {0};
	assert_int_equal(recall_generate(&o, dir, &e), ST_OK);
	for (int s = 0; s < 3; s++) {
		path3(a, sizeof a, "models/corpus", "recall", splits[s]);
		path3(b, sizeof b, root, "recall", splits[s]);
		if (!same_file(a, b))
			fail_msg("%s differs from recall_generate's output (seqstep corpus --task recall --out models/corpus/recall rewrites it)", a);
	}
	struct corpus c = {0};
	path3(a, sizeof a, root, "recall", "train");
	assert_int_equal(corpus_load(&c, a, &e), ST_OK);
	assert_int_equal(c.n, 10000);
	int lo = 1000, hi = 0;
	for (size_t i = 0; i < c.n; i++) {
		const char *src = c.src[i], *tgt = c.tgt[i];
		int n = (int)(strlen(src) + 1) / 2;
		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
		char want[6] = {src[4], ' ', src[2], ' ', src[0], 0};
		if (strcmp(tgt, want) != 0)
			fail_msg("pair %zu: %s -> %s, expected %s", i + 1, src, tgt, want);
	}
	assert_int_equal(lo, 10);
	assert_int_equal(hi, 100);
	corpus_release(&c);
	remove_split_dir(dir);
	o.k = 11; /* more than the shortest sequence */
	assert_int_equal(recall_generate(&o, dir, &e), ST_USAGE);
	recall_opts_default(&o);
	o.symbols = 27;
	assert_int_equal(recall_generate(&o, dir, &e), ST_USAGE);
}

static void test_sizes_and_buckets(void **state)
{
	(void)state;
	struct corpus_opts o;
	corpus_opts_default(&o, CORPUS_EN_ZH);
	assert_int_equal(o.seed, 1);
	const int want[3] = {o.n_train, o.n_valid, o.n_test};
	for (int l = 0; l < 2; l++) {
		for (int s = 0; s < 3; s++) {
			assert_int_equal(data[l][s].n, want[s]);
			int bucket[4] = {0};
			for (size_t i = 0; i < data[l][s].n; i++) {
				const char *en = data[l][s].src[i];
				int k = ntok(en);
				assert_in_range(k, 3, 15);
				bucket[k <= 5 ? 0 : k <= 8 ? 1 : k <= 11 ? 2 : 3]++;
				/* lowercase words, single spaces, no punctuation */
				for (const char *p = en; *p; p++)
					assert_true((*p >= 'a' && *p <= 'z') || (*p == ' ' && p != en && p[1] && p[1] != ' '));
			}
			for (int b = 0; b < 4; b++)
				assert_true(bucket[b] >= (s == 0 ? 2000 : 100));
		}
	}
	/* the test split: every length bucket has enough sentences to report on */
	int bucket[4] = {0};
	for (size_t i = 0; i < data[0][2].n; i++) {
		int k = ntok(data[0][2].src[i]);
		bucket[k <= 5 ? 0 : k <= 8 ? 1 : k <= 11 ? 2 : 3]++;
	}
	for (int b = 0; b < 4; b++)
		assert_true(bucket[b] >= 50);
}

static void test_unique_and_shared(void **state)
{
	(void)state;
	for (int l = 0; l < 2; l++) {
		struct sset seen = {0};
		for (int s = 0; s < 3; s++)
			for (size_t i = 0; i < data[l][s].n; i++)
				if (!sset_add(&seen, data[l][s].src[i])) {
					print_error("repeated English sentence: %s\n", data[l][s].src[i]);
					fail();
				}
		sset_free(&seen);
	}
	/* both pairs share their English sentences (same seed and sizes) */
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < data[0][s].n; i++)
			assert_string_equal(data[0][s].src[i], data[1][s].src[i]);
}

static void test_lexicon(void **state)
{
	(void)state;
	int lex = corpus_lexicon_size(CORPUS_EN_ZH);
	assert_true(lex >= 150 && lex <= 230);
	assert_int_equal(corpus_lexicon_size(CORPUS_EN_FR), lex);
	/* every word the grammar knows occurs, and no other */
	struct sset seen = {0};
	char **store = NULL;
	size_t nstore = 0;
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < data[0][s].n; i++) {
			char buf[512], *w[32];
			int n = words(data[0][s].src[i], buf, sizeof buf, w, 32);
			for (int k = 0; k < n; k++) {
				char *copy = strdup(w[k]);
				if (sset_add(&seen, copy)) {
					store = realloc(store, (nstore + 1) * sizeof *store);
					store[nstore++] = copy;
				} else {
					free(copy);
				}
			}
		}
	assert_int_equal((int)seen.n, lex);
	for (size_t i = 0; i < nstore; i++)
		free(store[i]);
	free(store);
	sset_free(&seen);
}

/* ---- Chinese ---------------------------------------------------------- */

static int find(const char *s, const char *sub)
{
	const char *p = strstr(s, sub);
	return p ? (int)(p - s) : -1;
}

static void test_zh(void **state)
{
	(void)state;
	static const struct {
		const char *en, *zh;
	} mw[] = {
		{"two books", "两本书"}, {"three apples", "三个苹果"}, {"a cat", "一只猫"},
		{"two horses", "两匹马"}, {"four cars", "四辆车"},     {"five pens", "五支笔"},
		{"this book", "这本书"}, {"that cow", "那头牛"},
	};
	int mw_hits[sizeof mw / sizeof mw[0]] = {0};
	int morning = 0, on_sleep = 0, ma = 0, what = 0, where = 0;
	for (int s = 0; s < 3; s++) {
		const struct corpus *c = &data[0][s];
		for (size_t i = 0; i < c->n; i++) {
			const char *en = c->src[i], *zh = c->tgt[i];
			/* character-tokenized side: no spaces, nothing ASCII at all */
			for (const char *p = zh; *p; p++)
				assert_true((unsigned char)*p >= 0x80);
			for (size_t k = 0; k < sizeof mw / sizeof mw[0]; k++)
				if (has_phrase(en, mw[k].en)) {
					assert_true(strstr(zh, mw[k].zh) != NULL);
					mw_hits[k]++;
				}
			int sleep = has_phrase(en, "sleep") || has_phrase(en, "sleeps");
			/* time before the verb: "... sleeps ... in the morning" -> 早上...睡觉 */
			if (sleep && has_phrase(en, "in the morning")) {
				assert_true(find(zh, "早上") >= 0 && find(zh, "早上") < find(zh, "睡觉"));
				morning++;
			}
			/* place before the verb: "sleeps on the mat" -> 在垫子上睡觉 */
			if ((strstr(en, "sleeps on the ") || strstr(en, "sleep on the "))) {
				assert_true(strstr(zh, "上睡觉") != NULL);
				assert_true(find(zh, "在") < find(zh, "睡觉"));
				on_sleep++;
			}
			if (!strncmp(en, "do ", 3) || !strncmp(en, "does ", 5) || !strncmp(en, "is ", 3) ||
			    !strncmp(en, "are ", 4) || !strncmp(en, "am ", 3)) {
				assert_true(strlen(zh) > 3 && !strcmp(zh + strlen(zh) - 3, "吗"));
				ma++;
			}
			if (!strncmp(en, "what ", 5)) {
				assert_true(strlen(zh) > 6 && !strcmp(zh + strlen(zh) - 6, "什么"));
				what++;
			}
			if (!strncmp(en, "where is ", 9) || !strncmp(en, "where are ", 10)) {
				assert_true(strstr(zh, "在哪里") != NULL);
				where++;
			}
		}
	}
	for (size_t k = 0; k < sizeof mw / sizeof mw[0]; k++) {
		if (!mw_hits[k])
			print_error("no sentence with \"%s\"\n", mw[k].en);
		assert_true(mw_hits[k] > 0);
	}
	assert_true(morning > 0 && on_sleep > 0 && ma > 100 && what > 100 && where > 50);
}

/* ---- French ----------------------------------------------------------- */

struct fr_noun {
	const char *en, *en_pl, *fr, *fr_pl;
	int fem;
};

static const struct fr_noun fr_nouns[] = {
	{"cat", "cats", "chat", "chats", 0},       {"dog", "dogs", "chien", "chiens", 0},
	{"duck", "ducks", "canard", "canards", 0}, {"mouse", "mice", "souris", "souris", 1},
	{"cow", "cows", "vache", "vaches", 1},     {"car", "cars", "voiture", "voitures", 1},
	{"box", "boxes", "boîte", "boîtes", 1},    {"hat", "hats", "chapeau", "chapeaux", 0},
	{"cup", "cups", "tasse", "tasses", 1},     {"apple", "apples", "pomme", "pommes", 1},
	{"table", "tables", "table", "tables", 1}, {"girl", "girls", "fille", "filles", 1},
	{"boy", "boys", "garçon", "garçons", 0},   {"book", "books", "livre", "livres", 0},
	{"house", "houses", "maison", "maisons", 1},
	{"tea", NULL, "thé", NULL, 0},             {"milk", NULL, "lait", NULL, 0},
};

struct fr_adj {
	const char *en, *fr[4];
	int pre;
};

static const struct fr_adj fr_adjs[] = {
	{"black", {"noir", "noire", "noirs", "noires"}, 0},
	{"white", {"blanc", "blanche", "blancs", "blanches"}, 0},
	{"red", {"rouge", "rouge", "rouges", "rouges"}, 0},
	{"green", {"vert", "verte", "verts", "vertes"}, 0},
	{"blue", {"bleu", "bleue", "bleus", "bleues"}, 0},
	{"yellow", {"jaune", "jaune", "jaunes", "jaunes"}, 0},
	{"happy", {"content", "contente", "contents", "contentes"}, 0},
	{"dirty", {"sale", "sale", "sales", "sales"}, 0},
	{"hot", {"chaud", "chaude", "chauds", "chaudes"}, 0},
	{"small", {"petit", "petite", "petits", "petites"}, 1},
	{"big", {"grand", "grande", "grands", "grandes"}, 1},
	{"old", {"vieux", "vieille", "vieux", "vieilles"}, 1},
	{"new", {"nouveau", "nouvelle", "nouveaux", "nouvelles"}, 1},
	{"beautiful", {"beau", "belle", "beaux", "belles"}, 1},
	{"good", {"bon", "bonne", "bons", "bonnes"}, 1},
	{"young", {"jeune", "jeune", "jeunes", "jeunes"}, 1},
};
enum { N_FR_ADJS = sizeof fr_adjs / sizeof fr_adjs[0] };

static int noun_at(const char *w, int *pl)
{
	for (size_t k = 0; k < sizeof fr_nouns / sizeof fr_nouns[0]; k++) {
		if (!strcmp(w, fr_nouns[k].en)) {
			*pl = 0;
			return (int)k;
		}
		if (fr_nouns[k].en_pl && !strcmp(w, fr_nouns[k].en_pl)) {
			*pl = 1;
			return (int)k;
		}
	}
	return -1;
}

static int adj_at(const char *w)
{
	for (int k = 0; k < N_FR_ADJS; k++)
		if (!strcmp(w, fr_adjs[k].en))
			return k;
	return -1;
}

static int is_vowel_word(const char *w)
{
	const unsigned char *p = (const unsigned char *)w;
	return strchr("aeiouy", p[0]) ? p[0] != 0
				       : p[0] == 0xC3 && (p[1] == 0xA0 || p[1] == 0xA2 || p[1] == 0xA8 ||
							  p[1] == 0xA9 || p[1] == 0xAA || p[1] == 0xAE ||
							  p[1] == 0xB4 || p[1] == 0xBB);
}

static void test_fr(void **state)
{
	(void)state;
	int hits[N_FR_ADJS] = {0}, two = 0, clitic = 0, partitive = 0, neg = 0, contraction = 0;
	for (int s = 0; s < 3; s++) {
		const struct corpus *c = &data[1][s];
		for (size_t i = 0; i < c->n; i++) {
			const char *en = c->src[i], *fr = c->tgt[i];
			char eb[512], fb[512], *ew[32], *fw[48];
			int ne = words(en, eb, sizeof eb, ew, 32), nf = words(fr, fb, sizeof fb, fw, 48);
			/* written French: lowercase, single spaces, contractions and elision done */
			assert_true(fr[0] != ' ' && fr[strlen(fr) - 1] != ' ' && !strstr(fr, "  "));
			for (const char *p = fr; *p; p++)
				assert_false(*p >= 'A' && *p <= 'Z');
			for (int k = 0; k + 1 < nf; k++) {
				int elidable = !strcmp(fw[k], "je") || !strcmp(fw[k], "ne") || !strcmp(fw[k], "le") ||
					       !strcmp(fw[k], "la") || !strcmp(fw[k], "de") || !strcmp(fw[k], "que") ||
					       !strcmp(fw[k], "me");
				assert_false(elidable && is_vowel_word(fw[k + 1]));
				int art = !strcmp(fw[k + 1], "le") || !strcmp(fw[k + 1], "les");
				assert_false(art && (!strcmp(fw[k], "de") || !strcmp(fw[k], "à")));
			}
			contraction += has_phrase(fr, "du") || has_phrase(fr, "au");
			/* adjective order and agreement: "the black cat" -> "le chat noir",
			 * "the small cat" -> "le petit chat", "small black cats" -> "petits chats noirs" */
			for (int k = 0; k + 1 < ne; k++) {
				int a = adj_at(ew[k]), pl = 0, n = noun_at(ew[k + 1], &pl);
				char want[128];
				if (a >= 0 && n >= 0) {
					const char *nf_ = pl ? fr_nouns[n].fr_pl : fr_nouns[n].fr;
					const char *af = fr_adjs[a].fr[fr_nouns[n].fem + 2 * pl];
					if (fr_adjs[a].pre)
						snprintf(want, sizeof want, "%s %s", af, nf_);
					else
						snprintf(want, sizeof want, "%s %s", nf_, af);
					if (!has_phrase(fr, want)) {
						print_error("%s -> %s: expected \"%s\"\n", en, fr, want);
						fail();
					}
					hits[a]++;
				}
				int b = k + 2 < ne ? adj_at(ew[k + 1]) : -1;
				if (a >= 0 && b >= 0 && fr_adjs[a].pre && !fr_adjs[b].pre && (n = noun_at(ew[k + 2], &pl)) >= 0) {
					int f = fr_nouns[n].fem + 2 * pl;
					snprintf(want, sizeof want, "%s %s %s", fr_adjs[a].fr[f],
						 pl ? fr_nouns[n].fr_pl : fr_nouns[n].fr, fr_adjs[b].fr[f]);
					if (!has_phrase(fr, want)) {
						print_error("%s -> %s: expected \"%s\"\n", en, fr, want);
						fail();
					}
					two++;
				}
			}
			/* object pronouns go before the verb: "sees him" -> "le voit", "ne le voit pas" */
			if (has_phrase(en, "sees him") || has_phrase(en, "see him")) {
				assert_true(strstr(fr, " le vo") != NULL);
				clitic++;
			}
			/* partitive: "drinks milk" -> "boit (souvent) du lait"; negated:
			 * "ne boit jamais de lait" */
			if (has_phrase(en, "drinks milk") || has_phrase(en, "drink milk")) {
				int negated = has_phrase(en, "not") || has_phrase(en, "never");
				assert_true(has_phrase(fr, negated ? "de lait" : "du lait"));
				partitive++;
			}
			if (has_phrase(en, "not")) {
				assert_true(has_phrase(fr, "ne") || strstr(fr, "n'"));
				assert_true(has_phrase(fr, "pas"));
				neg++;
			}
			if (has_phrase(en, "never"))
				assert_true(has_phrase(fr, "jamais"));
		}
	}
	for (int a = 0; a < N_FR_ADJS; a++) {
		if (!hits[a])
			print_error("no \"%s NOUN\" pair checked\n", fr_adjs[a].en);
		assert_true(hits[a] > 0);
	}
	assert_true(two > 0 && clitic > 0 && partitive > 0 && neg > 100 && contraction > 100);
}

/* ---- loading ---------------------------------------------------------- */

static void expect_load_error(const char *text, size_t n, const char *where, const char *what)
{
	char path[256];
	snprintf(path, sizeof path, "%s/bad.tsv", root);
	write_file(path, text, n);
	struct corpus c = {0};
	struct err e = {0};
	assert_int_equal(corpus_load(&c, path, &e), ST_BADINPUT);
	assert_int_equal(c.n, 0);
	assert_null(c.src);
	char want[300];
	snprintf(want, sizeof want, "%s%s", path, where);
	if (!strstr(e.msg, want) || !strstr(e.msg, what)) {
		print_error("message \"%s\" lacks \"%s\" or \"%s\"\n", e.msg, want, what);
		fail();
	}
	unlink(path);
}

#define BAD(lit, where, what) expect_load_error(lit, sizeof lit - 1, where, what)

static void test_load_errors(void **state)
{
	(void)state;
	BAD("a\tb\nc d\n", ":2:", "exactly one TAB");
	BAD("a\tb\tc\n", ":1:", "found 2");
	BAD("\tb\n", ":1:", "empty source");
	BAD("a\t\n", ":1:", "empty target");
	BAD("a\tb\n\xff\tc\n", ":2:", "invalid UTF-8");
	BAD("a\tb\n\xc0\xaf\tc\n", ":2:", "invalid UTF-8");     /* overlong "/" */
	BAD("a\xed\xa0\x80\tb\n", ":1:", "invalid UTF-8 at byte 2"); /* surrogate */
	BAD("a\tb\xe7\x8c\n", ":1:", "invalid UTF-8");          /* cut short */
	BAD("a\tb\n\nc\td\n", ":2:", "empty line");
	BAD("a\tb\x00\n", ":1:", "NUL");
	BAD("", "", "no sentence pairs");

	struct corpus c = {0};
	struct err e = {0};
	char path[256];
	snprintf(path, sizeof path, "%s/missing.tsv", root);
	assert_int_equal(corpus_load(&c, path, &e), ST_IO);
	assert_non_null(strstr(e.msg, path));
}

static void test_load_ok(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/ok.tsv", root);
	/* BOM, CRLF, no final newline, 4-byte UTF-8 */
	static const char text[] = "\xEF\xBB\xBFthe cat\t猫\r\nhi \xF0\x9F\x98\x80\tsalut";
	write_file(path, text, sizeof text - 1);
	struct corpus c = {0};
	struct err e = {0};
	assert_int_equal(corpus_load(&c, path, &e), ST_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.src[0], "the cat");
	assert_string_equal(c.tgt[0], "猫");
	assert_string_equal(c.src[1], "hi \xF0\x9F\x98\x80");
	assert_string_equal(c.tgt[1], "salut");
	corpus_release(&c);
	assert_int_equal(c.n, 0);
	corpus_release(&c); /* harmless twice */
	unlink(path);
}

static void test_generate_options(void **state)
{
	(void)state;
	struct corpus_opts o;
	struct err e = {0};
	char dir[256], a[512], b[512];
	corpus_opts_default(&o, CORPUS_EN_FR);
	o.n_train = 0;
	assert_int_equal(corpus_generate(&o, root, &e), ST_USAGE);
	corpus_opts_default(&o, CORPUS_EN_FR);
	o.lang = (enum corpus_lang)7;
	assert_int_equal(corpus_generate(&o, root, &e), ST_USAGE);

	/* a file where the directory should be */
	snprintf(a, sizeof a, "%s/plainfile", root);
	write_file(a, "x", 1);
	snprintf(dir, sizeof dir, "%s/plainfile/sub", root);
	corpus_opts_default(&o, CORPUS_EN_ZH);
	assert_int_equal(corpus_generate(&o, dir, &e), ST_IO);
	assert_non_null(strstr(e.msg, "plainfile"));
	unlink(a);

	/* small sizes, another seed: different sentences, same bucket cycle */
	corpus_opts_default(&o, CORPUS_EN_ZH);
	o.seed = 42;
	o.n_train = 40;
	o.n_valid = o.n_test = 8;
	snprintf(dir, sizeof dir, "%s/small/nested", root);
	assert_int_equal(corpus_generate(&o, dir, &e), ST_OK);
	snprintf(a, sizeof a, "%s/train.tsv", dir);
	struct corpus c = {0};
	assert_int_equal(corpus_load(&c, a, &e), ST_OK);
	assert_int_equal(c.n, 40);
	for (size_t i = 0; i < c.n; i++) {
		static const int lo[4] = {3, 6, 9, 12}, hi[4] = {5, 8, 11, 15};
		assert_in_range(ntok(c.src[i]), lo[i % 4], hi[i % 4]);
	}
	path3(b, sizeof b, root, "en-zh", "train");
	assert_false(same_file(a, b));
	corpus_release(&c);
	remove_split_dir(dir);
	snprintf(dir, sizeof dir, "%s/small", root);
	rmdir(dir);

	enum corpus_lang l;
	assert_int_equal(corpus_lang_parse("zh", &l), 0);
	assert_int_equal(l, CORPUS_EN_ZH);
	assert_int_equal(corpus_lang_parse("en-fr", &l), 0);
	assert_int_equal(l, CORPUS_EN_FR);
	assert_int_equal(corpus_lang_parse("de", &l), -1);
	assert_string_equal(corpus_lang_name(CORPUS_EN_FR), "fr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_committed_files),
		cmocka_unit_test(test_recall),
		cmocka_unit_test(test_sizes_and_buckets),
		cmocka_unit_test(test_unique_and_shared),
		cmocka_unit_test(test_lexicon),
		cmocka_unit_test(test_zh),
		cmocka_unit_test(test_fr),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_generate_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
