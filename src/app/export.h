/* Pictures to files: PNG (cairo's image surface, 2 pixels per point), SVG
 * (cairo's SVG surface; libxml2 adds each label as a transparent <text>
 * over its glyph outlines, and the caption as the <title> and <desc>, so
 * the labels can be searched, selected and read aloud) and PDF (cairo's
 * PDF surface, text as text). Every file is written atomically (a temp
 * file next to it, then a rename; base/atomicfile.h) and never over an
 * existing file without force.
 *
 *   export NAME|stage FILE.png|.svg|.pdf [--force]   (the explorer)
 *   seqstep ... --export PATTERN --out DIR --format png|svg|pdf [--force]
 */
#ifndef SEQSTEP_APP_EXPORT_H
#define SEQSTEP_APP_EXPORT_H

#include "app/commands.h"
#include "app/picture.h"

#include <cairo.h>

enum pic_format { PIC_PNG, PIC_SVG, PIC_PDF };

/* Pixels per point of a PNG (a 28-point heatmap cell is 56 pixels). */
#define EXPORT_PNG_SCALE 2.0

/* The format a file's extension names (.png, .svg, .pdf, any case);
 * ST_BADINPUT naming the file otherwise. */
enum status export_format_of(const char *path, enum pic_format *f, struct err *e);
/* "png", "svg" or "pdf" to a format; 0 when it is none of them. */
int export_format_parse(const char *s, enum pic_format *f);
const char *export_format_ext(enum pic_format f);

/* What was written: the picture's size in points and, for a PNG, pixels. */
struct export_info {
	double w, h;
	int px_w, px_h;
};
/* Lays out and draws pic into path. */
enum status export_picture(struct picture *pic, enum cmap_theme th, enum pic_format f, const char *path,
			   int force, struct export_info *info, struct err *e);
/* Each tensor of tr matching glob to dir/NAME.EXT (dir created when
 * missing); stops at the first failure; *written counts the files. */
enum status export_tensors(const struct trace *tr, const char *glob, const char *dir, enum pic_format f,
			   enum cmap_theme th, int force, int *written, struct err *e);

/* Writes data to an atomic file's stream (a cairo_write_func_t). */
cairo_status_t export_write_stream(void *closure, const unsigned char *data, unsigned int n);

/* Adds the export command to the table. */
enum status export_register(struct commands *c, struct err *e);

#endif
