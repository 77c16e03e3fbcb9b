/* Compressed rotations (host/unpack.c, libarchive's raw filters): any bytes
 * as a file, read to the end in blocks of odd sizes, under a small output
 * cap, and every whole record decoded as rotated.c does. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "unpack.h"
#include "utmp_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[UTMP_RECORD_SIZE * 3 + 7];
	struct unpacker *u = NULL;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0 &&
	    unpack_open(&u, fd, 1u << 20) == 0) {
		ssize_t k;
		(void)unpack_filter(u);
		while ((k = unpack_read(u, buf, sizeof(buf))) > 0) {
			struct utmp_rec r;
			for (ssize_t o = 0; o + UTMP_RECORD_SIZE <= k; o += UTMP_RECORD_SIZE)
				utmp_decode(buf + o, &r);
		}
		(void)unpack_out_bytes(u);
		(void)unpack_error(u);
	}
	unpack_close(u);
	close(fd);
	return 0;
}
