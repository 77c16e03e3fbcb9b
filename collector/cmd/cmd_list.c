/* cmd_list.c - `irsnap list`: what collect would do, in order. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "plan.h"
#include "source.h"
#include "textutil.h"
#include "banned.h"

static const char list_usage[] =
	"usage: irsnap list [--profile NAME|FILE]\n"
	"\n"
	"Print the steps `irsnap collect` takes with that profile (default: triage),\n"
	"in the order it takes them: most volatile first (RFC 3227). A profile with an\n"
	"error is reported with its file, line and reason. Then the built-in sources.\n";

int cmd_list(int argc, char **argv)
{
	const char *name = "triage";
	struct profile p;
	char err[512];

	if (want_help(argc, argv, list_usage))
		return EXIT_COMPLETE;
	if (argc == 3 && strcmp(argv[1], "--profile") == 0)
		name = argv[2];
	else if (argc != 1) {
		fputs(list_usage, stderr);
		return EXIT_USAGE;
	}
	if (profile_load(name, &p, err, sizeof(err)) < 0) {
		say("%s", shown(err).s);   /* the file's name and words are the user's bytes */
		return EXIT_USAGE;
	}
	plan_print(&p, stdout);
	profile_free(&p);
	printf("\nbuilt-in sources:\n%-5s %-16s %s\n", "rank", "source", "collects");
	for (size_t i = 0; i < irsnap_nsources; i++)
		printf("%-5d %-16s %s\n", (int)irsnap_sources[i].rank, irsnap_sources[i].name,
		       irsnap_sources[i].what);
	return EXIT_COMPLETE;
}
