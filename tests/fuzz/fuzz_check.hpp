// Invariant checks shared by the fuzz targets: a failed check prints what was expected and
// aborts, which libFuzzer records as a crash together with the input that caused it.
#pragma once

#include "core/timeline.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define IB_FUZZ_CHECK(cond)                                                                          \
    do {                                                                                             \
        if (!(cond)) ::ib::fuzz::fail(__FILE__, __LINE__, #cond);                                    \
    } while (false)

namespace ib::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* what) {
    std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s\n", file, line, what);
    std::abort();
}

// tag_message's contract: at most one hit per tag, in the enum's order, each with a rule name.
// `join_allowed`: join is never derived from text; only the recorder adds it to join entries.
inline void check_tags(const std::vector<tag_hit>& tags, bool join_allowed) {
    for (std::size_t i = 0; i < tags.size(); ++i) {
        IB_FUZZ_CHECK(!tags[i].rule.empty());
        IB_FUZZ_CHECK(join_allowed || tags[i].tag != tag::join);
        if (i > 0) IB_FUZZ_CHECK(static_cast<int>(tags[i - 1].tag) < static_cast<int>(tags[i].tag));
    }
}

}  // namespace ib::fuzz
