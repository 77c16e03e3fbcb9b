/*
 * ctr_state.c - the containers the runtimes know, from their state files
 * (ctrsrc.h): docker (/var/lib/docker/containers/<id>/config.v2.json),
 * podman and CRI-O (/var/lib/containers/storage/overlay-containers/
 * containers.json, each container's userdata/config.json - the OCI spec -
 * and the pidfile under /run/containers/storage), containerd
 * (/run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/
 * config.json and init.pid). The files are the host's: each is read
 * capped, parsed by jansson, and only its expected fields are taken;
 * whatever is missing is null. Podman keeps ports in its Bolt database,
 * which is copied raw, not read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrsrc.h"
#include "hostfile.h"
#include "jsonx.h"
#include "banned.h"

#define STATE_CAP (16u << 20)
#define DOCKER_DIR "/var/lib/docker/containers"
#define STORAGE_DIR "/var/lib/containers/storage/overlay-containers"
#define STORAGE_RUN "/run/containers/storage/overlay-containers"
#define CONTAINERD_TASKS "/run/containerd/io.containerd.runtime.v2.task"

static json_t *load(const char *path, json_t *files)
{
	struct capbuf cb;
	capbuf_init(&cb, STATE_CAP);
	json_t *j = NULL;
	if (host_read_small(AT_FDCWD, path, &cb) == 0 && cb.buf) {
		j = json_loadb(cb.buf, cb.len, JSON_ALLOW_NUL, NULL);
		json_array_append_new(files, json_string(path));
	}
	capbuf_release(&cb);
	return j;
}

static long long read_pid(const char *path)
{
	struct capbuf cb;
	capbuf_init(&cb, 64);
	long long pid = 0;
	if (host_read_small(AT_FDCWD, path, &cb) == 0 && cb.buf)
		pid = strtoll(cb.buf, NULL, 10);
	capbuf_release(&cb);
	return pid > 0 && pid < (1ll << 31) ? pid : 0;
}

/* A copy of j's value at a dotted path, or null. */
static json_t *at(json_t *j, const char *path)
{
	char key[64];
	while (j && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)(n < 63 ? n : 63), path);
		j = json_is_object(j) ? json_object_get(j, key) : NULL;
		path += n + (path[n] == '.');
	}
	return j ? json_deep_copy(j) : json_null();
}

static void finish(json_t *o, const struct ctr_seen *seen, size_t nseen, struct capbuf *out)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	const struct ctr_seen *m = NULL;
	for (size_t i = 0; id && i < nseen; i++)
		if (strcmp(seen[i].id, id) == 0)
			m = &seen[i];
	json_set_int(o, "processes", m ? m->processes : 0);
	json_set_new(o, "first_pid", m ? json_integer(m->first_pid) : json_null());
	json_set_new(o, "pid_inside", m ? json_integer(m->pid_inside) : json_null());
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line) {
		capbuf_addstr(out, line);
		capbuf_add(out, "\n", 1);
	}
	free(line);
	json_decref(o);
}

/* The fields an OCI config.json gives every runtime. */
static void oci_fields(json_t *o, json_t *cfg)
{
	json_set_new(o, "hostname", at(cfg, "hostname"));
	json_set_new(o, "args", at(cfg, "process.args"));
	json_set_new(o, "env", at(cfg, "process.env"));
	json_set_new(o, "mounts", at(cfg, "mounts"));
	json_set_new(o, "annotations", at(cfg, "annotations"));
}

static unsigned docker(struct capbuf *out, const struct ctr_seen *seen, size_t nseen)
{
	DIR *d = host_opendir(DOCKER_DIR);
	struct dirent *de;
	unsigned n = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		json_t *files = json_array(), *o = json_object();
		snprintf(path, sizeof(path), DOCKER_DIR "/%s/config.v2.json", de->d_name);
		json_t *c = load(path, files);
		json_set_str(o, "runtime", "docker");
		json_set_new(o, "id", c ? at(c, "ID") : json_string(de->d_name));
		json_set_new(o, "name", at(c, "Name"));
		json_set_new(o, "image", at(c, "Config.Image"));
		json_set_new(o, "created", at(c, "Created"));
		json_set_new(o, "started", at(c, "State.StartedAt"));
		json_set_new(o, "running", at(c, "State.Running"));
		json_set_new(o, "pid", at(c, "State.Pid"));
		json_set_new(o, "hostname", at(c, "Config.Hostname"));
		json_set_new(o, "args", at(c, "Config.Cmd"));
		json_set_new(o, "entrypoint", at(c, "Config.Entrypoint"));
		json_set_new(o, "env", at(c, "Config.Env"));
		json_set_new(o, "mounts", at(c, "MountPoints"));
		json_set_new(o, "ports", at(c, "NetworkSettings.Ports"));
		json_set_new(o, "state_files", files);
		json_decref(c);
		finish(o, seen, nseen, out);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* podman and CRI-O share containers/storage */
static unsigned storage(struct capbuf *out, const struct ctr_seen *seen, size_t nseen)
{
	json_t *files0 = json_array();
	json_t *list = load(STORAGE_DIR "/containers.json", files0);
	unsigned n = 0;
	for (size_t i = 0; json_is_array(list) && i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i), *o = json_object(), *files = json_deep_copy(files0);
		const char *id = json_string_value(json_object_get(e, "id"));
		if (!id || strlen(id) > 128 || strchr(id, '/') || id[0] == '.') {
			json_decref(o);
			json_decref(files);
			continue;
		}
		char path[512];
		snprintf(path, sizeof(path), STORAGE_DIR "/%s/userdata/config.json", id);
		json_t *cfg = load(path, files);
		json_t *crio = json_object_get(json_object_get(cfg, "annotations"),
					       "io.kubernetes.cri-o.ContainerID");
		json_set_str(o, "runtime", crio ? "cri-o" : "podman");
		json_set_str(o, "id", id);
		json_set_new(o, "name", at(e, "names"));
		json_set_new(o, "image", at(e, "image"));
		json_set_new(o, "created", at(e, "created"));
		json_set_new(o, "started", json_null());
		snprintf(path, sizeof(path), STORAGE_RUN "/%s/userdata/pidfile", id);
		long long pid = read_pid(path);
		if (pid)
			json_array_append_new(files, json_string(path));
		json_set_new(o, "pid", pid ? json_integer(pid) : json_null());
		oci_fields(o, cfg);
		json_set_new(o, "ports", json_null());
		json_set_new(o, "state_files", files);
		json_decref(cfg);
		finish(o, seen, nseen, out);
		n++;
	}
	json_decref(list);
	json_decref(files0);
	return n;
}

static unsigned containerd(struct capbuf *out, const struct ctr_seen *seen, size_t nseen)
{
	DIR *d = host_opendir(CONTAINERD_TASKS);
	struct dirent *ns;
	unsigned n = 0;
	while (d && (ns = readdir(d))) {
		if (ns->d_name[0] == '.')
			continue;
		char dir[512];
		snprintf(dir, sizeof(dir), CONTAINERD_TASKS "/%s", ns->d_name);
		DIR *t = host_opendir(dir);
		struct dirent *de;
		while (t && (de = readdir(t))) {
			if (de->d_name[0] == '.')
				continue;
			char path[1200];
			json_t *files = json_array(), *o = json_object();
			snprintf(path, sizeof(path), "%s/%s/config.json", dir, de->d_name);
			json_t *cfg = load(path, files);
			json_set_str(o, "runtime", "containerd");
			json_set_str(o, "namespace", ns->d_name);
			json_set_str(o, "id", de->d_name);
			json_set_new(o, "name", at(cfg, "annotations.io.kubernetes.cri.container-name"));
			json_set_new(o, "image", at(cfg, "annotations.io.kubernetes.cri.image-name"));
			snprintf(path, sizeof(path), "%s/%s/init.pid", dir, de->d_name);
			long long pid = read_pid(path);
			json_set_new(o, "pid", pid ? json_integer(pid) : json_null());
			oci_fields(o, cfg);
			json_set_new(o, "state_files", files);
			json_decref(cfg);
			finish(o, seen, nseen, out);
			n++;
		}
		if (t)
			closedir(t);
	}
	if (d)
		closedir(d);
	return n;
}

unsigned ctr_state_records(struct run *r, struct capbuf *out, const struct ctr_seen *seen,
			   size_t nseen)
{
	(void)r;
	return docker(out, seen, nseen) + storage(out, seen, nseen) + containerd(out, seen, nseen);
}
