#!/bin/bash
# irsnap(1) and irsnap-bundle(5) (issue 20, item 3): both render with
# groff's warnings all on and nothing said, `man -l` renders them, and every
# option of every verb's --help is in irsnap(1) (and the page has a
# section for each verb): a new option without its page fails here.
. "$(dirname "$0")/lib.sh"
need groff; need man
M=$(cd "$(dirname "$0")/../../static-tools/man" && pwd)
for f in irsnap.1 irsnap-bundle.5; do
	groff -man -ww -z -Tutf8 "$M/$f" 2>"$T_DIR/$f.groff"
	check "$f: groff -ww renders it without a warning" \
		bash -c "[ \$? = 0 ] && [ ! -s '$T_DIR/$f.groff' ]"
	[ -s "$T_DIR/$f.groff" ] && head -n 5 "$T_DIR/$f.groff"
	MANWIDTH=200 man -l "$M/$f" 2>"$T_DIR/$f.err" | col -b >"$T_DIR/$f.txt"
	check "$f: man -l renders it, silently" bash -c "[ -s '$T_DIR/$f.txt' ] && [ ! -s '$T_DIR/$f.err' ]"
done
P=$T_DIR/irsnap.1.txt
missing=
for v in collect image selfcheck verify keygen list export report; do
	grep -q "^ *irsnap $v\$" "$P" || missing="$missing section:$v"
	# the options a verb's --help names: --long, and -x at a line's start
	"$IRSNAP" "$v" --help 2>&1 | grep -oE '(^|[ [(|,])--[a-z][a-z0-9-]*|^ +-[a-zA-Z]\b' |
		sed 's/^[ [(|,]*//' | sort -u >"$T_DIR/$v.opts"
	[ -s "$T_DIR/$v.opts" ] || missing="$missing $v:no-options-parsed"
	while read -r o; do
		grep -qF -- "$o" "$P" || missing="$missing $v:$o"
	done <"$T_DIR/$v.opts"
done
echo "options checked: $(cat "$T_DIR"/*.opts | sort -u | tr '\n' ' ')"
check "every verb has its section, every --help option is in irsnap(1)${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]
check "irsnap-bundle(5) names every framework member" \
	bash -c "for m in index.jsonl acquisition.log run.json MANIFEST.sha256 MANIFEST.sha256.sig signer.pub.pem; do grep -qF \$m '$T_DIR/irsnap-bundle.5.txt' || exit 1; done"
finish
