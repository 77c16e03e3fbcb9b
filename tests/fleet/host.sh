#!/bin/bash
# host.sh I DIR NET MODE IRSNAP - one fleet host, run by unshare --net
# --mount in fleet.sh: waits for its veth (eth0), takes NET.I.2, mounts its
# own /dev/shm and /run, then runs its sshd (key-only, root) on that
# address. MODE: ok; media (irsnap on a read-only tmpfs at /mnt/irsnap);
# down (no sshd); stall (any collect hangs: ForceCommand); otherkey (the
# fleet key is not authorized).
i=$1 T=$2 NET=$3 MODE=$4 IRSNAP=$5
for _ in $(seq 200); do ip link show eth0 >/dev/null 2>&1 && break; sleep 0.05; done
ip link set lo up && ip addr add "$NET.$i.2/24" dev eth0 && ip link set eth0 up || exit 3
mount -t tmpfs -o size=64m,mode=1777 fleet-shm /dev/shm && mount -t tmpfs fleet-run /run &&
	mkdir -m 755 /run/sshd || exit 3
if [ "$MODE" = media ]; then
	mkdir -p /mnt && mount -t tmpfs fleet-media /mnt && cp "$IRSNAP" /mnt/irsnap &&
		mount -o remount,ro /mnt || exit 3
fi
keys=$T/authorized_keys force=
[ "$MODE" = otherkey ] && keys=$T/other_keys
[ "$MODE" = stall ] && force="ForceCommand $T/stall.sh"
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
MaxStartups 100
$force
EOF
echo ready >"$T/host.$i.ready"
[ "$MODE" = down ] && exec sleep 600
exec /usr/sbin/sshd -D -e -f "$T/sshd.$i.conf" 2>"$T/sshd.$i.log"
