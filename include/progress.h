/*
 * progress.h - what the responder sees while irsnap works (issue 20).
 *
 * On a terminal: one status line rewritten in place, "[12/68] timeline /usr
 * — 4.1 s — 1.2 GiB written — 23,410 artifacts", refreshed four times a
 * second by a thread of its own; notable events (a source that failed, the
 * budget running out, a signal) printed above it. Off a terminal (ssh
 * host irsnap collect -o - > case.tar): one plain line per step on stderr.
 * Quiet: nothing. Verbose: every work-log line, as it is written. The
 * paper-log block at the end is the caller's, after progress_end(). The
 * work log in the bundle is the same in every mode.
 */
#ifndef IRSNAP_PROGRESS_H
#define IRSNAP_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

enum progress_mode { PROGRESS_QUIET, PROGRESS_LINES, PROGRESS_TTY, PROGRESS_VERBOSE };

struct progress;

/* fd: where to speak (stderr). NULL when out of memory: then silent. */
struct progress *progress_start(enum progress_mode m, int fd, size_t nsteps);
enum progress_mode progress_mode(const struct progress *p);
/* Step i (0-based) of the plan begins: "kind what". */
void progress_step(struct progress *p, size_t i, const char *kind, const char *what);
/* Counters the status line shows (any thread). */
void progress_artifact(struct progress *p);
void progress_bytes(struct progress *p, uint64_t total_written);
/* A line worth the responder's eye, above the status line. */
void progress_note(struct progress *p, const char *line);
/* A work-log line (verbose mode echoes it). */
void progress_log(struct progress *p, const char *line, size_t len);
/* The status line cleared, the thread stopped; p freed. */
void progress_end(struct progress *p);
/* Before another line on the terminal (say()): the status line, if one is
 * shown, cleared; the ticker draws it again below. */
void progress_clear_line(void);

#endif
