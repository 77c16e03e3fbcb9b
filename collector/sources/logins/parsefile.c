/*
 * parsefile.c - one login file, opened after its raw copy, parsed into its
 * JSON records and its `last` view (logins.h): the two passes run side by
 * side, the records forward on a few threads, the view backward on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "hostfile.h"
#include "jsonx.h"
#include "logins.h"
#include "pscan.h"
#include "source.h"
#include "textutil.h"
#include "utmp_format.h"
#include "banned.h"

struct last_job {
	struct login_ctx *c;
	struct run *r;
	pthread_t th;
	int fd, lastb;
	uint64_t size;
	int64_t ctime;
	const char *base;
	struct spool *out;       /* the view: only this thread writes it meanwhile */
	double took;
};

static void *last_job_run(void *arg)
{
	struct last_job *j = arg;
	double t0 = run_elapsed(j->r);

	last_view(j->c, j->fd, j->size, j->base, j->ctime, j->lastb, j->out);
	j->took = run_elapsed(j->r) - t0;
	return NULL;
}

/* The settings every parse of a login file starts from (logins.h). */
void login_ctx_init(struct logins *L, const char *step, const struct login_file *f,
		    struct capbuf *anomalies, struct login_ctx *c)
{
	*c = (struct login_ctx){
		.source = f->path, .records = L->hist ? &L->hist->buf : &L->records,
		.spool = L->hist, .anomalies = anomalies,
		.acc = &L->acc, .now = L->r->start.realtime.tv_sec, .boot_time = L->boot_time,
		.procfd = L->procfd, .threads = L->r->threads, .raw = L->raw,
		/* utmp is a table of slots reused in any order, not a log */
		.slot_table = strcmp(step, "sessions") == 0,
		.memo = &L->memo,
		.mem = f->mem, .mem_len = f->mem ? f->size : 0, .stream = f->stream,
	};
}

/* Parse an open login file (logins.h): its records, its last view or both. */
int parse_open(struct logins *L, const char *step, const struct login_file *f, int kind_last,
	       unsigned what, uint32_t *ret_newest)
{
	struct capbuf scratch;   /* a second rendering's anomalies: said once already */
	bool quiet = what & PARSE_QUIET;
	uint64_t size = f->size;

	capbuf_init(&scratch, 1u << 20);
	struct login_ctx c;
	login_ctx_init(L, step, f, quiet ? &scratch : &L->anomalies, &c);
	/* the `last` view reads the file backward on its own thread while the
	 * records are read forward: both only read the fd and `c`'s settings */
	struct last_job job = { .c = &c, .r = L->r, .fd = f->fd, .size = size,
				.ctime = f->ctime, .lastb = kind_last, .out = &L->view };
	bool threaded = false, view = kind_last >= 0 && (what & PARSE_VIEW);
	if (view) {
		uint64_t trailing = size % UTMP_RECORD_SIZE;
		job.base = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
		capbuf_printf(&L->view.buf, "==> %s <==\n", shown(f->path).s);
		if (trailing)
			capbuf_printf(&L->view.buf, "irsnap: %llu trailing bytes after the last whole "
				      "record (see anomalies.jsonl); util-linux last lists nothing "
				      "for such a file\n", (unsigned long long)trailing);
		if (what & PARSE_RECORDS)
			threaded = pscan_thread(&job.th, last_job_run, &job) == 0;
	}
	double t0 = run_elapsed(L->r);
	int r = what & PARSE_RECORDS ? utmp_records(&c, f->fd, size) : 0;
	double t1 = run_elapsed(L->r);
	if (view && !threaded)
		last_job_run(&job);
	else if (threaded)
		pthread_join(job.th, NULL);
	double t2 = run_elapsed(L->r);
	capbuf_release(&scratch);
	if (view)
		capbuf_add(&L->view.buf, "\n", 1);
	if (quiet)
		return 0;
	if (r < 0)
		run_log(L->r, "%s: reading '%s' failed after %llu records: %s", step,
			shown(f->path).s, (unsigned long long)c.nrecords, strerror(-r));
	run_log(L->r, "%s: '%s': %llu records, %llu zeroed, %llu unknown type, %llu time "
		"reversals, %llu trailing bytes", step, shown(f->path).s,
		(unsigned long long)c.nrecords, (unsigned long long)c.nzero,
		(unsigned long long)c.nunknown, (unsigned long long)c.nbackwards,
		(unsigned long long)c.trailing);
	/* what bench_logins.sh compares with `last -F -f`: parsing, not archiving */
	run_log(L->r, "%s: '%s': parsed in %.3f s: records in %.3f s, last view in %.3f s "
		"(%s)", step, shown(f->path).s, t2 - t0, t1 - t0, job.took,
		threaded ? "side by side" : "one after the other");
	if (ret_newest && c.last_time > *ret_newest)
		*ret_newest = c.last_time;
	return 0;
}

/* Open a login file copied raw: its fd, size (to the cap) and ctime. */
int login_file_open(struct login_file *f, const char *path)
{
	struct statx st;

	*f = (struct login_file){ .path = path };
	f->fd = host_open(AT_FDCWD, path, 0, NULL, &st);
	if (f->fd < 0)
		return f->fd;
	f->size = st.stx_size < LOGIN_FILE_CAP ? st.stx_size : LOGIN_FILE_CAP;
	f->ctime = st.stx_ctime.tv_sec;
	return 0;
}

/* Copy raw, then parse records and (for wtmp/btmp) the last view. */
int one_file(struct logins *L, const char *step, const char *path, int kind_last,
	     uint32_t *ret_newest)
{
	int ret = host_copy(L->r, step, path, LOGIN_FILE_CAP, COPY_OPTIONAL);
	struct login_file f;

	if (ret < 0)
		return ret;
	if (login_file_open(&f, path) < 0)
		return 0;   /* the copy's record already says why */
	parse_open(L, step, &f, kind_last, PARSE_RECORDS | PARSE_VIEW, ret_newest);
	close(f.fd);
	return 0;
}


/* One anomaly record (logins.h). */
void login_anomaly(struct logins *L, const char *source, json_t *offset,
			    const char *kind, const char *detail)
{
	json_t *a = json_object();
	json_set_str(a, "source", source);
	json_set_new(a, "offset", offset ? offset : json_null());
	json_set_str(a, "kind", kind);
	json_set_str(a, "detail", detail);
	json_append_line(&L->anomalies, a);
	json_decref(a);
}
