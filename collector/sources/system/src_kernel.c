/*
 * src_kernel.c - kernel and system state: system/kernel.json (taint, lockdown,
 * command line, the sysctls that matter to an investigator, loaded modules
 * cross-checked against /sys/module) and raw copies of the /proc and /sys
 * files they come from (system/proc/...): modules, mounts, swaps,
 * partitions, block devices.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostfile.h"
#include "lsm.h"
#include "modfiles.h"
#include "source.h"
#include "strset.h"
#include "textutil.h"
#include "banned.h"

#define KFILE_CAP (16u << 20)

static const char *const raw_files[] = {
	"/proc/modules", "/proc/cmdline", "/proc/version", "/proc/sys/kernel/tainted",
	"/proc/self/mountinfo", "/proc/mounts", "/proc/swaps", "/proc/partitions",
	"/proc/filesystems", "/proc/meminfo", "/proc/cpuinfo", "/proc/loadavg",
	"/proc/sys/kernel/random/boot_id", "/sys/kernel/security/lockdown",
	"/proc/sys/kernel/core_pattern",
};

static const char *const sysctls[] = {
	"kernel/yama/ptrace_scope", "kernel/kptr_restrict", "kernel/dmesg_restrict",
	"kernel/modules_disabled", "kernel/unprivileged_bpf_disabled", "kernel/kexec_load_disabled",
	"kernel/randomize_va_space", "kernel/core_pattern", "kernel/sysrq", "kernel/tainted",
	"kernel/perf_event_paranoid", "fs/suid_dumpable", "fs/protected_symlinks",
	"fs/protected_hardlinks", "net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding",
	"user/max_user_namespaces", "kernel/unprivileged_userns_clone",
};

/* taint bits (Documentation/admin-guide/tainted-kernels.rst) */
static const char *const taint_names[] = {
	"proprietary-module", "forced-module-load", "smp-unsafe", "forced-module-unload",
	"machine-check", "bad-page", "user-request", "died-recently", "acpi-overridden",
	"warning", "staging-driver", "firmware-workaround", "out-of-tree-module",
	"unsigned-module", "soft-lockup", "live-patched", "auxiliary", "struct-randomization",
	"in-kernel-test",
};

/* /proc/self and /proc/mounts are links the kernel makes (to our pid's
 * folder): host_open() never follows a link, so they are read through
 * /proc/<our pid>/ directly; the record keeps the path asked for. */
static int read_text(const struct run *r, const char *path, struct capbuf *cb)
{
	char real[64];
	/* in its own namespace, irsnap's mount table is its copy: the host's was
	 * read before it left (isolate.h) */
	const char *kept = strcmp(path, "/proc/self/mountinfo") == 0 ? r->host_mountinfo :
			   strcmp(path, "/proc/mounts") == 0 ? r->host_mounts : NULL;

	bool cut = kept == r->host_mountinfo ? r->host_mountinfo_cut : r->host_mounts_cut;
	if (kept) {   /* a copy that hit its cap says so, as a read of it would */
		int e = capbuf_addstr(cb, kept);
		if (e == 0 && cut) {
			cb->truncated = true;
			e = -E2BIG;
		}
		return e;
	}
	const char *rest = strncmp(path, "/proc/self/", 11) == 0 ? path + 11 :
			   strcmp(path, "/proc/mounts") == 0 ? "mounts" : NULL;

	if (rest && xsnprintf(real, sizeof(real), "/proc/%d/%s", (int)getpid(), rest) == 0)
		return host_read_small(AT_FDCWD, real, cb);
	return host_read_small(AT_FDCWD, path, cb);
}

/* A /proc or /sys file (size 0 in stat) read whole and archived as is. */
static int copy_pseudo(struct run *r, const char *path)
{
	struct capbuf cb;
	struct capbuf member;
	int ret = 0;

	capbuf_init(&cb, KFILE_CAP);
	int e = read_text(r, path, &cb);
	if (e < 0 && e != -E2BIG) {
		if (e != -ENOENT)
			run_log(r, "kernel: cannot read '%s': %s", path, strerror(-e));
		capbuf_release(&cb);
		return 0;
	}
	capbuf_init(&member, 4096);
	capbuf_addstr(&member, "system/");
	member_encode(&member, path, strlen(path));
	ret = run_emit_copy(r, "kernel", member.buf, path, &cb);
	capbuf_release(&member);
	capbuf_release(&cb);
	return ret;
}

static void trim(struct capbuf *cb)
{
	while (cb->len && (cb->buf[cb->len - 1] == '\n' || cb->buf[cb->len - 1] == ' '))
		cb->buf[--cb->len] = '\0';
}

/* /proc/modules names vs /sys/module/<name> with an initstate (loadable
 * modules): a module in one view only is what a hiding rootkit leaves. */
static json_t *modules_check(struct run *r)
{
	json_t *o = json_object(), *only_proc = json_array(), *only_sys = json_array();
	struct strset proc = { 0 }, sys = { 0 };
	struct capbuf cb;

	capbuf_init(&cb, KFILE_CAP);
	if (read_text(r, "/proc/modules", &cb) == 0 && cb.buf) {
		for (char *line = cb.buf; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			char *sp = strchr(line, ' ');
			if (sp)
				*sp = '\0';
			if (*line)
				strset_add(&proc, line);
			line = nl ? nl + 1 : NULL;
		}
	}
	capbuf_release(&cb);
	DIR *d = host_opendir("/sys/module");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[512];
		struct capbuf st;
		if (de->d_name[0] == '.')
			continue;
		if (xsnprintf(path, sizeof(path), "/sys/module/%s/initstate", de->d_name) < 0)
			continue;
		capbuf_init(&st, 64);
		if (read_text(r, path, &st) == 0) {   /* loadable and loaded */
			strset_add(&sys, de->d_name);
			if (!strset_has(&proc, de->d_name))
				json_array_append_new(only_sys, json_string(de->d_name));
		}
		capbuf_release(&st);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < proc.nslots; i++)
		if (proc.slots[i] && !strset_has(&sys, proc.slots[i]))
			json_array_append_new(only_proc, json_string(proc.slots[i]));
	json_set_int(o, "proc_modules", (int64_t)proc.count);
	json_set_int(o, "sys_module_loaded", (int64_t)sys.count);
	json_set_new(o, "only_in_proc_modules", only_proc);
	json_set_new(o, "only_in_sys_module", only_sys);
	if (json_array_size(only_proc) || json_array_size(only_sys))
		run_log(r, "kernel: modules seen in one view only: %zu in /proc/modules, %zu in "
			"/sys/module (see system/kernel.json)", json_array_size(only_proc),
			json_array_size(only_sys));
	strset_free(&proc);
	strset_free(&sys);
	return o;
}

int src_kernel_collect(struct run *r)
{
	json_t *o = json_object(), *sc = json_object();
	struct capbuf cb, out;
	int ret = 0;

	for (size_t i = 0; i < sizeof(raw_files) / sizeof(raw_files[0]) && ret == 0; i++)
		ret = copy_pseudo(r, raw_files[i]);
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "/proc/sys/%s", sysctls[i]);
		capbuf_init(&cb, 4096);
		if (read_text(r, path, &cb) == 0) {
			trim(&cb);
			json_set_bytes(sc, sysctls[i], cb.buf ? cb.buf : "", cb.len);
		}
		capbuf_release(&cb);
	}
	json_set_new(o, "sysctl", sc);

	capbuf_init(&cb, 4096);
	if (read_text(r, "/proc/sys/kernel/tainted", &cb) == 0 && cb.buf) {
		unsigned long t = strtoul(cb.buf, NULL, 10);
		json_t *flags = json_array();
		for (size_t b = 0; b < sizeof(taint_names) / sizeof(taint_names[0]); b++)
			if (t & (1UL << b))
				json_array_append_new(flags, json_string(taint_names[b]));
		json_set_int(o, "tainted", (int64_t)t);
		json_set_new(o, "taint_flags", flags);
	}
	capbuf_release(&cb);
	capbuf_init(&cb, 4096);
	if (read_text(r, "/sys/kernel/security/lockdown", &cb) == 0 && cb.buf) {
		trim(&cb);
		json_set_bytes(o, "lockdown", cb.buf, cb.len);
	} else {
		json_set_new(o, "lockdown", json_null());
	}
	capbuf_release(&cb);
	capbuf_init(&cb, 1u << 20);
	if (read_text(r, "/proc/cmdline", &cb) == 0 && cb.buf) {
		trim(&cb);
		json_set_bytes(o, "cmdline", cb.buf, cb.len);
	}
	capbuf_release(&cb);
	json_set_new(o, "modules", modules_check(r));
	json_t *sec = NULL;
	if (ret == 0)
		ret = lsm_state(r, &sec);
	json_set_new(o, "security", sec ? sec : json_null());
	if (ret == 0)
		ret = modfiles_collect(r);

	/* block devices: names under /sys/block */
	json_t *blk = json_array();
	DIR *d = host_opendir("/sys/block");
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			json_array_append_new(blk, json_string(de->d_name));
	if (d)
		closedir(d);
	json_set_new(o, "block_devices", blk);

	capbuf_init(&out, 16u << 20);
	json_append_pretty(&out, o);
	json_decref(o);
	if (ret == 0)
		ret = run_emit(r, "kernel", "system/kernel.json", &out);
	capbuf_release(&out);
	return ret;
}
