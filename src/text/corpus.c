/* The toy corpus grammar. A sentence is drawn as a structure (subject,
 * verb, object, place, destination, time, adverb, sentence type) and then
 * rendered three times: English, Chinese, French. Every rendering is a pure
 * function of the structure, and the English rendering keeps enough of it
 * (see the ambiguity check in corpus_generate) that each English sentence
 * has one translation. Randomness comes only from splitmix64 with integer
 * arithmetic, so the files are the same on every machine. */
#include "text/corpus.h"
#include "base/atomicfile.h"
#include "base/fileio.h"
#include "base/rng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the lexicon ------------------------------------------------------ */

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

/* French nouns all start with a consonant so articles stay visible
 * (le/la, not l'), which keeps gender learnable. */
static const struct noun nouns[] = {
	{"cat", "cats", "chat", "chats", 0, "猫", "只", C_ANIM, 0, NULL, NULL, 0},
	{"dog", "dogs", "chien", "chiens", 0, "狗", "只", C_ANIM, 0, NULL, NULL, 0},
	{"horse", "horses", "cheval", "chevaux", 0, "马", "匹", C_ANIM, 0, NULL, NULL, 0},
	{"cow", "cows", "vache", "vaches", 1, "牛", "头", C_ANIM, 0, NULL, NULL, 0},
	{"duck", "ducks", "canard", "canards", 0, "鸭子", "只", C_ANIM, 0, NULL, NULL, 0},
	{"rabbit", "rabbits", "lapin", "lapins", 0, "兔子", "只", C_ANIM, 0, NULL, NULL, 0},
	{"mouse", "mice", "souris", "souris", 1, "老鼠", "只", C_ANIM, 0, NULL, NULL, 0},
	{"boy", "boys", "garçon", "garçons", 0, "男孩", "个", C_PERS, 0, NULL, NULL, 0},
	{"girl", "girls", "fille", "filles", 1, "女孩", "个", C_PERS, 0, NULL, NULL, 0},
	{"woman", "women", "femme", "femmes", 1, "女人", "个", C_PERS, 0, NULL, NULL, N_PUBLIC}, /* "ma femme" = my wife */
	{"teacher", "teachers", "professeur", "professeurs", 0, "老师", "位", C_PERS, 0, NULL, NULL, 0},
	{"doctor", "doctors", "médecin", "médecins", 0, "医生", "位", C_PERS, 0, NULL, NULL, 0},
	{"baby", "babies", "bébé", "bébés", 0, "宝宝", "个", C_PERS, 0, NULL, NULL, 0},
	{"sister", "sisters", "sœur", "sœurs", 1, "姐姐", "个", C_PERS, 0, NULL, NULL, 0},
	{"apple", "apples", "pomme", "pommes", 1, "苹果", "个", C_FOOD, 0, NULL, NULL, 0},
	{"cake", "cakes", "gâteau", "gâteaux", 0, "蛋糕", "块", C_FOOD, 0, NULL, NULL, 0},
	{"banana", "bananas", "banane", "bananes", 1, "香蕉", "根", C_FOOD, 0, NULL, NULL, 0},
	{"book", "books", "livre", "livres", 0, "书", "本", C_READ | C_OPEN, 0, NULL, NULL, 0},
	{"letter", "letters", "lettre", "lettres", 1, "信", "封", C_READ, 0, NULL, NULL, 0},
	{"pen", "pens", "stylo", "stylos", 0, "笔", "支", C_THING, 0, NULL, NULL, 0},
	{"cup", "cups", "tasse", "tasses", 1, "杯子", "个", C_THING, 0, NULL, NULL, 0},
	{"ball", "balls", "ballon", "ballons", 0, "球", "个", C_THING, 0, NULL, NULL, 0},
	{"hat", "hats", "chapeau", "chapeaux", 0, "帽子", "顶", C_THING, 0, NULL, NULL, 0},
	{"bag", "bags", "sac", "sacs", 0, "包", "个", C_THING | C_OPEN, 0, NULL, NULL, 0},
	{"flower", "flowers", "fleur", "fleurs", 1, "花", "朵", C_THING, 0, NULL, NULL, 0},
	{"table", "tables", "table", "tables", 1, "桌子", "张", C_FURN,
	 PB(P_ON) | PB(P_UNDER) | PB(P_NEAR) | PB(P_BEHIND), NULL, NULL, 0},
	{"chair", "chairs", "chaise", "chaises", 1, "椅子", "把", C_FURN,
	 PB(P_ON) | PB(P_UNDER) | PB(P_NEAR) | PB(P_BEHIND), NULL, NULL, 0},
	{"bed", "beds", "lit", "lits", 0, "床", "张", C_FURN, PB(P_ON) | PB(P_UNDER) | PB(P_NEAR), NULL, NULL, 0},
	{"box", "boxes", "boîte", "boîtes", 1, "盒子", "个", C_THING | C_OPEN | C_SHUT,
	 PB(P_IN) | PB(P_ON) | PB(P_NEAR) | PB(P_BEHIND), NULL, NULL, 0},
	{"car", "cars", "voiture", "voitures", 1, "车", "辆", C_VEH | C_OPEN,
	 PB(P_IN) | PB(P_NEAR) | PB(P_BEHIND) | PB(P_FRONT), NULL, NULL, 0},
	{"window", "windows", "fenêtre", "fenêtres", 1, "窗户", "扇", C_OPEN | C_SHUT, PB(P_NEAR) | PB(P_FRONT), NULL, NULL, 0},
	{"door", "doors", "porte", "portes", 1, "门", "扇", C_OPEN | C_SHUT,
	 PB(P_NEAR) | PB(P_BEHIND) | PB(P_FRONT), NULL, NULL, 0},
	{"house", "houses", "maison", "maisons", 1, "房子", "座", C_HOUSE,
	 PB(P_IN) | PB(P_NEAR) | PB(P_BEHIND) | PB(P_FRONT), NULL, NULL, 0},
	{"mat", NULL, "tapis", NULL, 0, "垫子", "块", C_PLACE, PB(P_ON) | PB(P_NEAR), NULL, NULL, N_SGONLY},
	{"sofa", NULL, "canapé", NULL, 0, "沙发", "张", C_PLACE,
	 PB(P_ON) | PB(P_UNDER) | PB(P_NEAR) | PB(P_BEHIND), NULL, NULL, N_SGONLY},
	{"garden", NULL, "jardin", NULL, 0, "花园", "个", C_PLACE, PB(P_IN), NULL, NULL, N_SGONLY | N_DEST},
	{"kitchen", NULL, "cuisine", NULL, 1, "厨房", "个", C_PLACE, PB(P_IN), NULL, NULL, N_SGONLY | N_DEST},
	{"room", NULL, "chambre", NULL, 1, "房间", "个", C_PLACE, PB(P_IN), NULL, NULL, N_SGONLY},
	{"park", NULL, "parc", NULL, 0, "公园", "个", C_PLACE, PB(P_IN) | PB(P_NEAR), NULL, NULL,
	 N_SGONLY | N_DEST | N_PUBLIC},
	{"river", NULL, "rivière", NULL, 1, "河", "条", C_PLACE, PB(P_IN) | PB(P_NEAR), NULL, "河边",
	 N_SGONLY | N_DEST | N_PUBLIC | N_WATER},
	{"street", NULL, "rue", NULL, 1, "街", "条", C_PLACE, PB(P_IN), "上", NULL, N_SGONLY | N_PUBLIC},
	{"lake", NULL, "lac", NULL, 0, "湖", "个", C_PLACE, PB(P_IN) | PB(P_NEAR), NULL, "湖边",
	 N_SGONLY | N_DEST | N_PUBLIC | N_WATER},
	{"milk", NULL, "lait", NULL, 0, "牛奶", "杯", C_DRINK, 0, NULL, NULL, N_SGONLY | N_MASS},
	{"tea", NULL, "thé", NULL, 0, "茶", "杯", C_DRINK, 0, NULL, NULL, N_SGONLY | N_MASS},
	{"coffee", NULL, "café", NULL, 0, "咖啡", "杯", C_DRINK, 0, NULL, NULL, N_SGONLY | N_MASS},
	{"juice", NULL, "jus", NULL, 0, "果汁", "杯", C_DRINK, 0, NULL, NULL, N_SGONLY | N_MASS},
	{"bread", NULL, "pain", NULL, 0, "面包", "块", C_MASS, 0, NULL, NULL, N_SGONLY | N_MASS},
	{"rice", NULL, "riz", NULL, 0, "米饭", "碗", C_MASS, 0, NULL, NULL, N_SGONLY | N_MASS},
};
enum { N_NOUNS = sizeof nouns / sizeof nouns[0] };

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

static const struct adj adjs[] = {
	{"big", {"grand", "grande", "grands", "grandes"}, "大", NULL, "很大", NULL,
	 C_LIVE | C_THING | C_FURN | C_VEH | C_HOUSE | C_PLACE, ADJ_PRE | ADJ_ATTR | ADJ_PRED},
	{"small", {"petit", "petite", "petits", "petites"}, "小", NULL, "很小", NULL,
	 C_LIVE | C_THING | C_FURN | C_VEH | C_HOUSE | C_PLACE, ADJ_PRE | ADJ_ATTR | ADJ_PRED},
	{"old", {"vieux", "vieille", "vieux", "vieilles"}, "老", "旧", "很老", "很旧",
	 C_ANIM | C_READ | C_THING | C_FURN | C_VEH | C_HOUSE, ADJ_PRE | ADJ_ATTR | ADJ_PRED},
	{"new", {"nouveau", "nouvelle", "nouveaux", "nouvelles"}, "新", NULL, "很新", NULL,
	 C_READ | C_THING | C_FURN | C_VEH | C_HOUSE, ADJ_PRE | ADJ_ATTR | ADJ_PRED},
	{"beautiful", {"beau", "belle", "beaux", "belles"}, "漂亮的", NULL, "很漂亮", NULL,
	 C_LIVE | C_THING | C_FURN | C_VEH | C_HOUSE | C_PLACE, ADJ_PRE | ADJ_ATTR | ADJ_PRED},
	{"young", {"jeune", "jeune", "jeunes", "jeunes"}, "年轻的", NULL, "很年轻", NULL,
	 C_PERS, ADJ_PRE | ADJ_ATTR | ADJ_PRED},
	{"good", {"bon", "bonne", "bons", "bonnes"}, "好", NULL, "很好", NULL,
	 C_PERS | C_FOOD | C_MASS | C_DRINK | C_READ, ADJ_PRE | ADJ_ATTR | ADJ_PRED},
	{"black", {"noir", "noire", "noirs", "noires"}, "黑", NULL, "是黑色的", NULL,
	 C_ANIM | C_THING | C_FURN | C_VEH, ADJ_COLOR | ADJ_ATTR | ADJ_PRED},
	{"white", {"blanc", "blanche", "blancs", "blanches"}, "白", NULL, "是白色的", NULL,
	 C_ANIM | C_THING | C_FURN | C_VEH | C_HOUSE, ADJ_COLOR | ADJ_ATTR | ADJ_PRED},
	{"red", {"rouge", "rouge", "rouges", "rouges"}, "红", NULL, "是红色的", NULL,
	 C_FOOD | C_THING | C_FURN | C_VEH | C_HOUSE, ADJ_COLOR | ADJ_ATTR | ADJ_PRED},
	{"green", {"vert", "verte", "verts", "vertes"}, "绿", NULL, "是绿色的", NULL,
	 C_FOOD | C_THING | C_FURN | C_VEH | C_HOUSE, ADJ_COLOR | ADJ_ATTR | ADJ_PRED},
	{"blue", {"bleu", "bleue", "bleus", "bleues"}, "蓝", NULL, "是蓝色的", NULL,
	 C_THING | C_FURN | C_VEH | C_HOUSE, ADJ_COLOR | ADJ_ATTR | ADJ_PRED},
	{"yellow", {"jaune", "jaune", "jaunes", "jaunes"}, "黄", NULL, "是黄色的", NULL,
	 C_ANIM | C_FOOD | C_THING | C_FURN | C_VEH, ADJ_COLOR | ADJ_ATTR | ADJ_PRED},
	{"happy", {"content", "contente", "contents", "contentes"}, "开心的", NULL, "很开心", NULL,
	 C_LIVE, ADJ_ATTR | ADJ_PRED | ADJ_ADV},
	{"dirty", {"sale", "sale", "sales", "sales"}, "脏", NULL, "很脏", NULL,
	 C_ANIM | C_THING | C_FURN | C_VEH | C_HOUSE, ADJ_ATTR | ADJ_PRED | ADJ_ADV},
	{"hot", {"chaud", "chaude", "chauds", "chaudes"}, "热", NULL, "很热", NULL,
	 C_MASS | C_DRINK, ADJ_ATTR | ADJ_PRED | ADJ_ADV},
	{"tired", {"fatigué", "fatiguée", "fatigués", "fatiguées"}, NULL, NULL, "很累", NULL,
	 C_LIVE, ADJ_PRED | ADJ_ADV},
	{"heavy", {"lourd", "lourde", "lourds", "lourdes"}, NULL, NULL, "很重", NULL,
	 C_READ | C_THING | C_FURN | C_VEH, ADJ_PRED},
};
enum { N_ADJS = sizeof adjs / sizeof adjs[0] };

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

static const struct verb verbs[] = {
	{"sleep", "sleeps", {"dors", "dors", "dort", "dormons", "dormez", "dorment"}, "睡觉", NULL,
	 C_LIVE, 0, V_PLACE | V_ADV},
	{"run", "runs", {"cours", "cours", "court", "courons", "courez", "courent"}, "跑步", NULL,
	 C_LIVE, 0, V_PLACE | V_ADV},
	{"sing", "sings", {"chante", "chantes", "chante", "chantons", "chantez", "chantent"}, "唱歌", NULL,
	 C_PERS, 0, V_PLACE | V_ADV},
	{"dance", "dances", {"danse", "danses", "danse", "dansons", "dansez", "dansent"}, "跳舞", NULL,
	 C_PERS, 0, V_PLACE | V_ADV},
	{"swim", "swims", {"nage", "nages", "nage", "nageons", "nagez", "nagent"}, "游泳", NULL,
	 C_LIVE, 0, V_PLACE | V_ADV | V_WATER},
	{"walk", "walks", {"marche", "marches", "marche", "marchons", "marchez", "marchent"}, "散步", NULL,
	 C_LIVE, 0, V_PLACE | V_ADV},
	{"play", "plays", {"joue", "joues", "joue", "jouons", "jouez", "jouent"}, "玩", NULL,
	 C_LIVE, 0, V_PLACE | V_ADV},
	{"work", "works", {"travaille", "travailles", "travaille", "travaillons", "travaillez", "travaillent"},
	 "工作", NULL, C_PERS, 0, V_PLACE | V_ADV},
	{"eat", "eats", {"mange", "manges", "mange", "mangeons", "mangez", "mangent"}, "吃饭", NULL,
	 C_PERS, 0, V_PLACE | V_ADV},
	{"read", "reads", {"lis", "lis", "lit", "lisons", "lisez", "lisent"}, "看书", NULL,
	 C_PERS, 0, V_PLACE | V_ADV},
	{"go", "goes", {"vais", "vas", "va", "allons", "allez", "vont"}, "去", NULL,
	 C_LIVE, 0, V_GO | V_ADV},
	{"eat", "eats", {"mange", "manges", "mange", "mangeons", "mangez", "mangent"}, "吃", NULL,
	 C_LIVE, C_FOOD | C_MASS, V_TR | V_PLACE | V_ADV},
	{"drink", "drinks", {"bois", "bois", "boit", "buvons", "buvez", "boivent"}, "喝", NULL,
	 C_LIVE, C_DRINK, V_TR | V_PLACE | V_ADV},
	{"see", "sees", {"vois", "vois", "voit", "voyons", "voyez", "voient"}, "看见", NULL,
	 C_LIVE, C_LIVE | C_OBJ, V_TR | V_PLACE | V_ADV | V_PRON},
	{"like", "likes", {"aime", "aimes", "aime", "aimons", "aimez", "aiment"}, "喜欢", NULL,
	 C_LIVE, C_LIVE | C_FOOD | C_MASS | C_DRINK | C_READ | C_THING | C_VEH | C_HOUSE,
	 V_TR | V_PRON | V_GENERIC},
	{"want", "wants", {"veux", "veux", "veut", "voulons", "voulez", "veulent"}, "想要", NULL,
	 C_LIVE, C_ANIM | C_FOOD | C_MASS | C_DRINK | C_READ | C_THING | C_VEH | C_HOUSE, V_TR},
	{"have", "has", {"ai", "as", "a", "avons", "avez", "ont"}, "有", "没",
	 C_PERS, C_ANIM | C_FOOD | C_MASS | C_DRINK | C_READ | C_THING | C_VEH | C_HOUSE, V_TR},
	{"buy", "buys", {"achète", "achètes", "achète", "achetons", "achetez", "achètent"}, "买", NULL,
	 C_PERS, C_ANIM | C_FOOD | C_MASS | C_DRINK | C_READ | C_THING | C_VEH | C_HOUSE,
	 V_TR | V_PLACE | V_ADV},
	{"read", "reads", {"lis", "lis", "lit", "lisons", "lisez", "lisent"}, "看", NULL,
	 C_PERS, C_READ, V_TR | V_PLACE | V_ADV},
	{"write", "writes", {"écris", "écris", "écrit", "écrivons", "écrivez", "écrivent"}, "写", NULL,
	 C_PERS, C_READ, V_TR | V_PLACE | V_ADV},
	{"open", "opens", {"ouvre", "ouvres", "ouvre", "ouvrons", "ouvrez", "ouvrent"}, "打开", NULL,
	 C_PERS, C_OPEN, V_TR | V_PLACE | V_ADV},
	{"close", "closes", {"ferme", "fermes", "ferme", "fermons", "fermez", "ferment"}, "关上", NULL,
	 C_PERS, C_SHUT, V_TR | V_PLACE | V_ADV},
	{"wash", "washes", {"lave", "laves", "lave", "lavons", "lavez", "lavent"}, "洗", NULL,
	 C_PERS, C_THING | C_FURN | C_VEH, V_TR | V_PLACE | V_ADV},
	{"carry", "carries", {"porte", "portes", "porte", "portons", "portez", "portent"}, "拿", NULL,
	 C_PERS, C_FOOD | C_READ | C_THING, V_TR | V_PLACE | V_ADV},
	{"watch", "watches", {"regarde", "regardes", "regarde", "regardons", "regardez", "regardent"}, "看", NULL,
	 C_LIVE, C_LIVE | C_VEH, V_TR | V_PLACE | V_ADV | V_PRON},
	{"help", "helps", {"aide", "aides", "aide", "aidons", "aidez", "aident"}, "帮助", NULL,
	 C_PERS, C_PERS, V_TR | V_PLACE | V_ADV | V_PRON},
	{"know", "knows", {"connais", "connais", "connaît", "connaissons", "connaissez", "connaissent"}, "认识", NULL,
	 C_PERS, C_PERS, V_TR | V_PRON},
	{"chase", "chases", {"poursuis", "poursuis", "poursuit", "poursuivons", "poursuivez", "poursuivent"}, "追", NULL,
	 C_LIVE, C_ANIM, V_TR | V_PLACE | V_ADV},
};
enum { N_VERBS = sizeof verbs / sizeof verbs[0] };

enum { PR_I, PR_YOU, PR_HE, PR_SHE, PR_WE, PR_THEY, N_PRONS };

struct pron {
	const char *en, *en_obj, *zh, *fr, *fr_obj, *be;
	int person; /* index into struct verb.fr */
	int third_sg, fem, pl;
	int group; /* 1 = I/we, 2 = you, 3 = third: "i see me" is avoided */
};

/* "you" is always vous / 你, so the translation stays a function of the English. */
static const struct pron prons[N_PRONS] = {
	{"i", "me", "我", "je", "me", "am", 0, 0, 0, 0, 1},
	{"you", "you", "你", "vous", "vous", "are", 4, 0, 0, 1, 2},
	{"he", "him", "他", "il", "le", "is", 2, 1, 0, 0, 3},
	{"she", "her", "她", "elle", "la", "is", 2, 1, 1, 0, 3},
	{"we", "us", "我们", "nous", "nous", "are", 3, 0, 0, 1, 1},
	{"they", "them", "他们", "ils", "les", "are", 5, 0, 0, 1, 3},
};

static const char *const fr_etre[6] = {"suis", "es", "est", "sommes", "êtes", "sont"};

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

static const struct det dets[N_DETS] = {
	{"the", "", 0, "le", "la", "les"},
	{"a", "一", 1, "un", "une", NULL},
	{"this", "这", 1, "ce", "cette", NULL},
	{"that", "那", 1, "ce", "cette", NULL},
	{"these", "这些", 0, NULL, NULL, "ces"},
	{"those", "那些", 0, NULL, NULL, "ces"},
	{"my", "我的", 0, "mon", "ma", "mes"},
	{"your", "你的", 0, "votre", "votre", "vos"},
	{"his", "他的", 0, "son", "sa", "ses"},
	{"her", "她的", 0, "son", "sa", "ses"},
	{"our", "我们的", 0, "notre", "notre", "nos"},
	{"their", "他们的", 0, "leur", "leur", "leurs"},
	{"two", "两", 1, NULL, NULL, "deux"},
	{"three", "三", 1, NULL, NULL, "trois"},
	{"four", "四", 1, NULL, NULL, "quatre"},
	{"five", "五", 1, NULL, NULL, "cinq"},
	{NULL, "", 0, NULL, NULL, NULL},
};

struct prep {
	const char *en, *fr, *zh_loc;
};

static const struct prep preps[P_COUNT] = {
	{"on", "sur", "上"},
	{"in", "dans", "里"},
	{"under", "sous", "下面"},
	{"near", "près de", "旁边"},
	{"behind", "derrière", "后面"},
	{"in front of", "devant", "前面"},
};

struct timex {
	const char *en, *fr, *zh;
	int every; /* not with often/always/never: "always ... every day" */
};

static const struct timex times[] = {
	{"today", "aujourd'hui", "今天", 0},
	{"now", "maintenant", "现在", 0},
	{"every day", "tous les jours", "每天", 1},
	{"every morning", "tous les matins", "每天早上", 1},
	{"in the morning", "le matin", "早上", 0},
	{"in the evening", "le soir", "晚上", 0},
	{"at night", "la nuit", "夜里", 0},
	{"on sunday", "le dimanche", "星期天", 0},
};
enum { N_TIMES = sizeof times / sizeof times[0] };

/* English words that only the sentence frames emit. */
static const char *const en_frame_words[] = {
	"an", "am", "is", "are", "do", "does", "not", "never", "often", "always",
	"what", "where", "to",
};

/* ---- random numbers --------------------------------------------------- */

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

/* ---- sentence structure ----------------------------------------------- */

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

enum profile { PF_ARG, PF_PLACE, PF_DEST };

/* Uniform draw among nouns with a class in cls, excluding `except`,
 * with all of `need` flags and (when want_preps) some preposition. */
static int pick_noun(struct rng *r, unsigned cls, int except, unsigned need, int want_preps, int want_dest)
{
	int cand[N_NOUNS], n = 0;
	for (int i = 0; i < N_NOUNS; i++) {
		if (!(nouns[i].cls & cls) || i == except || (nouns[i].flags & need) != need)
			continue;
		if (want_preps && !nouns[i].preps)
			continue;
		if (want_dest && !(nouns[i].flags & N_DEST))
			continue;
		cand[n++] = i;
	}
	return n ? cand[rnd(r, n)] : -1;
}

static int pick_adj(struct rng *r, unsigned cls, unsigned need, unsigned forbid, int except)
{
	int cand[N_ADJS], n = 0;
	for (int i = 0; i < N_ADJS; i++)
		if ((adjs[i].cls & cls) && (adjs[i].flags & need) == need && !(adjs[i].flags & forbid) && i != except)
			cand[n++] = i;
	return n ? cand[rnd(r, n)] : -1;
}

/* max_adj: 0..2; only_pre: attributes limited to size/age (used when the
 * predicate is a colour, so "the small cat is black" but never
 * "the black cat is white"). */
static void gen_np(struct rng *r, struct np *np, int noun, enum profile pf, unsigned vflags, int max_adj,
		   int only_pre)
{
	const struct noun *n = &nouns[noun];
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
	unsigned pm = nouns[n].preps;
	if (swim)
		pm = PB(P_IN);
	else if (nouns[n].flags & N_WATER)
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
		unsigned f = verbs[i].flags;
		if (s->type == S_Q_WHAT &&
		    !((f & V_TR) && (verbs[i].obj & (C_FOOD | C_MASS | C_DRINK | C_READ | C_THING | C_VEH | C_OPEN))))
			continue;
		if (s->type == S_Q_WHERE && !(f & (V_PLACE | V_GO)))
			continue;
		cand[nc++] = i;
	}
	s->verb = cand[rnd(r, nc)];
	const struct verb *v = &verbs[s->verb];
	gen_subject(r, &s->subj, v->subj, 30);

	if ((v->flags & V_TR) && s->type != S_Q_WHAT) {
		s->has_obj = 1;
		int done = 0;
		if ((v->flags & V_PRON) && chance(r, 25)) {
			int p = rnd(r, N_PRONS);
			int sg = s->subj.pron >= 0 ? prons[s->subj.pron].group : 3;
			if (!(sg == prons[p].group && sg != 3)) {
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

static void gen_sentence(struct rng *r, struct sent *s)
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
		const struct adj *a = &adjs[s->padj];
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
	if (s->adv >= A_NEVER && s->time >= 0 && times[s->time].every)
		s->time = -1;
	if (s->type == S_Q_COP_ADJ || s->type == S_Q_COP_LOC || s->type == S_Q_WHERE_IS)
		make_definite(&s->subj);
}

/* ---- rendering -------------------------------------------------------- */

enum { MAX_TOKS = 64, MAX_TEXT = 1024 };

/* Tokens point into the static tables; multi-word table entries
 * ("in front of", "tous les jours") are split so French contractions can
 * see every word. */
struct toks {
	const char *p[MAX_TOKS];
	int len[MAX_TOKS];
	int n, over;
};

static void tk_add(struct toks *t, const char *s)
{
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *b = s;
		while (*s && *s != ' ')
			s++;
		if (t->n == MAX_TOKS) {
			t->over = 1;
			return;
		}
		t->p[t->n] = b;
		t->len[t->n] = (int)(s - b);
		t->n++;
	}
}

static int tk_is(const struct toks *t, int i, const char *w)
{
	return i < t->n && t->len[i] == (int)strlen(w) && memcmp(t->p[i], w, (size_t)t->len[i]) == 0;
}

struct sbuf {
	char b[MAX_TEXT];
	size_t n;
	int over;
};

static void sb_addn(struct sbuf *s, const char *p, size_t n)
{
	if (s->over || s->n + n + 1 > sizeof s->b) {
		s->over = 1;
		return;
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = 0;
}

static void sb_add(struct sbuf *s, const char *p)
{
	sb_addn(s, p, strlen(p));
}

static int np_third_sg(const struct np *np)
{
	return np->pron >= 0 ? prons[np->pron].third_sg : !np->pl;
}

static int np_live(const struct np *np)
{
	return np->pron >= 0 || (nouns[np->noun].cls & C_LIVE);
}

/* English */

static void en_np(struct toks *t, const struct np *np, int object)
{
	if (np->pron >= 0) {
		tk_add(t, object ? prons[np->pron].en_obj : prons[np->pron].en);
		return;
	}
	const struct noun *n = &nouns[np->noun];
	if (np->det != D_BARE)
		tk_add(t, dets[np->det].en);
	for (int i = 0; i < np->nadj; i++)
		tk_add(t, adjs[np->adj[i]].en);
	tk_add(t, np->pl ? n->en_pl : n->en);
}

static const char *en_be(const struct np *np)
{
	return np->pron >= 0 ? prons[np->pron].be : np->pl ? "are" : "is";
}

static void en_tail(struct toks *t, const struct sent *s)
{
	if (s->has_obj)
		en_np(t, &s->obj, 1);
	if (s->has_dest) {
		tk_add(t, "to");
		en_np(t, &s->dest, 1);
	}
	if (s->prep >= 0) {
		tk_add(t, preps[s->prep].en);
		en_np(t, &s->place, 1);
	}
}

static void en_time(struct toks *t, const struct sent *s)
{
	if (s->time >= 0)
		tk_add(t, times[s->time].en);
}

static const char *const en_adv[] = {NULL, "not", "never", "often", "always"};

static void en_sentence(struct toks *t, const struct sent *s)
{
	const struct verb *v = s->verb >= 0 ? &verbs[s->verb] : NULL;
	const char *aux = np_third_sg(&s->subj) ? "does" : "do";
	switch (s->type) {
	case S_DECL:
		en_np(t, &s->subj, 0);
		if (s->adv == A_NOT) {
			tk_add(t, aux);
			tk_add(t, "not");
			tk_add(t, v->en);
		} else {
			if (s->adv != A_NONE)
				tk_add(t, en_adv[s->adv]);
			tk_add(t, np_third_sg(&s->subj) ? v->en3 : v->en);
		}
		en_tail(t, s);
		break;
	case S_Q_DO:
		tk_add(t, aux);
		en_np(t, &s->subj, 0);
		if (s->adv != A_NONE)
			tk_add(t, en_adv[s->adv]);
		tk_add(t, v->en);
		en_tail(t, s);
		break;
	case S_Q_WHAT:
		tk_add(t, "what");
		tk_add(t, aux);
		en_np(t, &s->subj, 0);
		if (s->adv != A_NONE)
			tk_add(t, en_adv[s->adv]);
		tk_add(t, v->en);
		en_tail(t, s);
		break;
	case S_Q_WHERE:
		tk_add(t, "where");
		tk_add(t, aux);
		en_np(t, &s->subj, 0);
		tk_add(t, v->en);
		en_tail(t, s);
		break;
	case S_COP_ADJ:
	case S_COP_LOC:
		en_np(t, &s->subj, 0);
		tk_add(t, en_be(&s->subj));
		if (s->adv != A_NONE)
			tk_add(t, en_adv[s->adv]);
		if (s->type == S_COP_ADJ)
			tk_add(t, adjs[s->padj].en);
		else
			en_tail(t, s);
		break;
	case S_Q_COP_ADJ:
	case S_Q_COP_LOC:
		tk_add(t, en_be(&s->subj));
		en_np(t, &s->subj, 0);
		if (s->type == S_Q_COP_ADJ)
			tk_add(t, adjs[s->padj].en);
		else
			en_tail(t, s);
		break;
	case S_Q_WHERE_IS:
		tk_add(t, "where");
		tk_add(t, en_be(&s->subj));
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
static void en_join(const struct toks *t, struct sbuf *out)
{
	for (int i = 0; i < t->n; i++) {
		if (i)
			sb_add(out, " ");
		if (tk_is(t, i, "a") && i + 1 < t->n && is_en_vowel(t->p[i + 1][0]))
			sb_add(out, "an");
		else
			sb_addn(out, t->p[i], (size_t)t->len[i]);
	}
}

/* Chinese: subject, time, adverb or negation, place, verb, object. */

static void zh_np(struct sbuf *b, const struct np *np, int dest)
{
	if (np->pron >= 0) {
		sb_add(b, prons[np->pron].zh);
		return;
	}
	const struct noun *n = &nouns[np->noun];
	int live = (n->cls & C_LIVE) != 0;
	sb_add(b, dets[np->det].zh);
	if (dets[np->det].mw)
		sb_add(b, n->mw);
	for (int i = 0; i < np->nadj; i++) {
		const struct adj *a = &adjs[np->adj[i]];
		sb_add(b, !live && a->zh_inan ? a->zh_inan : a->zh);
	}
	sb_add(b, dest && n->zh_dest ? n->zh_dest : n->zh);
}

static void zh_place(struct sbuf *b, const struct sent *s)
{
	if (s->prep < 0)
		return;
	sb_add(b, "在");
	zh_np(b, &s->place, 0);
	const struct noun *n = &nouns[s->place.noun];
	sb_add(b, s->prep == P_IN && n->zh_in ? n->zh_in : preps[s->prep].zh_loc);
}

static void zh_adv(struct sbuf *b, const struct sent *s)
{
	switch (s->adv) {
	case A_NONE: break;
	case A_NOT: sb_add(b, s->verb >= 0 && verbs[s->verb].zh_neg ? verbs[s->verb].zh_neg : "不"); break;
	case A_NEVER: sb_add(b, "从不"); break;
	case A_OFTEN: sb_add(b, "经常"); break;
	case A_ALWAYS: sb_add(b, "总是"); break;
	}
}

static void zh_sentence(struct sbuf *b, const struct sent *s)
{
	const struct verb *v = s->verb >= 0 ? &verbs[s->verb] : NULL;
	zh_np(b, &s->subj, 0);
	if (s->time >= 0)
		sb_add(b, times[s->time].zh);
	switch (s->type) {
	case S_DECL:
	case S_Q_DO:
		zh_adv(b, s);
		zh_place(b, s);
		sb_add(b, v->zh);
		if (s->has_dest)
			zh_np(b, &s->dest, 1);
		if (s->has_obj)
			zh_np(b, &s->obj, 0);
		if (s->type == S_Q_DO)
			sb_add(b, "吗");
		break;
	case S_Q_WHAT:
		zh_adv(b, s);
		zh_place(b, s);
		sb_add(b, v->zh);
		sb_add(b, "什么");
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
		const struct adj *a = &adjs[s->padj];
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
		if (s->type == S_Q_COP_ADJ)
			sb_add(b, "吗");
		break;
	}
	case S_COP_LOC:
	case S_Q_COP_LOC:
		zh_adv(b, s);
		zh_place(b, s);
		if (s->type == S_Q_COP_LOC)
			sb_add(b, "吗");
		break;
	case S_Q_WHERE_IS:
		sb_add(b, "在哪里");
		break;
	}
}

/* French: subject, ne, clitic, verb, pas/jamais/adverb, object, place, time. */

enum { FR_NEG = 1, FR_GENERIC = 2 };

static void fr_np(struct toks *t, const struct np *np, int mode)
{
	if (np->pron >= 0) {
		tk_add(t, prons[np->pron].fr);
		return;
	}
	const struct noun *n = &nouns[np->noun];
	int g = n->fem, form = g + 2 * np->pl;
	if (np->det == D_BARE) {
		/* aime le lait / ne boit pas de lait / boit du lait ("de le" contracts) */
		if (mode & FR_GENERIC) {
			tk_add(t, g ? "la" : "le");
		} else if (mode & FR_NEG) {
			tk_add(t, "de");
		} else {
			tk_add(t, "de");
			tk_add(t, g ? "la" : "le");
		}
	} else if (np->det == D_A && (mode & FR_NEG)) {
		tk_add(t, "de"); /* ne voit pas de chat */
	} else {
		const struct det *d = &dets[np->det];
		tk_add(t, np->pl ? d->fr_pl : g ? d->fr_f : d->fr_m);
	}
	for (int i = 0; i < np->nadj; i++)
		if (adjs[np->adj[i]].flags & ADJ_PRE)
			tk_add(t, adjs[np->adj[i]].fr[form]);
	tk_add(t, np->pl ? n->fr_pl : n->fr);
	for (int i = 0; i < np->nadj; i++)
		if (!(adjs[np->adj[i]].flags & ADJ_PRE))
			tk_add(t, adjs[np->adj[i]].fr[form]);
}

static int fr_person(const struct np *np)
{
	return np->pron >= 0 ? prons[np->pron].person : np->pl ? 5 : 2;
}

static int fr_form(const struct np *np)
{
	if (np->pron >= 0)
		return prons[np->pron].fem + 2 * prons[np->pron].pl;
	return nouns[np->noun].fem + 2 * np->pl;
}

static void fr_place_time(struct toks *t, const struct sent *s)
{
	if (s->has_dest) {
		tk_add(t, "à");
		fr_np(t, &s->dest, 0);
	}
	if (s->prep >= 0) {
		tk_add(t, preps[s->prep].fr);
		fr_np(t, &s->place, 0);
	}
	if (s->time >= 0)
		tk_add(t, times[s->time].fr);
}

static void fr_post_adv(struct toks *t, enum adv a)
{
	static const char *const w[] = {NULL, "pas", "jamais", "souvent", "toujours"};
	if (a != A_NONE)
		tk_add(t, w[a]);
}

/* The verb group of a verb sentence, from the subject on. */
static void fr_clause(struct toks *t, const struct sent *s, int with_obj)
{
	const struct verb *v = &verbs[s->verb];
	int neg = s->adv == A_NOT || s->adv == A_NEVER;
	fr_np(t, &s->subj, 0);
	if (neg)
		tk_add(t, "ne");
	if (with_obj && s->has_obj && s->obj.pron >= 0)
		tk_add(t, prons[s->obj.pron].fr_obj);
	tk_add(t, v->fr[fr_person(&s->subj)]);
	fr_post_adv(t, s->adv);
	if (with_obj && s->has_obj && s->obj.pron < 0)
		fr_np(t, &s->obj, (neg ? FR_NEG : 0) | ((v->flags & V_GENERIC) ? FR_GENERIC : 0));
}

static void fr_copula(struct toks *t, const struct sent *s)
{
	int neg = s->adv == A_NOT;
	fr_np(t, &s->subj, 0);
	if (neg)
		tk_add(t, "ne");
	tk_add(t, fr_etre[fr_person(&s->subj)]);
	fr_post_adv(t, s->adv);
	if (s->padj >= 0)
		tk_add(t, adjs[s->padj].fr[fr_form(&s->subj)]);
}

static void fr_sentence(struct toks *t, const struct sent *s)
{
	switch (s->type) {
	case S_DECL:
		fr_clause(t, s, 1);
		break;
	case S_Q_DO:
		tk_add(t, "est-ce que");
		fr_clause(t, s, 1);
		break;
	case S_Q_WHAT:
		tk_add(t, "qu'est-ce que");
		fr_clause(t, s, 0);
		break;
	case S_Q_WHERE:
		tk_add(t, "où est-ce que");
		fr_clause(t, s, 1);
		break;
	case S_COP_ADJ:
	case S_COP_LOC:
		fr_copula(t, s);
		break;
	case S_Q_COP_ADJ:
	case S_Q_COP_LOC:
		tk_add(t, "est-ce que");
		fr_copula(t, s);
		break;
	case S_Q_WHERE_IS:
		tk_add(t, "où");
		tk_add(t, s->subj.pl ? "sont" : "est");
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
static void fr_join(const struct toks *t, struct sbuf *out)
{
	static const char *const elide[] = {"je", "me", "le", "la", "ne", "de", "que"};
	int glue = 1; /* no space before the first token or after an elision */
	for (int i = 0; i < t->n; i++) {
		if (!glue)
			sb_add(out, " ");
		glue = 0;
		int de = tk_is(t, i, "de"), a = tk_is(t, i, "à");
		if ((de || a) && (tk_is(t, i + 1, "les") || (tk_is(t, i + 1, "le") && !fr_vowel(t, i + 2)))) {
			int pl = tk_is(t, i + 1, "les");
			sb_add(out, de ? (pl ? "des" : "du") : (pl ? "aux" : "au"));
			i++;
			continue;
		}
		int el = 0;
		for (size_t k = 0; k < sizeof elide / sizeof elide[0]; k++)
			if (tk_is(t, i, elide[k]))
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

/* Renders English (returning its token count, -1 when too long for the
 * buffers) and the target. */
static int render(const struct sent *s, enum corpus_lang lang, struct sbuf *en, struct sbuf *tgt)
{
	struct toks t = {0};
	en->n = tgt->n = 0;
	en->over = tgt->over = 0;
	en->b[0] = tgt->b[0] = 0;
	en_sentence(&t, s);
	if (t.over)
		return -1;
	en_join(&t, en);
	if (lang == CORPUS_EN_ZH) {
		zh_sentence(tgt, s);
	} else {
		struct toks f = {0};
		fr_sentence(&f, s);
		if (f.over)
			return -1;
		fr_join(&f, tgt);
	}
	return en->over || tgt->over ? -1 : t.n;
}

/* ---- lexicon ---------------------------------------------------------- */

/* Distinct tokens as (pointer, length) into the tables. */
struct lex {
	const char *p[512];
	int len[512];
	int n;
};

static void lex_add(struct lex *l, const char *s)
{
	struct toks t = {0};
	tk_add(&t, s);
	for (int i = 0; i < t.n; i++) {
		int found = 0;
		for (int j = 0; j < l->n && !found; j++)
			found = l->len[j] == t.len[i] && memcmp(l->p[j], t.p[i], (size_t)t.len[i]) == 0;
		if (!found && l->n < 512) {
			l->p[l->n] = t.p[i];
			l->len[l->n++] = t.len[i];
		}
	}
}

int corpus_lexicon_size(enum corpus_lang lang)
{
	(void)lang; /* both pairs share the English grammar */
	struct lex l = {.n = 0};
	for (int i = 0; i < N_NOUNS; i++) {
		lex_add(&l, nouns[i].en);
		if (!(nouns[i].flags & N_SGONLY))
			lex_add(&l, nouns[i].en_pl);
	}
	for (int i = 0; i < N_ADJS; i++)
		lex_add(&l, adjs[i].en);
	for (int i = 0; i < N_VERBS; i++) {
		lex_add(&l, verbs[i].en);
		lex_add(&l, verbs[i].en3);
	}
	for (int i = 0; i < N_PRONS; i++) {
		lex_add(&l, prons[i].en);
		lex_add(&l, prons[i].en_obj);
		lex_add(&l, prons[i].be);
	}
	for (int i = 0; i < N_DETS; i++)
		if (dets[i].en)
			lex_add(&l, dets[i].en);
	for (int i = 0; i < P_COUNT; i++)
		lex_add(&l, preps[i].en);
	for (int i = 0; i < N_TIMES; i++)
		lex_add(&l, times[i].en);
	for (size_t i = 0; i < sizeof en_frame_words / sizeof en_frame_words[0]; i++)
		lex_add(&l, en_frame_words[i]);
	return l.n;
}

/* ---- generation ------------------------------------------------------- */

struct pair {
	char *src, *tgt;
};

/* Every pair drawn so far, with an open-addressing index on the English
 * side: it keeps splits disjoint and sentences unique, and checks that a
 * sentence drawn twice got the same translation both times. */
struct pairset {
	struct pair *v;
	size_t n;
	uint32_t *slot; /* pair index + 1; 0 = empty */
	size_t mask;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void pairset_release(struct pairset *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].src); /* tgt shares the allocation */
	free(ps->v);
	free(ps->slot);
	memset(ps, 0, sizeof *ps);
}

static int bucket_lo(int b)
{
	static const int lo[4] = {3, 6, 9, 12};
	return lo[b];
}

static int bucket_hi(int b)
{
	static const int hi[4] = {5, 8, 11, 15};
	return hi[b];
}

enum { MAX_SPLIT = 1000000, MAX_DRAWS = 2000000 };

static const char *const split_names[3] = {"train", "valid", "test"};

/* Draws one new pair whose English has a token count in bucket b. */
static enum status draw_pair(struct rng *r, enum corpus_lang lang, int b, struct pairset *ps, struct err *e)
{
	struct sbuf en, tgt;
	for (long draw = 0; draw < MAX_DRAWS; draw++) {
		struct sent s;
		gen_sentence(r, &s);
		int k = render(&s, lang, &en, &tgt);
		if (k < bucket_lo(b) || k > bucket_hi(b))
			continue;
		size_t j = hash_str(en.b) & ps->mask;
		int dup = 0;
		for (; ps->slot[j]; j = (j + 1) & ps->mask) {
			const struct pair *p = &ps->v[ps->slot[j] - 1];
			if (strcmp(p->src, en.b) == 0) {
				if (strcmp(p->tgt, tgt.b) != 0)
					return err_set(e, ST_BADINPUT,
						       "corpus grammar bug: \"%s\" has two translations \"%s\" and \"%s\"",
						       en.b, p->tgt, tgt.b);
				dup = 1;
				break;
			}
		}
		if (dup)
			continue;
		char *mem = malloc(en.n + 1 + tgt.n + 1);
		if (!mem)
			return err_set(e, ST_NOMEM, "out of memory generating the corpus");
		memcpy(mem, en.b, en.n + 1);
		memcpy(mem + en.n + 1, tgt.b, tgt.n + 1);
		ps->v[ps->n].src = mem;
		ps->v[ps->n].tgt = mem + en.n + 1;
		ps->n++;
		ps->slot[j] = (uint32_t)ps->n;
		return ST_OK;
	}
	return err_set(e, ST_BADINPUT, "cannot draw another unique sentence of %d-%d tokens after %d tries",
		       bucket_lo(b), bucket_hi(b), MAX_DRAWS);
}

/* mkdir -p */
static enum status make_dirs(const char *dir, struct err *e)
{
	char buf[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof buf)
		return err_set(e, ST_USAGE, "bad output directory name");
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return err_set(e, ST_IO, "%s: cannot create directory: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return err_set(e, ST_IO, "%s: cannot create directory: %s", buf, strerror(errno));
	struct stat st;
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ST_IO, "%s: not a directory", dir);
	return ST_OK;
}

/* Through atomicfile, so a reader never sees a half-written split. */
static enum status write_split(const char *dir, const char *name, const struct pair *v, size_t n, struct err *e)
{
	char path[4096];
	int w = snprintf(path, sizeof path, "%s/%s.tsv", dir, name);
	if (w < 0 || (size_t)w >= sizeof path)
		return err_set(e, ST_USAGE, "%s: path too long", dir);
	struct atomic_file af;
	enum status st = atomic_open(&af, path, 1, e);
	if (st)
		return st;
	for (size_t i = 0; i < n; i++)
		fprintf(af.f, "%s\t%s\n", v[i].src, v[i].tgt);
	return atomic_commit(&af, e);
}

void corpus_opts_default(struct corpus_opts *o, enum corpus_lang lang)
{
	o->lang = lang;
	o->seed = 1;
	o->n_train = 10000;
	o->n_valid = 500;
	o->n_test = 500;
}

enum status corpus_generate(const struct corpus_opts *o, const char *dir, struct err *e)
{
	if (o->lang != CORPUS_EN_ZH && o->lang != CORPUS_EN_FR)
		return err_set(e, ST_USAGE, "unknown corpus language %d", (int)o->lang);
	const int sizes[3] = {o->n_train, o->n_valid, o->n_test};
	size_t total = 0;
	for (int i = 0; i < 3; i++) {
		if (sizes[i] < 1 || sizes[i] > MAX_SPLIT)
			return err_set(e, ST_USAGE, "%s size %d: must be 1..%d", split_names[i], sizes[i], MAX_SPLIT);
		total += (size_t)sizes[i];
	}
	enum status st = make_dirs(dir, e);
	if (st)
		return st;

	struct pairset ps = {0};
	size_t nslot = 1;
	while (nslot < 2 * total)
		nslot <<= 1;
	ps.v = calloc(total, sizeof *ps.v);
	ps.slot = calloc(nslot, sizeof *ps.slot);
	ps.mask = nslot - 1;
	if (!ps.v || !ps.slot) {
		pairset_release(&ps);
		return err_set(e, ST_NOMEM, "out of memory generating the corpus");
	}
	struct rng r = {o->seed};
	for (int sp = 0; sp < 3 && !st; sp++)
		for (int i = 0; i < sizes[sp] && !st; i++)
			st = draw_pair(&r, o->lang, i % 4, &ps, e);
	/* Write only once everything is drawn, so a failure leaves old files. */
	size_t off = 0;
	for (int sp = 0; sp < 3 && !st; sp++) {
		st = write_split(dir, split_names[sp], ps.v + off, (size_t)sizes[sp], e);
		off += (size_t)sizes[sp];
	}
	pairset_release(&ps);
	return st;
}

const char *corpus_lang_name(enum corpus_lang lang)
{
	return lang == CORPUS_EN_ZH ? "zh" : "fr";
}

const char *corpus_lang_dir(enum corpus_lang lang)
{
	return lang == CORPUS_EN_ZH ? "en-zh" : "en-fr";
}

int corpus_lang_parse(const char *s, enum corpus_lang *out)
{
	if (!strcmp(s, "zh") || !strcmp(s, "en-zh")) {
		*out = CORPUS_EN_ZH;
		return 0;
	}
	if (!strcmp(s, "fr") || !strcmp(s, "en-fr")) {
		*out = CORPUS_EN_FR;
		return 0;
	}
	return -1;
}

/* ---- loading ---------------------------------------------------------- */

/* Offset of the first byte that is not well-formed UTF-8 (no overlongs,
 * surrogates or code points past U+10FFFF), or n when all is well. */
static size_t utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned lo = 0x80, hi = 0xBF;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			if (c == 0xE0)
				lo = 0xA0;
			if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (n - i <= k)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t j = 2; j <= k; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xBF)
				return i;
		i += k + 1;
	}
	return n;
}

static enum status read_all(const char *path, char **out, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_IO, "%s: cannot open: %s", path, strerror(errno));
	int err;
	/* no limit of its own: memory runs out first */
	enum file_read r = file_read_limited(f, SIZE_MAX / 2 - 1, out, len, &err);
	fclose(f);
	if (r == FILE_READ_NOMEM || r == FILE_READ_TOO_LARGE)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (r == FILE_READ_FAILED)
		return err_set(e, ST_IO, "%s: read error", path);
	return ST_OK;
}

void corpus_release(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->src[i]); /* tgt[i] lives in the same allocation */
	free(c->src);
	free(c->tgt);
	c->n = 0;
	c->src = c->tgt = NULL;
}

enum status corpus_load(struct corpus *c, const char *path, struct err *e)
{
	c->n = 0;
	c->src = c->tgt = NULL;
	char *buf = NULL;
	size_t len = 0;
	enum status st = read_all(path, &buf, &len, e);
	if (st)
		return st;
	size_t pos = 0, line = 0, cap = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len && !st) {
		line++;
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - s) : len - pos;
		pos += ll + (nl ? 1 : 0);
		if (ll && s[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: empty line", path, line);
			break;
		}
		size_t bad = utf8_bad((const unsigned char *)s, ll);
		if (bad < ll) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: invalid UTF-8 at byte %zu", path, line, bad + 1);
			break;
		}
		if (memchr(s, 0, ll)) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: NUL byte", path, line);
			break;
		}
		size_t tabs = 0, tab = 0;
		for (size_t i = 0; i < ll; i++)
			if (s[i] == '\t') {
				tabs++;
				tab = i;
			}
		if (tabs != 1) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: expected exactly one TAB between source and target, found %zu",
				     path, line, tabs);
			break;
		}
		if (tab == 0 || tab == ll - 1) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: empty %s side", path, line, tab == 0 ? "source" : "target");
			break;
		}
		if (c->n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			char **a = realloc(c->src, nc * sizeof *a);
			if (a)
				c->src = a;
			char **b = a ? realloc(c->tgt, nc * sizeof *b) : NULL;
			if (b)
				c->tgt = b;
			if (!a || !b) {
				st = err_set(e, ST_NOMEM, "%s: out of memory", path);
				break;
			}
			cap = nc;
		}
		char *mem = malloc(ll + 1);
		if (!mem) {
			st = err_set(e, ST_NOMEM, "%s: out of memory", path);
			break;
		}
		memcpy(mem, s, ll);
		mem[tab] = 0;
		mem[ll] = 0;
		c->src[c->n] = mem;
		c->tgt[c->n] = mem + tab + 1;
		c->n++;
	}
	free(buf);
	if (!st && c->n == 0)
		st = err_set(e, ST_BADINPUT, "%s: no sentence pairs", path);
	if (st)
		corpus_release(c);
	return st;
}
