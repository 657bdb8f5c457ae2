// The command line: CLI11 fills a plain Options struct (no I/O here); main validates and runs it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace why500 {

struct Options {
  std::vector<std::string> inputs;        // files, "-" for stdin
  std::string format = "text";            // text | json | markdown
  std::string color = "auto";             // auto | always | never
  std::string fail_on;                    // "", any, low, medium, high, or a cause id
  std::string input_format;               // "" = sniff each input
  std::string tz;                         // zone of logs written in local time; "" = the machine's
  std::string access_format;              // an nginx log_format or Apache LogFormat string
  std::string since, until;               // --since/--until as given (see time_bound.h)
  int year = 0;                           // year of logs that write none; 0 = infer from today
  std::vector<std::string> rule_paths;    // --rules, in order
  bool no_default_rules = false;
  bool redact = false;                    // mask IPs, e-mails, credentials, query values in every output
  bool list_rules = false;
  bool check_rules = false;
  std::string explain;                    // --explain FILE
  std::string events;                     // --events FILE|-
  size_t examples = 3;
  size_t top = 10;
  int threads = 0;                        // 0 = the cores available
  size_t max_line = 64 * 1024;
  bool follow = false;                    // --follow: keep reading as the inputs grow, until Ctrl-C
  double interval = 2.0;                  // --interval: seconds between redraws in follow mode
  bool with_aggregate = false;            // --with-aggregate: the JSON report carries its mergeable aggregate
  bool merge = false;                     // `why500 merge REPORT...`: combine JSON reports instead of reading logs
  std::vector<std::string> reports;       // merge: JSON reports, "-" for stdin
};

// What parsing the command line decided: run with `options`, or exit with `exit_code`
// after printing `message` (help and --version exit 0; usage errors exit 2).
struct CommandLine {
  Options options;
  std::optional<int> exit_code;
  std::string message;
};

CommandLine ParseCommandLine(int argc, char** argv);

}  // namespace why500
