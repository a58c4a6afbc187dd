// End to end, durability: the real binary is killed (SIGKILL) at random points of message
// bursts and restarted against the same database. An incident timeline is evidence, so:
//   - every event the bot acked is stored (an ack means stored), checked after every kill;
//   - at the end every message is on the timeline exactly once: Slack retried it, or gave up on it
//     and the catch-up read it from the channel's history (redeliveries and history deduplicated).
#include "bot_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using ib::test::bot_fixture;
using ib::test::entries;
using ib::test::event_text;

namespace {

// IB_E2E_SEED=<n> repeats a run; otherwise a fresh seed, printed.
std::uint64_t test_seed() {
    if (const char* s = std::getenv("IB_E2E_SEED"); s != nullptr && *s != '\0') return std::strtoull(s, nullptr, 10);
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

// Follows the simulator's acks, in order: which message texts were acked, and how.
struct ack_tracker {
    explicit ack_tracker(const ib::sim::slack_simulator& s) : slack(s) {}
    const ib::sim::slack_simulator& slack;
    std::size_t seen = 0;
    std::set<std::string> texts;           // events_api message texts acked at least once
    std::size_t redelivered = 0;           // acks of envelopes with retry_attempt > 0
    std::map<std::string, std::vector<int>> attempts;  // text -> retry_attempt of each acked envelope
    std::set<std::string> notes;           // `/incident note` texts confirmed in the ack

    void update() {
        const auto all = slack.acks();
        for (; seen < all.size(); ++seen) {
            const auto env = slack.envelope(all[seen].envelope_id);
            if (!env) continue;
            if (env->value("type", "") == "slash_commands") {
                // A command the bot confirmed in its ack ("Note added…") must be stored too.
                const auto& reply = all[seen].payload;
                const std::string typed = env->at("payload").value("text", "");
                if (reply && reply->value("text", "") == "Note added to the timeline." && typed.starts_with("note "))
                    notes.insert(typed.substr(5));
                continue;
            }
            const auto text = event_text(*env);
            // Participant messages only (not the echoes of the bot's own posts).
            if (!text || env->at("payload").at("event").value("user", "") != bot_fixture::bob) continue;
            texts.insert(*text);
            const int attempt = env->value("retry_attempt", 0);
            attempts[*text].push_back(attempt);
            if (attempt > 0) ++redelivered;
        }
    }
};

// text -> how many times it is on the timeline as a participant message.
std::map<std::string, int> stored_messages(const json& exported) {
    std::map<std::string, int> out;
    for (const auto& e : entries(exported, "message")) ++out[e["text"].get<std::string>()];
    return out;
}

}  // namespace

TEST_SUITE("durability") {

TEST_CASE("SIGKILL at random points of a burst: every acked event is stored, every message ends up stored once") {
    const std::uint64_t seed = test_seed();
    MESSAGE("seed " << seed << " (IB_E2E_SEED=" << seed << " repeats the kill times)");
    std::mt19937_64 rng(seed);
    const auto started = std::chrono::steady_clock::now();

    ib::sim::simulator_options o;
    // Slack's delivery (no connection: the event is retried, then lost), with its retry schedule
    // (at once, 1 min, 5 min) shortened 60 times: an event the kills cut off comes back as a retry
    // or, once its retries are spent, only from the channel's history (the bot's catch-up).
    o.retry_delays = {0ms, 1s, 5s};
    bot_fixture t(o);
    t.start_bot();
    const std::string ch = t.declare("Durability burst sev2", "Durability burst");

    // The burst: a steady stream (about 1,200 messages a second) from another thread, while
    // this one kills and restarts the bot.
    constexpr int total = 4400, kills = 8;
    std::mutex mu;
    std::map<std::string, std::string> posted;  // text -> ts
    std::atomic<int> posted_count{0};
    std::jthread poster([&](std::stop_token stop) {
        std::mt19937_64 words(seed ^ 0x9e3779b97f4a7c15ULL);
        std::uniform_int_distribution<int> percent(0, 100);
        for (int i = 0; i < total && !stop.stop_requested(); ++i) {
            const std::string text = "burst #" + std::to_string(i) + ": p99 latency at " +
                                     std::to_string(percent(words)) + "% of the SLO";
            const auto ts = t.slack.post_message(ch, bot_fixture::bob, text);
            {
                std::lock_guard lock(mu);
                posted.emplace(text, ts);
            }
            ++posted_count;
            // Commands in the stream too (Slack does not redeliver them: a confirmed one must be stored).
            if (i % 100 == 50) t.slack.slash_command(ch, bot_fixture::alice, "note checkpoint " + std::to_string(i));
            if (i % 10 == 9) std::this_thread::sleep_for(8ms);
        }
    });

    ack_tracker acked{t.slack};
    std::uniform_int_distribution<int> delay_ms(50, 500);
    for (int k = 0; k < kills; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds{delay_ms(rng)});
        t.kill_bot();

        // With the bot dead: every acked event must be in the database, none twice.
        acked.update();
        const int posted_then = posted_count.load();
        const json exported = t.export_json();
        const auto stored = stored_messages(exported);
        std::set<std::string> stored_notes;
        for (const auto& e : entries(exported, "note")) stored_notes.insert(e["text"].get<std::string>());
        std::size_t missing = 0, duplicated = 0;
        std::string example;
        for (const auto& text : acked.texts)
            if (!stored.count(text) && ++missing == 1) example = text;
        for (const auto& text : acked.notes)
            if (!stored_notes.count(text) && ++missing == 1) example = text;
        for (const auto& [text, n] : stored)
            if (n != 1) ++duplicated;
        INFO("kill " << k);
        CHECK_MESSAGE(missing == 0, missing << " acked events are not stored, e.g. '" << example << "'");
        CHECK(duplicated == 0);
        MESSAGE("kill " << k << ": " << posted_then << " posted, " << acked.texts.size() << " acked, "
                        << stored.size() << " stored; " << acked.notes.size() << " notes confirmed, "
                        << stored_notes.size() << " stored");
        // Events keep coming while the bot is down: Slack retries them, then gives up.
        t.start_bot();
    }
    poster.join();

    // The last run settles everything: every message stored (acked live or as a retry, or
    // recovered from history)...
    std::size_t stored_count = 0;  // (the message below must not assert: no export_json() in it)
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            std::this_thread::sleep_for(200ms);
                            stored_count = stored_messages(t.export_json()).size();
                            return stored_count == posted.size();
                        },
                        90s),
                    stored_count << " of " << posted.size() << " stored; log:\n" << t.bot->log());
    acked.update();
    const std::size_t lost = t.slack.lost_events().size();
    CHECK_MESSAGE(acked.redelivered + lost > 0, "no event was retried or lost: the kills tested nothing");

    // ...and on the timeline exactly once, with Slack's ts.
    const json x = t.export_json();
    std::map<std::string, std::string> got;  // text -> ts
    std::size_t duplicated = 0, unexpected = 0, wrong_ts = 0;
    for (const auto& e : entries(x, "message")) {
        const auto text = e["text"].get<std::string>();
        if (!got.emplace(text, e["slack_ts"].get<std::string>()).second) ++duplicated;
        const auto p = posted.find(text);
        if (p == posted.end()) ++unexpected;
        else if (p->second != e["slack_ts"]) ++wrong_ts;
    }
    CHECK(duplicated == 0);
    CHECK(unexpected == 0);
    CHECK(wrong_ts == 0);
    CHECK(got.size() == posted.size());
    CHECK(posted.size() == std::size_t{total});
    MESSAGE(posted.size() << " messages, " << kills << " kills, " << acked.redelivered
                          << " redelivered envelopes acked, " << lost << " events Slack gave up on, "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                   started)
                                 .count()
                          << " ms");
    CHECK(t.stop_bot(SIGTERM) == 0);
}

TEST_CASE("stored but never acked: the redelivery (retry_attempt 1, after a reconnect) is stored once") {
    // This is about the redelivery itself: the simulator keeps the events for the next connection
    // (kinder than Slack, which may give up while no connection is open).
    ib::sim::simulator_options o;
    o.when_disconnected = ib::sim::simulator_options::no_connection::queue;
    bot_fixture t(o);
    t.start_bot({"--idle-timeout", "2s"});
    const std::string ch = t.declare("Redelivery test", "Redelivery test");

    // Freeze the bot so the envelopes wait, unread, in its socket.
    REQUIRE(t.slack.wait_for([&] { return !t.slack.calls("conversations.setTopic").empty(); }, 5s));
    std::this_thread::sleep_for(200ms);  // the declaration's own events acked
    t.bot->signal(SIGSTOP);
    const auto acks_before = t.slack.ack_count();
    std::set<std::string> texts;
    for (int i = 0; i < 20; ++i) {
        const std::string text = "redelivered message " + std::to_string(i);
        t.slack.post_message(ch, bot_fixture::bob, text);
        texts.insert(text);
    }
    std::this_thread::sleep_for(300ms);  // the simulator writes them at once
    // The peer goes silent: the acks the bot is about to send are never read, so the events
    // count as unacked and will be redelivered on the next connection.
    t.slack.set_silent(true);
    const auto before = t.slack.connections_opened();
    t.bot->signal(SIGCONT);

    // The bot stores what it read...
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            std::this_thread::sleep_for(100ms);
                            return stored_messages(t.export_json()).size() == texts.size();
                        },
                        10s),
                    t.bot->log());
    CHECK(t.slack.ack_count() == acks_before);  // its acks went nowhere
    // ...finds the connection dead, reconnects, and gets the same events again.
    t.slack.set_silent(false);
    REQUIRE(t.slack.wait_for([&] { return t.slack.connections_opened() > before && t.slack.open_connections() > 0; },
                             15s));
    ack_tracker acked{t.slack};
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            acked.update();
                            return std::all_of(texts.begin(), texts.end(),
                                               [&](const std::string& s) { return acked.texts.count(s) > 0; });
                        },
                        15s),
                    t.bot->log());
    for (const auto& text : texts) {
        INFO(text);
        // Only the redelivered envelopes were acked: the first delivery's acks were lost.
        for (int attempt : acked.attempts[text]) CHECK(attempt >= 1);
    }
    const auto stored = stored_messages(t.export_json());
    CHECK(stored.size() == texts.size());
    for (const auto& [text, n] : stored) CHECK_MESSAGE(n == 1, text);
    CHECK(t.stop_bot(SIGTERM) == 0);
}

// Flow control: with --max-pending 8 the bot pauses reading from Slack many times during a burst
// of 3,000 messages; every message must still be acked and stored once, and the bot must come
// back to reading after each pause.
TEST_CASE("flow control: a burst far above --max-pending is paused and resumed, and nothing is lost") {
    bot_fixture t;
    t.start_bot({"--max-pending", "8", "--log-level", "debug"});
    const std::string ch = t.declare("Flow control test", "Flow control test");
    REQUIRE(t.slack.wait_for([&] { return !t.slack.calls("conversations.setTopic").empty(); }, 5s));

    std::vector<std::string> texts;
    for (int i = 0; i < 3000; ++i) texts.push_back("burst message " + std::to_string(i));
    const auto ids = t.slack.post_messages(ch, bot_fixture::bob, texts);
    std::set<std::string> unacked(ids.begin(), ids.end());
    REQUIRE_MESSAGE(t.slack.wait_for(
                        [&] {
                            std::this_thread::sleep_for(50ms);
                            for (const auto& a : t.slack.acks()) unacked.erase(a.envelope_id);
                            return unacked.empty();
                        },
                        60s),
                    unacked.size() << " not acked; log:\n" << t.bot->log().substr(0, 4000));
    const auto stored = stored_messages(t.export_json());
    CHECK(stored.size() == texts.size());
    for (const auto& [text, n] : stored) CHECK_MESSAGE(n == 1, text);
    // It did pause (more than once), and read again each time.
    const auto pauses = t.count_log_lines({"flow control:", "pausing reads"});
    const auto resumes = t.count_log_lines({"flow control:", "reading again"});
    CHECK(pauses >= 2);
    CHECK(resumes == pauses);
    CHECK(t.stop_bot(SIGTERM) == 0);
}

}  // TEST_SUITE
