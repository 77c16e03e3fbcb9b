/* messages.c - the verbs' messages on stderr (commands.h): "irsnap: " and
 * one line. Only cmd/ speaks to the user; lower layers return -errno. Host
 * and user bytes in a message go through shown() (textutil.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "progress.h"
#include "banned.h"

void say(const char *fmt, ...)
{
	va_list ap;

	progress_clear_line();   /* a status line on the terminal: a line of its own */
	fputs("irsnap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool want_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return true;
		}
	return false;
}
