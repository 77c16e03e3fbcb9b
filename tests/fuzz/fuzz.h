/* fuzz.h - shared by the libFuzzer targets (tests/fuzz/run.sh builds them
 * with clang, ASan and UBSan): hostile bytes into a memfd, or into a
 * NUL-terminated copy, for the parsers that take them. */
#ifndef IRSNAP_FUZZ_H
#define IRSNAP_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int fuzz_memfd(const void *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	const char *p = data;

	if (fd < 0)
		abort();
	while (size) {
		ssize_t n = write(fd, p, size);
		if (n <= 0)
			abort();
		p += n;
		size -= (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
