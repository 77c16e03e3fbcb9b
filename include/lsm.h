/*
 * lsm.h - the security modules' state (src_lsm.c), for the kernel step's
 * system/kernel.json `security` object.
 */
#ifndef IRSNAP_LSM_H
#define IRSNAP_LSM_H

#include <jansson.h>
#include <stddef.h>

#include "run.h"

/* The `security` object: securityfs (and whether it is the kernel's), lsm,
 * selinux {selinuxfs, mode, enforce, policyvers, mls, deny_unknown,
 * config_mode, config_type}, apparmor {enabled, profiles, modes}. Raw
 * files archived under system/sys/... 0, or the bundle's fatal error. */
int lsm_state(struct run *r, json_t **ret);
/* AppArmor's profiles text, one {name, mode} (or {line}) per line; each
 * mode counted in `counts` when given. For the fuzz target. */
json_t *lsm_apparmor_profiles(const char *text, size_t len, json_t *counts);

#endif
