#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum status err_set(struct err *e, enum status st, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->st = st;
	}
	return st;
}

enum status err_prefix(struct err *e, const char *fmt, ...)
{
	if (!e)
		return ST_OK;
	char head[256], old[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	snprintf(e->msg, sizeof e->msg, "%.250s: %.255s", head, old);
	return e->st;
}

int status_exit_code(enum status st)
{
	switch (st) {
	case ST_OK: return 0;
	case ST_USAGE: return 1;
	default: return 2;
	}
}
