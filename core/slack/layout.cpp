#include "core/slack/layout.hpp"

#include <algorithm>

namespace ib::slack {

using nlohmann::json;

json text_object(std::string_view type, std::string text) { return json{{"type", type}, {"text", std::move(text)}}; }

json mrkdwn_section(std::string text) {
    return json{{"type", "section"}, {"text", text_object("mrkdwn", std::move(text))}};
}

std::string bounded_join(const std::vector<std::string>& items, std::string_view sep, std::size_t max_bytes,
                         std::size_t total) {
    constexpr std::size_t trailer_room = 24;  // "…and 999999 more" plus slack
    total = std::max(total, items.size());
    std::string out;
    std::size_t shown = 0;
    for (; shown < items.size(); ++shown) {
        const std::size_t sep_len = shown == 0 ? 0 : sep.size();
        const bool more_follow = shown + 1 < total;
        if (out.size() + sep_len + items[shown].size() + (more_follow ? sep.size() + trailer_room : 0) > max_bytes)
            break;
        out += shown == 0 ? std::string_view{} : sep;
        out += items[shown];
    }
    if (shown < total) {
        const auto trailer =
            (shown == 0 ? std::string{} : std::string(sep)) + "…and " + std::to_string(total - shown) + " more";
        if (out.size() + trailer.size() <= max_bytes) out += trailer;
    }
    return out;
}

std::string bounded_join(const std::vector<std::string>& items, std::string_view sep, std::size_t max_bytes) {
    return bounded_join(items, sep, max_bytes, items.size());
}

std::string fit_lines(std::string text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    const auto cut = text.rfind('\n', max_bytes);
    return cut == std::string::npos ? std::string{} : text.substr(0, cut);
}

}  // namespace ib::slack
