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
	s->core_first = s->core_last = -1;
}

void snapshot_free(struct snapshot *s)
{
	fdwalk_free(&s->fds);
	free(s->leaders);
	proctable_prefetch_drop(s->table_ahead);
	free(s->netns);
	for (size_t i = 0; i < s->nexes; i++)
		free(s->exes[i].link);
	free(s->exes);
	if (s->sockets_free)
		s->sockets_free(s->sockets);
	if (s->table_in_core)
		proctable_free(&s->core_table);
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
	if (s->table_wanted && !s->table_ahead && !s->table_in_core)
		s->table_ahead = proctable_prefetch();
}

void snapshot_core_table(struct snapshot *s)
{
	if (s->table_in_core)
		return;
	s->core_table_err = proctable_take(s->table_ahead, &s->core_table);
	s->table_ahead = NULL;
	s->table_in_core = true;
}

int snapshot_take_table(struct snapshot *s, struct proctable *ret)
{
	if (s->table_in_core && s->core_table_err == 0) {   /* the core's, once */
		*ret = s->core_table;
		memset(&s->core_table, 0, sizeof(s->core_table));
		s->table_in_core = false;
		return 0;
	}
	if (s->table_in_core) {
		s->table_in_core = false;
		return s->core_table_err;
	}
	int r = proctable_take(s->table_ahead, ret);   /* read ahead, or now */

	s->table_ahead = NULL;
	return r;
}

const struct core_exe *snapshot_core_exe(const struct snapshot *s, int pid)
{
	size_t lo = 0, hi = s->nexes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->exes[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nexes && s->exes[lo].pid == pid ? &s->exes[lo] : NULL;
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
