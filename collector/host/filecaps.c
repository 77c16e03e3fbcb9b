/* filecaps.c - security.capability decoded (filecaps.h). */
#include <errno.h>
#include <string.h>

#include "filecaps.h"
#include "banned.h"

static const char *const names[] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner",
	"cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap",
	"cap_linux_immutable", "cap_net_bind_service", "cap_net_broadcast",
	"cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace",
	"cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
	"cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod",
	"cap_lease", "cap_audit_write", "cap_audit_control", "cap_setfcap",
	"cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
	"cap_checkpoint_restore",
};

const char *filecaps_name(unsigned bit)
{
	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int filecaps_decode(const void *vp, size_t n, struct filecaps *out)
{
	const unsigned char *p = vp;

	memset(out, 0, sizeof(*out));
	if (n < 4)
		return -EINVAL;
	uint32_t magic = le32(p);
	unsigned words;
	switch (magic & 0xFF000000u) {
	case 0x01000000u: out->version = 1, words = 1; break;
	case 0x02000000u: out->version = 2, words = 2; break;
	case 0x03000000u: out->version = 3, words = 2; break;
	default: return -EINVAL;
	}
	/* the sizes the kernel itself requires (cap_convert_nscap, get_vfs_caps_from_disk) */
	size_t want = 4 + 8 * words + (out->version == 3 ? 4 : 0);
	if (n != want || (magic & 0x00FFFFFEu))
		return -EINVAL;
	out->effective = magic & 1u;
	for (unsigned i = 0; i < words; i++) {
		out->permitted |= (uint64_t)le32(p + 4 + 8 * i) << (32 * i);
		out->inheritable |= (uint64_t)le32(p + 8 + 8 * i) << (32 * i);
	}
	if (out->version == 3) {
		out->has_rootid = true;
		out->rootid = le32(p + 4 + 8 * words);
	}
	return 0;
}

/* e 1, p 2, i 4: the order libcap 2.66 lists its clauses in (highest first) */
static unsigned flags_of(const struct filecaps *c, unsigned bit)
{
	unsigned f = 0;
	if (c->permitted >> bit & 1)
		f |= 2;
	if (c->inheritable >> bit & 1)
		f |= 4;
	if (f && c->effective)   /* as libcap loads it: effective = P | I */
		f |= 1;
	return f;
}

static void flag_letters(struct capbuf *out, char op, unsigned f)
{
	capbuf_printf(out, "%c%s%s%s", op, f & 1 ? "e" : "", f & 4 ? "i" : "", f & 2 ? "p" : "");
}

/* What cap_to_text() of libcap 2.66 prints, as getcap(8) shows it: the
 * flag set most capabilities share first ("=p"; left out when it is the
 * empty one), then each other set's capabilities with what they add (+)
 * or lack (-); the first added clause after an empty base reads "=". */
void filecaps_text(const struct filecaps *c, struct capbuf *out)
{
	const unsigned named = (unsigned)(sizeof(names) / sizeof(names[0]));
	unsigned histo[8] = { 0 };

	for (unsigned b = 0; b < 64; b++)
		if (b < named || flags_of(c, b))
			histo[flags_of(c, b)]++;
	unsigned m = 7;
	for (unsigned t = 7; t--;)
		if (histo[t] >= histo[m])
			m = t;
	size_t start = out->len;
	if (m)
		flag_letters(out, '=', m);
	bool first = !m;
	for (unsigned t = 8; t--;) {
		if (t == m || !histo[t])
			continue;
		if (out->len > start)
			capbuf_add(out, " ", 1);
		bool any = false;
		for (unsigned b = 0; b < 64; b++) {
			if (flags_of(c, b) != t)
				continue;
			if (any)
				capbuf_add(out, ",", 1);
			any = true;
			const char *nm = filecaps_name(b);
			if (nm)
				capbuf_addstr(out, nm);
			else
				capbuf_printf(out, "%u", b);
		}
		if (t & ~m) {
			flag_letters(out, first ? '=' : '+', t & ~m);
			first = false;
		}
		if (~t & m & 7)
			flag_letters(out, '-', ~t & m & 7);
	}
	if (out->len == start)
		capbuf_add(out, "=", 1);
}
