/*
 * run_json.h - build run.json (DESIGN §4) from the run context.
 */
#ifndef IRSNAP_RUN_JSON_H
#define IRSNAP_RUN_JSON_H

#include "run.h"
#include "sign.h"

struct run_identity {
	char self_sha256[SHA256_HEX_LEN];   /* of /proc/self/exe, or "" */
	char fingerprint[FINGERPRINT_LEN];
	char lockdown[256];                 /* what lockdown_seccomp() reported */
	char footprint[256];                /* what lockdown_footprint() reported */
	const char *proc_view, *fs_view;    /* isolate.h: how /proc and the mounts were read */
	int ns_holder;                      /* the pid holding the private namespace, or -1 */
	unsigned findings[4];               /* by severity (findings.h), when made */
	bool findings_made;
};

json_t *run_json(const struct run *r, const struct run_identity *id);

#endif
