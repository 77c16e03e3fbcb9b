/* cmd_version.c - `irsnap version`: the version and the libraries built in. */
#include <jansson.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>

#include "build_info.h"
#include "bundle.h"
#include "commands.h"
#include "banned.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("irsnap %s (bundle format %s; reads irsnap-bundle/1 and /2 too)\n", IRSNAP_VERSION,
	       BUNDLE_FORMAT);
	printf("commit %s, source sha256 %s\n", IRSNAP_COMMIT, IRSNAP_SOURCE_SHA256);
	printf("built with %s, jansson %s, SQLite %s; tar subset of its own\n",
	       OPENSSL_VERSION_TEXT, JANSSON_VERSION, SQLITE_VERSION);
	return EXIT_COMPLETE;
}
