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

list /tmp copy-exec 64M max-total 2G max-depth 64
list /var/tmp copy-exec 64M max-total 2G max-depth 64
list /dev/shm copy-exec 64M max-total 1G max-depth 64
list /run copy-exec 16M max-total 256M max-depth 16

step logins
tree /var/log max-file 2G max-total 32G max-depth 32

step responder-files
step packages-all

timeline /bin hash-exec
timeline /sbin hash-exec
timeline /etc
timeline /boot
timeline /root
timeline /home
timeline /opt hash-exec
timeline /srv
timeline /tmp
timeline /var max-depth 64
timeline /usr hash-exec max-depth 64
timeline /lib max-depth 64
timeline /lib64 max-depth 64
