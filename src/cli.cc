#include "why500/cli.h"

#include <CLI/CLI.hpp>

namespace why500 {
namespace {

constexpr const char* kExamples = R"(
Examples:
  why500 /var/log/nginx/error.log /var/log/nginx/access.log
  journalctl -u nginx -u php8.2-fpm --since -1h | why500 -
  why500 --format json --fail-on high /var/log/nginx/*.log > why500.json
  why500 --since 30m /var/log/nginx/                 # only the last half hour
  why500 --format markdown error.log access.log >> "$GITHUB_STEP_SUMMARY"
  why500 --redact --format markdown error.log access.log > report.md   # safe to publish
  why500 -f /var/log/nginx/error.log /var/log/nginx/access.log   # live, until Ctrl-C
  journalctl -f -u nginx -u php8.2-fpm | why500 -f -
  why500 --explain /var/log/apache2/error.log      # which rule wins each event, and why
  why500 --format json --with-aggregate /var/log/nginx/ > web1.json   # on each host, then:
  why500 merge web1.json web2.json web3.json       # one report, as if all their logs were read together

Exit status: 0 analysed; 1 a --fail-on threshold was met; 2 usage error or invalid rules;
3 an input could not be read (the others are still reported).
More in man why500: input formats, the rule format, the JSON report.)";

// Options that concern reading logs, which `merge` does not do.
constexpr const char* kNotForMerge[] = {"--input-format", "--access-format", "--since", "--until", "--year", "--tz",
                                        "--list-rules",   "--check-rules",   "--explain", "--events", "--threads",
                                        "--max-line",     "--follow",        "--interval"};

}  // namespace

CommandLine ParseCommandLine(int argc, char** argv) {
  CommandLine cl;
  Options& o = cl.options;
  CLI::App app{"why500: why is this site throwing HTTP 5xx? Reads web-server and application logs and\n"
               "ranks the likely causes with the evidence lines behind each.",
               "why500"};
  app.footer(kExamples);
  app.set_version_flag("--version", std::string("why500 ") + WHY500_VERSION);
  app.add_option("inputs", o.inputs, "Log files to read (- for stdin; .gz is read transparently)");
  app.add_option("--format", o.format, "Report format")->check(CLI::IsMember({"text", "json", "markdown"}))->capture_default_str();
  app.add_option("--color", o.color, "Colour on a terminal (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--fail-on", o.fail_on,
                 "Exit 1 when a cause is found: any, a minimum confidence (low|medium|high), or a cause id");
  app.add_option("--input-format", o.input_format,
                 "Read every input as this format instead of sniffing it (nginx_error, apache_error, php_fpm, "
                 "php_error, access_combined, access_common, access_json, syslog, journal_json, json, logfmt, "
                 "generic)");
  app.add_option("--access-format", o.access_format,
                 "Read access logs written with this nginx log_format or Apache LogFormat string, e.g. "
                 "'$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent $request_time'");
  app.add_option("--since", o.since,
                 "Only events at or after this time: 15m, 2h, 1d back from now, or 2026-11-21T10:00:00Z, "
                 "'2026-11-21 10:00' (in the logs' zone, see --tz)");
  app.add_option("--until", o.until, "Only events at or before this time (the same forms as --since)");
  app.add_option("--year", o.year,
                 "The year of logs that write none (syslog, journalctl short); default: this year, or last "
                 "year for dates still ahead")
      ->check(CLI::Range(1970, 9999));
  app.add_option("--tz", o.tz,
                 "Time zone of logs that write local time without a zone (nginx, Apache, php-fpm, syslog), "
                 "e.g. Europe/Berlin; default: this machine's zone. Reports are in UTC");
  app.add_option("--rules", o.rule_paths, "Extra rule file or folder of *.json (repeatable; same id replaces)")
      ->allow_extra_args(false);  // "--rules DIR app.log": app.log is an input, not a rules path
  app.add_flag("--redact", o.redact,
               "Mask public IPs, e-mail addresses, credentials, tokens, session ids and query-string values "
               "in every output, so the report can be published");
  app.add_flag("--no-default-rules", o.no_default_rules, "Use only the --rules given, not the built-in rules");
  app.add_flag("--list-rules", o.list_rules, "List the rules with their cause and source, then exit");
  app.add_flag("--check-rules", o.check_rules,
               "Check every rule's examples and counter_examples, then exit (2 when any fails)");
  app.add_option("--explain", o.explain, "Show for each event of FILE the winning rule, its captures and the "
                                         "other rules that matched");
  app.add_option("--events", o.events, "Write the classified events as NDJSON to FILE (- for stdout)");
  app.add_option("--examples", o.examples, "Evidence lines kept per cause")->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--top", o.top, "Causes shown in the text report")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "Worker threads (default: the cores available)")
      ->check(CLI::Range(0, 256));
  app.add_option("--max-line", o.max_line, "Bytes kept of an overlong line (the rest is counted, not kept)")
      ->check(CLI::Range(256, 64 * 1024 * 1024))
      ->capture_default_str();
  app.add_flag("-f,--follow", o.follow,
               "Keep reading the inputs as they grow, through log rotation (like tail -F), or stdin until "
               "it closes; Ctrl-C ends with the final report. On a terminal the report is redrawn in place; "
               "elsewhere a new one is written whenever the ranking of causes changes");
  app.add_option("--interval", o.interval, "Seconds between redraws with --follow")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  app.add_flag("--with-aggregate", o.with_aggregate,
               "With --format json: add the mergeable aggregate to the report, for why500 merge");
  CLI::App* merge = app.add_subcommand(
      "merge", "Combine JSON reports written with --format json --with-aggregate (many hosts, many runs) into "
               "one report, as if their logs had been read together; the report options apply");
  merge->add_option("reports", o.reports, "JSON reports (- for stdin)")->required();
  merge->footer("\nThe report options of why500 --help apply (--format, --with-aggregate, --fail-on, --top, "
                "--examples, --color, --redact); those that read logs do not.\n"
                "Example: why500 merge --format markdown web*.json");
  merge->fallthrough();  // --format, --fail-on, --top, ... given after `merge` belong to the main command
  try {
    app.parse(argc, argv);
    o.merge = merge->parsed();
    if (o.merge && !o.inputs.empty()) throw CLI::ValidationError("merge reads JSON reports, not logs: " + o.inputs[0]);
    for (const char* name : kNotForMerge) {
      if (o.merge && app.count(name) > 0) throw CLI::ValidationError(std::string(name) + " does not apply to merge");
    }
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      cl.exit_code = 0;
      cl.message = e.get_name() == "CallForVersion" ? std::string(e.what()) : app.help();
    } else {
      cl.exit_code = 2;
      cl.message = std::string("why500: ") + e.what() + "\nRun with --help for usage.";
    }
  }
  return cl;
}

}  // namespace why500
