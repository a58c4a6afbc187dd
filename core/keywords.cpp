#include "keywords.hpp"

#include "text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace ib {
namespace {

// Tools and verbs that every incident's commands use: the same `sudo systemctl restart` says
// nothing about a repeat, the service after it does. Sorted, for binary search.
constexpr std::array<std::string_view, 72> generic_words{{
    "apply", "awk", "bash", "bin", "cat", "curl", "delete", "deploy", "deployment", "describe", "dev", "df", "dig",
    "disable", "dmesg", "docker", "du", "echo", "edit", "enable", "etc", "exec", "find", "free", "get", "git",
    "grep", "head", "helm", "home", "htop", "iostat", "journalctl", "kill", "killall", "kubectl", "less", "lib",
    "log", "logs", "lsof", "netstat", "nslookup", "opt", "ping", "pkill", "pods", "reboot", "reload", "restart",
    "rollout", "scale", "scp", "sed", "service", "sort", "ssh", "start", "status", "stop", "sudo", "systemctl",
    "tail", "tee", "the", "tmp", "top", "uniq", "uptime", "usr", "var", "xargs",
}};
static_assert(std::is_sorted(generic_words.begin(), generic_words.end()) && !generic_words.front().empty());
// Hyphenated or dotted prose that is not a name.
constexpr std::array<std::string_view, 16> prose_words{{
    "double-check", "e.g", "follow-up", "i.e", "long-running", "re-deploy", "re-run", "read-only",
    "roll-back", "rolled-back", "sev1", "sev2", "sev3", "sev4", "sev5", "up-to-date",
}};

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

// Adds the salient words of one message text to `out` (and `seen`).
void add_keywords(std::string_view text, std::vector<std::string>& out, std::set<std::string, std::less<>>& seen) {
    bool in_code = false;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '`') {  // a run of backticks opens or closes a code span (or block)
            while (i < text.size() && text[i] == '`') ++i;
            in_code = !in_code;
            continue;
        }
        if (!is_word_char(text[i])) {
            ++i;
            continue;
        }
        const std::size_t begin = i;
        while (i < text.size() && is_word_char(text[i])) ++i;
        const std::string_view raw = text.substr(begin, i - begin);
        const bool flag = raw.front() == '-';
        const auto first = raw.find_first_not_of(".-_");
        if (first == std::string_view::npos) continue;
        const auto word = ascii_lower(raw.substr(first, raw.find_last_not_of(".-_") - first + 1));
        const bool has_letter = std::any_of(word.begin(), word.end(),
                                            [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
        if (!has_letter) continue;
        bool keep = false;
        if (in_code) {
            keep = !flag && word.size() >= 3 && !std::binary_search(generic_words.begin(), generic_words.end(), word);
        } else {
            const bool name_like = std::any_of(word.begin() + 1, word.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
            });
            keep = word.size() >= 4 && std::isalpha(static_cast<unsigned char>(word.front())) != 0 && name_like &&
                   std::find(prose_words.begin(), prose_words.end(), word) == prose_words.end();
        }
        if (keep && seen.insert(word).second) out.push_back(word);
    }
}

}  // namespace

std::vector<std::string> salient_keywords(std::span<const timeline_entry> timeline) {
    const message_history history(timeline);
    std::vector<std::string> out;
    std::set<std::string, std::less<>> seen;
    for (const auto& e : timeline) {
        if (e.kind != entry_kind::message) continue;
        if (!e.has_tag(tag::hypothesis) && !e.has_tag(tag::command) && !e.has_tag(tag::action)) continue;
        if (history.deleted(e.slack_ts)) continue;
        add_keywords(history.latest_text(e), out, seen);
    }
    return out;
}

}  // namespace ib
