/*
 * hosttz.h - the host's time zone, from its own files (never TZ or
 * tzset()): the first line of /etc/timezone (Debian), else what
 * /etc/localtime links to after "zoneinfo/" (systemd's timedatectl names
 * it so). Both are kept as they are, with where the name came from.
 */
#ifndef IRSNAP_HOSTTZ_H
#define IRSNAP_HOSTTZ_H

#include <stddef.h>

struct host_tz {
	char *etc_timezone;          /* the file's bytes, or NULL */
	size_t etc_len;
	char *link;                  /* /etc/localtime's target, or NULL */
	size_t link_len;
	const char *name;            /* into one of the two, or NULL */
	size_t name_len;
	const char *from;            /* "/etc/timezone" or "/etc/localtime" */
};

void host_tz_read(struct host_tz *t);
void host_tz_free(struct host_tz *t);

#endif
