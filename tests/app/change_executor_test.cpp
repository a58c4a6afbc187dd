// The executor carrying out lifecycle changes through the scripted seam and a real recorder:
// changes to one incident take turns and memory only ever holds what was committed, a click is
// acked once its change is durable, a command that cannot finish in time is journaled before its
// holding ack, and a reopened incident the schedule had dropped gets reminders again.
#include "executor_harness.hpp"

#include "core/flows/change.hpp"
#include "core/reminders.hpp"
#include "core/summary.hpp"
#include "core/users.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

using namespace ib_test::app;

namespace {

// An incident stored (id from the database) and held in memory with its reminder schedule, as at
// start-up.
incident stored_incident(harness& h) {
    auto d = declare_incident("Checkout errors", severity::sev2, "U0ALICE", "C0INC", "inc-20261121-checkout-errors",
                              t0);
    REQUIRE(d);
    auto inc = d->inc;
    auto entry = d->entry;
    entry.key = "cmd:declare";
    inc.id = h.read<std::int64_t>([&](storage::store& s) { return s.create_incident(inc, entry); });
    h.st.channels.set(inc);
    h.st.reminders.track(inc, reminder_state{});
    return inc;
}

// Runs `text` typed by U0BOB in C0INC as a change flow under key "cmd:<envelope>", with its
// watchdog; `done` is set when the flow ends.
void change(harness& h, const incident& inc, const std::string& text, const std::string& envelope, bool& done,
            flows::reply_policy::mode mode = flows::reply_policy::mode::command) {
    auto c = parse_command(text);
    REQUIRE(c);
    const std::string key = (mode == flows::reply_policy::mode::click ? "button:" : "cmd:") + envelope;
    auto reply = std::make_shared<command_reply>(command_reply{flows::reply_policy(envelope, "U0BOB", mode), h.sink});
    auto ctx = h.exec.context(key, reply, mode == flows::reply_policy::mode::click ? "" : "U0BOB");
    net::co_spawn(h.ioc, h.exec.watchdog(ctx), net::detached);
    flows::change_flow flow(std::move(*c), inc.id, "U0BOB", key, t0 + 5min);
    net::co_spawn(h.ioc, h.exec.run(std::move(flow), ctx), [&done](std::exception_ptr e) {
        done = true;
        if (e) std::rethrow_exception(e);
    });
}

// The ack sent for `envelope`, if any.
std::optional<nlohmann::json> ack_of(const harness& h, const std::string& envelope) {
    for (const auto& f : h.sink->frames)
        if (f.value("envelope_id", "") == envelope) return f;
    return std::nullopt;
}

}  // namespace

TEST_SUITE("executor") {

TEST_CASE("changes take turns: the first one's store fails, the second plans from what is committed") {
    harness h;
    const incident inc = stored_incident(h);
    // Any write that would make the incident sev1 fails, as a full disk would fail it.
    {
        SQLite::Database db(h.dir.file("ib.db"), SQLite::OPEN_READWRITE);
        db.exec("CREATE TRIGGER sev1_fails BEFORE UPDATE ON incidents WHEN NEW.severity = 1 "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END");
    }
    bool first = false, second = false;
    change(h, inc, "sev 1", "env-A", first);
    change(h, inc, "status identified found the bad deploy", "env-B", second);
    h.run_until([&] { return first && second; });

    // Each answered in its ack: the first could not be saved, the second was.
    REQUIRE(ack_of(h, "env-A"));
    CHECK((*ack_of(h, "env-A"))["payload"]["text"] == ":x: I couldn't save that, please try again.");
    REQUIRE(ack_of(h, "env-B"));
    CHECK((*ack_of(h, "env-B"))["payload"]["text"].get<std::string>().find("identified") != std::string::npos);

    // Memory is what was committed, nothing else: sev2 (the failed change), identified.
    const incident* held = h.st.channels.find("C0INC");
    REQUIRE(held);
    const auto db = h.read<std::optional<incident>>([&](storage::store& s) { return s.incident_by_id(inc.id); });
    REQUIRE(db);
    CHECK(held->sev == severity::sev2);
    CHECK(held->state == status::identified);
    CHECK(db->sev == held->sev);
    CHECK(db->state == held->state);
    CHECK(db->identified_at == held->identified_at);
    // Only the stored change was announced; no turn is left held; both journal entries are gone.
    std::size_t posts = 0;
    for (const auto& r : h.slack.requests) posts += r.method == "chat.postMessage" ? 1 : 0;
    CHECK(posts == 1);
    CHECK(h.st.turns.in_line(inc.id) == 0);
    h.run_until([&] { return h.journal().empty(); });
}

TEST_CASE("a click is acked, bare, once its change is durable, before anything is posted") {
    harness h;
    const incident inc = stored_incident(h);
    bool acked_before_post = false;
    h.slack.on_request = [&](const scripted_slack::request& r) {
        if (r.method != "chat.postMessage") return;
        const auto a = ack_of(h, "env-btn");
        const auto rows = storage::store(h.dir.file("ib.db"), {.read_only = true}).timeline(inc.id);
        acked_before_post = a && !a->contains("payload") && rows.size() == 2 && rows.back().kind == entry_kind::statuspage;
    };
    bool done = false;
    change(h, inc, "statuspage We are investigating elevated checkout errors.", "env-btn", done,
           flows::reply_policy::mode::click);
    h.run_until([&] { return done; });
    CHECK(acked_before_post);
    CHECK(h.sink->frames.size() == 1);  // one ack, no reply for a click
}

TEST_CASE("a command that waits past the budget is journaled, then acked with the holding message") {
    harness h;
    const incident inc = stored_incident(h);
    // Another change holds the incident's turn (its store is slow).
    REQUIRE(h.st.turns.request(inc.id, "cmd:slow"));
    bool done = false;
    change(h, inc, "ack", "env-C", done);
    h.run_until([&] { return ack_of(h, "env-C").has_value(); });
    // The holding message went only once the command itself was durable.
    CHECK((*ack_of(h, "env-C"))["payload"]["text"] == std::string(flows::holding_message));
    const auto rows = h.journal();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].key == "cmd:env-C");
    CHECK(nlohmann::json::parse(rows[0].state)["state"]["at"] == "waiting");
    CHECK(nlohmann::json::parse(rows[0].state)["reply_to"] == "U0BOB");
    CHECK_FALSE(done);

    // The slow change ends its turn: this one plans, stores, and answers by direct message.
    bool ended = false;
    net::co_spawn(h.ioc, h.exec.perform(flows::end_turn{inc.id, "cmd:slow", std::nullopt}, h.exec.context("", nullptr)),
                  [&](std::exception_ptr, flows::event) { ended = true; });
    h.run_until([&] { return ended && done; });
    std::vector<std::string> posted_to;
    for (const auto& r : h.slack.requests)
        if (r.method == "chat.postMessage") posted_to.push_back(r.args["channel"].get<std::string>());
    CHECK(posted_to == std::vector<std::string>{"U0BOB", "C0INC"});  // the answer, then the announcement
    CHECK(h.st.channels.find("C0INC")->acknowledged_at);
    h.run_until([&] { return h.journal().empty(); });
}

TEST_CASE("on resolve the summary is rendered from the stored timeline where it is read, then posted with the review prompt") {
    harness h;
    const incident inc = stored_incident(h);
    h.read<bool>([&](storage::store& s) {
        auto m = ib::storage::testing::sample_entry(inc.id, "Ev-m", t0 + 2min, "maybe the cache is cold after the deploy?",
                                                    entry_kind::message);
        return s.append(m);
    });
    bool done = false;
    change(h, inc, "resolve", "env-R", done);
    h.run_until([&] { return done; });

    // The summary's text is what core/summary makes of the incident and its timeline as stored
    // (the executor answers load_summary with rendered messages, not with the entries).
    const auto record = h.read<incident_record>([&](storage::store& s) {
        auto tl = s.timeline(inc.id);
        auto names = s.names_of(users_referenced(incident{}, tl));
        return incident_record{*s.incident_by_id(inc.id), std::move(tl), std::move(names)};
    });
    REQUIRE_FALSE(record.inc.is_open());
    std::vector<std::string> texts;
    for (const auto& r : h.slack.requests)
        if (r.method == "chat.postMessage" && r.args.value("channel", "") == "C0INC") texts.push_back(r.args.value("text", ""));
    REQUIRE(texts.size() == 3);  // the announcement, the summary, the review prompt
    CHECK(texts[1] == render_summary_text(summarize(record)));
    CHECK(texts[1].find("Incident #" + std::to_string(inc.id) + " resolved") != std::string::npos);
    CHECK(texts[2].rfind(":spiral_note_pad: *", 0) == 0);
}

TEST_CASE("a reopened incident the schedule no longer holds is tracked again from its stored history") {
    harness h;
    incident inc = stored_incident(h);
    // Resolved, with a status-page update on record, and (as after a restart) not tracked.
    bool done = false;
    h.read<bool>([&](storage::store& s) {
        auto update = ib::storage::testing::sample_entry(inc.id, "Ev-sp", t0 + 2min, "We are investigating.",
                                                         entry_kind::statuspage);
        return s.append(update);
    });
    change(h, inc, "resolve", "env-R", done);
    h.run_until([&] { return done; });
    h.st.reminders.forget(inc.id);
    REQUIRE(h.st.reminders.state(inc.id) == nullptr);

    done = false;
    inc = *h.st.channels.find("C0INC");
    change(h, inc, "reopen the errors are back", "env-O", done);
    h.run_until([&] { return done; });
    const reminder_state* rs = h.st.reminders.state(inc.id);
    REQUIRE(rs != nullptr);
    CHECK(rs->last_update == t0 + 2min);
    CHECK(rs->last_update_text == "We are investigating.");
    CHECK(h.st.reminders.due_at(inc.id).has_value());  // sev2: reminders again
}

}  // TEST_SUITE executor
