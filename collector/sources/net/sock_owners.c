/* sock_owners.c - the processes that hold a socket inode open (netsrc.h). */
#include <stdio.h>

#include "fdwalk.h"
#include "jsonw.h"
#include "netsrc.h"
#include "snapshot.h"
#include "textutil.h"
#include "banned.h"

void sock_owners_json(struct run *r, uint64_t ino, struct capbuf *out, struct capbuf *view)
{
	size_t lo, n = fdwalk_owners(snapshot_fds(&r->snap), ino, &lo);
	const struct fd_owner *own = snapshot_fds(&r->snap)->own;

	capbuf_add(out, "[", 1);
	for (size_t i = lo; i < lo + n; i++) {
		char comm[64] = "";
		const struct fd_comm *c = fdwalk_comm(snapshot_fds(&r->snap), own[i].pid);
		if (c)
			text_escape_fixed(comm, sizeof(comm), c->comm, c->len);
		capbuf_printf(out, "%s{\"pid\":%d,\"fd\":%d,\"comm\":", i > lo ? "," : "",
			      own[i].pid, own[i].fd);
		if (c)
			jw_quote(out, c->comm, c->len);
		else
			capbuf_add(out, "\"\"", 2);
		capbuf_add(out, "}", 1);
		if (view && i == lo) {
			char exe[sizeof(c->exe) * 4 + 8] = "";
			if (c && c->exe_len)
				text_escape_fixed(exe, sizeof(exe), c->exe, c->exe_len);
			capbuf_printf(view, "%d/%s%s%s%s%s", own[i].pid, comm, exe[0] ? " (" : "",
				      exe, c && c->exe_len == sizeof(c->exe) ? "..." : "",
				      exe[0] ? ")" : "");
		}
	}
	capbuf_add(out, "]", 1);
}
