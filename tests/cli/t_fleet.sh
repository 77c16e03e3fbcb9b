#!/bin/bash
# The fleet play (issue 21): a real ansible-playbook run of
# static-tools/fleet/collect.yml against seven "hosts" built on this
# machine, each a network namespace (a veth address that exists only
# here) with a mount namespace of its own (its own /dev/shm and /run) and,
# but for one, its own sshd with key-only authentication:
#   h1 h2 h5 h6 h7  irsnap copied into the host's /dev/shm
#   h2              encrypted to a lab age recipient, verified with its identity
#   h3              irsnap on read-only media mounted in that host
#   h4              no sshd: unreachable
#   h5              the controller's directory for it is a 256 KiB tmpfs:
#                   the output cannot be written
#   h6              its sshd stalls any collect (ForceCommand): timeout
#   h7              the test key is not authorized: authentication
# Every bundle of h1-h3 arrives, verifies with the lab key's pinned
# fingerprint and with stock tar/sha256sum/openssl; the summary has every
# host with its reason; nothing of irsnap is left in any host's /dev/shm;
# a rerun skips the verified hosts.
. "$(dirname "$0")/lib.sh"
need ansible-playbook; need sshd; need ssh; need ssh-keygen; need jq; need zstd; need openssl; need age; need age-keygen
need_root "network namespaces with an sshd each"
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd (openssh-server)"
case $(getent shadow root | cut -d: -f2) in
'!'*) skip "root's account is locked ('!' in /etc/shadow): sshd without PAM refuses it even a key" ;;
esac
FLEET=$(cd "$(dirname "$0")/../../static-tools/fleet" && pwd)
. "$(dirname "$0")/../fleet/fleet.sh"
NET=$FLEET_NET
fleet_keys "$T_DIR" || { fail "ssh-keygen"; finish; }
"$IRSNAP" keygen -o "$T_DIR/lab" >"$T_DIR/keygen.out" 2>&1 || { fail "irsnap keygen"; finish; }
LABFP=$(grep -o 'sha256:[0-9a-f]\{64\}' "$T_DIR/keygen.out" | head -n 1)
on_exit fleet_down
age-keygen -o "$T_DIR/age.id" 2>/dev/null && RCPT=$(age-keygen -y "$T_DIR/age.id") ||
	{ fail "age-keygen"; finish; }
modes=(x ok ok media down ok stall otherkey)
for i in 1 2 3 4 5 6 7; do
	fleet_host "$i" "${modes[$i]}" "$IRSNAP" || { fail "veth for h$i"; finish; }
done
fleet_wait 1 2 3 4 5 6 7 || { fail "the hosts were not made"; finish; }
mkdir -p "$OUT/bundles/h5"
# full before the play: a small bundle (a quiet host's minimal one is far
# under 256 KiB) must not fit in what is left either
mount -t tmpfs -o size=256k fleet-full "$OUT/bundles/h5" && T_MOUNTS+=("$OUT/bundles/h5") ||
	{ fail "the 256 KiB tmpfs for h5"; finish; }
dd if=/dev/zero of="$OUT/bundles/h5/fill" bs=4k 2>/dev/null
check "h5's output is full before the play ($(df -k --output=avail "$OUT/bundles/h5" | tail -n 1) KiB free)" \
	[ "$(df -k --output=avail "$OUT/bundles/h5" | tail -n 1 | tr -d ' ')" = 0 ]
cat >"$T_DIR/inventory.ini" <<EOF
[fleet]
h1 ansible_host=$NET.1.2
h2 ansible_host=$NET.2.2 irsnap_encrypt_to=$RCPT irsnap_identity=$T_DIR/age.id
h3 ansible_host=$NET.3.2 irsnap_media_path=/mnt/irsnap
h4 ansible_host=$NET.4.2
h5 ansible_host=$NET.5.2
h6 ansible_host=$NET.6.2 irsnap_host_timeout=12
h7 ansible_host=$NET.7.2

[fleet:vars]
ansible_user=root
ansible_ssh_private_key_file=$T_DIR/id
ansible_ssh_common_args=-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
irsnap_profile=minimal
irsnap_signing_key=$T_DIR/lab.key
irsnap_lab_pubkey=$T_DIR/lab.pub
irsnap_host_timeout=120
EOF
export ANSIBLE_HOME=$T_DIR/ansible ANSIBLE_LOCAL_TEMP=$T_DIR/ansible/tmp ANSIBLE_NOCOLOR=1
play() {
	ansible-playbook -i "$T_DIR/inventory.ini" -f 7 "$FLEET/collect.yml" \
		-e "irsnap_binary=$IRSNAP" -e "irsnap_out=$OUT/bundles" -e irsnap_case=fleet-test \
		-e "irsnap_examiner=t_fleet" "$@"
}
play >"$T_DIR/play1.out" 2>&1
rc=$?
tail -n 12 "$T_DIR/play1.out"
check "ansible-playbook exits 0 (got $rc)" [ "$rc" = 0 ]
S=$OUT/bundles/fleet-summary.json
check "the fleet summary (JSON) is written" jq -e '.hosts | length == 7' "$S"
reason() { jq -r --arg h "$1" '.hosts[] | select(.host == $h) | .reason // "none"' "$S"; }
for h in h1 h2 h3; do
	B=$(jq -r --arg h "$h" '.hosts[] | select(.host == $h) | .bundle' "$S")
	expect "$h: verified, no reason ($(reason $h))" \
		"jq -e --arg h $h '.hosts[] | select(.host == \$h) | .verified and .reason == null and .collection_status == \"complete\"' '$S' >/dev/null"
	id=()
	[ $h = h2 ] && id=(--identity "$T_DIR/age.id")
	check "$h: the bundle verifies with the lab key's pinned fingerprint" \
		"$IRSNAP" verify "$B" "${id[@]}" --fingerprint "$LABFP" \
		--sha256 "$(sed -n 's/^irsnap: bundle-sha256: //p' "$OUT/bundles/$h/paper-log.txt")"
	check "$h: the paper log has its seven lines" [ "$(grep -c '^irsnap: ' "$OUT/bundles/$h/paper-log.txt")" = 7 ]
	D=$T_DIR/x.$h
	mkdir -p "$D"
	dec="cat '$B'"
	[ $h = h2 ] && dec="age -d -i '$T_DIR/age.id' '$B'" &&
		check "h2: encrypted to the lab (bundle.tar.zst.age)" [ "${B##*/}" = bundle.tar.zst.age ]
	check "$h: stock tar, sha256sum and openssl accept it" bash -c "$dec | tar --zstd -xf - -C '$D' &&
		cd '$D'/irsnap-* && sha256sum -c --strict --quiet MANIFEST.sha256 &&
		openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in MANIFEST.sha256 \
			-sigfile MANIFEST.sha256.sig | grep -qx 'Signature Verified Successfully'"
	check "$h: case and examiner recorded" \
		jq -e '.case.id == "fleet-test" and .case.examiner == "t_fleet"' "$D"/irsnap-*/run.json
done
expect "h1: the footprint (the tmpfs copy) is in the collection's note" \
	"jq -e '.case.note | test(\"^fleet: irsnap copied to /dev/shm/irsnap-fleet-[0-9a-f]+ \\\\([0-9]+ bytes\\\\) at \")' '$T_DIR'/x.h1/irsnap-*/run.json"
expect "h3: run from the read-only media, said in the note" \
	"jq -e '.case.note | startswith(\"fleet: irsnap run from read-only media at /mnt/irsnap\")' '$T_DIR'/x.h3/irsnap-*/run.json"
check "h4 (no sshd): unreachable ($(reason h4))" bash -c "[[ '$(reason h4)' == unreachable:* ]]"
check "h5 (a full output): output error ($(reason h5))" bash -c "[[ '$(reason h5)' == 'output error:'*'No space left on device'* ]]"
check "h6 (a stalled collection): timeout ($(reason h6))" bash -c "[[ '$(reason h6)' == timeout:* ]]"
check "h7 (a key not authorized): authentication ($(reason h7))" bash -c "[[ '$(reason h7)' == authentication:* ]]"
check "the CSV has a header and a line a host" \
	bash -c "[ \"\$(head -n 1 '$OUT/bundles/fleet-summary.csv')\" = 'host,outcome,exit_status,collection_status,bundle,bytes,sha256,signer,high,medium,low,info,duration_s,reason' ] && [ \$(wc -l <'$OUT/bundles/fleet-summary.csv') = 8 ]"
check "the fleet report of the three bundles is written" bash -c "ls '$OUT'/bundles/fleet-report-*.html >/dev/null"
left=
for i in 1 2 3 5 6 7; do
	ls "/proc/${FLEET_PIDS[$i]}/root/dev/shm/" >"$T_DIR/shm.$i" 2>&1 || left+=" h$i:unreadable"
	grep -q irsnap "$T_DIR/shm.$i" && left+=" h$i:$(tr '\n' ' ' <"$T_DIR/shm.$i")"
done
check "nothing of irsnap is left in any host's /dev/shm (${left:-none})" [ -z "$left" ]
# a rerun: the verified hosts are skipped, their bundles untouched
sum1=$(sha256sum "$OUT"/bundles/h[123]/bundle.tar.zst)
play --limit h1,h2,h3,h4,localhost >"$T_DIR/play2.out" 2>&1
check "a rerun exits 0" [ $? = 0 ]
check "... skips the three verified hosts" [ "$(grep -c 'already verified' "$T_DIR/play2.out")" -ge 3 ]
check "... and leaves their bundles as they were" [ "$sum1" = "$(sha256sum "$OUT"/bundles/h[123]/bundle.tar.zst)" ]
check "... h4 still unreachable" bash -c "[[ '$(reason h4)' == unreachable:* ]]"
check "... and the summary still has all seven hosts (h5 from the last summary)" jq -e '.hosts | length == 7' "$S"
finish
