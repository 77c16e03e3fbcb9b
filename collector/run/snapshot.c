/* snapshot.c - what several sources share of one instant (snapshot.h). */
#include <stdlib.h>
#include <string.h>

#include "proctable.h"
#include "snapshot.h"
#include "banned.h"

void snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	fdwalk_init(&s->fds);
}

void snapshot_free(struct snapshot *s)
{
	fdwalk_free(&s->fds);
	free(s->leaders);
	proctable_prefetch_drop(s->table_ahead);
	memset(s, 0, sizeof(*s));
}

struct fd_table *snapshot_fds(struct snapshot *s)
{
	return &s->fds;
}

bool snapshot_fds_walked(const struct snapshot *s)
{
	return s->fds.done;
}

void snapshot_want_table(struct snapshot *s, bool want)
{
	s->table_wanted = want;
}

void snapshot_idle_core(struct snapshot *s)
{
	if (s->table_wanted && !s->table_ahead)
		s->table_ahead = proctable_prefetch();
}

int snapshot_take_table(struct snapshot *s, struct proctable *ret)
{
	int r = proctable_take(s->table_ahead, ret);   /* read ahead, or now */

	s->table_ahead = NULL;
	return r;
}

void snapshot_set_leaders(struct snapshot *s, const struct proctable *t)
{
	size_t n = 0;

	free(s->leaders);
	s->leaders = NULL;
	s->nleaders = 0;
	s->leaders_known = false;
	for (size_t i = 0; i < t->nprocs; i++)
		n += t->procs[i].pid == t->procs[i].sid && t->procs[i].tty != 0;
	s->leaders = calloc(n ? n : 1, sizeof(*s->leaders));
	if (!s->leaders)
		return;
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].pid == t->procs[i].sid && t->procs[i].tty != 0)
			s->leaders[s->nleaders++] = (struct session_leader){ t->procs[i].pid,
									     t->procs[i].tty };
	s->leaders_known = true;
}

const struct session_leader *snapshot_leaders(struct snapshot *s, size_t *ret_n)
{
	if (!s->leaders_known) {   /* no processes step before: read it now */
		struct proctable t;
		if (proctable_read(&t) == 0) {
			snapshot_set_leaders(s, &t);
			proctable_free(&t);
		}
	}
	*ret_n = s->nleaders;
	return s->leaders;
}
