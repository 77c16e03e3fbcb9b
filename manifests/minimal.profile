# irsnap minimal: the volatile state and the login databases only, for a
# host where every second counts or the output media is small.
profile minimal
budget 300

step sockets
step processes
step sessions
step host
step system-files
step logins
step responder-files
