/* JSON text from a model or training file, parsed with jansson the one
 * way every loader wants it: duplicate keys refused, and a syntax error as
 * one line naming the file and the line, with the offending bytes jansson
 * quotes made safe for a terminal. */
#ifndef SEQSTEP_IO_JSONTEXT_H
#define SEQSTEP_IO_JSONTEXT_H

#include "base/status.h"

#include <jansson.h>
#include <stddef.h>

/* NULL with ST_BADINPUT in e when text is not valid JSON. */
json_t *jsontext_parse(const char *text, size_t len, const char *path, struct err *e);

#endif
