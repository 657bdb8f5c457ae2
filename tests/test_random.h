// A small deterministic pseudo-random source for tests that build varied input from pieces:
// the same sequence on every machine and every run (a linear congruential generator).
#pragma once

#include <cstdint>
#include <string>

namespace why500 {

class TestRandom {
 public:
  explicit TestRandom(uint32_t seed) : state_(seed) {}
  uint32_t Next() {
    state_ = state_ * 1103515245u + 12345u;
    return state_ >> 16;
  }
  // Up to `most - 1` pieces, each the one `pick` names, back to back.
  template <class Pick>
  std::string Join(uint32_t most, Pick pick) {
    std::string out;
    for (uint32_t parts = Next() % most; parts > 0; --parts) out += pick();
    return out;
  }

 private:
  uint32_t state_;
};

}  // namespace why500
