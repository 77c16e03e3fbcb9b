/* wtmpdb and lastlog2 databases with a -wal: the WAL applier
 * (sqlite_image.c), SQLite on the image, and the wtmpdb view and signs
 * (wtmpdb_view.c). The first two bytes say where
 * the database ends and the WAL begins. */
#include "capbuf.h"
#include "fuzz.h"
#include "logins.h"
#include "sqlite_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capbuf img, out;
	struct wal_report rep;
	uint64_t rows = 0;

	if (size < 2)
		return 0;
	size_t split = ((size_t)data[0] << 8 | data[1]) * 16;
	data += 2;
	size -= 2;
	if (split > size)
		split = size;
	int db = fuzz_memfd(data, split), wal = fuzz_memfd(data + split, size - split);
	capbuf_init(&img, 8u << 20);
	capbuf_init(&out, 8u << 20);
	if (sqlite_image_load(db, wal, &img, &rep) == 0) {
		struct logins L = { 0 };
		capbuf_init(&L.anomalies, 8u << 20);
		sqlite_image_dump(&img, "fuzz", &out, &rows);
		capbuf_reset(&out);
		wtmpdb_view(&L, &img, "fuzz", &out, &rows);
		capbuf_release(&L.anomalies);
	}
	capbuf_release(&img);
	capbuf_release(&out);
	close(db);
	close(wal);
	return 0;
}
