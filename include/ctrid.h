/*
 * ctrid.h - a container's id from a process's cgroup path, as the runtimes
 * name their cgroups: docker (/docker/<id>, docker-<id>.scope), podman
 * (/libpod-<id>, libpod-<id>.scope, libpod-conmon-…), CRI-O (crio-<id>.scope),
 * containerd (cri-containerd-<id>.scope, /<namespace>/<id>), Kubernetes
 * (/kubepods/…/<id>). The id is the last run of 64 lowercase hex digits.
 */
#ifndef IRSNAP_CTRID_H
#define IRSNAP_CTRID_H

#include <stddef.h>

#define CTR_ID_LEN 64

/* The id (64 hex digits, NUL-terminated) and the runtime the path names
 * ("docker", "podman", "cri-o", "containerd", "kubernetes", or "unknown");
 * 0, or -ENOENT when the text holds no id. `text` is /proc/<pid>/cgroup. */
int ctrid_from_cgroup(const char *text, size_t len, char id[CTR_ID_LEN + 1],
		      const char **runtime);

#endif
