/*
 * fault.c - fault injection for the fault build only (tests/fault/run.sh;
 * never in the release binary): the linker's --wrap sends irsnap's own
 * calls of malloc, calloc, realloc, reallocarray, strdup, strndup, read,
 * pread, write, pwrite, open and openat here, as SQLite's test harness
 * swaps its VFS and allocator. jansson allocates through these too
 * (json_set_alloc_funcs, set at the first call).
 *
 *   IRSNAP_FAULT=KIND:N[+]   the Nth call of KIND (malloc: every allocator,
 *                            read, write, open) fails (ENOMEM, EIO, EACCES);
 *                            with "+", every call from the Nth on fails
 *   IRSNAP_FAULT_COUNT=PATH  at exit, "malloc M\nread R\nwrite W\nopen O"
 *                            (the calls made, so a driver knows the range)
 *
 * A unit test pauses the faults while it reads what the code under test
 * made (irsnap_fault_pause, irsnap_fault_resume: weak symbols it calls if
 * linked): its own checks are not what is tested, and jansson's lexer
 * reads past its buffer when an allocation inside it fails.
 *
 * That jansson bug (lex_save ignores a failed strbuffer_append_byte, and the
 * string is then decoded into a buffer sized from the shorter saved text:
 * a heap overflow) is jansson's, not irsnap's: json_loadb is wrapped, and
 * on the thread inside it no fault is injected. Every other allocation of
 * the run, jansson's object building included, still fails on its turn.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum { F_MALLOC, F_READ, F_WRITE, F_OPEN, F_KINDS };
static const char *const names[F_KINDS] = { "malloc", "read", "write", "open" };
static atomic_ulong calls[F_KINDS];
static unsigned long fail_at;   /* 0: none */
static int fail_kind = -1;
static bool sticky;
static atomic_int state;        /* 0 unread, 1 reading, 2 ready */
static atomic_int paused;
static _Thread_local int in_lexer;   /* inside json_loadb, on this thread */

void irsnap_fault_pause(void);
void irsnap_fault_resume(void);
void irsnap_fault_pause(void) { atomic_store(&paused, 1); }
void irsnap_fault_resume(void) { atomic_store(&paused, 0); }

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_reallocarray(void *p, size_t k, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
ssize_t __real_read(int fd, void *b, size_t n);
ssize_t __real_pread(int fd, void *b, size_t n, off_t off);
ssize_t __real_write(int fd, const void *b, size_t n);
ssize_t __real_pwrite(int fd, const void *b, size_t n, off_t off);
int __real_open(const char *p, int fl, ...);
int __real_openat(int dfd, const char *p, int fl, ...);

static FILE *count_file;   /* opened at the first call: later, irsnap's view is read-only */

static void count_at_exit(void)
{
	FILE *f = count_file;

	if (!f)
		return;
	for (int k = 0; k < F_KINDS; k++)
		fprintf(f, "%s %lu\n", names[k], (unsigned long)atomic_load(&calls[k]));
	fclose(f);
}

static void *j_malloc(size_t n);

static void setup(void)
{
	int expect = 0;

	if (atomic_load(&state) == 2 || !atomic_compare_exchange_strong(&state, &expect, 1)) {
		while (atomic_load(&state) != 2)
			;
		return;
	}
	const char *spec = getenv("IRSNAP_FAULT");
	if (spec) {
		for (int k = 0; k < F_KINDS; k++) {
			size_t l = strlen(names[k]);
			if (strncmp(spec, names[k], l) == 0 && spec[l] == ':') {
				fail_kind = k;
				fail_at = strtoul(spec + l + 1, NULL, 10);
				sticky = strchr(spec, '+') != NULL;
			}
		}
	}
	if (getenv("IRSNAP_FAULT_COUNT")) {
		count_file = fopen(getenv("IRSNAP_FAULT_COUNT"), "we");
		atexit(count_at_exit);
	}
	json_set_alloc_funcs(j_malloc, free);
	atomic_store(&state, 2);
}

/* Whether this call of `kind` fails. */
static bool hit(int kind)
{
	if (atomic_load(&state) != 2)
		setup();
	if (atomic_load(&paused) || in_lexer)
		return false;
	unsigned long n = atomic_fetch_add(&calls[kind], 1) + 1;
	return kind == fail_kind && fail_at && (n == fail_at || (sticky && n > fail_at));
}

static void *j_malloc(size_t n)
{
	return hit(F_MALLOC) ? NULL : __real_malloc(n);
}

json_t *__real_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);
json_t *__wrap_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);
json_t *__wrap_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err)
{
	in_lexer++;
	json_t *j = __real_json_loadb(buf, len, flags, err);
	in_lexer--;
	return j;
}

#define NOMEM(expr) do { if (hit(F_MALLOC)) { errno = ENOMEM; return NULL; } return expr; } while (0)
void *__wrap_malloc(size_t n) { NOMEM(__real_malloc(n)); }
void *__wrap_calloc(size_t k, size_t n) { NOMEM(__real_calloc(k, n)); }
void *__wrap_realloc(void *p, size_t n) { NOMEM(__real_realloc(p, n)); }
void *__wrap_reallocarray(void *p, size_t k, size_t n) { NOMEM(__real_reallocarray(p, k, n)); }
char *__wrap_strdup(const char *s) { NOMEM(__real_strdup(s)); }
char *__wrap_strndup(const char *s, size_t n) { NOMEM(__real_strndup(s, n)); }

#define FAIL(kind, err, expr) do { if (hit(kind)) { errno = err; return -1; } return expr; } while (0)
ssize_t __wrap_read(int fd, void *b, size_t n) { FAIL(F_READ, EIO, __real_read(fd, b, n)); }
ssize_t __wrap_pread(int fd, void *b, size_t n, off_t o) { FAIL(F_READ, EIO, __real_pread(fd, b, n, o)); }
ssize_t __wrap_write(int fd, const void *b, size_t n) { FAIL(F_WRITE, EIO, __real_write(fd, b, n)); }
ssize_t __wrap_pwrite(int fd, const void *b, size_t n, off_t o) { FAIL(F_WRITE, EIO, __real_pwrite(fd, b, n, o)); }

int __wrap_open(const char *p, int fl, ...)
{
	va_list ap;
	va_start(ap, fl);
	mode_t m = (fl & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	FAIL(F_OPEN, EACCES, __real_open(p, fl, m));
}

int __wrap_openat(int dfd, const char *p, int fl, ...)
{
	va_list ap;
	va_start(ap, fl);
	mode_t m = (fl & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	FAIL(F_OPEN, EACCES, __real_openat(dfd, p, fl, m));
}
