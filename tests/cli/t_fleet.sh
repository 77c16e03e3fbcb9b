#!/bin/bash
# The fleet play (issue 21): a real ansible-playbook run of
# static-tools/fleet/collect.yml against seven "hosts" built on this
# machine, each a network namespace (a veth address that exists only
# here) with a mount namespace of its own (its own /dev/shm and /run) and,
# but for one, its own sshd with key-only authentication:
#   h1 h2 h5 h6 h7  irsnap copied into the host's /dev/shm
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
need ansible-playbook; need sshd; need ssh; need ssh-keygen; need jq; need zstd; need openssl
need_root "network namespaces with an sshd each"
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd (openssh-server)"
FLEET=$(cd "$(dirname "$0")/../../static-tools/fleet" && pwd)
NET=10.231
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/id" || { fail "ssh-keygen"; finish; }
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/other" || { fail "ssh-keygen"; finish; }
ssh-keygen -q -t ed25519 -N '' -f "$T_DIR/hostkey" || { fail "ssh-keygen"; finish; }
cp "$T_DIR/id.pub" "$T_DIR/authorized_keys"
cp "$T_DIR/other.pub" "$T_DIR/other_keys"
"$IRSNAP" keygen -o "$T_DIR/lab" >"$T_DIR/keygen.out" 2>&1 || { fail "irsnap keygen"; finish; }
LABFP=$(grep -o 'sha256:[0-9a-f]\{64\}' "$T_DIR/keygen.out" | head -n 1)
# h6's sshd: any command but a collection runs; a collection stalls
cat >"$T_DIR/stall.sh" <<'EOS'
#!/bin/bash
case "$SSH_ORIGINAL_COMMAND" in
*" collect "*) exec -a irsnap-fleet-stall sleep 600 ;;
*) exec bash -c "$SSH_ORIGINAL_COMMAND" ;;
esac
EOS
chmod 755 "$T_DIR/stall.sh"
# one host: addresses, its own /dev/shm and /run, media for h3, its sshd
cat >"$T_DIR/host.sh" <<'EOS'
i=$1 T=$2 NET=$3 IRSNAP=$4
for _ in $(seq 200); do ip link show eth0 >/dev/null 2>&1 && break; sleep 0.05; done
ip link set lo up && ip addr add "$NET.$i.2/24" dev eth0 && ip link set eth0 up || exit 3
mount -t tmpfs -o size=64m,mode=1777 fleet-shm /dev/shm && mount -t tmpfs fleet-run /run &&
	mkdir -m 755 /run/sshd || exit 3
if [ "$i" = 3 ]; then
	mkdir -p /mnt && mount -t tmpfs fleet-media /mnt && cp "$IRSNAP" /mnt/irsnap &&
		mount -o remount,ro /mnt || exit 3
fi
keys=$T/authorized_keys force=
[ "$i" = 7 ] && keys=$T/other_keys
[ "$i" = 6 ] && force="ForceCommand $T/stall.sh"
cat >"$T/sshd.$i.conf" <<EOF
ListenAddress $NET.$i.2
HostKey $T/hostkey
AuthorizedKeysFile $keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
$force
EOF
echo ready >"$T/host.$i.ready"
[ "$i" = 4 ] && exec sleep 600
exec /usr/sbin/sshd -D -e -f "$T/sshd.$i.conf" 2>"$T/sshd.$i.log"
EOS
PIDS=()
for i in 1 2 3 4 5 6 7; do
	unshare --net --mount --propagation private bash "$T_DIR/host.sh" "$i" "$T_DIR" "$NET" "$IRSNAP" &
	PIDS[$i]=$!
	on_exit "kill ${PIDS[$i]}; pkill -f 'sshd.$i.conf'; pkill -f irsnap-fleet-stall"
	for _ in $(seq 100); do   # until unshare has made the namespace
		[ "$(readlink "/proc/${PIDS[$i]}/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.02
	done
	ip link add "irsfl$i" type veth peer name eth0 netns "${PIDS[$i]}" &&
		ip addr add "$NET.$i.1/24" dev "irsfl$i" && ip link set "irsfl$i" up ||
		{ fail "veth for h$i"; finish; }
	on_exit "ip link del irsfl$i"
done
for i in 1 2 3 4 5 6 7; do
	for _ in $(seq 100); do [ -s "$T_DIR/host.$i.ready" ] && break; sleep 0.05; done
	[ -s "$T_DIR/host.$i.ready" ] || { fail "host h$i was not made"; finish; }
done
for i in 1 2 3 5 6 7; do   # sshd listening
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/$NET.$i.2/22") 2>/dev/null && break; sleep 0.05; done
done
mkdir -p "$OUT/bundles/h5"
mount -t tmpfs -o size=256k fleet-full "$OUT/bundles/h5" && T_MOUNTS+=("$OUT/bundles/h5")
cat >"$T_DIR/inventory.ini" <<EOF
[fleet]
h1 ansible_host=$NET.1.2
h2 ansible_host=$NET.2.2
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
	check "$h: the bundle verifies with the lab key's pinned fingerprint" \
		"$IRSNAP" verify "$B" --fingerprint "$LABFP" \
		--sha256 "$(sed -n 's/^irsnap: bundle-sha256: //p' "$OUT/bundles/$h/paper-log.txt")"
	check "$h: the paper log has its seven lines" [ "$(grep -c '^irsnap: ' "$OUT/bundles/$h/paper-log.txt")" = 7 ]
	D=$T_DIR/x.$h
	mkdir -p "$D"
	check "$h: stock tar, sha256sum and openssl accept it" bash -c "tar --zstd -xf '$B' -C '$D' &&
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
	ls "/proc/${PIDS[$i]}/root/dev/shm/" >"$T_DIR/shm.$i" 2>&1 || left+=" h$i:unreadable"
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
