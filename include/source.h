/*
 * source.h - the table of sources, in order of volatility (RFC 3227).
 *
 * A source is one artifact family (sources/<family>/): it reads the host
 * through host/ and hands records or raw copies to run/ (run_emit, spools,
 * copy.h); what it shares with other sources is in snapshot.h. It never
 * sees the bundle, the tar or OpenSSL (tests/layering.py). collect()
 * returns 0 when the run may go on (every per-artifact failure is already
 * in the index) or the bundle's fatal error; a source that cannot read what
 * it exists for records an error artifact (run_source_failed()).
 *
 * Ranks follow RFC 3227 §2.1 and DESIGN §1.2; the table has a designated
 * row per enum source_id, sorted by rank, and a unit test checks it.
 */
#ifndef IRSNAP_SOURCE_H
#define IRSNAP_SOURCE_H

#include <stdbool.h>

#include <stddef.h>

#include "run.h"

enum volatility {
	VOL_NETWORK = 10,     /* sockets */
	VOL_PROCESS = 20,     /* processes, open files */
	VOL_SESSION = 30,     /* logged-in sessions */
	VOL_SYSTEM = 40,      /* kernel and system state */
	VOL_TMPFS = 50,       /* temporary file systems */
	VOL_LOGS = 60,        /* logs and login history */
	VOL_RESPONDER = 65,   /* files the responder named with --file */
	VOL_METADATA = 70,    /* file system metadata */
};

/* One per source; the table below has a row for each, designated. */
enum source_id {
	SRC_SOCKETS, SRC_PROCESSES, SRC_SESSIONS, SRC_NETCONFIG, SRC_KERNEL, SRC_KMSG, SRC_MOUNTS, SRC_BPF, SRC_SYSCTL, SRC_KSTACKS, SRC_MEMORY, SRC_CONTAINERS, SRC_HOST,
	SRC_SYSTEM_FILES, SRC_ACCOUNTS, SRC_LOGINS, SRC_RESPONDER_FILES, SRC_PACKAGES,
	SRC_PACKAGES_ALL,
	SRC_COUNT
};

struct source {
	const char *name;
	enum volatility rank;
	const char *what;     /* one line for `irsnap list` */
	int (*collect)(struct run *r);
	/* a volatile source's share of the core (snapshot.h), run by the
	 * plan before any volatile step's details; NULL: none. 0 always. */
	int (*core)(struct run *r);
	/* it reads files of the disk, not the running system: it runs under
	 * collect --root (rootmode.h); the others are skipped there */
	bool reads_disk;
};

extern const struct source irsnap_sources[SRC_COUNT];
extern const size_t irsnap_nsources;
/* The one lookup by name (profiles, the plan, `irsnap list`): NULL if none. */
const struct source *source_find(const char *name);

/* The sources, one file each. */
int src_net_collect(struct run *r);
int src_net_core(struct run *r);
int src_procs_core(struct run *r);
int src_netconfig_collect(struct run *r);
/* One rtnetlink reply buffer of query `query` (links, addresses, v4 routes,
 * v6 routes, neighbours) into JSON Lines: for the fuzz target. */
int net_config_parse(unsigned query, const void *buf, size_t len, struct capbuf *out);
int src_procs_collect(struct run *r);
int src_host_collect(struct run *r);
int src_kernel_collect(struct run *r);
int src_kmsg_collect(struct run *r);
int src_mountns_collect(struct run *r);
int src_bpf_collect(struct run *r);
int src_sysctl_collect(struct run *r);
int src_kstacks_collect(struct run *r);
int src_procmem_collect(struct run *r);
int src_containers_collect(struct run *r);
int src_accounts_collect(struct run *r);
int src_sessions_collect(struct run *r);
int src_logins_collect(struct run *r);
int src_sysfiles_collect(struct run *r);
int src_userfiles_collect(struct run *r);
int src_packages_collect(struct run *r);
int src_packages_all_collect(struct run *r);

/* Host identity for run.json and the bundle name (src_host.c). */
void hostid_read(struct hostid *h);

#endif
