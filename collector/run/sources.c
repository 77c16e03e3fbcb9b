/* sources.c - the source table (source.h), sorted by volatility rank. */
#include "source.h"
#include "banned.h"

const struct source irsnap_sources[] = {
	{ .name = "sockets", .rank = VOL_NETWORK, .collect = src_net_collect,
	  .what = "volatile/sockets.*: every socket of every network namespace, /proc and netlink views, owners" },
	{ .name = "processes", .rank = VOL_PROCESS, .collect = src_procs_collect,
	  .what = "volatile/: processes, threads, environments, open files and mappings, deleted executables" },
	{ .name = "sessions", .rank = VOL_SESSION, .collect = src_sessions_collect,
	  .what = "volatile/sessions.*: who is logged in, from /run/utmp (raw copy under fs/)" },
	{ .name = "netconfig", .rank = VOL_SYSTEM, .collect = src_netconfig_collect,
	  .what = "system/net/<netns>/: interfaces, addresses, routes, neighbours (rtnetlink) and /proc/net files" },
	{ .name = "kernel", .rank = VOL_SYSTEM, .collect = src_kernel_collect,
	  .what = "system/kernel.json and system/proc/: taint, lockdown, cmdline, sysctls, modules (two views), mounts, swaps, block devices" },
	{ .name = "host", .rank = VOL_SYSTEM, .collect = src_host_collect,
	  .what = "system/host.json: uname, hostname, machine-id, boot_id, uptime, boot time, clocks" },
	{ .name = "system-files", .rank = VOL_SYSTEM, .collect = src_sysfiles_collect,
	  .what = "fs/: raw copies of /etc/passwd, /etc/group, /etc/hostname, /etc/os-release, /etc/machine-id" },
	{ .name = "accounts", .rank = VOL_SYSTEM, .collect = src_accounts_collect,
	  .what = "system/users.jsonl, groups.jsonl; authorized_keys, histories and shell start-up files of every home" },
	{ .name = "logins", .rank = VOL_LOGS, .collect = src_logins_collect,
	  .what = "logins/: wtmp*, btmp*, lastlog parsed (last, lastb views, anomalies); wtmpdb, lastlog2 raw" },
	{ .name = "responder-files", .rank = VOL_RESPONDER, .collect = src_userfiles_collect,
	  .what = "fs/: raw copies of the files named with --file" },
};
#define NSOURCES (sizeof(irsnap_sources) / sizeof(irsnap_sources[0]))
_Static_assert(NSOURCES == 10, "update the count when adding a source");
const size_t irsnap_nsources = NSOURCES;
