#!/bin/bash
# bench_rpm.sh - rpm package verification: irsnap's packages-all source
# (the SQLite rpmdb and every header read natively, every file checked as
# rpm -V does) against `rpm -Va`, interleaved on the same machine, files
# and page cache. The test root holds one package made by rpmbuild from a
# copy of this machine's /usr/lib/x86_64-linux-gnu and /usr/bin (about
# 1.5 GB: a server's packaged binaries and libraries), installed with
# `rpm --root`; both tools read it through that root (irsnap: the
# profile's packages-root).
#
#   IRSNAP=build/release/irsnap RUNS=3 tests/bench/bench_rpm.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
RUNS=${RUNS:-3}
for t in rpm rpmbuild; do command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }; done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "bench: rpm --root needs root"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench-rpm.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
mkdir -p "$W/b/SPECS" "$W/root"
cat >"$W/b/SPECS/big.spec" <<'SPEC'
Name: irsnap-bench
Version: 1
Release: 1
Summary: a copy of the machine's binaries and libraries
License: various
AutoReqProv: no
%description
bench
%install
mkdir -p %{buildroot}/usr/lib64 %{buildroot}/usr/bin
cp -a /usr/lib/x86_64-linux-gnu/. %{buildroot}/usr/lib64/
cp -a /usr/bin/. %{buildroot}/usr/bin/
%files
/usr/lib64
/usr/bin
SPEC
echo "bench: building and installing the test package (once)..." >&2
rpmbuild --define "_topdir $W/b" --define '_binary_payload w0.ufdio' --define '__os_install_post %{nil}' \
	--define 'debug_package %{nil}' --define '_build_id_links none' -bb "$W/b/SPECS/big.spec" \
	>"$W/build.log" 2>&1 || { tail -n 20 "$W/build.log"; echo "bench: rpmbuild failed"; exit 77; }
R=(rpm --root "$W/root" --dbpath /var/lib/rpm)
"${R[@]}" --initdb && "${R[@]}" -i --nodeps --nosignature --force-debian --noscripts "$W"/b/RPMS/*/*.rpm \
	>"$W/install.log" 2>&1 || { tail -n 20 "$W/install.log"; echo "bench: rpm -i failed"; exit 77; }
rm -rf "$W/b"
printf 'profile bench-rpm\npackages-root %s\nstep packages-all\n' "$W/root" >"$W/all.profile"
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
run() {   # run NAME COMMAND
	/usr/bin/time -f '%e %M' -o "$W/t" sh -c "$2" >"$W/$1.out" 2>&1
	tail -n 1 "$W/t" >>"$W/$1.times"
}
for i in $(seq 1 "$RUNS"); do
	run all "'$IRSNAP' collect -o - --profile '$W/all.profile' 2>/dev/null | cat >/dev/null"
	run rpmv "${R[*]} -Va"
done
files=$("${R[@]}" -ql irsnap-bench | wc -l)
bytes=$(du -sb "$W/root/usr" | cut -f1)
printf '\nrpm verification, %s packaged files, %s MB, %s runs %8s %12s %8s\n' "$files" \
	"$((bytes / 1000000))" "$RUNS" "median s" "max RSS KiB" "ratio"
at=$(awk '{print $1}' "$W/all.times" | median)
for n in all rpmv; do
	t=$(awk '{print $1}' "$W/$n.times" | median); m=$(awk '{print $2}' "$W/$n.times" | median)
	case $n in all) l="irsnap packages-all (to a pipe)" ;; rpmv) l="rpm -Va --root" ;; esac
	printf '  %-46s %8s %12s %8s\n' "$l" "$t" "$m" \
		"$(awk -v a="$at" -v b="$t" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
done
echo "  (ratio = irsnap / the row; rpm -Va printed $(wc -l <"$W/rpmv.out") lines)"
