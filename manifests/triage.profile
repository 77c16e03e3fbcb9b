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
step host
step system-files
step accounts

# persistence and configuration, raw
copy /etc/shadow
copy /etc/gshadow
copy /etc/ld.so.conf
tree /etc/ld.so.conf.d max-file 1M
copy /etc/localtime
copy /etc/timezone
copy /etc/hosts
copy /etc/resolv.conf
copy /etc/nsswitch.conf
copy /etc/fstab
copy /etc/crontab
tree /etc/cron.d max-file 1M
tree /etc/cron.hourly max-file 1M
tree /etc/cron.daily max-file 1M
tree /etc/cron.weekly max-file 1M
tree /etc/cron.monthly max-file 1M
tree /var/spool/cron max-file 1M
tree /var/spool/at max-file 1M
tree /etc/systemd max-file 1M max-depth 8
tree /usr/lib/systemd/system max-file 1M max-depth 4
tree /usr/local/lib/systemd max-file 1M
tree /run/systemd/system max-file 1M
tree /etc/init.d max-file 1M
copy /etc/rc.local
copy /etc/profile
tree /etc/profile.d max-file 1M
copy /etc/bash.bashrc
copy /etc/environment
copy /etc/sudoers
tree /etc/sudoers.d max-file 1M
tree /etc/ssh max-file 1M
tree /etc/pam.d max-file 1M
tree /etc/security max-file 1M
tree /etc/udev/rules.d max-file 1M
tree /etc/modprobe.d max-file 1M
copy /etc/modules
tree /etc/modules-load.d max-file 1M
tree /etc/apt/sources.list.d max-file 1M
copy /etc/apt/sources.list

# temporary file systems: everything listed, executables and scripts copied
list /tmp copy-exec 16M max-total 256M max-depth 32
list /var/tmp copy-exec 16M max-total 256M max-depth 32
list /dev/shm copy-exec 16M max-total 128M max-depth 32
list /run copy-exec 4M max-total 64M max-depth 8

# logs and login history
step logins
tree /var/log max-file 256M max-total 4G max-depth 16

step responder-files

# the packaged programs and libraries against what dpkg recorded for them
step packages

# file metadata: the timeline of the system trees, with SHA-256 of every
# executable in a bin, sbin or libexec directory beside it
timeline /bin hash-exec
timeline /sbin hash-exec
timeline /etc
timeline /boot
timeline /root
timeline /home
timeline /opt hash-exec
timeline /srv
timeline /tmp
timeline /var max-depth 32
timeline /usr hash-exec max-depth 32
timeline /lib max-depth 32
timeline /lib64 max-depth 32
