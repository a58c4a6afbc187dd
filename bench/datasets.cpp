#include "datasets.hpp"

#include "core/incident.hpp"
#include "core/tagger.hpp"
#include "core/time.hpp"
#include "storage/store.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace ib::bench {
namespace {

// What incident channels say; tagged once by the real tagger (hypotheses, commands, actions…).
constexpr std::array<std::string_view, 16> k_chat = {
    "Checkout is returning 502s for about a third of requests",
    "I think the connection pool on payments-db is exhausted, pool_wait is at 4s",
    "Looking at the dashboards now",
    "`kubectl rollout restart deploy/payments-api`",
    "Maybe it's the deploy from 14:05? It touched the retry settings",
    "Error rate is back to 0.4%, keeping an eye on it",
    "Rolling back payments-api to v2024.11.3",
    "Can someone from the DB team join?",
    "p99 latency on the gateway is 2.3s, normally 180ms",
    "Could be the new index migration holding locks",
    "I'm draining node ip-10-0-3-17, it has 92% CPU from an unknown process",
    "Status page updated: investigating elevated checkout errors",
    "That didn't help, errors are still at 30%",
    "Scaling payments-api from 6 to 12 replicas",
    "Confirmed: the migration is holding an ACCESS EXCLUSIVE lock",
    "Ack, I'll write the customer update",
};

struct tagged_text {
    std::string text;
    std::vector<tag_hit> tags;
};

const std::vector<tagged_text>& chat() {
    static const std::vector<tagged_text> texts = [] {
        std::vector<tagged_text> out;
        for (auto t : k_chat) out.push_back({std::string(t), tag_message(t)});
        return out;
    }();
    return texts;
}

std::string numbered(const char* fmt, std::size_t n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, n);
    return buf;
}

template <class T>
T must(result<T> r) {
    if (!r) throw std::runtime_error("dataset: " + r.error().message);
    return std::move(r).value();
}

// Writes incident number `n` with `entries` entries (declare included) in groups of at most
// 10,000 writes per transaction.
void write_incident(storage::store& st, std::size_t n, std::size_t entries, bool resolved, time_point start,
                    dataset& out, std::string channel = {}) {
    if (channel.empty()) channel = numbered("C0HIST%05zu", n);
    auto decl = must(declare_incident(numbered("Checkout errors %zu", n), severity::sev2, "U0PEOPLE00", channel,
                                      numbered("inc-20260101-checkout-errors-%zu", n), start));
    decl.entry.key = numbered("cmd:declare-%zu", n);
    st.begin_group();
    const std::int64_t id = st.create_incident(decl.inc, decl.entry);
    incident inc = decl.inc;
    out.incidents += 1;
    out.entries += 1;
    out.last_incident_id = id;

    // Lifecycle positions within the timeline.
    const std::size_t ack_at = entries / 10 + 1, identified_at = entries / 3 + 1, monitoring_at = 2 * entries / 3 + 1;
    std::vector<timeline_entry> batch;
    const auto flush = [&] {
        if (!batch.empty()) st.append_batch(batch);
        batch.clear();
    };
    const auto lifecycle = [&](timeline_entry e, std::size_t j) {
        flush();
        e.key = numbered("cmd:%zu", n) + numbered("-%zu", j);
        st.save_change(inc, e);
        out.entries += 1;
    };
    for (std::size_t j = 1; j < entries; ++j) {
        const time_point at = start + std::chrono::seconds{static_cast<long long>(j)};
        const std::string who = numbered("U0PEOPLE%02zu", j % 40);
        if (j == ack_at) {
            lifecycle(must(acknowledge(inc, who, at)), j);
        } else if (j == identified_at) {
            lifecycle(must(change_status(inc, status::identified, who, "migration lock", at)), j);
        } else if (j == monitoring_at) {
            lifecycle(must(change_status(inc, status::monitoring, who, "rolled back", at)), j);
        } else if (resolved && j == entries - 1) {
            lifecycle(must(resolve(inc, who, "errors back to baseline", at)), j);
        } else {
            timeline_entry e;
            e.incident_id = id;
            e.key = numbered("Ev%zu", n) + numbered("-%zu", j);
            e.at = at;
            e.received_at = at;
            e.slack_ts = to_slack_ts(at);
            e.user = who;
            if (j % 50 == 0) {
                e.kind = entry_kind::join;
                e.text = "<@" + who + "> has joined the channel";
                e.tags = {tag_hit{tag::join, "event:member_joined"}};
            } else {
                const auto& t = chat()[j % chat().size()];
                e.kind = entry_kind::message;
                e.text = t.text;
                e.tags = t.tags;
            }
            batch.push_back(std::move(e));
            out.entries += 1;
        }
        if (batch.size() >= 10'000) {
            flush();
            st.commit_group();
            st.begin_group();
        }
    }
    flush();
    st.commit_group();
}

}  // namespace

dataset make_long_incident(const std::string& path, std::size_t entries, const long_incident_options& how) {
    storage::store st(path);
    dataset out;
    write_incident(st, 1, entries, how.resolved, from_unix_seconds(how.start_unix), out, how.channel);
    return out;
}

dataset make_history(const std::string& path, std::size_t incidents, std::size_t entries_each, bool resolved) {
    storage::store st(path);
    dataset out;
    for (std::size_t n = 1; n <= incidents; ++n)
        write_incident(st, n, entries_each, resolved,
                       from_unix_seconds(1'735'689'600 + static_cast<long long>(n) * 86'400), out);  // from 2025-01-01
    return out;
}

}  // namespace ib::bench
