/*
 * parttable.c - the partition table at the start of a disk image, read
 * from its bytes (parttable.h): the MBR's four primary entries, and the
 * GPT its protective entry points to (header at LBA 1, CRC-checked, and
 * its entry array). What the kernel shows in sysfs depends on its own
 * partition support and on whether it scanned the device; this does not.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "jsonx.h"
#include "parttable.h"
#include "banned.h"

#define GPT_MAX_ENTRIES 1024u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* A GUID as its text form (the first three fields little-endian). */
static void guid(const unsigned char *g, char out[37])
{
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
		 g[13], g[14], g[15]);
}

/* A GPT entry's name: UTF-16LE to UTF-8, up to the first NUL; units that
 * are not a valid code point become U+FFFD. */
static size_t utf16_name(const unsigned char *p, size_t units, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < units && n + 4 < cap; i++) {
		uint32_t c = (uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
		if (!c)
			break;
		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
			uint32_t lo = (uint32_t)p[2 * i + 2] | (uint32_t)p[2 * i + 3] << 8;
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			} else {
				c = 0xFFFD;
			}
		} else if (c >= 0xD800 && c <= 0xDFFF) {
			c = 0xFFFD;
		}
		if (c < 0x80) {
			out[n++] = (char)c;
		} else if (c < 0x800) {
			out[n++] = (char)(0xC0 | c >> 6), out[n++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			out[n++] = (char)(0xE0 | c >> 12), out[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[n++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[n++] = (char)(0xF0 | c >> 18), out[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
			out[n++] = (char)(0x80 | ((c >> 6) & 0x3F)), out[n++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[n] = '\0';
	return n;
}

static json_t *gpt(const unsigned char *buf, size_t len, unsigned sector, uint64_t disk_bytes)
{
	json_t *o = json_object();
	const unsigned char *h = buf + sector;
	if ((size_t)sector + 92 > len || memcmp(h, "EFI PART", 8) != 0) {
		json_set_str(o, "error", "no GPT header at LBA 1");
		return o;
	}
	uint32_t hsize = le32(h + 12);
	if (hsize < 92 || hsize > 512 || hsize > sector || (size_t)sector + hsize > len) {
		json_set_int(o, "header_size", hsize);
		json_set_str(o, "error", "a GPT header size out of range");
		return o;
	}
	unsigned char hc[512];
	memcpy(hc, h, hsize);
	memset(hc + 16, 0, 4);
	uint32_t want = le32(h + 16);
	json_set_bool(o, "header_crc_ok", (uint32_t)crc32(0, hc, hsize) == want);
	char g[37];
	guid(h + 56, g);
	json_set_str(o, "disk_guid", g);
	json_set_int(o, "current_lba", (int64_t)le64(h + 24));
	json_set_int(o, "backup_lba", (int64_t)le64(h + 32));
	json_set_int(o, "first_usable_lba", (int64_t)le64(h + 40));
	json_set_int(o, "last_usable_lba", (int64_t)le64(h + 48));
	uint64_t elba = le64(h + 72);
	uint32_t n = le32(h + 80), esize = le32(h + 84);
	json_set_int(o, "entries_lba", (int64_t)elba);
	json_set_int(o, "entries", n);
	json_set_int(o, "entry_size", esize);
	if (disk_bytes && le64(h + 32) >= disk_bytes / sector)
		json_set_str(o, "note", "the backup header lies beyond the disk's end");
	if (esize < 128 || esize > 4096 || (esize & 7) || n > GPT_MAX_ENTRIES) {
		json_set_str(o, "error", "an entry size or count out of range");
		return o;
	}
	if (elba > len / sector || (uint64_t)n * esize > len - elba * sector) {
		json_set_str(o, "error", "the entry array lies beyond the bytes read");
		return o;
	}
	const unsigned char *e = buf + elba * sector;
	json_set_bool(o, "entries_crc_ok", (uint32_t)crc32(0, e, (uInt)((size_t)n * esize)) ==
		      le32(h + 88));
	json_t *parts = json_array();
	for (uint32_t i = 0; i < n; i++, e += esize) {
		static const unsigned char zero[16];
		if (memcmp(e, zero, 16) == 0)
			continue;   /* an unused entry */
		json_t *p = json_object();
		char name[300];
		json_set_int(p, "number", i + 1);
		guid(e, g);
		json_set_str(p, "type_guid", g);
		guid(e + 16, g);
		json_set_str(p, "guid", g);
		json_set_int(p, "first_lba", (int64_t)le64(e + 32));
		json_set_int(p, "last_lba", (int64_t)le64(e + 40));
		json_set_int(p, "attributes", (int64_t)le64(e + 48));
		size_t nl = utf16_name(e + 56, 36, name, sizeof(name));
		json_set_bytes(p, "name", name, nl);
		json_array_append_new(parts, p);
	}
	json_set_new(o, "partitions", parts);
	return o;
}

json_t *parttable_read(const unsigned char *buf, size_t len, unsigned sector, uint64_t disk_bytes)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (sector < 512 || sector > 4096 || (sector & (sector - 1)))
		sector = 512;
	if (len < 512 || buf[510] != 0x55 || buf[511] != 0xAA) {
		json_set_str(o, "scheme", "none");
		return o;
	}
	json_t *mbr = json_array();
	bool protective = false;
	for (int i = 0; i < 4; i++) {
		const unsigned char *e = buf + 446 + 16 * i;
		uint32_t start = le32(e + 8), count = le32(e + 12);
		if (e[4] == 0 && !start && !count)
			continue;
		json_t *p = json_object();
		char t[8];
		snprintf(t, sizeof(t), "0x%02x", e[4]);
		json_set_int(p, "number", i + 1);
		json_set_str(p, "type", t);
		json_set_bool(p, "bootable", e[0] == 0x80);
		json_set_int(p, "start_lba", start);
		json_set_int(p, "sectors", count);
		if (e[4] == 0x05 || e[4] == 0x0f || e[4] == 0x85)
			json_set_str(p, "note", "extended: its logical partitions are not walked");
		protective |= e[4] == 0xee;
		json_array_append_new(mbr, p);
	}
	json_set_new(o, "mbr", mbr);
	json_set_str(o, "scheme", protective ? "gpt" : "mbr");
	if (protective)
		json_set_new(o, "gpt", gpt(buf, len, sector, disk_bytes));
	return o;
}
