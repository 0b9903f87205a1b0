#include "app/export.h"
#include "app/picture.h"
#include "base/atomicfile.h"
#include "base/strbuf.h"
#include "io/dump.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const EXT[] = {"png", "svg", "pdf"};

int export_format_parse(const char *s, enum pic_format *f)
{
	for (int i = 0; i < 3; i++)
		if (strcasecmp(s, EXT[i]) == 0) {
			*f = (enum pic_format)i;
			return 1;
		}
	return 0;
}

const char *export_format_ext(enum pic_format f)
{
	return EXT[f];
}

enum status export_format_of(const char *path, enum pic_format *f, struct err *e)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (dot && (!slash || dot > slash) && export_format_parse(dot + 1, f))
		return ST_OK;
	return err_set(e, ST_BADINPUT, "%.300s: not a picture format (the name ends in .png, .svg or .pdf)", path);
}

cairo_status_t export_write_stream(void *closure, const unsigned char *data, unsigned int n)
{
	return fwrite(data, 1, n, closure) == n ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static cairo_status_t to_strbuf(void *closure, const unsigned char *data, unsigned int n)
{
	struct strbuf *b = closure;
	strbuf_putn(b, (const char *)data, n);
	return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static enum status cairo_error(cairo_status_t cs, const char *path, struct err *e)
{
	if (cs == CAIRO_STATUS_NO_MEMORY)
		return err_set(e, ST_NOMEM, "%s: out of memory for the picture", path);
	if (cs == CAIRO_STATUS_WRITE_ERROR)
		return err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
	return err_set(e, ST_IO, "%s: cannot draw: %s", path, cairo_status_to_string(cs));
}

static cairo_status_t draw_on(cairo_surface_t *sf, double scale, const struct picture *pic,
			      enum cmap_theme th, struct fig_texts *texts)
{
	cairo_t *cr = cairo_create(sf);
	fig_ctx_prepare(cr);
	cairo_scale(cr, scale, scale);
	struct fig_ctx fc = {cr, th, texts};
	picture_draw(&fc, pic, 0, 0);
	cairo_status_t cs = cairo_status(cr);
	cairo_destroy(cr);
	return cs;
}

static enum status write_png(const struct picture *pic, enum cmap_theme th, struct atomic_file *af,
			     struct export_info *info, struct err *e)
{
	/* cairo's image surfaces stop at 32767 pixels a side */
	double scale = EXPORT_PNG_SCALE, big = fmax(pic->w, pic->h);
	if (big * scale > 32000)
		scale = 32000 / big;
	if (scale < 0.5)
		return err_set(e, ST_BADINPUT, "%s: %.0f x %.0f points is too large for a PNG (an SVG or PDF holds it)",
			       af->path, pic->w, pic->h);
	int W = (int)ceil(pic->w * scale), H = (int)ceil(pic->h * scale);
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
	cairo_status_t cs = cairo_surface_status(sf);
	if (!cs)
		cs = draw_on(sf, scale, pic, th, NULL);
	if (!cs)
		cs = cairo_surface_write_to_png_stream(sf, export_write_stream, af->f);
	cairo_surface_destroy(sf);
	info->px_w = W;
	info->px_h = H;
	return cs ? cairo_error(cs, af->path, e) : ST_OK;
}

static void set_prop(xmlNodePtr n, const char *key, const char *fmt, double v)
{
	char buf[64];
	snprintf(buf, sizeof buf, fmt, v);
	xmlNewProp(n, BAD_CAST key, BAD_CAST buf);
}

static xmlNodePtr text_node(xmlDocPtr doc, xmlNsPtr ns, const char *tag, const char *text)
{
	xmlNodePtr n = xmlNewDocNode(doc, ns, BAD_CAST tag, NULL);
	if (n)
		xmlNodeAddContent(n, BAD_CAST text); /* escapes & < > */
	return n;
}

/* cairo's SVG surface draws text as glyph outlines: the labels are added as
 * text, transparent and where each line was drawn (its width as
 * textLength), so the picture looks the same and its words can be found,
 * selected and read aloud; the title and caption become <title>/<desc>. */
static enum status svg_with_text(const struct strbuf *svg, const struct picture *pic,
				 const struct fig_texts *T, FILE *f, const char *path, struct err *e)
{
	xmlDocPtr doc = xmlReadMemory(svg->s, (int)svg->n, "figure.svg", "UTF-8", XML_PARSE_NONET);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		xmlFreeDoc(doc);
		return err_set(e, ST_NOMEM, "%s: cannot read back cairo's SVG", path);
	}
	xmlNsPtr ns = root->ns;
	char desc[PIC_TEXT + 2100];
	snprintf(desc, sizeof desc, "%s%s%s", pic->caption, pic->whatif[0] ? "\nWHAT-IF: " : "", pic->whatif);
	const char *title = pic->title[0] ? pic->title : pic->n && pic->item[0].hm.t ? pic->item[0].hm.t->name : "seqstep";
	xmlNodePtr tn = text_node(doc, ns, "title", title), dn = text_node(doc, ns, "desc", desc);
	if (tn && dn) {
		if (root->children) {
			xmlAddPrevSibling(root->children, tn);
			xmlAddNextSibling(tn, dn);
		} else {
			xmlAddChild(root, tn);
			xmlAddChild(root, dn);
		}
	}
	xmlNodePtr g = xmlNewChild(root, ns, BAD_CAST "g", NULL);
	if (g) {
		xmlNewProp(g, BAD_CAST "id", BAD_CAST "text");
		xmlNewProp(g, BAD_CAST "style", BAD_CAST "fill:#000000;fill-opacity:0;stroke:none");
	}
	for (size_t i = 0; g && i < T->n; i++) {
		const struct fig_text *t = &T->v[i];
		xmlNodePtr n = text_node(doc, ns, "text", t->s);
		if (!n)
			break;
		xmlAddChild(g, n);
		xmlNodeSetSpacePreserve(n, 1);
		set_prop(n, "x", "%.2f", t->x);
		set_prop(n, "y", "%.2f", t->y);
		set_prop(n, "font-size", "%.2f", t->size);
		xmlNewProp(n, BAD_CAST "font-family", BAD_CAST(t->mono ? "DejaVu Sans Mono" : "DejaVu Sans"));
		if (t->bold)
			xmlNewProp(n, BAD_CAST "font-weight", BAD_CAST "bold");
		if (t->w > 0) {
			set_prop(n, "textLength", "%.2f", t->w);
			xmlNewProp(n, BAD_CAST "lengthAdjust", BAD_CAST "spacingAndGlyphs");
		}
		if (t->angle != 0) {
			char buf[128];
			snprintf(buf, sizeof buf, "rotate(%.2f %.2f %.2f)", t->angle, t->x, t->y);
			xmlNewProp(n, BAD_CAST "transform", BAD_CAST buf);
		}
	}
	xmlChar *out = NULL;
	int len = 0;
	xmlDocDumpMemoryEnc(doc, &out, &len, "UTF-8");
	xmlFreeDoc(doc);
	if (!out)
		return err_set(e, ST_NOMEM, "%s: out of memory for the SVG", path);
	enum status st = fwrite(out, 1, (size_t)len, f) == (size_t)len
				 ? ST_OK
				 : err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(errno));
	xmlFree(out);
	return st;
}

static enum status write_svg(const struct picture *pic, enum cmap_theme th, struct atomic_file *af,
			     struct err *e)
{
	struct strbuf b = {0};
	struct fig_texts T = {0};
	cairo_surface_t *sf = cairo_svg_surface_create_for_stream(to_strbuf, &b, pic->w, pic->h);
	cairo_status_t cs = cairo_surface_status(sf);
	if (!cs)
		cs = draw_on(sf, 1, pic, th, &T);
	cairo_surface_finish(sf);
	if (!cs)
		cs = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	enum status st = ST_OK;
	if (cs)
		st = cairo_error(cs, af->path, e);
	else if (b.oom || T.oom || !b.s)
		st = err_set(e, ST_NOMEM, "%s: out of memory for the SVG", af->path);
	else
		st = svg_with_text(&b, pic, &T, af->f, af->path, e);
	fig_texts_release(&T);
	strbuf_release(&b);
	return st;
}

static enum status write_pdf(const struct picture *pic, enum cmap_theme th, struct atomic_file *af,
			     struct err *e)
{
	cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(export_write_stream, af->f, pic->w, pic->h);
	cairo_status_t cs = cairo_surface_status(sf);
	if (!cs) {
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, pic->title[0] ? pic->title : "seqstep");
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "seqstep");
		cs = draw_on(sf, 1, pic, th, NULL);
	}
	cairo_surface_finish(sf);
	if (!cs)
		cs = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	return cs ? cairo_error(cs, af->path, e) : ST_OK;
}

enum status export_picture(struct picture *pic, enum cmap_theme th, enum pic_format f, const char *path,
			   int force, struct export_info *info, struct err *e)
{
	struct export_info tmp;
	info = info ? info : &tmp;
	memset(info, 0, sizeof *info);
	struct fig_ctx m;
	enum status st = fig_measure_open(&m, th, e);
	if (st)
		return st;
	picture_layout(&m, pic);
	fig_measure_close(&m);
	info->w = pic->w;
	info->h = pic->h;
	struct atomic_file af;
	if ((st = atomic_open(&af, path, force, e)))
		return st;
	st = f == PIC_PNG ? write_png(pic, th, &af, info, e) : f == PIC_SVG ? write_svg(pic, th, &af, e)
									    : write_pdf(pic, th, &af, e);
	if (st) {
		atomic_abort(&af);
		return st;
	}
	return atomic_commit(&af, e);
}

struct export_ctx {
	const struct trace *tr;
	const char *dir;
	enum pic_format f;
	enum cmap_theme th;
	int force, written;
	enum status st;
	struct err *e;
};

static void export_one(const struct tensor *t, void *arg)
{
	struct export_ctx *x = arg;
	if (x->st)
		return;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.%s", x->dir, t->name, EXT[x->f]);
	struct picture *pic = malloc(sizeof *pic);
	if (!pic) {
		x->st = err_set(x->e, ST_NOMEM, "out of memory");
		return;
	}
	x->st = picture_of_tensor(pic, x->tr, t->name, 0, x->e);
	if (!x->st)
		x->st = export_picture(pic, x->th, x->f, path, x->force, NULL, x->e);
	picture_release(pic);
	free(pic);
	x->written += !x->st;
}

enum status export_tensors(const struct trace *tr, const char *glob, const char *dir, enum pic_format f,
			   enum cmap_theme th, int force, int *written, struct err *e)
{
	*written = 0;
	if (!trace_match(tr, glob, NULL, NULL))
		return err_set(e, ST_BADINPUT, "no trace entry matches '%.200s' (--list shows them all)", glob);
	enum status st = dump_make_dir(dir, e);
	if (st)
		return st == ST_USAGE ? ST_BADINPUT : st;
	struct export_ctx x = {tr, dir, f, th, force, 0, ST_OK, e};
	trace_match(tr, glob, export_one, &x);
	*written = x.written;
	return x.st;
}

/* ---- the explorer's command ---- */

static enum status cmd_export(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	const char *what = NULL, *file = NULL;
	int force = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = 1;
		else if (!what)
			what = argv[i];
		else if (!file)
			file = argv[i];
		else
			what = NULL, i = argc;
	}
	if (!what || !file)
		return err_set(e, ST_USAGE, "usage: %s", commands_find(c->cmds, "export")->usage);
	enum pic_format f;
	enum status st = export_format_of(file, &f, e);
	if (st || (st = session_ensure(c->s, e)))
		return st;
	struct picture *pic = malloc(sizeof *pic);
	if (!pic)
		return err_set(e, ST_NOMEM, "out of memory");
	struct export_info info;
	if (strcmp(what, "stage") == 0)
		st = picture_of_stage(pic, c->s, e);
	else
		st = picture_of_tensor(pic, &c->s->trace, what, c->s->numbers, e);
	if (!st)
		st = export_picture(pic, picture_theme(c->s->theme), f, file, force, &info, e);
	picture_release(pic);
	free(pic);
	if (st)
		return st;
	char size[64];
	if (f == PIC_PNG)
		snprintf(size, sizeof size, "%d x %d px", info.px_w, info.px_h);
	else
		snprintf(size, sizeof size, "%.0f x %.0f pt", info.w, info.h);
	cmd_printf(c, "wrote %s (%s)\n", file, size);
	cmd_note(c, "wrote %s (%s)", file, size);
	return ST_OK;
}

static void complete_export(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi != 1)
		return;
	strlist_add(out, "stage");
	complete_trace_names(c, argi, word, out);
}

enum status export_register(struct commands *c, struct err *e)
{
	static const struct command cmd = {
		"export", NULL, cmd_export, "export NAME|stage FILE.png|.svg|.pdf [--force]",
		"write a tensor, or what the stage shows, as a picture (PNG, SVG or PDF)", complete_export};
	return commands_add(c, &cmd, e);
}
