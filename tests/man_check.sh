#!/usr/bin/env bash
# ctest -R man: docs/why500.1 renders without a groff or man warning, has the sections a man page
# needs, carries the binary's version, and describes every long option that `why500 --help` lists.
# Usage: man_check.sh WHY500_BINARY MAN_PAGE
set -euo pipefail
bin=$1 page=$2
fail=0
problem() { echo "man_check: $*" >&2; fail=1; }

if ! command -v groff >/dev/null && ! command -v man >/dev/null; then
  echo "man_check: skipped, neither groff nor man is installed (scripts/install-deps installs groff-base)"
  exit 0
fi

# Render, failing on any warning; the text (plain ASCII, no overstrike) is what is checked below.
if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z "$page" 2>&1) || problem "groff failed"
  [[ -z $warnings ]] || problem "groff warns:"$'\n'"$warnings"
  text=$(groff -man -ww -Tascii -P-cbou "$page" 2>/dev/null)
fi
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || problem "man -l failed"
  [[ -z $warnings ]] || problem "man -l warns:"$'\n'"$warnings"
  [[ -n ${text:-} ]] || text=$(MANWIDTH=80 MAN_KEEP_FORMATTING= man -l "$page" 2>/dev/null | col -b)
fi
[[ -n ${text:-} ]] || problem "the page rendered to nothing"

for section in NAME SYNOPSIS DESCRIPTION OPTIONS "INPUT FORMATS" "RULE FORMAT" OUTPUT "EXIT STATUS" \
               ENVIRONMENT EXAMPLES "SEE ALSO"; do
  grep -q "^$section\$" <<<"$text" || problem "no $section section"
done

version=$("$bin" --version)
version=${version#why500 }
grep -q "^\.TH WHY500 1 [^ ]* \"why500 $version\"" "$page" ||
  problem ".TH does not name why500 $version (the binary's --version)"

# Long options of --help: "  --format TEXT ...", "  -h,--help ...".
options=$("$bin" --help | sed -nE 's/^ +(-[A-Za-z],)?(--[a-z][a-z0-9-]*).*/\2/p' | sort -u)
[[ $(wc -l <<<"$options") -ge 20 ]] || problem "found only these options in --help: $options"
for option in $options; do
  grep -qE -- "(^|[^a-z-])$option([^a-z0-9-]|\$)" <<<"$text" || problem "$option (in --help) is not in the page"
done
# And the page documents no option that --help does not know.
for option in $(grep -oE -- "(^|[ [(])--[a-z][a-z0-9-]*" <<<"$text" | grep -oE -- "--[a-z0-9-]+" | sort -u); do
  grep -qx -- "$option" <<<"$options" || problem "$option is in the page but not in --help"
done

((fail == 0)) && echo "man_check: $(wc -l <<<"$options") options of --help, all in $(basename "$page")"
exit $fail
