/* Pictures to files (app/figure*.c, app/picture.c, app/export.c,
 * trace/colormap.c): known tensors rendered and the files read back. The
 * PNG decodes (cairo), has the size the export states, and the pixel at
 * the centre of every cell is the palette colour of that cell's value
 * (some checked against the ramps' published RGB values, not against the
 * code that drew them); the SVG parses (libxml2), holds one filled
 * rectangle per cell with those colours and every label as text, each
 * sitting where glyphs were drawn; the PDF's text holds the labels (CJK
 * too) and the what-if line (pdftotext, when installed). A plot's points
 * are drawn in their series colour where plot_axis_frac puts them; the
 * diff view's Δ uses the diverging ramp (Δ = 0 the middle colour). Files
 * are atomic: never over an existing file without force, no temp file or
 * partial file left when a write fails. Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/export.h"
#include "app/picture.h"
#include "app/whatif.h"
#include "session_fixture.h"
#include "testdata.h"
#include "trace/plots.h"

/* ---- the known tensors ---- */

static const char *const ROWS[3] = {"\xe7\x8c\xab", "\xe5\x9c\xa8", "\xe5\x9e\xab"}; /* 猫 在 垫 */
static const char *const COLS[4] = {"the", "cat", "sleeps", "on"};

/* known.t: signed (a diverging ramp over [-2, 2]) with a masked cell;
 * known.p: shares in [0, 1] (the sequential ramp). */
static void known_trace(struct trace *tr, const char *whatif)
{
	trace_init(tr);
	float t[12] = {-2, -1, 0, 1, 2, 0.5f, -0.5f, 0.25f, 1.5f, -1.5f, 0.75f, -INFINITY};
	float p[6] = {0, 0.5f, 1, 0.25f, 0.75f, 0.1f};
	assert_non_null(trace_put(tr, "known.t", 3, 4, t, "target", ROWS, "source", COLS,
				  "T = a known tensor, masked where -inf"));
	assert_non_null(trace_put(tr, "known.p", 2, 3, p, "row", NULL, "col", NULL, "P = known shares"));
	trace_set_whatif(tr, whatif);
}

static struct rgb hex(unsigned v)
{
	return (struct rgb){(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
}

static int same(struct rgb a, struct rgb b, int tol)
{
	return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

#define assert_rgb(got, want, tol, what, row_, col_)                                                    \
	do {                                                                                               \
		struct rgb g_ = (got), w_ = (want);                                                        \
		if (!same(g_, w_, tol))                                                                     \
			fail_msg("%s cell (%d, %d): #%02x%02x%02x, want #%02x%02x%02x", what, row_, col_, g_.r, \
				 g_.g, g_.b, w_.r, w_.g, w_.b);                                             \
	} while (0)

/* The picture of one tensor, laid out as export_picture lays it out. */
static void laid_out(struct picture *pic, const struct trace *tr, const char *name, enum cmap_theme th)
{
	struct err e = {0};
	assert_int_equal(picture_of_tensor(pic, tr, name, 0, &e), ST_OK);
	struct fig_ctx m;
	assert_int_equal(fig_measure_open(&m, th, &e), ST_OK);
	picture_layout(&m, pic);
	fig_measure_close(&m);
}

/* Cell (r, c)'s rectangle in points. */
static void cell_rect(const struct picture *pic, int r, int c, double *x, double *y, double *w, double *h)
{
	const struct pic_item *it = &pic->item[0];
	*x = it->x + it->hm.x0 + c * it->hm.cw;
	*y = it->y + it->hm.y0 + r * it->hm.ch;
	*w = it->hm.cw;
	*h = it->hm.ch;
}

static struct rgb pixel(cairo_surface_t *s, double x, double y)
{
	int px = (int)floor(x), py = (int)floor(y);
	assert_true(px >= 0 && py >= 0 && px < cairo_image_surface_get_width(s) &&
		    py < cairo_image_surface_get_height(s));
	const unsigned char *d = cairo_image_surface_get_data(s);
	uint32_t v = *(const uint32_t *)(d + (size_t)py * (size_t)cairo_image_surface_get_stride(s) + (size_t)px * 4);
	return hex(v & 0xffffff);
}

static cairo_surface_t *read_png(const char *path)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		fail_msg("%s: does not decode: %s", path, cairo_status_to_string(cairo_surface_status(s)));
	cairo_surface_flush(s);
	return s;
}

static enum status export_tensor(const struct trace *tr, const char *name, enum cmap_theme th,
				 enum pic_format f, const char *path, int force, struct export_info *info,
				 struct err *e)
{
	struct picture pic;
	enum status st = picture_of_tensor(&pic, tr, name, 0, e);
	if (!st)
		st = export_picture(&pic, th, f, path, force, info, e);
	picture_release(&pic);
	return st;
}

/* A scratch folder, the known trace (with a what-if line) and known.t
 * exported to dir/known.EXT. */
static void export_known(struct trace *tr, const char *whatif, enum pic_format f, char *dir, size_t dn,
			 char *path, size_t pn)
{
	struct err e = {0};
	make_tmpdir(dir, dn, "export");
	known_trace(tr, whatif);
	snprintf(path, pn, "%s/known.%s", dir, export_format_ext(f));
	assert_int_equal(export_tensor(tr, "known.t", CMAP_DEFAULT, f, path, 0, NULL, &e), ST_OK);
}

/* ---- the ramps are shared ---- */

static void colormap_numbers(void **state)
{
	(void)state;
	/* viridis and RdBu as published; hot and blue-white-red on projectors */
	assert_rgb(cmap_step(CMAP_DEFAULT, 0, 0, 16), hex(0x440154), 0, "viridis", 0, 0);
	assert_rgb(cmap_step(CMAP_DEFAULT, 0, 15, 16), hex(0xfde725), 0, "viridis", 0, 15);
	assert_rgb(cmap_step(CMAP_DEFAULT, 1, 0, 17), hex(0x2166ac), 0, "RdBu", 0, 0);
	assert_rgb(cmap_step(CMAP_DEFAULT, 1, 8, 17), hex(0xf7f7f7), 0, "RdBu", 0, 8);
	assert_rgb(cmap_step(CMAP_DEFAULT, 1, 16, 17), hex(0xb2182b), 0, "RdBu", 0, 16);
	assert_rgb(cmap_step(CMAP_CONTRAST, 0, 0, 16), hex(0x000000), 0, "hot", 0, 0);
	assert_rgb(cmap_step(CMAP_CONTRAST, 0, 15, 16), hex(0xffffff), 0, "hot", 0, 15);
	assert_rgb(cmap_step(CMAP_CONTRAST, 1, 0, 17), hex(0x0000ff), 0, "bwr", 0, 0);
	assert_rgb(cmap_step(CMAP_CONTRAST, 1, 16, 17), hex(0xff0000), 0, "bwr", 0, 16);
	assert_rgb(cmap_series(CMAP_DEFAULT, 1), hex(0xe69f00), 0, "Okabe-Ito orange", 0, 1);
	struct scale s;
	float shares[3] = {0.1f, 0.9f, 0.5f}, signed_[3] = {-0.5f, 2, 1}, pos[2] = {3, 7};
	scale_of(shares, 3, &s);
	assert_true(s.lo == 0 && s.hi == 1 && !s.diverging);
	scale_of(signed_, 3, &s);
	assert_true(s.lo == -2 && s.hi == 2 && s.diverging);
	scale_of(pos, 2, &s);
	assert_true(s.lo == 3 && s.hi == 7 && !s.diverging);
	scale_symmetric(&s);
	assert_true(s.lo == -7 && s.hi == 7 && s.diverging);
	assert_int_equal(cmap_index(0.5f, 17), 8);
	assert_int_equal(cmap_index(1.5f, 17), 16);
	assert_int_equal(cmap_index(-1, 16), 0);
}

/* ---- PNG ---- */

struct fixed {
	const char *name;
	int r, c;
	unsigned rgb; /* the published ramp colour this value must get */
};

static void png_cells(void **state)
{
	(void)state;
	char dir[512], path[600];
	make_tmpdir(dir, sizeof dir, "export");
	struct trace tr;
	known_trace(&tr, NULL);
	static const struct {
		enum cmap_theme th;
		struct fixed fx[4];
	} themes[] = {
		{CMAP_DEFAULT, {{"known.t", 1, 0, 0xb2182b}, {"known.t", 0, 0, 0x2166ac}, {"known.t", 0, 2, 0xf7f7f7},
				{"known.p", 0, 2, 0xfde725}}},
		{CMAP_CONTRAST, {{"known.t", 1, 0, 0xff0000}, {"known.t", 0, 0, 0x0000ff}, {"known.t", 0, 2, 0xffffff},
				 {"known.p", 0, 0, 0x000000}}},
		{CMAP_MONO, {{"known.t", 1, 0, 0x000000}, {"known.t", 0, 0, 0xffffff}, {"known.p", 0, 2, 0x000000},
			     {"known.p", 0, 0, 0xffffff}}},
	};
	const char *names[2] = {"known.t", "known.p"};
	for (size_t k = 0; k < sizeof themes / sizeof *themes; k++)
		for (int n = 0; n < 2; n++) {
			enum cmap_theme th = themes[k].th;
			struct err e = {0};
			struct export_info info;
			snprintf(path, sizeof path, "%s/%s-%zu.png", dir, names[n], k);
			assert_int_equal(export_tensor(&tr, names[n], th, PIC_PNG, path, 0, &info, &e), ST_OK);
			struct picture pic;
			laid_out(&pic, &tr, names[n], th);
			cairo_surface_t *s = read_png(path);
			/* the stated size, and 2 pixels per point of the layout */
			assert_int_equal(cairo_image_surface_get_width(s), info.px_w);
			assert_int_equal(cairo_image_surface_get_height(s), info.px_h);
			assert_int_equal(info.px_w, (int)ceil(pic.w * EXPORT_PNG_SCALE));
			assert_int_equal(info.px_h, (int)ceil(pic.h * EXPORT_PNG_SCALE));
			const struct tensor *t = trace_get(&tr, names[n]);
			struct scale sc;
			scale_of(t->data, (size_t)t->rows * (size_t)t->cols, &sc);
			assert_true(sc.diverging == (n == 0));
			for (int r = 0; r < t->rows; r++)
				for (int c = 0; c < t->cols; c++) {
					double x, y, w, h;
					cell_rect(&pic, r, c, &x, &y, &w, &h);
					float v = tensor_at(t, r, c);
					const double S = EXPORT_PNG_SCALE;
					if (isinf(v)) { /* grey, a cross through the middle */
						assert_rgb(pixel(s, (x + w / 2) * S, (y + h * 0.1) * S), cmap_masked(th), 0,
							   "masked", r, c);
						assert_rgb(pixel(s, (x + w / 2) * S, (y + h / 2) * S), cmap_masked_mark(th), 0,
							   "masked mark", r, c);
						continue;
					}
					assert_rgb(pixel(s, (x + w / 2) * S, (y + h / 2) * S), cmap_value(th, &sc, v), 0,
						   names[n], r, c);
				}
			for (int i = 0; i < 4; i++) {
				const struct fixed *f = &themes[k].fx[i];
				if (strcmp(f->name, names[n]))
					continue;
				double x, y, w, h;
				cell_rect(&pic, f->r, f->c, &x, &y, &w, &h);
				assert_rgb(pixel(s, (x + w / 2) * 2, (y + h / 2) * 2), hex(f->rgb), 0, "published", f->r, f->c);
			}
			/* the page: the theme's background (black for projectors) */
			assert_rgb(pixel(s, 1, 1), cmap_background(th), 0, "corner", 0, 0);
			cairo_surface_destroy(s);
			picture_release(&pic);
		}
	trace_release(&tr);
	remove_tmpdir(dir);
}

/* ---- SVG ---- */

struct svg {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

static xmlXPathObjectPtr query(struct svg *v, const char *xpath)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, v->xp);
	assert_non_null(o);
	return o;
}

static double attr_num(xmlNodePtr n, const char *name)
{
	xmlChar *a = xmlGetProp(n, BAD_CAST name);
	double v = a ? atof((const char *)a) : NAN;
	xmlFree(a);
	return v;
}

/* fill:rgb(69.803922%,9.411765%,16.862745%) as 0..255 */
static int path_fill(xmlNodePtr n, struct rgb *c)
{
	xmlChar *st = xmlGetProp(n, BAD_CAST "style");
	const char *f = st ? strstr((const char *)st, "fill:rgb(") : NULL;
	double r, g, b;
	int ok = f && sscanf(f, "fill:rgb(%lf%%,%lf%%,%lf%%)", &r, &g, &b) == 3;
	if (ok)
		*c = (struct rgb){(unsigned char)lround(r * 2.55), (unsigned char)lround(g * 2.55),
				  (unsigned char)lround(b * 2.55)};
	xmlFree(st);
	return ok;
}

/* A path that is one axis-aligned rectangle: M x0 y0 L x1 y0 L x1 y1 L x0 y1 Z */
static int path_rect(xmlNodePtr n, double *x, double *y, double *w, double *h)
{
	xmlChar *d = xmlGetProp(n, BAD_CAST "d");
	double p[8];
	int ok = d && sscanf((const char *)d, "M %lf %lf L %lf %lf L %lf %lf L %lf %lf Z", &p[0], &p[1], &p[2], &p[3],
			     &p[4], &p[5], &p[6], &p[7]) == 8;
	xmlFree(d);
	if (!ok || p[1] != p[3] || p[2] != p[4] || p[5] != p[7] || p[0] != p[6])
		return 0;
	*x = fmin(p[0], p[2]);
	*y = fmin(p[1], p[5]);
	*w = fabs(p[2] - p[0]);
	*h = fabs(p[5] - p[1]);
	return 1;
}

static void svg_open(struct svg *v, const char *path)
{
	v->doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	if (!v->doc)
		fail_msg("%s: not well-formed XML", path);
	v->xp = xmlXPathNewContext(v->doc);
	assert_non_null(v->xp);
	xmlXPathRegisterNs(v->xp, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
	xmlXPathRegisterNs(v->xp, BAD_CAST "xl", BAD_CAST "http://www.w3.org/1999/xlink");
}

static void svg_close(struct svg *v)
{
	xmlXPathFreeContext(v->xp);
	xmlFreeDoc(v->doc);
}

/* The <text> whose content is s; it must sit where glyphs were drawn:
 * a <use> of a glyph at the text's start (its baseline), so the text is
 * what the picture shows. */
static void has_text(struct svg *v, const char *s)
{
	xmlXPathObjectPtr texts = query(v, "//s:text"), uses = query(v, "//s:use");
	int found = 0;
	for (int i = 0; texts->nodesetval && i < texts->nodesetval->nodeNr && !found; i++) {
		xmlNodePtr t = texts->nodesetval->nodeTab[i];
		xmlChar *c = xmlNodeGetContent(t);
		if (c && strcmp((const char *)c, s) == 0) {
			double x = attr_num(t, "x"), y = attr_num(t, "y");
			for (int j = 0; uses->nodesetval && j < uses->nodesetval->nodeNr; j++) {
				xmlNodePtr u = uses->nodesetval->nodeTab[j];
				if (fabs(attr_num(u, "x") - x) < 0.6 && fabs(attr_num(u, "y") - y) < 0.6)
					found = 1;
			}
			if (!found)
				fail_msg("text '%s' at (%.2f, %.2f): no glyph drawn there", s, x, y);
		}
		xmlFree(c);
	}
	if (!found)
		fail_msg("no <text> '%s' in the SVG", s);
	xmlXPathFreeObject(texts);
	xmlXPathFreeObject(uses);
}

static void svg_cells_and_text(void **state)
{
	(void)state;
	char dir[512], path[600];
	struct trace tr;
	export_known(&tr, "scale off; head enc.0.self_attn.h1 off", PIC_SVG, dir, sizeof dir, path, sizeof path);
	struct picture pic;
	laid_out(&pic, &tr, "known.t", CMAP_DEFAULT);
	struct svg v;
	svg_open(&v, path);
	xmlXPathObjectPtr paths = query(&v, "//s:path[@d]");
	const struct tensor *t = trace_get(&tr, "known.t");
	struct scale sc;
	scale_of(t->data, 12, &sc);
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 4; c++) {
			double x, y, w, h;
			cell_rect(&pic, r, c, &x, &y, &w, &h);
			int n = 0;
			struct rgb fill = {0, 0, 0};
			for (int i = 0; paths->nodesetval && i < paths->nodesetval->nodeNr; i++) {
				double px, py, pw, ph;
				xmlNodePtr p = paths->nodesetval->nodeTab[i];
				if (path_rect(p, &px, &py, &pw, &ph) && fabs(px - x) < 1e-6 && fabs(py - y) < 1e-6 &&
				    fabs(pw - w) < 1e-6 && fabs(ph - h) < 1e-6) {
					n++;
					assert_true(path_fill(p, &fill));
				}
			}
			if (n != 1)
				fail_msg("cell (%d, %d): %d rectangles at (%g, %g) %g x %g, want 1", r, c, n, x, y, w, h);
			float val = tensor_at(t, r, c);
			assert_rgb(fill, isinf(val) ? cmap_masked(CMAP_DEFAULT) : cmap_value(CMAP_DEFAULT, &sc, val), 1,
				   "svg", r, c);
		}
	xmlXPathFreeObject(paths);
	/* every label as text where its glyphs are: CJK rows, token columns,
	 * the axis titles, the title, the colour bar's ends, the caption and
	 * the what-if line */
	for (int r = 0; r < 3; r++)
		has_text(&v, ROWS[r]);
	for (int c = 0; c < 4; c++)
		has_text(&v, COLS[c]);
	has_text(&v, "target");
	has_text(&v, "source");
	has_text(&v, "known.t [3 \xc3\x97 4]");
	has_text(&v, "2");
	has_text(&v, "-2");
	has_text(&v, "known.t: T = a known tensor, masked where -inf");
	has_text(&v, "WHAT-IF: scale off; head enc.0.self_attn.h1 off");
	xmlXPathObjectPtr d = query(&v, "/s:svg/s:desc");
	assert_int_equal(d->nodesetval ? d->nodesetval->nodeNr : 0, 1);
	xmlChar *dt = xmlNodeGetContent(d->nodesetval->nodeTab[0]);
	assert_non_null(strstr((const char *)dt, "WHAT-IF: scale off"));
	xmlFree(dt);
	xmlXPathFreeObject(d);
	svg_close(&v);
	picture_release(&pic);
	trace_release(&tr);
	remove_tmpdir(dir);
}

/* ---- PDF ---- */

static int have_tool(const char *name)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static char *pdf_text(const char *path)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "pdftotext -q '%s' -", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = 0;
	assert_int_equal(pclose(p), 0);
	return buf;
}

static void pdf_text_holds_labels(void **state)
{
	(void)state;
	char dir[512], path[600];
	struct trace tr;
	export_known(&tr, "scale off", PIC_PDF, dir, sizeof dir, path, sizeof path);
	FILE *f = fopen(path, "rb");
	char head[8] = {0};
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 5, f), 5);
	fclose(f);
	assert_string_equal(head, "%PDF-");
	if (have_tool("pdftotext")) {
		const char *text = pdf_text(path);
		for (int r = 0; r < 3; r++)
			assert_non_null(strstr(text, ROWS[r]));
		for (int c = 0; c < 4; c++)
			assert_non_null(strstr(text, COLS[c]));
		assert_non_null(strstr(text, "known.t [3 \xc3\x97 4]"));
		assert_non_null(strstr(text, "WHAT-IF: scale off"));
	} else {
		print_message("pdftotext not installed (make deps): the PDF's text is not checked\n");
	}
	trace_release(&tr);
	remove_tmpdir(dir);
}

/* ---- a plot ---- */

static struct tensor *vec(struct trace *tr, const char *name, int n, const float *v)
{
	struct tensor *t = trace_add(tr, name, 1, n, v, name);
	assert_non_null(t);
	t->ndim = 1;
	return t;
}

static void plot_points(void **state)
{
	(void)state;
	char dir[512], path[600];
	make_tmpdir(dir, sizeof dir, "export");
	struct trace tr;
	trace_init(&tr);
	float keys[4] = {0.5f, 1.5f, 2.5f, 4.0f}, values[4] = {1.2f, 2.9f, 3.1f, 0.7f};
	float queries[3] = {0, 2, 4}, out[3] = {1.5f, 2.6f, 1.1f};
	vec(&tr, "pool.keys", 4, keys);
	vec(&tr, "pool.values", 4, values);
	vec(&tr, "pool.queries", 3, queries);
	vec(&tr, "pool.out", 3, out);
	struct err e = {0};
	for (int k = 0; k < 2; k++) {
		enum cmap_theme th = k ? CMAP_CONTRAST : CMAP_DEFAULT;
		struct picture pic;
		picture_init(&pic);
		assert_int_equal(plot_pooling(&pic.fig, &tr, &e), ST_OK);
		picture_add_plots(&pic);
		snprintf(path, sizeof path, "%s/pool-%d.png", dir, k);
		struct export_info info;
		assert_int_equal(export_picture(&pic, th, PIC_PNG, path, 0, &info, &e), ST_OK);
		cairo_surface_t *s = read_png(path);
		struct fig_ctx m;
		assert_int_equal(fig_measure_open(&m, th, &e), ST_OK);
		const struct pic_item *it = &pic.item[0];
		struct fig_area a;
		assert_true(fig_plot_area(&m, it->p, it->x, it->y, it->w, it->h, &a));
		fig_measure_close(&m);
		/* each marker in its series colour, where the axes put it */
		int checked = 0;
		for (int i = 0; i < it->p->nseries; i++) {
			const struct plot_series *se = &it->p->series[i];
			if (!(se->mark & PLOT_POINTS))
				continue;
			for (int j = 0; j < se->n; j++) {
				double fx = plot_axis_frac(&it->p->x, se->pts[j].x), fy = plot_axis_frac(&it->p->y, se->pts[j].y);
				double px = a.x + fx * a.w, py = a.y + (1 - fy) * a.h;
				assert_rgb(pixel(s, px * 2, py * 2), cmap_series(th, se->style), 0, se->name, i, j);
				checked++;
			}
		}
		assert_true(checked >= 4);
		cairo_surface_destroy(s);
		/* the SVG holds the title, legend and tick labels as text */
		snprintf(path, sizeof path, "%s/pool-%d.svg", dir, k);
		assert_int_equal(export_picture(&pic, th, PIC_SVG, path, 0, &info, &e), ST_OK);
		struct svg v;
		svg_open(&v, path);
		has_text(&v, it->p->title);
		for (int i = 0; i < it->p->nseries; i++)
			has_text(&v, it->p->series[i].name);
		has_text(&v, it->p->y.ticks[0].label);
		has_text(&v, it->p->x.ticks[it->p->x.nticks - 1].label);
		svg_close(&v);
		picture_release(&pic);
	}
	trace_release(&tr);
	remove_tmpdir(dir);
}

/* ---- files ---- */

static int temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strstr(de->d_name, ".tmp") != NULL;
	closedir(d);
	return n;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void files_are_atomic(void **state)
{
	(void)state;
	char dir[512], path[600], other[600];
	make_tmpdir(dir, sizeof dir, "export");
	struct trace tr;
	known_trace(&tr, NULL);
	struct err e = {0};
	snprintf(path, sizeof path, "%s/a.png", dir);
	write_file(path, "not a picture", 13);
	/* never over an existing file without force */
	assert_int_equal(export_tensor(&tr, "known.t", CMAP_DEFAULT, PIC_PNG, path, 0, NULL, &e), ST_IO);
	assert_non_null(strstr(e.msg, "exists; use --force"));
	assert_int_equal(file_size(path), 13);
	assert_int_equal(export_tensor(&tr, "known.t", CMAP_DEFAULT, PIC_PNG, path, 1, NULL, &e), ST_OK);
	cairo_surface_destroy(read_png(path));
	/* bad format, unknown tensor, missing folder: one line, nothing written */
	enum pic_format f;
	assert_int_equal(export_format_of("slide.gif", &f, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "slide.gif"));
	assert_int_equal(export_format_of("slide.SVG", &f, &e), ST_OK);
	assert_int_equal(f, PIC_SVG);
	assert_int_equal(export_format_of("dir.png/slide", &f, &e), ST_BADINPUT);
	struct picture pic;
	assert_int_equal(picture_of_tensor(&pic, &tr, "no.such", 0, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "no.such"));
	picture_release(&pic);
	snprintf(other, sizeof other, "%s/no/such/folder/b.svg", dir);
	assert_int_equal(export_tensor(&tr, "known.t", CMAP_DEFAULT, PIC_SVG, other, 0, NULL, &e), ST_IO);
	assert_null(strchr(e.msg, '\n'));
	/* a write that fails half way (a PNG too large for cairo, found after
	 * the temp file exists): no file and no temp file left */
	enum { WIDE = 30000 }; /* 3-point cells: 90000 points, over 0.5 px per point at 32000 px */
	float *wide = calloc(WIDE, sizeof *wide);
	assert_non_null(wide);
	assert_non_null(trace_add(&tr, "wide", 1, WIDE, wide, "a very wide row"));
	free(wide);
	snprintf(other, sizeof other, "%s/wide.png", dir);
	assert_int_equal(export_tensor(&tr, "wide", CMAP_DEFAULT, PIC_PNG, other, 0, NULL, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "too large for a PNG"));
	assert_int_equal(file_size(other), -1);
	assert_int_equal(temp_files(dir), 0);
	/* --export: every match, the folder made, then refused without force */
	int written = 0;
	snprintf(other, sizeof other, "%s/out", dir);
	assert_int_equal(export_tensors(&tr, "known.*", other, PIC_PDF, CMAP_DEFAULT, 0, &written, &e), ST_OK);
	assert_int_equal(written, 2);
	assert_int_equal(export_tensors(&tr, "known.*", other, PIC_PDF, CMAP_DEFAULT, 0, &written, &e), ST_IO);
	assert_int_equal(export_tensors(&tr, "nothing.*", other, PIC_PDF, CMAP_DEFAULT, 0, &written, &e),
			 ST_BADINPUT);
	assert_int_equal(export_tensors(&tr, "known.*", other, PIC_PDF, CMAP_DEFAULT, 1, &written, &e), ST_OK);
	assert_int_equal(temp_files(other), 0);
	remove_tmpdir(other);
	trace_release(&tr);
	remove_tmpdir(dir);
}

/* ---- the explorer's command, the theme and the diff view ---- */

static void explorer_export(void **state)
{
	(void)state;
	char dir[512], line[1400];
	make_tmpdir(dir, sizeof dir, "export");
	struct session_fixture *f = session_fixture_new("models/qkv-example");
	assert_non_null(f);
	struct err e = {0};
	assert_int_equal(whatif_register(&f->c, &e), ST_OK);
	assert_int_equal(export_register(&f->c, &e), ST_OK);
	snprintf(line, sizeof line, "export self_attn.weights %s/w.png", dir);
	assert_int_equal(commands_run(&f->c, &f->ctx, line, NULL, NULL, &e), ST_OK);
	assert_non_null(strstr(f->ctx.out.note, "wrote"));
	assert_non_null(strstr(f->ctx.out.note, " px)"));
	snprintf(line, sizeof line, "export no.such %s/x.png", dir);
	assert_int_equal(commands_run(&f->c, &f->ctx, line, NULL, NULL, &e), ST_BADINPUT);
	snprintf(line, sizeof line, "export stage %s/x.gif", dir);
	assert_int_equal(commands_run(&f->c, &f->ctx, line, NULL, NULL, &e), ST_BADINPUT);
	assert_int_equal(commands_run(&f->c, &f->ctx, "export stage", NULL, NULL, &e), ST_USAGE);
	/* the theme setting picks the figures' palette */
	snprintf(line, sizeof line, "set theme contrast; export stage %s/c.png", dir);
	assert_int_equal(commands_run(&f->c, &f->ctx, line, NULL, NULL, &e), ST_OK);
	snprintf(line, sizeof line, "%s/c.png", dir);
	cairo_surface_t *s = read_png(line);
	assert_rgb(pixel(s, 1, 1), hex(0x000000), 0, "contrast page", 0, 0);
	cairo_surface_destroy(s);
	/* the diff view: Δ self_attn.q after W_q[0,0] + 1 is X[., 0] in
	 * column 0 and 0 elsewhere, on the diverging ramp */
	snprintf(line, sizeof line, "set theme default; edit self_attn.w_q 0 0 1.67; diff self_attn.q; export stage %s/d.png",
		 dir);
	assert_int_equal(commands_run(&f->c, &f->ctx, line, NULL, NULL, &e), ST_OK);
	struct picture pic;
	assert_int_equal(picture_of_stage(&pic, &f->s, &e), ST_OK);
	assert_int_equal(pic.n, 1);
	assert_string_equal(pic.item[0].title, "\xce\x94 self_attn.q");
	assert_non_null(strstr(pic.whatif, "edit"));
	struct fig_ctx m;
	assert_int_equal(fig_measure_open(&m, CMAP_DEFAULT, &e), ST_OK);
	picture_layout(&m, &pic);
	fig_measure_close(&m);
	assert_true(pic.item[0].hm.sc.diverging);
	snprintf(line, sizeof line, "%s/d.png", dir);
	s = read_png(line);
	const struct tensor *x = trace_get(&f->s.trace, "self_attn.x");
	assert_non_null(x);
	int big = 0;
	for (int r = 0; r < x->rows; r++)
		big = fabsf(tensor_at(x, r, 0)) > fabsf(tensor_at(x, big, 0)) ? r : big;
	for (int r = 0; r < x->rows; r++)
		for (int c = 0; c < 4; c++) {
			double cx, cy, w, h;
			cell_rect(&pic, r, c, &cx, &cy, &w, &h);
			struct rgb got = pixel(s, (cx + w / 2) * 2, (cy + h / 2) * 2);
			if (c > 0)
				assert_rgb(got, hex(0xf7f7f7), 0, "unchanged", r, c);
			else if (r == big)
				assert_rgb(got, hex(tensor_at(x, r, 0) > 0 ? 0xb2182b : 0x2166ac), 0, "largest change", r, c);
		}
	cairo_surface_destroy(s);
	picture_release(&pic);
	session_fixture_free(f);
	remove_tmpdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colormap_numbers),
		cmocka_unit_test(png_cells),
		cmocka_unit_test(svg_cells_and_text),
		cmocka_unit_test(pdf_text_holds_labels),
		cmocka_unit_test(plot_points),
		cmocka_unit_test(files_are_atomic),
		cmocka_unit_test(explorer_export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
