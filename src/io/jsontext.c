#include "io/jsontext.h"

json_t *jsontext_parse(const char *text, size_t len, const char *path, struct err *e)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root)
		return root;
	/* jansson quotes the offending bytes ("near '\x08'"): no control
	 * character may reach the terminal */
	for (char *p = je.text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	err_set(e, ST_BADINPUT, "%s: line %d: not valid JSON: %s", path, je.line, je.text);
	return NULL;
}
