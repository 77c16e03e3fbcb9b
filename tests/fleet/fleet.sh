# fleet.sh - sourced: fleet_keys DIR, then fleet_host I MODE for each host
# (see host.sh), then fleet_wait. Sets FLEET_PIDS[I] (the host's sshd, or
# its placeholder when down) and adds each host's teardown to FLEET_CLEAN,
# which fleet_down runs. Needs root, ip, unshare, sshd, ssh-keygen.
FLEET_NET=${FLEET_NET:-10.231}
FLEET_PIDS=()
FLEET_CLEAN=()
FLEET_DIR=
fleet_keys() {
	FLEET_DIR=$1
	ssh-keygen -q -t ed25519 -N '' -f "$FLEET_DIR/id" &&
		ssh-keygen -q -t ed25519 -N '' -f "$FLEET_DIR/other" &&
		ssh-keygen -q -t ed25519 -N '' -f "$FLEET_DIR/hostkey" &&
		cp "$FLEET_DIR/id.pub" "$FLEET_DIR/authorized_keys" &&
		cp "$FLEET_DIR/other.pub" "$FLEET_DIR/other_keys" || return 1
	# a stalled collection: any other command runs
	cat >"$FLEET_DIR/stall.sh" <<'EOF'
#!/bin/bash
case "$SSH_ORIGINAL_COMMAND" in
*" collect "*) exec -a irsnap-fleet-stall sleep 600 ;;
*) exec bash -c "$SSH_ORIGINAL_COMMAND" ;;
esac
EOF
	chmod 755 "$FLEET_DIR/stall.sh"
}
# fleet_host I MODE IRSNAP
fleet_host() {
	local i=$1 pid
	unshare --net --mount --propagation private \
		bash "$(dirname "${BASH_SOURCE[0]}")/host.sh" "$i" "$FLEET_DIR" "$FLEET_NET" "$2" "$3" &
	pid=$!
	FLEET_PIDS[$i]=$pid
	FLEET_CLEAN+=("kill $pid; pkill -f 'sshd.$i.conf'; ip link del irsfl$i")
	for _ in $(seq 100); do   # until unshare has made the namespace
		[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.02
	done
	ip link add "irsfl$i" type veth peer name eth0 netns "$pid" &&
		ip addr add "$FLEET_NET.$i.1/24" dev "irsfl$i" && ip link set "irsfl$i" up
}
# fleet_wait I...: every host made, every sshd listening
fleet_wait() {
	local i
	for i in "$@"; do
		for _ in $(seq 200); do [ -s "$FLEET_DIR/host.$i.ready" ] && break; sleep 0.05; done
		[ -s "$FLEET_DIR/host.$i.ready" ] || return 1
		[ -d "/proc/${FLEET_PIDS[$i]}" ] || return 1
		for _ in $(seq 100); do
			(exec 3<>"/dev/tcp/$FLEET_NET.$i.2/22") 2>/dev/null && break
			[ "$(cat "/proc/${FLEET_PIDS[$i]}/comm" 2>/dev/null)" = sleep ] && break   # down
			sleep 0.05
		done
	done
}
fleet_down() {
	local c
	for c in "${FLEET_CLEAN[@]}"; do eval "$c" 2>/dev/null; done
	pkill -f irsnap-fleet-stall 2>/dev/null
	FLEET_CLEAN=()
}
