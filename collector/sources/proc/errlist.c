/* errlist.c - what could not be read for one process (procsrc.h). */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "procsrc.h"
#include "banned.h"

void proc_err(struct errlist *e, const char *what, int err)
{
	char buf[160];
	const char *name = strerrorname_np(err < 0 ? -err : err);

	snprintf(buf, sizeof(buf), "%s: %s", what, name ? name : "error");
	if (e->n++)
		capbuf_add(&e->cb, ",", 1);
	jw_text(&e->cb, buf, strlen(buf));
}
