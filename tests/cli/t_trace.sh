#!/bin/bash
# The static binary executes nothing but itself and opens no shared object,
# gconv module, locale file, nsswitch.conf or openssl.cnf, even with
# LD_LIBRARY_PATH, LD_PRELOAD, GCONV_PATH, LOCPATH and OPENSSL_CONF pointing
# at hostile files; and it has no INTERP or NEEDED entries.
. "$(dirname "$0")/lib.sh"
need_static "the trace test is about the release binary"
need strace; need readelf

check "no INTERP program header" bash -c "! readelf -lW '$IRSNAP' | grep -q INTERP"
check "no NEEDED entry" bash -c "! readelf -dW '$IRSNAP' 2>/dev/null | grep -q NEEDED"

# hostile environment: every variable that could make libc or OpenSSL load code
H=$T_DIR/hostile
mkdir -p "$H/gconv" "$H/locale"
echo 'this is not an ELF file' >"$H/libc.so.6"
cp "$H/libc.so.6" "$H/libnuma.so.1"
printf 'openssl_conf = x\n[x]\nengines = e\n[e]\nevil = evil_section\n[evil_section]\ndynamic_path = %s/evil.so\n' "$H" >"$H/openssl.cnf"
echo 'module INTERNAL EVIL// evil 1' >"$H/gconv/gconv-modules"
envs=(LD_LIBRARY_PATH="$H" LD_PRELOAD="$H/libc.so.6" OPENSSL_CONF="$H/openssl.cnf"
      OPENSSL_MODULES="$H" OPENSSL_ENGINES="$H" GCONV_PATH="$H/gconv" LOCPATH="$H/locale"
      LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 TZ=":$H/tz")

trace() {   # trace NAME irsnap-args...: the hostile environment for irsnap only
	local name=$1 e eargs=(); shift
	for e in "${envs[@]}"; do eargs+=(-E "$e"); done
	strace "${eargs[@]}" -f -qq -e trace=execve,execveat,open,openat,openat2,uselib \
		-o "$OUT/$name.strace" "$IRSNAP" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.err"
}

trace collect collect -o "$OUT/c.tar" "${OUT_FLAGS[@]}" --file /etc/hosts
rc=$?
check "collect under strace in a hostile environment exits 0 or 1 (got $rc)" [ "$rc" -le 1 ]
check "strace recorded the run" grep -q 'execve(' "$OUT/collect.strace"
check "exactly one execve: irsnap itself" [ "$(grep -c 'execve\(at\)\?(' "$OUT/collect.strace")" = 1 ]
check "... and it is the binary under test" grep -q "execve(\"$IRSNAP\"" "$OUT/collect.strace"
bad='\.so(\.[0-9]+)*"|gconv|/locale|locale\.alias|nsswitch\.conf|openssl\.cnf|/etc/localtime|zoneinfo|/dev/urandom|/dev/random|'"$H"
# irsnap's own evidence reads always carry O_NOFOLLOW (a .so under /tmp may
# be copied as evidence); a loader, libc or OpenSSL open never does
check "no shared object, gconv, locale, nsswitch, openssl.cnf, tz or hostile file opened" \
	bash -c "! grep -v O_NOFOLLOW '$OUT/collect.strace' | grep -v '^[0-9]* *execve' | grep -E '$bad'"
check "every host file outside /proc is opened with O_NOFOLLOW" bash -c "
	grep -E 'open(at)?\((AT_FDCWD, )?\"/' '$OUT/collect.strace' | grep -v O_NOFOLLOW | grep -v '\"/proc' |
	grep -q . && exit 1 || exit 0"
check "the bundle made under strace verifies" verifies "$OUT/c.tar"

"$IRSNAP" keygen -o "$T_DIR/lab" >/dev/null
trace collectkey collect -o "$OUT/k.tar" "${OUT_FLAGS[@]}" --key "$T_DIR/lab.key" --profile minimal
check "collect --key under strace exits 0" [ $? = 0 ]
check "collect --key opens no forbidden file" bash -c "! grep -v O_NOFOLLOW '$OUT/collectkey.strace' | grep -v '^[0-9]* *execve' | grep -E '$bad'"
trace verify verify "$OUT/k.tar" --pubkey "$T_DIR/lab.pub"
check "verify under strace exits 0" [ $? = 0 ]
check "verify executes nothing and opens no forbidden file" bash -c "
	[ \$(grep -c 'execve(' '$OUT/verify.strace') = 1 ] && ! grep -E '$bad' '$OUT/verify.strace' | grep -v '^[0-9]* *execve'"
trace keygen keygen -o "$T_DIR/lab2"
check "keygen opens no forbidden file" bash -c "! grep -E '$bad' '$OUT/keygen.strace' | grep -v '^[0-9]* *execve'"
finish
