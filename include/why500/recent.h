// A thread's last results of a costly step over a message (templating it, classifying it):
// messages repeat word for word (a PHP fatal error on every request, a warning every few
// seconds), and a lookup costs a fraction of the step. One entry per slot, chosen by the hash
// of what the result was computed from; a newer one replaces the older, reusing its strings'
// room. The hash only chooses the slot: the caller tells whether the entry is the one wanted.
#pragma once

#include <array>
#include <cstddef>

namespace why500 {

template <class Entry, size_t kSlots>
class RecentTable {
 public:
  // The entry kept under `hash`, when `is_it(entry)` says it was computed from what is looked
  // up; else null.
  template <class IsIt>
  const Entry* Find(size_t hash, IsIt is_it) const {
    const Slot& s = slots_[hash % kSlots];
    return s.used && s.hash == hash && is_it(s.entry) ? &s.entry : nullptr;
  }

  // The entry to fill for `hash`, in place of the one its slot held.
  Entry& Replace(size_t hash) {
    Slot& s = slots_[hash % kSlots];
    s.used = true;
    s.hash = hash;
    return s.entry;
  }

 private:
  struct Slot {
    bool used = false;
    size_t hash = 0;
    Entry entry;
  };
  std::array<Slot, kSlots> slots_;
};

}  // namespace why500
