/*
 * banned.h - libc calls irsnap must never use.
 *
 * Included last by every collector source file (after the system headers), so
 * that a use of any of these names is a compile error. The reasons, in short:
 *  - unbounded string copies: strcpy, strcat, strncpy, sprintf, vsprintf;
 *  - hidden state or host files: strtok, gmtime, localtime, ctime, asctime,
 *    strftime, mktime, tzset (the time functions may read /etc/localtime or
 *    TZ's file — glibc's strftime calls tzset: we format UTC ourselves);
 *  - silent errors: atoi;
 *  - running or loading host code: system, popen, exec*, dlopen, iconv_open,
 *    setlocale, and every NSS lookup (getpw*, getgr*, getaddrinfo, gethostby*);
 *  - libc's utmp readers (their struct differs between libcs; we parse bytes);
 *  - mktemp and friends: irsnap creates no temporary files.
 */
#ifndef IRSNAP_BANNED_H
#define IRSNAP_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_irsnap

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)
#undef localtime_r
#define localtime_r(x, y) BANNED(localtime_r)
#undef strftime
#define strftime(...) BANNED(strftime)
#undef mktime
#define mktime(x) BANNED(mktime)
#undef tzset
#define tzset() BANNED(tzset)
#undef ctime
#define ctime(x) BANNED(ctime)
#undef asctime
#define asctime(x) BANNED(asctime)
#undef mktemp
#define mktemp(x) BANNED(mktemp)
#undef mkstemp
#define mkstemp(x) BANNED(mkstemp)
#undef tmpfile
#define tmpfile() BANNED(tmpfile)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)
#undef execl
#define execl(...) BANNED(execl)
#undef execlp
#define execlp(...) BANNED(execlp)
#undef execle
#define execle(...) BANNED(execle)
#undef execv
#define execv(...) BANNED(execv)
#undef execvp
#define execvp(...) BANNED(execvp)
#undef execve
#define execve(...) BANNED(execve)
#undef execvpe
#define execvpe(...) BANNED(execvpe)
#undef fexecve
#define fexecve(...) BANNED(fexecve)
#undef getpwnam
#define getpwnam(x) BANNED(getpwnam)
#undef getpwuid
#define getpwuid(x) BANNED(getpwuid)
#undef getpwent
#define getpwent() BANNED(getpwent)
#undef getgrnam
#define getgrnam(x) BANNED(getgrnam)
#undef getgrgid
#define getgrgid(x) BANNED(getgrgid)
#undef getgrent
#define getgrent() BANNED(getgrent)
#undef getaddrinfo
#define getaddrinfo(...) BANNED(getaddrinfo)
#undef gethostbyname
#define gethostbyname(x) BANNED(gethostbyname)
#undef gethostbyaddr
#define gethostbyaddr(...) BANNED(gethostbyaddr)
#undef getutent
#define getutent() BANNED(getutent)
#undef getutxent
#define getutxent() BANNED(getutxent)
#undef setlocale
#define setlocale(x, y) BANNED(setlocale)
#undef iconv_open
#define iconv_open(x, y) BANNED(iconv_open)
#undef dlopen
#define dlopen(x, y) BANNED(dlopen)

#endif
