#include "io/config.h"
#include "io/jsontext.h"
#include "base/fileio.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cfg_ctx {
	json_t *root;
	const char *path;
	struct err *e;
};

static enum status bad(struct cfg_ctx *x, const char *field, const char *what)
{
	return err_set(x->e, ST_BADINPUT, "%s: field \"%s\" %s", x->path, field, what);
}

/* Reads an integer field in [lo, hi]; a missing field takes def (or is an
 * error when required). */
static enum status get_int(struct cfg_ctx *x, json_t *obj, const char *field, int required,
			   int def, int lo, int hi, int *out)
{
	json_t *v = json_object_get(obj, field);
	if (!v) {
		if (required)
			return bad(x, field, "is missing");
		*out = def;
		return ST_OK;
	}
	if (!json_is_integer(v))
		return bad(x, field, "must be an integer");
	json_int_t n = json_integer_value(v);
	if (n < lo || n > hi) {
		char msg[128];
		snprintf(msg, sizeof msg, "is %lld; expected %d..%d", (long long)n, lo, hi);
		return bad(x, field, msg);
	}
	*out = (int)n;
	return ST_OK;
}

static enum status get_bool(struct cfg_ctx *x, json_t *obj, const char *field, int def, int *out)
{
	json_t *v = json_object_get(obj, field);
	if (!v) {
		*out = def;
		return ST_OK;
	}
	if (!json_is_boolean(v))
		return bad(x, field, "must be true or false");
	*out = json_is_true(v);
	return ST_OK;
}

/* A string field that must be one of names[]; returns its index. */
static enum status get_enum(struct cfg_ctx *x, json_t *obj, const char *field, int required,
			    int def, const char *const *names, int n, int *out)
{
	json_t *v = json_object_get(obj, field);
	if (!v) {
		if (required)
			return bad(x, field, "is missing");
		*out = def;
		return ST_OK;
	}
	if (json_is_string(v))
		for (int i = 0; i < n; i++)
			if (strcmp(json_string_value(v), names[i]) == 0) {
				*out = i;
				return ST_OK;
			}
	char msg[256] = "must be one of";
	for (int i = 0; i < n; i++) {
		strncat(msg, i ? ", \"" : " \"", sizeof msg - strlen(msg) - 1);
		strncat(msg, names[i], sizeof msg - strlen(msg) - 1);
		strncat(msg, "\"", sizeof msg - strlen(msg) - 1);
	}
	return bad(x, field, msg);
}

static enum status get_file(struct cfg_ctx *x, json_t *obj, const char *field, int required,
			    char *out, size_t n)
{
	json_t *v = json_object_get(obj, field);
	out[0] = 0;
	if (!v)
		return required ? bad(x, field, "is missing") : ST_OK;
	if (!json_is_string(v))
		return bad(x, field, "must be a file name");
	const char *s = json_string_value(v);
	/* Model folders are shared; a file name must stay inside its folder: no
	 * '/' (a linked subfolder would lead out of it) and no control character
	 * (the name is printed in messages, and a newline or an escape sequence
	 * would reach the terminal). */
	int ctrl = 0;
	for (const char *p = s; *p; p++)
		ctrl |= (unsigned char)*p < 0x20 || *p == 0x7f;
	if (!*s || strlen(s) >= n || strchr(s, '/') || strstr(s, "..") || strchr(s, '\\') || ctrl)
		return bad(x, field, "must be a plain file name inside the model folder");
	strcpy(out, s);
	return ST_OK;
}

static enum status get_tok(struct cfg_ctx *x, const char *field, struct tok_config *t)
{
	static const char *const kinds[] = {"word", "char", "bpe"};
	json_t *obj = json_object_get(x->root, field);
	if (!obj)
		return bad(x, field, "is missing (a tokenizer object)");
	if (!json_is_object(obj))
		return bad(x, field, "must be an object like {\"tokenizer\": \"word\", \"vocab\": \"src.vocab\"}");
	enum status st;
	int kind;
	if ((st = get_enum(x, obj, "tokenizer", 0, TOK_WORD, kinds, 3, &kind)))
		return st;
	t->kind = kind;
	if ((st = get_bool(x, obj, "lowercase", 0, &t->lowercase)) ||
	    (st = get_file(x, obj, "vocab", 1, t->vocab, sizeof t->vocab)) ||
	    (st = get_file(x, obj, "merges", t->kind == TOK_BPE, t->merges, sizeof t->merges)))
		return err_prefix(x->e, "%s", field);
	return ST_OK;
}

static enum status parse_transformer(struct cfg_ctx *x, struct config *c)
{
	static const char *const acts[] = {"relu", "gelu"};
	static const char *const poss[] = {"sinusoidal", "learned"};
	json_t *r = x->root;
	enum status st;
	int act, pos;
	if ((st = get_int(x, r, "d_model", 1, 0, 1, CFG_MAX_DIM, &c->d_model)) ||
	    (st = get_int(x, r, "nhead", 1, 0, 1, CFG_MAX_HEADS, &c->n_heads)) ||
	    (st = get_int(x, r, "num_encoder_layers", 1, 0, 1, CFG_MAX_LAYERS, &c->n_enc_layers)) ||
	    (st = get_int(x, r, "num_decoder_layers", 1, 0, 1, CFG_MAX_LAYERS, &c->n_dec_layers)) ||
	    (st = get_int(x, r, "dim_feedforward", 1, 0, 1, 4 * CFG_MAX_DIM, &c->d_ff)) ||
	    (st = get_enum(x, r, "activation", 0, ACT_RELU, acts, 2, &act)) ||
	    (st = get_enum(x, r, "positional", 0, POS_SINUSOIDAL, poss, 2, &pos)) ||
	    (st = get_bool(x, r, "norm_first", 0, &c->norm_first)) ||
	    (st = get_bool(x, r, "final_norm", 1, &c->final_norm)) ||
	    (st = get_bool(x, r, "tie_output", 0, &c->tie_output)))
		return st;
	c->activation = act;
	c->positional = pos;
	if (c->d_model % c->n_heads)
		return err_set(x->e, ST_BADINPUT,
			       "%s: d_model %d is not divisible by nhead %d", x->path,
			       c->d_model, c->n_heads);
	json_t *eps = json_object_get(r, "layer_norm_eps");
	c->layer_norm_eps = 1e-5f;
	if (eps) {
		/* Checked as the float it becomes: 1e-60 is positive as a double
		 * but 0 as a float (found by tests/fuzz/fuzz_config). */
		float v = json_is_number(eps) ? (float)json_number_value(eps) : 0.0f;
		if (!json_is_number(eps) || !(v > 0) || v > 1)
			return bad(x, "layer_norm_eps", "must be a number in (0, 1] (as a 32-bit float)");
		c->layer_norm_eps = v;
	}
	json_t *sc = json_object_get(r, "embed_scale");
	c->embed_scale_sqrt = 1;
	if (sc) {
		if (json_is_string(sc) && strcmp(json_string_value(sc), "sqrt") == 0)
			c->embed_scale_sqrt = 1;
		else if (json_is_number(sc) && json_number_value(sc) == 1)
			c->embed_scale_sqrt = 0;
		else
			return bad(x, "embed_scale", "must be \"sqrt\" or 1");
	}
	return ST_OK;
}

static enum status parse_rnn(struct cfg_ctx *x, struct config *c)
{
	static const char *const cells[] = {"rnn", "lstm", "gru"};
	static const char *const attns[] = {"none", "additive", "dot", "scaled_dot"};
	json_t *r = x->root;
	enum status st;
	int cell, attn;
	if ((st = get_enum(x, r, "cell", 1, 0, cells, 3, &cell)) ||
	    (st = get_int(x, r, "embed_dim", 1, 0, 1, CFG_MAX_DIM, &c->embed_dim)) ||
	    (st = get_int(x, r, "hidden_size", 1, 0, 1, CFG_MAX_DIM, &c->hidden)) ||
	    (st = get_int(x, r, "num_layers", 0, 1, 1, CFG_MAX_LAYERS, &c->n_layers)) ||
	    (st = get_enum(x, r, "attention", 0, ATTN_NONE, attns, 4, &attn)) ||
	    (st = get_int(x, r, "attention_dim", 0, c->hidden, 1, CFG_MAX_DIM, &c->attn_dim)))
		return st;
	c->cell = cell;
	c->attention = attn;
	return ST_OK;
}

enum status config_parse(struct config *c, const char *text, size_t len, const char *path,
			 struct err *e)
{
	static const char *const archs[] = {"transformer", "rnn_seq2seq", "self_attention",
					    "attention_pooling"};
	static const char *const pools[] = {"average", "nadaraya_watson", "parametric"};
	memset(c, 0, sizeof *c);
	json_t *root = jsontext_parse(text, len, path, e);
	if (!root)
		return ST_BADINPUT;
	struct cfg_ctx x = {root, path, e};
	enum status st = ST_OK;
	int arch;
	if (!json_is_object(root)) {
		st = err_set(e, ST_BADINPUT, "%s: must be a JSON object", path);
		goto out;
	}
	if ((st = get_enum(&x, root, "architecture", 1, 0, archs, 4, &arch)))
		goto out;
	c->arch = arch;
	switch (c->arch) {
	case ARCH_TRANSFORMER:
		st = parse_transformer(&x, c);
		break;
	case ARCH_RNN_SEQ2SEQ:
		st = parse_rnn(&x, c);
		break;
	case ARCH_SELF_ATTENTION: {
		json_t *toks = json_object_get(root, "tokens");
		if ((st = get_int(&x, root, "d_model", 1, 0, 1, 64, &c->d_model)) ||
		    (st = get_int(&x, root, "d_k", 1, 0, 1, 64, &c->d_k)))
			break;
		if (!json_is_array(toks) || json_array_size(toks) < 1 ||
		    json_array_size(toks) > 64) {
			st = bad(&x, "tokens", "must be an array of 1..64 strings");
			break;
		}
		c->n_tokens = (int)json_array_size(toks);
		for (int i = 0; i < c->n_tokens; i++) {
			json_t *t = json_array_get(toks, (size_t)i);
			if (!json_is_string(t) || strlen(json_string_value(t)) >= sizeof c->tokens[0]) {
				st = bad(&x, "tokens", "must hold strings of at most 31 bytes");
				goto out;
			}
			strcpy(c->tokens[i], json_string_value(t));
		}
		break;
	}
	case ARCH_ATTENTION_POOLING: {
		int pool;
		if ((st = get_enum(&x, root, "pooling", 1, 0, pools, 3, &pool)) ||
		    (st = get_int(&x, root, "n_keys", 1, 0, 1, 4096, &c->n_keys)) ||
		    (st = get_int(&x, root, "n_queries", 1, 0, 1, 4096, &c->n_queries)) ||
		    (st = get_bool(&x, root, "truth", 0, &c->truth)))
			break;
		c->pooling = pool;
		break;
	}
	}
	if (st)
		goto out;
	if (c->arch == ARCH_TRANSFORMER || c->arch == ARCH_RNN_SEQ2SEQ) {
		if ((st = get_int(&x, root, "max_len", 0, 64, 2, CFG_MAX_LEN, &c->max_len)) ||
		    (st = get_int(&x, root, "max_decode_len", 0, c->max_len - 1, 1, c->max_len - 1,
				  &c->max_decode_len)) ||
		    (st = get_tok(&x, "src", &c->src)) || (st = get_tok(&x, "tgt", &c->tgt)))
			goto out;
	}
out:
	json_decref(root);
	return st;
}

enum status config_load(struct config *c, const char *path, struct err *e)
{
	/* json_load_file would do, but bounding the size first keeps a hostile
	 * multi-gigabyte "config" from being read at all. */
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_BADINPUT, "%s: cannot open: %m", path);
	char *buf;
	size_t len;
	int err;
	/* less than 1 MB: a file of exactly 1 MB has always been refused */
	enum file_read r = file_read_limited(f, (1u << 20) - 1, &buf, &len, &err);
	fclose(f);
	if (r == FILE_READ_TOO_LARGE)
		return err_set(e, ST_BADINPUT, "%s: larger than 1 MB", path);
	if (r == FILE_READ_NOMEM)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (r == FILE_READ_FAILED)
		return err_set(e, ST_BADINPUT, "%s: read error", path);
	enum status st = config_parse(c, buf, len, path, e);
	free(buf);
	return st;
}

const char *arch_name(enum arch a)
{
	static const char *const n[] = {"transformer", "rnn_seq2seq", "self_attention",
					"attention_pooling"};
	return n[a];
}

const char *cell_name(enum cell_kind k)
{
	static const char *const n[] = {"rnn", "lstm", "gru"};
	return n[k];
}

const char *attn_name(enum attn_kind k)
{
	static const char *const n[] = {"none", "additive", "dot", "scaled_dot"};
	return n[k];
}
