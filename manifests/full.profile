# irsnap full: triage with larger caps, the whole of /etc, deeper walks.
profile full
budget 7200

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
step memory
step host
step system-files
step accounts

copy /etc/shadow
copy /etc/gshadow
copy /etc/ld.so.conf
tree /etc/ld.so.conf.d max-file 1M
copy /etc/localtime
tree /etc max-file 16M max-total 1G max-depth 16
tree /var/spool/cron max-file 1M
tree /var/spool/at max-file 1M
tree /usr/lib/systemd/system max-file 1M max-depth 4
tree /usr/local/lib/systemd max-file 1M
tree /run/systemd/system max-file 1M
tree /usr/lib/systemd/user max-file 1M max-depth 4
tree /usr/lib/systemd/system-generators max-file 16M
tree /usr/lib/systemd/user-generators max-file 16M
# hosts without merged /usr keep the packages' units under /lib; where /lib
# is root's link to usr/lib these are the folders above, walked once
tree /lib/systemd/system max-file 1M max-depth 4
tree /lib/systemd/user max-file 1M max-depth 4
tree /lib/systemd/system-generators max-file 16M
tree /lib/systemd/user-generators max-file 16M
# udev rules run a program on a device event (T1546.017)
tree /usr/lib/udev/rules.d max-file 1M
tree /lib/udev/rules.d max-file 1M
tree /usr/local/lib/udev/rules.d max-file 1M
tree /run/udev/rules.d max-file 1M
tree /run/systemd/transient max-file 1M
tree /run/systemd/generator max-file 1M
tree /run/systemd/generator.early max-file 1M
tree /run/systemd/generator.late max-file 1M
tree /usr/share/dbus-1 max-file 1M max-depth 4
tree /usr/share/polkit-1 max-file 1M max-depth 4
tree /usr/share/initramfs-tools max-file 1M max-depth 8
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

list /tmp copy-exec 64M max-total 2G max-depth 64
list /var/tmp copy-exec 64M max-total 2G max-depth 64
list /dev/shm copy-exec 64M max-total 1G max-depth 64
list /run copy-exec 16M max-total 256M max-depth 16

step logins
tree /var/log max-file 2G max-total 32G max-depth 32
tree /run/log/journal max-file 2G max-total 8G max-depth 4

step responder-files
step packages-all

timeline / hash-code max-depth 64
