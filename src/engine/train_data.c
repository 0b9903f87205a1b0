/* The vocabularies and examples training reads (train_data.h). */
#include "engine/train_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum status train_build_side(const char *out_dir, const struct tok_config *tc,
			      const struct train_opts *o, char **lines, size_t n,
			      struct vocab *v, struct tokenizer *t, const char *side, struct err *e)
{
	char vpath[4096], mname[64], mpath[4096];
	snprintf(vpath, sizeof vpath, "%s/.%s.vocab.%ld.building", out_dir, side, (long)getpid());
	snprintf(mname, sizeof mname, ".%s.merges.%ld.building", side, (long)getpid());
	snprintf(mpath, sizeof mpath, "%s/%s", out_dir, mname);
	enum status st;
	if (tc->kind == TOK_BPE)
		st = bpe_learn((const char *const *)lines, n, o->bpe_merges, tc->lowercase, mpath, vpath,
			       e);
	else
		st = vocab_build(tc->kind, tc->lowercase, (const char *const *)lines, n, o->min_count,
				 vpath, e);
	if (!st)
		st = vocab_load(v, vpath, e);
	if (!st) {
		struct tok_config tmp = *tc;
		if (tc->kind == TOK_BPE)
			snprintf(tmp.merges, sizeof tmp.merges, "%s", mname);
		st = tokenizer_init(t, &tmp, v, out_dir, e);
	}
	if (st)
		err_prefix(e, "building the %s vocabulary", side);
	unlink(vpath);
	if (tc->kind == TOK_BPE)
		unlink(mpath);
	return st;
}

void dataset_release(struct dataset *d)
{
	for (size_t i = 0; d->ex && i < d->n; i++)
		free(d->ex[i].src);
	free(d->ex);
	memset(d, 0, sizeof *d);
}

enum status dataset_build(struct dataset *d, const struct model *m,
				 const struct corpus *c, const char *path, struct err *e)
{
	memset(d, 0, sizeof *d);
	d->ex = calloc(c->n ? c->n : 1, sizeof *d->ex);
	if (!d->ex)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = ST_OK;
	for (size_t i = 0; i < c->n && !st; i++) {
		struct encoding se = {0}, te = {0};
		if ((st = tokenizer_encode(&m->src_tok, c->src[i], &se, e)) ||
		    (st = tokenizer_encode(&m->tgt_tok, c->tgt[i], &te, e))) {
			err_prefix(e, "%s: pair %zu", path, i + 1);
		} else if (se.n + 1 > m->cfg.max_len || te.n + 1 > m->cfg.max_len) {
			d->skipped++; /* longer than the positions the model has */
		} else {
			struct example *x = &d->ex[d->n];
			x->ns = se.n + 1;
			x->nt = te.n + 1;
			x->src = malloc((size_t)(x->ns + 2 * x->nt) * sizeof(int));
			if (!x->src) {
				st = err_set(e, ST_NOMEM, "out of memory");
			} else {
				x->tgt_in = x->src + x->ns;
				x->tgt_out = x->tgt_in + x->nt;
				memcpy(x->src, se.ids, (size_t)se.n * sizeof(int));
				x->src[se.n] = m->src_vocab.eos;
				x->tgt_in[0] = m->tgt_vocab.bos;
				memcpy(x->tgt_in + 1, te.ids, (size_t)te.n * sizeof(int));
				memcpy(x->tgt_out, te.ids, (size_t)te.n * sizeof(int));
				x->tgt_out[te.n] = m->tgt_vocab.eos;
				d->tokens += x->nt;
				d->n++;
			}
		}
		encoding_release(&se);
		encoding_release(&te);
	}
	if (!st && d->n == 0)
		st = err_set(e, ST_BADINPUT, "%s: no pair fits the model's max_len %d", path,
			     m->cfg.max_len);
	if (st)
		dataset_release(d);
	return st;
}
