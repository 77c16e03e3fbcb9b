/*
 * src_bpf.c - the kernel's eBPF objects (issue 18, item 1): every loaded
 * program, map and link, the objects pinned under every bpffs mount, and
 * which processes hold an fd on each. The rootkits of the last years
 * (BPFDoor, ebpfkit, TripleCross) live here and nowhere on disk.
 *
 * Read through bpf(2)'s ID walk and BPF_OBJ_GET_INFO_BY_FD (bpfobj.h):
 * nothing is loaded into the kernel; bpftool's own "pids" view loads an
 * iterator program, irsnap takes the holders from the run's fd walk
 * instead (fdwalk.h). Members, under system/bpf/:
 *
 *   progs.jsonl, maps.jsonl, links.jsonl  one object per line, fields named
 *                                         as `bpftool ... show -j` names them
 *   pinned.jsonl                          path, kind and id of each pin
 *   cgroups.jsonl                         programs attached to a cgroup
 *                                         without a link (bpf_cgroups.c)
 *   prog/<id>.xlated                      the program as the verifier left it
 *                                         (raw instructions, capped)
 *
 * Each object's info structure as the kernel returned it is kept in hex
 * ("info_hex"): a field newer than this build is not lost.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfobj.h"
#include "bpfsrc.h"
#include "jsonw.h"
#include "mountinfo.h"
#include "procfs.h"
#include "source.h"
#include "textutil.h"
#include "vec.h"
#include "banned.h"

#define BPF_JSON_CAP (64u << 20)
#define XLATED_MAX (1u << 20)          /* one program's instructions */
#define XLATED_TOTAL (64u << 20)       /* all of them */
#define MAP_IDS_MAX 1024
#define OBJS_MAX 1000000               /* an ID walk that never ends */

/* "pinned":[paths] and "pids":[{pid,fd,comm}] of object (kind, id). */
static void add_refs(struct bstate *b, struct jw *w, char kind, uint32_t id)
{
	size_t n = 0;
	for (size_t i = 0; i < b->npins; i++)
		n += b->pins[i].kind == kind && b->pins[i].id == id;
	if (n) {
		const char **paths = calloc(n, sizeof(*paths));
		size_t *lens = calloc(n, sizeof(*lens));
		size_t k = 0;
		for (size_t i = 0; paths && lens && i < b->npins; i++)
			if (b->pins[i].kind == kind && b->pins[i].id == id) {
				paths[k] = b->pins[i].path;
				lens[k++] = strlen(b->pins[i].path);
			}
		if (paths && lens)
			jw_bytes_array(w, "pinned", paths, lens, k);
		free(paths);
		free(lens);
	}
	if (!b->holders_known)
		return;
	jw_key(w, "pids");
	capbuf_add(w->cb, "[", 1);
	bool first = true;
	for (size_t i = 0; i < b->nhold; i++) {
		if (b->hold[i].kind != kind || b->hold[i].id != id)
			continue;
		char dir[24];
		struct capbuf comm;
		struct jw o;
		capbuf_init(&comm, 64);
		snprintf(dir, sizeof(dir), "%d/comm", b->hold[i].pid);
		proc_read_once(b->procfd, dir, &comm);
		if (!first)
			capbuf_add(w->cb, ",", 1);
		first = false;
		capbuf_add(w->cb, "{", 1);
		o = (struct jw){ .cb = w->cb };
		jw_int(&o, "pid", b->hold[i].pid);
		jw_int(&o, "fd", b->hold[i].fd);
		jw_bytes(&o, "comm", comm.buf ? comm.buf : "", strcspn(comm.buf ? comm.buf : "", "\n"));
		capbuf_add(w->cb, "}", 1);
		capbuf_release(&comm);
	}
	capbuf_add(w->cb, "]", 1);
}

static void put_name(struct jw *w, const char *key, const char *name, size_t cap)
{
	jw_bytes(w, key, name, strnlen(name, cap));
}

static void put_type(struct jw *w, const char *name, unsigned t)
{
	if (name)
		jw_str(w, "type", name);
	else
		jw_int(w, "type", t);
}

/* The memlock and frozen lines of our own fd's fdinfo. */
static void put_fdinfo(struct bstate *b, struct jw *w, int fd, bool frozen)
{
	char path[40];
	struct capbuf cb;
	size_t n;

	snprintf(path, sizeof(path), "self/fdinfo/%d", fd);
	capbuf_init(&cb, 4096);
	if (proc_read(b->procfd, path, &cb) >= 0 && cb.buf) {
		const char *v = proc_status_field(cb.buf, "memlock", &n);
		if (v)
			jw_int(w, "bytes_memlock", strtoll(v, NULL, 10));
		v = frozen ? proc_status_field(cb.buf, "frozen", &n) : NULL;
		if (v)
			jw_int(w, "frozen", strtol(v, NULL, 10));
	}
	capbuf_release(&cb);
}

static void put_time(struct bstate *b, struct jw *w, uint64_t boot_ns)
{
	int64_t ns = b->real_minus_boot + (int64_t)boot_ns;
	char when[RFC3339_LEN];

	jw_int(w, "loaded_at", ns / 1000000000);
	fmt_rfc3339_ns(when, ns / 1000000000, (long)(ns % 1000000000));
	jw_ascii(w, "load_time", when, strlen(when));
}

static int one_prog(struct bstate *b, int fd, struct capbuf *out)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), ids[MAP_IDS_MAX];
	void *insns = NULL;
	struct jw w;

	memset(&info, 0, sizeof(info));
	if (bpfobj_info(fd, &info, &len) < 0)
		return 1;
	uint32_t nmaps = info.nr_map_ids < MAP_IDS_MAX ? info.nr_map_ids : MAP_IDS_MAX;
	uint32_t xl = info.xlated_prog_len;
	bool want_x = xl && xl <= XLATED_MAX && b->xlated_total + xl <= XLATED_TOTAL;
	if (want_x)
		insns = calloc(1, xl);
	struct bpf_prog_info again;
	memset(&again, 0, sizeof(again));
	again.nr_map_ids = nmaps;
	again.map_ids = (uint64_t)(uintptr_t)ids;
	if (insns) {
		again.xlated_prog_len = xl;
		again.xlated_prog_insns = (uint64_t)(uintptr_t)insns;
	}
	uint32_t len2 = sizeof(again);
	bool refused = false;
	if (bpfobj_info(fd, &again, &len2) < 0) {
		nmaps = 0;
		refused = true;
	}
	/* the kernel withholds the instructions (bpf_dump_raw_ok(): kptr_restrict)
	 * by clearing the pointer: nothing was written into ours */
	if (refused || !again.xlated_prog_insns || again.xlated_prog_len == 0) {
		free(insns);
		insns = NULL;
	}
	char tag[2 * BPF_TAG_SIZE + 1];
	hex_encode(tag, info.tag, BPF_TAG_SIZE);
	jw_begin(&w, out);
	jw_int(&w, "id", info.id);
	put_type(&w, bpfobj_prog_type(info.type), info.type);
	put_name(&w, "name", info.name, sizeof(info.name));
	jw_ascii(&w, "tag", tag, strlen(tag));
	jw_bool(&w, "gpl_compatible", info.gpl_compatible);
	put_time(b, &w, info.load_time);
	jw_int(&w, "uid", info.created_by_uid);
	jw_int(&w, "bytes_xlated", info.xlated_prog_len);
	jw_bool(&w, "jited", info.jited_prog_len != 0);
	jw_int(&w, "bytes_jited", info.jited_prog_len);
	put_fdinfo(b, &w, fd, false);
	jw_key(&w, "map_ids");
	capbuf_add(out, "[", 1);
	for (uint32_t i = 0; i < nmaps && i < again.nr_map_ids; i++) {
		if (i)
			capbuf_add(out, ",", 1);
		jw_int_value(out, ids[i]);
	}
	capbuf_add(out, "]", 1);
	if (info.btf_id)
		jw_int(&w, "btf_id", info.btf_id);
	if (info.attach_btf_id) {
		jw_int(&w, "attach_btf_obj_id", info.attach_btf_obj_id);
		jw_int(&w, "attach_btf_id", info.attach_btf_id);
	}
	if (info.ifindex)
		jw_int(&w, "ifindex", info.ifindex);
	if (info.netns_ino)
		jw_int(&w, "netns_ino", (int64_t)info.netns_ino);
	jw_int(&w, "run_time_ns", (int64_t)info.run_time_ns);
	jw_int(&w, "run_cnt", (int64_t)info.run_cnt);
	add_refs(b, &w, 'p', info.id);
	if (insns) {
		char member[64];
		snprintf(member, sizeof(member), "system/bpf/prog/%u.xlated", info.id);
		jw_ascii(&w, "xlated_member", member, strlen(member));
	} else if (xl) {
		jw_str(&w, "xlated_missing", want_x ? "the kernel did not give the instructions"
			: "over the cap on instructions kept");
	}
	jw_hex(&w, "info_hex", &info, len);
	jw_end(&w);
	int ret = 0;
	if (insns) {
		struct capbuf cb;
		char member[64], src[64];
		capbuf_init(&cb, XLATED_MAX);
		capbuf_add(&cb, insns, again.xlated_prog_len < xl ? again.xlated_prog_len : xl);
		b->xlated_total += cb.len;
		snprintf(member, sizeof(member), "system/bpf/prog/%u.xlated", info.id);
		snprintf(src, sizeof(src), "bpf(2) prog %u xlated_prog_insns", info.id);
		ret = run_emit_copy(b->r, "bpf", member, src, &cb);
		capbuf_release(&cb);
	}
	free(insns);
	return ret;
}

static int one_map(struct bstate *b, int fd, struct capbuf *out)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	struct jw w;

	memset(&info, 0, sizeof(info));
	if (bpfobj_info(fd, &info, &len) < 0)
		return 1;
	jw_begin(&w, out);
	jw_int(&w, "id", info.id);
	put_type(&w, bpfobj_map_type(info.type), info.type);
	put_name(&w, "name", info.name, sizeof(info.name));
	jw_int(&w, "flags", info.map_flags);
	jw_int(&w, "bytes_key", info.key_size);
	jw_int(&w, "bytes_value", info.value_size);
	jw_int(&w, "max_entries", info.max_entries);
	put_fdinfo(b, &w, fd, true);
	if (info.btf_id)
		jw_int(&w, "btf_id", info.btf_id);
	if (info.ifindex)
		jw_int(&w, "ifindex", info.ifindex);
	add_refs(b, &w, 'm', info.id);
	jw_hex(&w, "info_hex", &info, len);
	jw_end(&w);
	return 0;
}

static void put_attach(struct jw *w, unsigned t)
{
	const char *n = bpfobj_attach_type(t);
	if (n)
		jw_str(w, "attach_type", n);
	else
		jw_int(w, "attach_type", t);
}

static int one_link(struct bstate *b, int fd, struct capbuf *out)
{
	struct bpf_link_info info;
	char tp[256] = "";
	uint32_t len = sizeof(info);
	struct jw w;

	memset(&info, 0, sizeof(info));
	if (bpfobj_info(fd, &info, &len) < 0)
		return 1;
	if (info.type == BPF_LINK_TYPE_RAW_TRACEPOINT) {   /* again, for the name */
		memset(&info, 0, sizeof(info));
		info.raw_tracepoint.tp_name = (uint64_t)(uintptr_t)tp;
		info.raw_tracepoint.tp_name_len = sizeof(tp) - 1;
		len = sizeof(info);
		if (bpfobj_info(fd, &info, &len) < 0)
			return 1;
		info.raw_tracepoint.tp_name = 0;   /* our pointer is no host data */
	}
	jw_begin(&w, out);
	jw_int(&w, "id", info.id);
	put_type(&w, bpfobj_link_type(info.type), info.type);
	jw_int(&w, "prog_id", info.prog_id);
	switch (info.type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		jw_bytes(&w, "tp_name", tp, strnlen(tp, sizeof(tp)));
		break;
	case BPF_LINK_TYPE_TRACING:
		put_attach(&w, info.tracing.attach_type);
		jw_int(&w, "target_obj_id", info.tracing.target_obj_id);
		jw_int(&w, "target_btf_id", info.tracing.target_btf_id);
		break;
	case BPF_LINK_TYPE_CGROUP:
		put_attach(&w, info.cgroup.attach_type);
		jw_int(&w, "cgroup_id", (int64_t)info.cgroup.cgroup_id);
		break;
	case BPF_LINK_TYPE_NETNS:
		jw_int(&w, "netns_ino", info.netns.netns_ino);
		put_attach(&w, info.netns.attach_type);
		break;
	case BPF_LINK_TYPE_XDP:
		jw_int(&w, "ifindex", info.xdp.ifindex);
		break;
	default:
		break;
	}
	add_refs(b, &w, 'l', info.id);
	jw_hex(&w, "info_hex", &info, len);
	jw_end(&w);
	return 0;
}

/* One kind's ID walk into its member: 0 or the bundle's fatal error; a
 * walk the kernel refused (EPERM) in *list_err. */
static int walk_kind(struct bstate *b, enum bpfobj_kind k, const char *member, int *list_err)
{
	static int (*const one[])(struct bstate *, int, struct capbuf *) = { one_prog, one_map, one_link };
	struct capbuf out;
	uint32_t id = 0;
	unsigned n = 0, gone = 0;
	int e = -ENOENT, ret = 0;

	capbuf_init(&out, BPF_JSON_CAP);
	while (ret == 0 && n + gone < OBJS_MAX && !run_should_stop(b->r) &&
	       (e = bpfobj_next_id(k, id, &id)) == 0) {
		int fd = bpfobj_fd_by_id(k, id);
		if (fd < 0) {
			gone += fd == -ENOENT;   /* unloaded since the walk saw it */
			if (fd != -ENOENT)
				b->failed++;
			continue;
		}
		ret = one[k](b, fd, &out);
		close(fd);
		n += ret == 0;
		if (ret > 0) {
			b->failed++;
			ret = 0;
		}
	}
	*list_err = e == -ENOENT ? 0 : e;
	if (*list_err && n == 0) {   /* EPERM: no CAP_SYS_ADMIN */
		capbuf_release(&out);
		return ret;
	}
	run_log(b->r, "bpf: %s: %u objects, %u gone while read", member, n, gone);
	if (ret == 0)
		ret = run_emit(b->r, "bpf", member, &out);
	capbuf_release(&out);
	return ret;
}

int src_bpf_collect(struct run *r)
{
	struct bstate b = { .r = r, .procfd = proc_open_root() };
	struct timespec rt, bt;
	int ret = 0;
	bool denied = false;

	if (b.procfd < 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	b.real_minus_boot = (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
	if (snapshot_fds_walked(&r->snap)) {
		const struct fd_table *t = snapshot_fds(&r->snap);
		b.hold = t->bpf;
		b.nhold = t->nbpf;
		b.holders_known = true;
	} else {
		run_log(r, "bpf: no fd walk in this run: which processes hold bpf objects is not known");
	}
	bpf_find_pins(&b);
	static const char *const members[] = { "system/bpf/progs.jsonl", "system/bpf/maps.jsonl",
		"system/bpf/links.jsonl" };
	for (int k = BPFOBJ_PROG; k <= BPFOBJ_LINK && ret == 0; k++) {
		int list_err = 0;
		ret = walk_kind(&b, (enum bpfobj_kind)k, members[k], &list_err);
		if (list_err && ret == 0) {
			run_source_failed(r, "bpf", "bpf(2) ID walk", -list_err,
					  "the kernel's eBPF objects could not all be listed");
			denied = list_err == -EPERM || list_err == -ENOSYS;
			if (denied)
				break;
		}
	}
	struct capbuf pins;
	capbuf_init(&pins, BPF_JSON_CAP);
	for (size_t i = 0; i < b.npins; i++) {
		struct jw w;
		static const char *const kn[] = { ['p'] = "prog", ['m'] = "map", ['l'] = "link" };
		jw_begin(&w, &pins);
		jw_bytes(&w, "path", b.pins[i].path, strlen(b.pins[i].path));
		jw_str(&w, "kind", kn[(unsigned char)b.pins[i].kind]);
		jw_int(&w, "id", b.pins[i].id);
		jw_end(&w);
		free(b.pins[i].path);
	}
	if (ret == 0)
		ret = run_emit(r, "bpf", "system/bpf/pinned.jsonl", &pins);
	if (ret == 0 && !denied)
		ret = bpf_cgroups(&b);
	if (b.failed)
		run_log(r, "bpf: %u objects could not be read", b.failed);
	capbuf_release(&pins);
	free(b.pins);
	close(b.procfd);
	return ret;
}
