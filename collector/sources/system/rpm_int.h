/*
 * rpm_int.h - what the rpm half of the packages sources shares (src_rpm.c
 * reads the database, rpm_verify.c checks each file).
 */
#ifndef IRSNAP_RPM_INT_H
#define IRSNAP_RPM_INT_H

#include "accounts.h"
#include "packages_int.h"
#include "rpmhdr.h"
#include "strset.h"

struct rpmv {
	struct pkgs *k;
	struct accounts acc;       /* the root's passwd and group: rpm resolves owners there */
	struct strset seen, shared;   /* paths of every package; of more than one */
	const char *name, *arch, *algo;
	char evr[256];
	unsigned long long skipped;   /* files not verified: the time budget */
};

/* rpmfile_fn: verify one file, a record into k->ver when rpm -V would print one. */
int rpmv_file(void *ctx, const struct rpmfile *f);

#endif
