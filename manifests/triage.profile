# irsnap triage: the default, compiled into the binary.
# Most volatile first (RFC 3227): sockets, processes, sessions, kernel and
# system state, temporary file systems, logs and login history, file metadata.
profile triage
budget 1800

step sockets
step processes
step sessions
step netconfig
step kernel
step kmsg
step mounts
step bpf
step sysctl
step stacks
step containers
step host
step system-files
step accounts

# persistence and configuration, raw: the whole of /etc (every file up to
# 1 MiB, links and folders in listing/etc.NNNN.jsonl), then what lives
# outside it: units, generators, transient units, D-Bus, polkit, the boot
# loader's and the initramfs' configuration and hooks, cron and at spools
copy /etc/shadow
copy /etc/gshadow
tree /etc max-file 1M max-total 256M max-depth 16
tree /var/spool/cron max-file 1M
tree /var/spool/at max-file 1M
tree /usr/lib/systemd/system max-file 1M max-depth 4
tree /usr/lib/systemd/user max-file 1M max-depth 4
tree /usr/lib/systemd/system-generators max-file 4M
tree /usr/lib/systemd/user-generators max-file 4M
# hosts without merged /usr keep the packages' units under /lib; where /lib
# is root's link to usr/lib these are the folders above, walked once
tree /lib/systemd/system max-file 1M max-depth 4
tree /lib/systemd/user max-file 1M max-depth 4
tree /lib/systemd/system-generators max-file 4M
tree /lib/systemd/user-generators max-file 4M
# udev rules run a program on a device event (T1546.017)
tree /usr/lib/udev/rules.d max-file 1M
tree /lib/udev/rules.d max-file 1M
tree /usr/local/lib/udev/rules.d max-file 1M
tree /run/udev/rules.d max-file 1M
tree /usr/local/lib/systemd max-file 1M
tree /run/systemd/system max-file 1M
tree /run/systemd/transient max-file 1M
tree /run/systemd/generator max-file 1M
tree /run/systemd/generator.early max-file 1M
tree /run/systemd/generator.late max-file 1M
tree /usr/share/dbus-1/system-services max-file 1M
tree /usr/share/dbus-1/system.d max-file 1M
tree /usr/share/polkit-1/rules.d max-file 1M
tree /usr/share/initramfs-tools/hooks max-file 1M
tree /usr/share/initramfs-tools/scripts max-file 1M
copy /boot/grub/grub.cfg max-file 16M

# containers: the runtimes' state and their logs, raw (the containers step
# reads them; /var/log/pods and /var/log/containers are in /var/log)
tree /var/lib/docker/containers max-file 64M max-total 1G max-depth 3
tree /var/lib/containers/storage/overlay-containers max-file 16M max-total 512M max-depth 3
copy /var/lib/containers/storage/libpod/bolt_state.db max-file 256M
tree /run/containers/storage/overlay-containers max-file 1M max-total 64M max-depth 3
tree /run/runc max-file 1M max-depth 3
tree /run/containerd/io.containerd.runtime.v2.task max-file 1M max-total 64M max-depth 4
copy /var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db max-file 256M

# temporary file systems: everything listed, executables and scripts copied
list /tmp copy-exec 16M max-total 256M max-depth 32
list /var/tmp copy-exec 16M max-total 256M max-depth 32
list /dev/shm copy-exec 16M max-total 128M max-depth 32
list /run copy-exec 4M max-total 64M max-depth 8

# logs and login history
step logins
tree /var/log max-file 256M max-total 4G max-depth 16
tree /run/log/journal max-file 256M max-total 1G max-depth 4

step responder-files

# the packaged programs and libraries against what dpkg recorded for them
step packages

# file metadata: the timeline of every local file system from / (with
# /dev/shm; never /proc, /sys, a pseudo or network file system, or the one
# the bundle goes to), with SHA-256 of every executable in a bin, sbin or
# libexec directory beside it
timeline / hash-exec max-depth 32
