/*
 * streamed.c - a login history too big to hold (logins.h, LOGIN_STREAM_OVER):
 * its records and its last view are rendered twice instead of kept.
 *
 * A tar member's size comes before its bytes, so a member made while it is
 * rendered must be sized first. The first pass copies every file raw and
 * renders both outputs into counters (size and SHA-256, nothing kept); the
 * second renders the records straight into their member, the third the
 * view into its own. Every pass reads the same open fds up to the sizes the
 * first one saw, and the view's "still logged in" checks are answered once
 * (phantom_memo), so the renderings are equal unless a file was rewritten in
 * place meanwhile: then the member is recorded partial, with why (spool.h).
 * Memory stays at a few spill buffers whatever the size; the price is
 * reading the files three times, which costs less than holding them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "logins.h"
#include "source.h"
#include "spool.h"
#include "textutil.h"
#include "banned.h"

struct family {
	struct login_file *f;
	char (*path)[300];
	size_t n;
};

/* Pass one: raw copies, then both renderings counted. */
static int first_pass(struct logins *L, struct family *fam, char **names, size_t n,
		      bool (*parseable)(const char *), int lastb, uint32_t *newest)
{
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		char *path = fam->path[fam->n];
		if (ret != 0 || run_should_stop(L->r) ||
		    xsnprintf(path, sizeof(fam->path[0]), "/var/log/%s", names[i]) < 0)
			continue;
		ret = host_copy(L->r, "logins", path, LOGIN_FILE_CAP, COPY_OPTIONAL);
		bool rotated = rotated_name(names[i]);
		if (ret != 0 || (!parseable(names[i]) && !rotated) ||
		    login_file_open(&fam->f[fam->n], path) < 0)
			continue;
		struct login_file *f = &fam->f[fam->n++];
		f->rotated = rotated;
		if (rotated)
			rotated_parse(L, f, lastb, PARSE_RECORDS | PARSE_VIEW, newest);
		else
			parse_open(L, "logins", f, lastb, PARSE_RECORDS | PARSE_VIEW, newest);
	}
	return ret;
}

/* Pass two or three: one output, rendered into its member. */
static int render_into(struct logins *L, struct family *fam, int lastb, unsigned what,
		       const char *member, struct spool *s, const struct spool_counter *k,
		       const char sha[SHA256_HEX_LEN], bool truncated)
{
	struct spool_stream_member m;
	int ret = spool_stream_begin(L->r, "logins", member, k->bytes, s, &m);

	L->memo.next = 0;
	for (size_t i = 0; i < fam->n && ret == 0; i++) {
		if (fam->f[i].rotated)   /* decompressed anew, from its start */
			rotated_parse(L, &fam->f[i], lastb, what | PARSE_QUIET, NULL);
		else
			parse_open(L, "logins", &fam->f[i], lastb, what | PARSE_QUIET, NULL);
	}
	int e = spool_stream_end(&m, s, sha, truncated);
	return ret ? ret : e;
}

int history_streamed(struct logins *L, char **names, size_t n, bool (*parseable)(const char *),
		     int lastb, const char *jsonl, const char *txt, uint32_t *newest)
{
	struct family fam = { .f = calloc(n, sizeof(*fam.f)), .path = calloc(n, sizeof(*fam.path)) };
	struct spool_counter krec, kview;
	char rec_sha[SHA256_HEX_LEN], view_sha[SHA256_HEX_LEN];
	struct spool hist;
	int ret = 0;

	spool_init(&hist);
	spool_free(&L->view);
	spool_init(&L->view);
	if (!fam.f || !fam.path || spool_counter_init(&krec) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	if (spool_counter_init(&kview) < 0) {
		spool_counter_end(&krec, rec_sha);
		ret = -ENOMEM;
		goto out;
	}
	run_log(L->r, "logins: /var/log/%s* holds over %llu MiB to parse: its records and "
		"view are rendered twice (sized, then written), not held in memory",
		names[0] ? shown(names[0]).s : "", LOGIN_STREAM_OVER >> 20);
	/* L->hist points here only until the end of this function (reset below) */
	// cppcheck-suppress autoVariables
	L->hist = &hist;
	L->memo.n = L->memo.next = 0;
	spool_stream(&hist, spool_counter_sink, &krec);
	spool_stream(&L->view, spool_counter_sink, &kview);
	ret = first_pass(L, &fam, names, n, parseable, lastb, newest);
	int e1 = spool_drain(&hist), e2 = spool_drain(&L->view);
	bool cut_rec = hist.buf.truncated, cut_view = L->view.buf.truncated;
	spool_stream(&hist, NULL, NULL);
	spool_stream(&L->view, NULL, NULL);
	if (spool_counter_end(&krec, rec_sha) < 0 || e1 < 0)
		rec_sha[0] = '\0';   /* never equal: the member says it */
	if (spool_counter_end(&kview, view_sha) < 0 || e2 < 0)
		view_sha[0] = '\0';
	if (ret == 0)
		ret = render_into(L, &fam, lastb, PARSE_RECORDS, jsonl, &hist, &krec, rec_sha,
				  cut_rec);
	if (ret == 0)
		ret = render_into(L, &fam, lastb, PARSE_VIEW, txt, &L->view, &kview, view_sha,
				  cut_view);
	L->hist = NULL;
out:
	for (size_t i = 0; i < fam.n; i++)
		close(fam.f[i].fd);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(fam.f);
	free(fam.path);
	spool_free(&hist);
	return ret;
}
