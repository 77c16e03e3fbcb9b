/* messages.c - the verbs' messages on stderr (commands.h): "irsnap: " and
 * one line. Only cmd/ speaks to the user; lower layers return -errno. Host
 * and user bytes in a message go through shown() (textutil.h). */
#include <stdarg.h>
#include <stdio.h>

#include "commands.h"
#include "banned.h"

void say(const char *fmt, ...)
{
	va_list ap;

	fputs("irsnap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
