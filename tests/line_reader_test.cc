#include "why500/line_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "test_random.h"

using namespace why500;

namespace {

std::vector<std::string> ReadAll(const std::string& bytes, size_t max_line = 64, size_t block = 8,
                                 LineStats* stats = nullptr) {
  auto source = MemorySource(bytes);
  LineReader reader(source.get(), max_line, block);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.Next(&line)) lines.emplace_back(line);
  if (stats) *stats = reader.stats();
  return lines;
}

}  // namespace

TEST_CASE("lines split on LF and CRLF, across block boundaries", "[line_reader]") {
  LineStats stats;
  const auto lines = ReadAll("alpha\r\nbeta\ngamma-is-longer-than-a-block\n\nend\n", 64, 8, &stats);
  REQUIRE(lines == std::vector<std::string>{"alpha", "beta", "gamma-is-longer-than-a-block", "", "end"});
  CHECK(stats.lines == 5);
  CHECK_FALSE(stats.missing_final_newline);
}

TEST_CASE("a last line without newline is counted and flagged", "[line_reader]") {
  LineStats stats;
  const auto lines = ReadAll("one\ntwo", 64, 8, &stats);
  REQUIRE(lines == std::vector<std::string>{"one", "two"});
  CHECK(stats.missing_final_newline);
  CHECK(stats.lines == 2);
}

TEST_CASE("empty input has no lines", "[line_reader]") {
  LineStats stats;
  CHECK(ReadAll("", 64, 8, &stats).empty());
  CHECK(stats.lines == 0);
  CHECK(stats.bytes == 0);
}

TEST_CASE("an overlong line is cut at the cap, counted once, and the next line survives", "[line_reader]") {
  LineStats stats;
  const std::string longline(10000, 'x');
  const auto lines = ReadAll("a\n" + longline + "\nb\n", 100, 16, &stats);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "a");
  CHECK(lines[1] == std::string(100, 'x'));
  CHECK(lines[2] == "b");
  CHECK(stats.truncated_lines == 1);
  CHECK(stats.lines == 3);
  CHECK(stats.bytes == 2 + 10001 + 2);
}

TEST_CASE("an overlong last line without newline", "[line_reader]") {
  LineStats stats;
  const auto lines = ReadAll(std::string(5000, 'y'), 64, 8, &stats);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].size() == 64);
  CHECK(stats.truncated_lines == 1);
}

TEST_CASE("NUL bytes stay inside their line", "[line_reader]") {
  const std::string bytes("a\0b\nc\n", 6);
  const auto lines = ReadAll(bytes);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == std::string("a\0b", 3));
}

namespace {

// The lines TakeRun and FrameRun give, falling back to Next as AccessPrescan does.
std::vector<std::string> ReadInRuns(const std::string& bytes, size_t max_line, size_t block, LineStats* stats) {
  auto source = MemorySource(bytes);
  LineReader reader(source.get(), max_line, block);
  std::vector<std::string> lines;
  std::vector<char> buffer;
  uint64_t run_lines = 0, run_truncated = 0;
  for (;;) {
    size_t begin = 0, end = 0;
    if (reader.TakeRun(&buffer, &begin, &end)) {
      const std::string_view run(buffer.data() + begin, end - begin);
      run_truncated += FrameRun(run, max_line, [&](std::string_view l) {
        lines.emplace_back(l);
        ++run_lines;
      });
      continue;
    }
    std::string_view line;
    if (!reader.Next(&line)) break;
    lines.emplace_back(line);
  }
  reader.CountFramed(run_lines, run_truncated);
  *stats = reader.stats();
  return lines;
}

}  // namespace

TEST_CASE("lines handed over in runs frame as Next frames them", "[line_reader]") {
  // Random mixes of short lines, CRLF, lone CRs, empty lines, lines about the cap (with and
  // without CR) and far past it, with and without a final newline, over blocks smaller and
  // larger than a line.
  const std::string pieces[] = {"a", "GET / 200", "\r", "\n", "\r\n", std::string(15, 'x'), std::string(16, 'y'),
                                std::string(17, 'z'), std::string(40, 'w'), "\n\n"};
  TestRandom random(7);
  for (int round = 0; round < 600; ++round) {
    const std::string bytes = random.Join(30, [&] { return pieces[random.Next() % 10]; });
    for (const size_t block : {1, 5, 16, 64}) {
      INFO("round " << round << ", block " << block);
      LineStats by_line, by_run;
      const auto expected = ReadAll(bytes, 16, block, &by_line);
      CHECK(ReadInRuns(bytes, 16, block, &by_run) == expected);
      CHECK(by_run.lines == by_line.lines);
      CHECK(by_run.truncated_lines == by_line.truncated_lines);
      CHECK(by_run.missing_final_newline == by_line.missing_final_newline);
      CHECK(by_run.bytes == by_line.bytes);
    }
  }
}
