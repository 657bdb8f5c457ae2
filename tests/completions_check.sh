#!/usr/bin/env bash
# ctest -R completions: the bash, zsh and fish completions parse, and each offers every long option
# of `why500 --help` and every cause id of src/taxonomy.cc (for --fail-on).
# Usage: completions_check.sh WHY500_BINARY SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
dir=$src/scripts/completions
fail=0
problem() { echo "completions_check: $*" >&2; fail=1; }

bash -n "$dir/why500.bash" || problem "why500.bash does not parse"
if command -v zsh >/dev/null; then zsh -n "$dir/_why500" || problem "_why500 does not parse"; fi
if command -v fish >/dev/null; then fish -n "$dir/why500.fish" || problem "why500.fish does not parse"; fi

options=$("$bin" --help | sed -nE 's/^ +(-[A-Za-z],)?--([a-z][a-z0-9-]*).*/\2/p' | sort -u)
causes=$(sed -n '/CauseIds()/,/};/p' "$src/src/taxonomy.cc" | grep -oE '"[a-z_.]+"' | tr -d '"')
[[ $(wc -w <<<"$causes") -ge 10 ]] || problem "found only these cause ids in src/taxonomy.cc: $causes"
for option in $options; do
  grep -qE -- "(^|[ \"])--$option( |\"|\$)" "$dir/why500.bash" || problem "why500.bash lacks --$option"
  grep -qE -- "[^a-z-]--$option(=?\[|\}'\[)" "$dir/_why500" || problem "_why500 lacks --$option"
  grep -qE -- "-l $option( |\$)" "$dir/why500.fish" || problem "why500.fish lacks --$option"
done
for cause in $causes unknown; do
  for file in why500.bash _why500 why500.fish; do
    grep -qE -- "(^|[ (\"])${cause//./\\.}( |\)|\"|\$)" "$dir/$file" || problem "$file lacks the cause $cause"
  done
done

((fail == 0)) && echo "completions_check: $(wc -w <<<"$options") options, $(wc -w <<<"$causes") causes + unknown in each"
exit $fail
