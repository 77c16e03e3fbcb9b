/*
 * argsmove.c - t_argsmoved's helper: point this process's argv at a fake
 * in its .data with prctl(PR_SET_MM_MAP) (no privilege needed, only
 * CONFIG_CHECKPOINT_RESTORE), say "ok", and sleep argv[1] seconds. The
 * other fields of the map are the process's own, from /proc/self/stat.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/prctl.h>
#include <unistd.h>

static char fake[] = "sshd: root@notty\0-D\0";

int main(int argc, char **argv)
{
	unsigned long long v[52] = { 0 };
	char buf[4096];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		return 2;
	fclose(f);
	char *p = strrchr(buf, ')') + 2;
	for (int i = 3; i <= 51 && p; i++) {
		if (i != 3)
			v[i] = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	struct prctl_mm_map m = {
		.start_code = v[26], .end_code = v[27], .start_data = v[45], .end_data = v[46],
		.start_brk = v[47], .brk = (unsigned long)sbrk(0), .start_stack = v[28],
		.arg_start = (unsigned long)fake, .arg_end = (unsigned long)fake + sizeof(fake) - 1,
		.env_start = v[50], .env_end = v[51], .auxv = NULL, .auxv_size = 0, .exe_fd = -1,
	};
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof(m), 0) < 0) {
		perror("PR_SET_MM_MAP");
		return 3;
	}
	printf("ok\n");
	fflush(stdout);
	sleep(argc > 1 ? atoi(argv[1]) : 30);
	return 0;
}
