// Times each hot stage of the pipeline on its own, so a regression shows up in the stage that
// caused it rather than only in bench/run's end-to-end number. Plain std::chrono, best of N.
//
//   why500_stages FILE [--format NAME] [--repeat N]
//
// Stages: framing (LineReader over the file), parse (ParseLine of the file's format over lines
// already in memory), assemble (the Assembler into a counting sink, parsing included), and
// classify (RuleSet::Classify over the messages of the assembled events, once wanting every
// match and once only evidence), and template (MakeTemplate over the first line of each message
// with a winner, as the classify step templates evidence). MB/s counts the file's bytes, except
// for classify and template: the bytes of the messages they read.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "why500/assemble.h"
#include "why500/classify.h"
#include "why500/formats.h"
#include "why500/line_reader.h"
#include "why500/record.h"
#include "why500/rules.h"
#include "why500/sniff.h"
#include "why500/source.h"
#include "why500/template.h"
#include "why500/text.h"
#include "why500/wrappers.h"

namespace {

using namespace why500;

struct Row {
  std::string stage;
  double seconds = 0;
  uint64_t bytes = 0, items = 0;
  const char* unit = "lines";
  std::string note;
};

// Runs `fn` `repeat` times and keeps the fastest: the slower runs pay for a cold page cache,
// RE2's lazily built DFA or other processes, not for the code under test.
template <class Fn>
double BestOf(int repeat, Fn fn) {
  double best = 0;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i == 0 || s < best) best = s;
  }
  return best;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "why500_stages: %s\n", message.c_str());
  std::exit(1);
}

std::unique_ptr<Source> Open(const std::string& path) {
  auto source = OpenSource(path);
  if (!source) Die(source.error().message);
  return std::move(*source);
}

// The file's lines, framed once by the real LineReader, kept in one buffer so the later stages
// time only themselves (no I/O, no per-line allocation).
struct Lines {
  std::string text;
  std::vector<std::string_view> lines;
  uint64_t bytes = 0;  // as LineReader counts them
};

Lines Load(const std::string& path) {
  Lines out;
  auto source = Open(path);
  LineReader reader(source.get());
  std::vector<std::pair<size_t, size_t>> spans;  // views only once `text` stops growing
  std::string_view line;
  while (reader.Next(&line)) {
    spans.emplace_back(out.text.size(), line.size());
    out.text.append(line);
  }
  if (!reader.error().ok()) Die(reader.error().message());
  out.bytes = reader.stats().bytes;
  out.lines.reserve(spans.size());
  for (auto [begin, size] : spans) out.lines.emplace_back(out.text.data() + begin, size);
  return out;
}

Row TimeFraming(const std::string& path, int repeat) {
  Row row{"framing", 0, 0, 0, "lines", ""};
  row.seconds = BestOf(repeat, [&] {
    auto source = Open(path);  // reopened each run: the file is read again, from the page cache
    LineReader reader(source.get());
    std::string_view line;
    uint64_t lines = 0;
    while (reader.Next(&line)) ++lines;
    row.items = lines;
    row.bytes = reader.stats().bytes;
  });
  return row;
}

Row TimeParse(const Lines& in, const Sniffed& sniffed, int repeat) {
  Row row{"parse " + std::string(FormatName(sniffed.format)), 0, in.bytes, in.lines.size(), "lines", ""};
  uint64_t parsed = 0;
  row.seconds = BestOf(repeat, [&] {
    parsed = 0;
    for (std::string_view line : in.lines) {
      Record rec;  // fresh per line, as the Assembler does
      parsed += ParseLine(sniffed.format, PeelWrapper(sniffed.wrapper, line), &rec);
    }
  });
  // Also keeps the loop's result alive, so the compiler cannot drop the parsing.
  row.note = std::to_string(parsed) + " headers";
  return row;
}

// What classify needs of an event, copied out because the Assembler reuses its Event.
struct Message {
  std::string text, severity;
  Format format;
};

// Counts events and keeps the messages the pipeline would classify.
class CountingSink : public EventSink {
 public:
  explicit CountingSink(std::vector<Message>* keep) : keep_(keep) {}
  void OnEvent(Event& e) override {
    ++events;
    // Access lines never reach the rules (the pipeline counts their status by hand), so they
    // are not classify's work either.
    if (keep_ && !e.IsResponse()) keep_->push_back({e.message, e.severity, e.format});
  }
  void OnQuietResponse(TimeUs) override { ++quiet; }
  uint64_t events = 0, quiet = 0;

 private:
  std::vector<Message>* keep_;
};

Row TimeAssemble(const Lines& in, const Sniffed& sniffed, int repeat, std::vector<Message>* messages) {
  // Rated per line, not per event: an access log's lines are mostly quiet responses, no events.
  Row row{"assemble", 0, in.bytes, in.lines.size(), "lines", ""};
  row.seconds = BestOf(repeat, [&] {
    CountingSink sink(nullptr);
    Assembler assembler(sniffed.format, 0, &sink);
    uint64_t n = 0;
    for (std::string_view line : in.lines) assembler.Add(PeelWrapper(sniffed.wrapper, line), ++n, line);
    assembler.Finish();
    row.note = std::to_string(sink.events) + " events, " + std::to_string(sink.quiet) + " quiet responses";
  });
  // Once more, untimed, to collect the messages for classify.
  CountingSink keep(messages);
  Assembler assembler(sniffed.format, 0, &keep);
  uint64_t n = 0;
  for (std::string_view line : in.lines) assembler.Add(PeelWrapper(sniffed.wrapper, line), ++n, line);
  assembler.Finish();
  return row;
}

Row TimeClassify(const RuleSet& rules, const std::vector<Message>& messages, RuleSet::Want want, int repeat) {
  const bool every = want == RuleSet::Want::kEveryMatch;
  Row row{every ? "classify every-match" : "classify evidence", 0, 0, messages.size(), "events", ""};
  for (const Message& m : messages) row.bytes += m.text.size();
  uint64_t won = 0;
  row.seconds = BestOf(repeat, [&] {
    std::vector<int> matched;
    won = 0;
    for (const Message& m : messages) won += rules.Classify(m.text, m.format, m.severity, &matched, want) >= 0;
  });
  row.note = messages.empty() ? "access lines never reach the rules" : std::to_string(won) + " with a winner";
  return row;
}

// The literal gate alone, with how its verdicts split: kNone skips RE2, kFew runs that many
// small regexes, kMany runs the Set. Where classify's time goes follows from these counts.
Row TimeGate(const RuleSet& rules, const std::vector<Message>& messages, int repeat) {
  Row row{"gate", 0, 0, messages.size(), "events", ""};
  for (const Message& m : messages) row.bytes += m.text.size();
  const LiteralGate gate(rules.rules());
  uint64_t none = 0, few = 0, many = 0, candidates_seen = 0;
  row.seconds = BestOf(repeat, [&] {
    std::vector<int> candidates;
    none = few = many = candidates_seen = 0;
    for (const Message& m : messages) {
      switch (gate.Candidates(m.text, m.format, m.severity, false, 16, &candidates)) {
        case LiteralGate::Verdict::kNone: ++none; break;
        case LiteralGate::Verdict::kFew: ++few; candidates_seen += candidates.size(); break;
        case LiteralGate::Verdict::kMany: ++many; break;
      }
    }
  });
  char note[128];
  std::snprintf(note, sizeof note, "none %llu, few %llu (%.1f rules each), many %llu",
                static_cast<unsigned long long>(none), static_cast<unsigned long long>(few),
                few ? static_cast<double>(candidates_seen) / static_cast<double>(few) : 0.0,
                static_cast<unsigned long long>(many));
  row.note = note;
  return row;
}

// Templating, which runs once per piece of evidence: on the line of the message its match
// starts on, here the first (the per-thread cache of recent templates is part of what is timed).
Row TimeTemplate(const RuleSet& rules, const std::vector<Message>& messages, int repeat) {
  std::vector<std::string_view> lines;
  std::vector<int> matched;
  for (const Message& m : messages) {
    const int winner = rules.Classify(m.text, m.format, m.severity, &matched, RuleSet::Want::kEvidence);
    if (winner >= 0 && !rules.rules()[winner].benign()) lines.push_back(LineAt(m.text, 0));
  }
  Row row{"template", 0, 0, lines.size(), "events", ""};
  for (std::string_view line : lines) row.bytes += line.size();
  uint64_t template_bytes = 0;
  row.seconds = BestOf(repeat, [&] {
    std::string out;
    template_bytes = 0;
    for (std::string_view line : lines) {
      MakeTemplate(line, &out);
      template_bytes += out.size();
    }
  });
  row.note = std::to_string(template_bytes) + " bytes of templates";
  return row;
}

void Print(const std::vector<Row>& rows) {
  std::printf("  %-22s %9s %9s %17s  %s\n", "stage", "seconds", "MB/s", "rate", "count");
  for (const Row& r : rows) {
    const double s = r.seconds > 0 ? r.seconds : 1e-9;
    char rate[48];
    std::snprintf(rate, sizeof rate, "%.2fM %s/s", static_cast<double>(r.items) / s / 1e6, r.unit);
    std::printf("  %-22s %9.3f %9.1f %17s  %llu %s%s%s\n", r.stage.c_str(), r.seconds,
                static_cast<double>(r.bytes) / s / 1e6, r.items ? rate : "-",
                static_cast<unsigned long long>(r.items), r.unit, r.note.empty() ? "" : ", ", r.note.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, format_name;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--format" && i + 1 < argc) {
      format_name = argv[++i];
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (path.empty() && !arg.empty() && arg[0] != '-') {
      path = arg;
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty() || repeat < 1) Die("usage: why500_stages FILE [--format NAME] [--repeat N]");

  std::vector<Row> rows;
  rows.push_back(TimeFraming(path, repeat));

  const Lines in = Load(path);
  // The format decides which parser runs: the pipeline's own choice unless --format forces one.
  const size_t head = in.lines.size() < 64 ? in.lines.size() : 64;
  Sniffed sniffed = SniffFormat(std::vector<std::string_view>(in.lines.begin(), in.lines.begin() + head));
  if (!format_name.empty()) {
    auto forced = FormatFromName(format_name);
    if (!forced) Die("unknown format: " + format_name);
    sniffed.format = *forced;
  }
  rows.push_back(TimeParse(in, sniffed, repeat));

  std::vector<Message> messages;
  rows.push_back(TimeAssemble(in, sniffed, repeat, &messages));

  auto rule_list = LoadRules({}, true);
  if (!rule_list) Die(rule_list.error().message);
  auto rules = RuleSet::Compile(std::move(*rule_list));
  if (!rules) Die(rules.error().message);
  rows.push_back(TimeGate(**rules, messages, repeat));
  rows.push_back(TimeClassify(**rules, messages, RuleSet::Want::kEveryMatch, repeat));
  rows.push_back(TimeClassify(**rules, messages, RuleSet::Want::kEvidence, repeat));
  rows.push_back(TimeTemplate(**rules, messages, repeat));

  std::printf("%s: %s, wrapper %s, best of %d\n", path.c_str(), std::string(FormatName(sniffed.format)).c_str(),
              std::string(WrapperName(sniffed.wrapper)).c_str(), repeat);
  Print(rows);
  return 0;
}
