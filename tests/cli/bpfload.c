/*
 * bpfload.c - the eBPF state t_bpf.sh compares: a hash map, a socket
 * filter that refers to it, an sk_lookup program linked to the current
 * network namespace (the test's own), the map and the filter pinned under
 * a bpffs folder; given a cgroup2 folder, a cgroup_skb program attached to
 * it (egress, multi) and a cgroup_sock one to its "child" folder (sock
 * create, override), both without a link. Prints "ready" and holds every
 * fd until killed.
 * Usage: bpfload PIN_DIR [CGROUP_DIR]
 */
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static char log_buf[65536];

static int load(unsigned type, unsigned expected, const struct bpf_insn *insns, unsigned n,
		const char *name)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = expected;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log_buf;
	a.log_size = sizeof(log_buf);
	a.log_level = 1;
	strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
	int fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		perror("BPF_PROG_LOAD");
		fputs(log_buf, stderr);
	}
	return fd;
}

static int pin(int fd, const char *dir, const char *name)
{
	char path[4096];
	union bpf_attr a;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	return sys_bpf(BPF_OBJ_PIN, &a);
}

int main(int argc, char **argv)
{
	union bpf_attr a;

	if (argc != 2 && argc != 3)
		return 2;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 16;
	strncpy(a.map_name, "irs_map", sizeof(a.map_name) - 1);
	int map = sys_bpf(BPF_MAP_CREATE, &a);
	if (map < 0) {
		perror("BPF_MAP_CREATE");
		return 1;
	}
	struct bpf_insn filter[] = {
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD, .imm = map },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int f = load(BPF_PROG_TYPE_SOCKET_FILTER, 0, filter, 4, "irs_filter");
	int l = load(BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, pass, 2, "irs_lookup");
	if (f < 0 || l < 0)
		return 1;
	int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)l;
	a.link_create.target_fd = (uint32_t)ns;
	a.link_create.attach_type = BPF_SK_LOOKUP;
	int link = sys_bpf(BPF_LINK_CREATE, &a);
	if (link < 0) {
		perror("BPF_LINK_CREATE");
		return 1;
	}
	if (pin(map, argv[1], "irs_map") < 0 || pin(f, argv[1], "irs_filter") < 0) {
		perror("BPF_OBJ_PIN");
		return 1;
	}
	if (argc == 3) {
		char child[4096];
		int skb = load(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, pass, 2, "irs_cg_skb");
		int sock = load(BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, pass, 2,
				"irs_cg_sock");
		snprintf(child, sizeof(child), "%s/child", argv[2]);
		int cg = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int cc = open(child, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (skb < 0 || sock < 0 || cg < 0 || cc < 0)
			return 1;
		memset(&a, 0, sizeof(a));
		a.target_fd = (uint32_t)cg;
		a.attach_bpf_fd = (uint32_t)skb;
		a.attach_type = BPF_CGROUP_INET_EGRESS;
		a.attach_flags = BPF_F_ALLOW_MULTI;
		if (sys_bpf(BPF_PROG_ATTACH, &a) < 0) {
			perror("BPF_PROG_ATTACH");
			return 1;
		}
		a.target_fd = (uint32_t)cc;
		a.attach_bpf_fd = (uint32_t)sock;
		a.attach_type = BPF_CGROUP_INET_SOCK_CREATE;
		a.attach_flags = BPF_F_ALLOW_OVERRIDE;
		if (sys_bpf(BPF_PROG_ATTACH, &a) < 0) {
			perror("BPF_PROG_ATTACH");
			return 1;
		}
	}
	printf("ready %d %d %d %d\n", map, f, l, link);
	fflush(stdout);
	pause();
	return 0;
}
