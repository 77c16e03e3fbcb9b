#!/bin/bash
# bench_fleet.sh - the fleet play (static-tools/fleet/collect.yml) against
# the same collections run one after another by a shell loop over ssh,
# on HOSTS (20) hosts built on this machine as t_fleet builds them (a
# network namespace, a mount namespace and an sshd each; irsnap on
# read-only media in each, so that both sides run the same binary the same
# way; the play once more with its tmpfs copy, "play+copy"). For each
# profile in PROFILES (minimal triage): the wall time, hosts per minute,
# the controller's peak memory (the proportional set size of the play or
# the loop summed over all its processes, sampled every 0.1 s: tests/bench/
# treerss.py) and how many bundles verified.
#
#   sudo tests/bench/bench_fleet.sh            # HOSTS=20 PROFILES="minimal triage"
#
# Every collection reads this same machine: the hosts share its CPUs, so
# the play's gain is bounded by the cores (2 here), not by the hosts.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
HOSTS=${HOSTS:-20}
PROFILES=${PROFILES:-minimal triage}
[ "$(id -u)" = 0 ] || { echo "bench: run as root"; exit 77; }
for c in ansible-playbook /usr/sbin/sshd ssh ssh-keygen python3 jq; do
	command -v "$c" >/dev/null || { echo "bench: needs $c"; exit 77; }
done
W=$(mktemp -d /tmp/irsnap-bench-fleet.XXXXXX)
mount -t tmpfs -o size=12g irsnap-bench "$W" || { rmdir "$W"; echo "bench: cannot mount a tmpfs"; exit 77; }
. "$top/tests/fleet/fleet.sh"
trap 'fleet_down; umount -l "$W"; rmdir "$W"' EXIT
fleet_keys "$W" || exit 1
"$IRSNAP" keygen -o "$W/lab" >/dev/null 2>&1 || exit 1
hosts=()
for i in $(seq "$HOSTS"); do
	fleet_host "$i" media "$IRSNAP" || { echo "bench: host $i not made"; exit 1; }
	hosts+=("$i")
done
fleet_wait "${hosts[@]}" || { echo "bench: the hosts did not come up"; exit 1; }
SSH=(ssh -T -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o LogLevel=ERROR -i "$W/id" -l root)
inventory() {   # inventory MEDIA(yes|no) > file
	echo "[fleet]"
	for i in "${hosts[@]}"; do
		echo "h$i ansible_host=$FLEET_NET.$i.2$([ "$1" = yes ] && echo " irsnap_media_path=/mnt/irsnap")"
	done
	printf '[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=%s\n' "$W/id"
	printf 'ansible_ssh_common_args=-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR\n'
	printf 'irsnap_signing_key=%s\nirsnap_lab_pubkey=%s\nirsnap_host_timeout=1800\n' "$W/lab.key" "$W/lab.pub"
}
export ANSIBLE_HOME=$W/ansible ANSIBLE_LOCAL_TEMP=$W/ansible/tmp ANSIBLE_NOCOLOR=1
play() {   # play NAME PROFILE MEDIA
	local out=$W/$1-$2
	inventory "$3" >"$W/$1.ini"
	python3 "$top/tests/bench/treerss.py" "$W/$1-$2.cost" ansible-playbook -i "$W/$1.ini" \
		-f "$HOSTS" "$top/static-tools/fleet/collect.yml" -e "irsnap_binary=$IRSNAP" \
		-e "irsnap_out=$out" -e "irsnap_profile=$2" >"$W/$1-$2.log" 2>&1
	jq '[.hosts[] | select(.verified)] | length' "$out/fleet-summary.json" >"$W/$1-$2.ok" 2>/dev/null ||
		echo 0 >"$W/$1-$2.ok"
}
loop() {   # the by-hand baseline: one host after another, then verify it
	local out=$W/loop-$1 i ok=0
	mkdir -p "$out"
	cat >"$W/loop.sh" <<EOS
for i in ${hosts[*]}; do
	${SSH[*]} $FLEET_NET.\$i.2 "/mnt/irsnap collect -o - --compress zstd --profile $1 --key $W/lab.key" \
		>"$out/h\$i.tar.zst" 2>"$out/h\$i.err"
	"$IRSNAP" verify "$out/h\$i.tar.zst" --pubkey "$W/lab.pub" \
		--sha256 "\$(sed -n 's/^irsnap: bundle-sha256: //p' "$out/h\$i.err")" >/dev/null 2>&1 &&
		echo ok >>"$out/verified"
done
EOS
	python3 "$top/tests/bench/treerss.py" "$W/loop-$1.cost" bash "$W/loop.sh"
	wc -l <"$out/verified" >"$W/loop-$1.ok" 2>/dev/null || echo 0 >"$W/loop-$1.ok"
}
printf '%-8s %-10s %5s %9s %11s %18s %9s\n' profile method hosts wall_s hosts/min controller_PSS_KiB verified
for p in $PROFILES; do
	for m in loop play play+copy; do
		case $m in
		loop) loop "$p" ;;
		play) play play "$p" yes ;;
		play+copy) play playcopy "$p" no ;;
		esac
		n=${m/+/}
		read -r wall peak <"$W/$n-$p.cost"
		printf '%-8s %-10s %5d %9.1f %11.1f %18d %9s\n' "$p" "$m" "$HOSTS" "$wall" \
			"$(awk -v h="$HOSTS" -v w="$wall" 'BEGIN { print h * 60 / w }')" "$peak" "$(cat "$W/$n-$p.ok")"
		rm -rf "${W:?}/$n-$p" "${W:?}/loop-$p"
	done
done
