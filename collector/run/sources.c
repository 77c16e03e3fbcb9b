/* sources.c - the source table (source.h): a row per enum source_id, in
 * order of volatility rank (unit_sources checks the order and every row). */
#include <string.h>

#include "source.h"
#include "banned.h"

const struct source irsnap_sources[SRC_COUNT] = {
	[SRC_SOCKETS] = { .name = "sockets", .rank = VOL_NETWORK, .collect = src_net_collect,
	  .core = src_net_core,
	  .what = "volatile/sockets.*: every socket of every network namespace, /proc and netlink views, owners" },
	[SRC_PROCESSES] = { .name = "processes", .rank = VOL_PROCESS, .collect = src_procs_collect,
	  .core = src_procs_core,
	  .what = "volatile/: processes, threads, environments, open files and mappings, deleted executables" },
	[SRC_SESSIONS] = { .name = "sessions", .rank = VOL_SESSION, .collect = src_sessions_collect,
	  .what = "volatile/sessions.*: who is logged in, from /run/utmp (raw copy under fs/)" },
	[SRC_NETCONFIG] = { .name = "netconfig", .rank = VOL_SYSTEM, .collect = src_netconfig_collect,
	  .what = "system/net/<netns>/: interfaces, addresses, routes, neighbours (rtnetlink), nftables, iptables, conntrack, /proc/net files" },
	[SRC_KERNEL] = { .name = "kernel", .rank = VOL_SYSTEM, .collect = src_kernel_collect,
	  .what = "system/kernel.json and system/proc/: taint, lockdown, cmdline, sysctls, modules (two views), mounts, swaps, block devices" },
	[SRC_KMSG] = { .name = "kmsg", .rank = VOL_SYSTEM, .collect = src_kmsg_collect,
	  .what = "system/kmsg.jsonl and kmsg.raw: every record of the kernel's log ring, not cleared" },
	[SRC_MOUNTS] = { .name = "mounts", .rank = VOL_SYSTEM, .collect = src_mountns_collect,
	  .what = "system/mounts.jsonl and mountns/<inode>/mountinfo: the mount table of every mount namespace" },
	[SRC_BPF] = { .name = "bpf", .rank = VOL_SYSTEM, .collect = src_bpf_collect,
	  .what = "system/bpf/: every loaded eBPF program, map and link, pins and holders" },
	[SRC_SYSCTL] = { .name = "sysctl", .rank = VOL_SYSTEM, .collect = src_sysctl_collect,
	  .what = "system/sysctl.jsonl and sysctl.txt: the whole sysctl tree, as sysctl -a shows it" },
	[SRC_KSTACKS] = { .name = "stacks", .rank = VOL_SYSTEM, .collect = src_kstacks_collect,
	  .what = "system/stacks.jsonl: the kernel stack of every task (/proc/<pid>/task/<tid>/stack)" },
	[SRC_MEMORY] = { .name = "memory", .rank = VOL_SYSTEM, .collect = src_procmem_collect,
	  .what = "memory/: the executable regions of processes that look injected (deleted or memfd executable, writable and executable memory), capped; opt-in (full)" },
	[SRC_CONTAINERS] = { .name = "containers", .rank = VOL_SYSTEM, .collect = src_containers_collect,
	  .what = "containers/: processes in a container or a namespace of their own (id, runtime, namespaces, pid and hostname inside); docker, podman, CRI-O and containerd state" },
	[SRC_HOST] = { .name = "host", .rank = VOL_SYSTEM, .collect = src_host_collect,
	  .what = "system/host.json: uname, hostname, machine-id, boot_id, uptime, boot time, clocks" },
	[SRC_SYSTEM_FILES] = { .name = "system-files", .reads_disk = true, .rank = VOL_SYSTEM, .collect = src_sysfiles_collect,
	  .what = "fs/: raw copies of /etc/passwd, /etc/group, /etc/hostname, /etc/os-release, /etc/machine-id" },
	[SRC_ACCOUNTS] = { .name = "accounts", .reads_disk = true, .rank = VOL_SYSTEM, .collect = src_accounts_collect,
	  .what = "system/users.jsonl, groups.jsonl; authorized_keys, histories and shell start-up files of every home" },
	[SRC_LOGINS] = { .name = "logins", .reads_disk = true, .rank = VOL_LOGS, .collect = src_logins_collect,
	  .what = "logins/: wtmp*, btmp*, lastlog parsed (last, lastb views, anomalies); wtmpdb, lastlog2 raw" },
	[SRC_RESPONDER_FILES] = { .name = "responder-files", .reads_disk = true, .rank = VOL_RESPONDER, .collect = src_userfiles_collect,
	  .what = "fs/: raw copies of the files named with --file" },
	[SRC_PACKAGES] = { .name = "packages", .reads_disk = true, .rank = VOL_METADATA, .collect = src_packages_collect,
	  .what = "system/packages.jsonl, package-verify.jsonl: dpkg's database and the SQLite rpmdb read natively; the files of the system folders checked as dpkg -V and rpm -V do, unowned executables" },
	[SRC_PACKAGES_ALL] = { .name = "packages-all", .reads_disk = true, .rank = VOL_METADATA, .collect = src_packages_all_collect,
	  .what = "as packages, every packaged file checked (dpkg -V, rpm -Va)" },
};
_Static_assert(sizeof(irsnap_sources) / sizeof(irsnap_sources[0]) == SRC_COUNT,
	       "one row per enum source_id");
const size_t irsnap_nsources = SRC_COUNT;

const struct source *source_find(const char *name)
{
	for (size_t i = 0; i < SRC_COUNT; i++)
		if (irsnap_sources[i].name && strcmp(irsnap_sources[i].name, name) == 0)
			return &irsnap_sources[i];
	return NULL;
}
