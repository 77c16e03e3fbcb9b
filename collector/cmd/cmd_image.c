/*
 * cmd_image.c - `irsnap image DEVICE -o PATH|- [options]`: a block device
 * or an image file read whole into a signed bundle (disk.h), as a
 * collection whose plan is the host's identity and that one disk: every
 * collect option (--key, --case, --compress, --encrypt-to, --budget...)
 * applies, and the bundle is sealed, verified and reported like any other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "textutil.h"
#include "banned.h"

static const char image_usage[] =
	"usage: irsnap image DEVICE -o PATH|- [collect options]\n"
	"\n"
	"Read a block device (or an image file) from its first byte to its last into\n"
	"disk/<name>.raw of a signed bundle, with disk/<name>.json beside it: the\n"
	"device's identity (model, serial, WWN, size, sector sizes, read-only flag,\n"
	"partitions), MD5 and SHA-1 (in the index; SHA-256 in the manifest), and\n"
	"every range that could not be read. A failed read is retried sector by\n"
	"sector, three times each; a sector that never reads is zero-filled and its\n"
	"range recorded, and the reading goes on (exit 1). A block device is read\n"
	"with O_DIRECT, so the host's page cache is kept. The device the output is\n"
	"on is refused. DEVICE is an absolute path.\n"
	"\n"
	"Every option of `irsnap collect` but --profile and --file applies:\n"
	"--compress zstd stores the image compressed (an empty disk shrinks to\n"
	"almost nothing), --key, --case, --examiner, --encrypt-to, --budget.\n"
	"\n"
	"Exit status: 0 complete, 1 sealed but some sectors unreadable (or the run\n"
	"stopped), 2 usage error, 3 the bundle could not be written.\n";

int cmd_image(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(image_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const char *dev = argv[1];
	if (dev[0] != '/') {
		say("image needs the absolute path of a device or image file: '%s'", shown(dev).s);
		return EXIT_USAGE;
	}
	for (const char *c = dev; *c; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '#') {
			say("image: a device path with a space, a control character or '#' is not "
			    "taken: '%s' (use a link to it without one)", shown(dev).s);
			return EXIT_USAGE;
		}
	}
	if (strlen(dev) > 1000) {
		say("image: the device path is too long");
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--profile") == 0 || strncmp(argv[i], "--profile=", 10) == 0 ||
		    strcmp(argv[i], "--file") == 0 || strncmp(argv[i], "--file=", 7) == 0) {
			say("image takes no %s: its plan is the disk", argv[i]);
			return EXIT_USAGE;
		}
	}
	char text[1100];
	snprintf(text, sizeof(text), "profile image\nstep host\ndisk %s\n", dev);
	/* collect sees "image -o ..." with the device left out */
	char **av = calloc((size_t)argc, sizeof(*av));
	if (!av) {
		say("out of memory");
		return EXIT_FATAL;
	}
	av[0] = argv[0];
	for (int i = 2; i < argc; i++)
		av[i - 1] = argv[i];
	int st = collect_main(argc - 1, av, text, argc + 1, argv - 1);
	free(av);
	return st;
}
