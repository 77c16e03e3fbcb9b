/* nlquery.c - netlink dump requests (nlquery.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nlquery.h"
#include "banned.h"

#define RECV_BUF (64u << 10)

int nl_parse(const void *buf, size_t len, nl_cb cb, void *ctx)
{
	/* signed, as in the kernel's own use of NLMSG_NEXT: a last message whose
	 * length is not aligned would wrap an unsigned count past the buffer */
	ssize_t n = len > (size_t)INT32_MAX ? INT32_MAX : (ssize_t)len;

	for (const struct nlmsghdr *h = buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0 ?
			       e->error : -EIO;
		}
		int r = cb(h, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

int nl_query(int protocol, void *req, size_t len, nl_cb cb, void *ctx)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	char *buf = NULL;
	int r = 0;

	if (fd < 0)
		return -errno;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto out;
	}
	buf = malloc(RECV_BUF);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, RECV_BUF, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		r = nl_parse(buf, (size_t)n, cb, ctx);
		if (r != 0) {
			if (r > 0)
				r = 0;   /* NLMSG_DONE */
			break;
		}
	}
out:
	free(buf);
	close(fd);
	return r;
}
