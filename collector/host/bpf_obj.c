/*
 * bpf_obj.c - bpf(2)'s read-only calls (bpfobj.h). The attribute unions are
 * the kernel's; only the members named here are set, the rest zero.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfobj.h"
#include "banned.h"

#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

static long sys_bpf(int cmd, union bpf_attr *a, size_t size)
{
	return syscall(__NR_bpf, cmd, a, size);
}

int bpfobj_next_id(enum bpfobj_kind k, uint32_t start, uint32_t *ret)
{
	static const int cmd[] = { BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID, BPF_LINK_GET_NEXT_ID };
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.start_id = start;
	if (sys_bpf(cmd[k], &a, offsetofend(union bpf_attr, open_flags)) < 0)
		return -errno;
	*ret = a.next_id;
	return 0;
}

int bpfobj_fd_by_id(enum bpfobj_kind k, uint32_t id)
{
	static const int cmd[] = { BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID, BPF_LINK_GET_FD_BY_ID };
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	switch (k) {
	case BPFOBJ_PROG: a.prog_id = id; break;
	case BPFOBJ_MAP: a.map_id = id; a.open_flags = BPF_F_RDONLY; break;
	case BPFOBJ_LINK: a.link_id = id; break;
	}
	long fd = sys_bpf(cmd[k], &a, offsetofend(union bpf_attr, open_flags));
	/* a map that refuses read-only (none should) is not opened writable */
	return fd < 0 ? -errno : (int)fd;
}

int bpfobj_fd_by_path(const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.file_flags = BPF_F_RDONLY;
	long fd = sys_bpf(BPF_OBJ_GET, &a, offsetofend(union bpf_attr, file_flags));
	return fd < 0 ? -errno : (int)fd;
}

int bpfobj_info(int fd, void *info, uint32_t *len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = *len;
	a.info.info = (uint64_t)(uintptr_t)info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, offsetofend(union bpf_attr, info)) < 0)
		return -errno;
	*len = a.info.info_len;
	return 0;
}

int bpfobj_query(int target_fd, unsigned type, uint32_t *attach_flags, uint32_t *ids,
		 uint32_t *flags, uint32_t *n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)target_fd;
	a.query.attach_type = type;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = *n;
	a.query.prog_attach_flags = (uint64_t)(uintptr_t)flags;
	long r = sys_bpf(BPF_PROG_QUERY, &a, offsetofend(union bpf_attr, query.prog_attach_flags));
	if (r < 0 && errno != ENOSPC)
		return -errno;
	*attach_flags = a.query.attach_flags;
	*n = a.query.prog_cnt;   /* ENOSPC: the count, more than was room */
	return 0;
}

static const char *const prog_types[] = {
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
	"perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
	"sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
	"lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
	"raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
	"sk_lookup", "syscall", "netfilter",
};

static const char *const map_types[] = {
	"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
	"percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash",
	"lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap",
	"sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue",
	"stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage",
	"task_storage", "bloom_filter", "user_ringbuf", "cgrp_storage", "arena",
};

static const char *const link_types[] = {
	"unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp", "perf_event",
	"kprobe_multi", "struct_ops", "netfilter", "tcx", "uprobe_multi", "netkit", "sockmap",
};

static const char *const attach_types[] = {
	"cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create",
	"cgroup_sock_ops", "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device",
	"sk_msg_verdict", "cgroup_inet4_bind", "cgroup_inet6_bind", "cgroup_inet4_connect",
	"cgroup_inet6_connect", "cgroup_inet4_post_bind", "cgroup_inet6_post_bind",
	"cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg", "lirc_mode2", "flow_dissector",
	"cgroup_sysctl", "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt",
	"cgroup_setsockopt", "trace_raw_tp", "trace_fentry", "trace_fexit", "modify_return",
	"lsm_mac", "trace_iter", "cgroup_inet4_getpeername", "cgroup_inet6_getpeername",
	"cgroup_inet4_getsockname", "cgroup_inet6_getsockname", "xdp_devmap",
	"cgroup_inet_sock_release", "xdp_cpumap", "sk_lookup", "xdp", "sk_skb_verdict",
	"sk_reuseport_select", "sk_reuseport_select_or_migrate", "perf_event",
	"trace_kprobe_multi", "lsm_cgroup", "struct_ops", "netfilter", "tcx_ingress",
	"tcx_egress", "trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg",
	"cgroup_unix_recvmsg", "cgroup_unix_getpeername", "cgroup_unix_getsockname",
	"netkit_primary", "netkit_peer", "trace_kprobe_session", "trace_uprobe_session",
};

#define NAME_OF(tab, t) ((t) < sizeof(tab) / sizeof(tab[0]) ? tab[t] : NULL)

const char *bpfobj_prog_type(unsigned t) { return NAME_OF(prog_types, t); }
const char *bpfobj_map_type(unsigned t) { return NAME_OF(map_types, t); }
const char *bpfobj_link_type(unsigned t) { return NAME_OF(link_types, t); }
const char *bpfobj_attach_type(unsigned t) { return NAME_OF(attach_types, t); }
