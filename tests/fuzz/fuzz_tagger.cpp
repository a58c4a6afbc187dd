// libFuzzer target: the text of an incident-channel message.
//   tag_message  at most one hit per tag, tags in order, each with a non-empty rule name, never
//                `join` (that one comes from join events, not text); the same answer twice.
#include "core/tagger.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto tags = ib::tag_message(text);
    ib::fuzz::check_tags(tags, false);
    // A pure function of the text: no state survives between calls.
    IB_FUZZ_CHECK(ib::tag_message(text) == tags);
    return 0;
}
