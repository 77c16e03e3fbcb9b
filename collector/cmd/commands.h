/*
 * commands.h - the verbs of the command line (DESIGN §3).
 *
 * Each verb parses its own options and returns the process exit status;
 * only main() exits. Exit statuses:
 */
#ifndef IRSNAP_COMMANDS_H
#define IRSNAP_COMMANDS_H

#include <stdbool.h>

enum exit_status {
	EXIT_COMPLETE = 0,   /* everything collected (verify: bundle valid) */
	EXIT_PARTIAL = 1,    /* sealed, some artifacts failed or truncated (verify: invalid) */
	EXIT_USAGE = 2,      /* usage error, nothing collected */
	EXIT_FATAL = 3,      /* the bundle could not be written or sealed */
};

#define IRSNAP_VERSION "0.2.0"

int cmd_collect(int argc, char **argv);
/* collect with a profile given as text (NULL: --profile or triage); the
 * command line recorded in run.json is rec_argv (from the program name). */
int collect_main(int argc, char **argv, const char *profile_text, int rec_argc, char **rec_argv);
int cmd_image(int argc, char **argv);
int cmd_selfcheck(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Helpers shared by the verbs (main.c). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print `usage` to stdout when -h or --help is among the arguments. */
bool want_help(int argc, char **argv, const char *usage);
/* The --pubkey file of verify and export: a regular file of at most
 * pub->max bytes; says what is wrong and returns -errno. */
struct capbuf;
int read_pubkey(const char *path, struct capbuf *pub);
/* --identity FILE (verify, report): the age identity an encrypted bundle
 * is read with from now on; says what is wrong and returns -errno. */
int use_identity(const char *path);
/* 64 hex digits (either case) into lower case, or -EINVAL. */
int hex64_lower(const char *in, char out[65]);
/* A --fingerprint argument (sha256:HEX, either case) into the lower-case
 * form verify_bundle takes; says what is wrong and returns -EINVAL. */
#define FPR_ARG_LEN 72
int fingerprint_arg(const char *in, char out[FPR_ARG_LEN]);
/* Print a host- or bundle-supplied string to a stream, escaped. */

/* collect's command line (collect_opts.c): 0, 1 after --help, or -EINVAL
 * (said). */
struct options;
int parse_collect(int argc, char **argv, struct options *o);

/* collect's pre-flight banner (banner.c): on stderr (progress.h) and in
 * the work log, before the first read. */
struct run;
void collect_banner(struct run *r, const char *self_sha256, const char *profile_origin,
		    size_t nsteps, unsigned budget, int fd, const char *out_name);

/* collect's end (seal.c): the framework members written, the manifest
 * signed, the bundle sealed. 0 or the fatal error. */
struct run_identity;
typedef struct evp_pkey_st EVP_PKEY;
int collect_seal(struct run *r, EVP_PKEY *key, struct run_identity *ident,
		 char manifest_sha[65]);

#endif
