# fish completion for why500, installed as share/fish/vendor_completions.d/why500.fish. Options,
# formats and cause ids follow `why500 --help` and the taxonomy; ctest -R completions checks them.

set -l causes upstream.connect upstream.timeout upstream.protocol app.exception app.code_missing \
    database.connect database.query resource.memory resource.time_limit resource.capacity \
    resource.disk config.server config.app permission dependency.external security.waf crash unknown
set -l formats nginx_error apache_error php_fpm php_error access_combined access_common \
    access_json syslog journal_json json logfmt generic

# Inputs are files and folders (fish completes them by default); - is stdin.
complete -c why500 -s h -l help -d 'Print the usage, the options and examples'
complete -c why500 -l version -d 'Print the version'
complete -c why500 -l format -x -a 'text json markdown' -d 'Report format'
complete -c why500 -l color -x -a 'auto always never' -d 'Colour on a terminal'
complete -c why500 -l fail-on -x -a "any low medium high $causes" -d 'Exit 1 when a cause is found'
complete -c why500 -l input-format -x -a "$formats" -d 'Read every input as this format'
complete -c why500 -l access-format -x -d 'nginx log_format or Apache LogFormat string'
complete -c why500 -l since -x -a '15m 30m 1h 2h 6h 1d' -d 'Only events at or after this time'
complete -c why500 -l until -x -d 'Only events at or before this time'
complete -c why500 -l year -x -d 'The year of logs that write none'
# Zone names of the tz database; a for loop, unlike a command, lets a glob match nothing.
complete -c why500 -l tz -x -d 'Time zone of logs without one' -a '(
    for zone in /usr/share/zoneinfo/{Africa,America,Asia,Atlantic,Australia,Europe,Indian,Pacific}/* /usr/share/zoneinfo/UTC
        string replace /usr/share/zoneinfo/ "" -- $zone
    end)'
complete -c why500 -l rules -r -F -d 'Extra rule file or folder of *.json'
complete -c why500 -l redact -d 'Mask IPs, e-mail addresses, credentials and tokens'
complete -c why500 -l no-default-rules -d 'Use only the --rules given'
complete -c why500 -l list-rules -d 'List the rules, then exit'
complete -c why500 -l check-rules -d 'Check the rules\' examples, then exit'
complete -c why500 -l explain -r -F -d 'Show the winning rule of each event of FILE'
complete -c why500 -l events -r -F -d 'Write the events as NDJSON to FILE (- for stdout)'
complete -c why500 -l examples -x -d 'Evidence lines kept per cause'
complete -c why500 -l top -x -d 'Causes shown in the text report'
complete -c why500 -l threads -x -d 'Worker threads'
complete -c why500 -l max-line -x -d 'Bytes kept of an overlong line'
complete -c why500 -s f -l follow -d 'Keep reading as the inputs grow, until Ctrl-C'
complete -c why500 -l interval -x -d 'Seconds between redraws with --follow'
complete -c why500 -l with-aggregate -d 'With --format json: add the mergeable aggregate'
# why500 merge REPORT...: JSON reports written with --format json --with-aggregate.
complete -c why500 -n __fish_use_subcommand -a merge -d 'Combine JSON reports written with --with-aggregate'
