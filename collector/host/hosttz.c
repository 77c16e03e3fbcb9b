/* hosttz.c - the host's time zone from its own files (hosttz.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "capbuf.h"
#include "hostfile.h"
#include "hosttz.h"
#include "banned.h"

void host_tz_read(struct host_tz *t)
{
	struct capbuf cb;

	memset(t, 0, sizeof(*t));
	capbuf_init(&cb, 4096);
	if (host_read_small(AT_FDCWD, "/etc/timezone", &cb) == 0 && cb.buf) {
		t->etc_timezone = capbuf_detach(&cb, &t->etc_len);
		t->name = t->etc_timezone;
		t->name_len = strcspn(t->etc_timezone, "\n");
		t->from = "/etc/timezone";
	}
	capbuf_release(&cb);
	if (host_readlink(AT_FDCWD, "/etc/localtime", &t->link, &t->link_len) == 0 && t->link) {
		const char *z = memmem(t->link, t->link_len, "zoneinfo/", 9);
		if (!t->name_len && z) {
			t->name = z + 9;
			t->name_len = t->link_len - (size_t)(t->name - t->link);
			t->from = "/etc/localtime";
		}
	} else {
		t->link = NULL;
		t->link_len = 0;
	}
	if (!t->name_len) {
		t->name = NULL;
		t->from = NULL;
	}
}

void host_tz_free(struct host_tz *t)
{
	free(t->etc_timezone);
	free(t->link);
	memset(t, 0, sizeof(*t));
}
