# bash completion for why500                                  -*- shell-script -*-
# Installed as share/bash-completion/completions/why500. Options, formats and cause ids follow
# `why500 --help` and the taxonomy; ctest -R completions checks they are all here.

_why500() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  # "--format=js" arrives as "--format" "=" "js" (= is in COMP_WORDBREAKS).
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  fi

  local options="--help --version --format --color --fail-on --input-format --access-format
    --since --until --year --tz --rules --redact --no-default-rules --list-rules --check-rules
    --explain --events --examples --top --threads --max-line --follow -f --interval --with-aggregate"
  local causes="upstream.connect upstream.timeout upstream.protocol app.exception app.code_missing
    database.connect database.query resource.memory resource.time_limit resource.capacity
    resource.disk config.server config.app permission dependency.external security.waf crash unknown"
  local formats="nginx_error apache_error php_fpm php_error access_combined access_common
    access_json syslog journal_json json logfmt generic"

  case $prev in
    --format) COMPREPLY=($(compgen -W "text json markdown" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --fail-on) COMPREPLY=($(compgen -W "any low medium high $causes" -- "$cur")); return ;;
    --input-format) COMPREPLY=($(compgen -W "$formats" -- "$cur")); return ;;
    --since | --until) COMPREPLY=($(compgen -W "15m 30m 1h 2h 6h 1d" -- "$cur")); return ;;
    --tz)  # zone names, a folder (Europe/) at a time
      local zone
      COMPREPLY=()
      while IFS= read -r zone; do
        [[ -d /usr/share/zoneinfo/$zone ]] && zone+=/
        COMPREPLY+=("$zone")
      done < <(cd /usr/share/zoneinfo 2>/dev/null && compgen -f -- "$cur")
      [[ ${COMPREPLY[*]} == */* ]] && compopt -o nospace 2>/dev/null
      compopt +o default 2>/dev/null
      return ;;
    --access-format | --year | --examples | --top | --threads | --max-line | --interval)
      COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
    --rules | --explain | --events) COMPREPLY=(); return ;;  # files and folders: -o default
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
    return
  fi
  if ((COMP_CWORD == 1)) && [[ -n $cur ]]; then  # the merge subcommand, or a file
    COMPREPLY=($(compgen -W "merge" -- "$cur"))
    [[ -n ${COMPREPLY[*]} ]] && COMPREPLY+=($(compgen -f -- "$cur"))
    return
  fi
  COMPREPLY=()  # inputs: files and folders (-o default), - for stdin; after merge, JSON reports
}

complete -o default -F _why500 why500
