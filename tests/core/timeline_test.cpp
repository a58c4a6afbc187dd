// message_history: what became of each Slack message on a timeline (edits, deletions), the one
// rule the summary, the keyword history, the Markdown draft and the SVG chart quote messages by.
#include "core/timeline.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace ib;

namespace {

timeline_entry entry(entry_kind kind, std::string slack_ts, std::string ref_ts, std::string text) {
    timeline_entry e;
    e.kind = kind;
    e.slack_ts = std::move(slack_ts);
    e.ref_ts = std::move(ref_ts);
    e.text = std::move(text);
    return e;
}

}  // namespace

TEST_SUITE("timeline") {
TEST_CASE("message_history: latest edit, deletions, and the message behind a ts") {
    const std::vector<timeline_entry> tl{
        entry(entry_kind::key_moment, "", "1.3", ":pushpin:"),  // stored before the message it marks
        entry(entry_kind::message, "1.1", "", "first"),
        entry(entry_kind::edit, "", "1.1", "first, edited"),
        entry(entry_kind::edit, "", "1.1", "first, edited again"),
        entry(entry_kind::message, "1.2", "", "secret"),
        entry(entry_kind::deletion, "", "1.2", ""),
        entry(entry_kind::message, "1.3", "", "marked"),
        entry(entry_kind::message, "", "", "no ts"),
        entry(entry_kind::edit, "", "", "an edit of nothing"),
        entry(entry_kind::message, "1.3", "", "a redelivered copy"),
    };
    const message_history h(tl);
    CHECK(h.latest_text(tl[1]) == "first, edited again");  // the last edit wins
    CHECK(h.latest_text(tl[6]) == "marked");                 // never edited
    CHECK(h.latest_text(tl[7]) == "no ts");                  // no ts, no edits
    CHECK(h.latest_text("9.9", "as recorded") == "as recorded");
    CHECK(h.deleted("1.2"));
    CHECK_FALSE(h.deleted("1.1"));
    CHECK_FALSE(h.deleted(""));
    REQUIRE(h.message("1.3") != nullptr);
    CHECK(h.message("1.3")->text == "marked");  // wherever it stands, the first copy
    CHECK(h.message("9.9") == nullptr);
    CHECK(h.message("") == nullptr);
    CHECK(h.message(tl[0].ref_ts) == &tl[6]);  // a key moment finds a message stored after it
}

TEST_CASE("message_history: the text of a deleted message is withheld wherever it is kept") {
    const std::vector<timeline_entry> tl{
        entry(entry_kind::message, "1.1", "", "kept"),
        entry(entry_kind::edit, "1.5", "1.1", "kept, edited"),
        entry(entry_kind::message, "1.2", "", "secret"),
        entry(entry_kind::edit, "1.6", "1.2", "secret, edited"),
        entry(entry_kind::deletion, "1.7", "1.2", ""),
        entry(entry_kind::bot_message, "1.3", "", "a bot's paste"),
        entry(entry_kind::deletion, "1.8", "1.3", ""),
        entry(entry_kind::reaction, "1.9", "1.2", ":eyes:"),
        entry(entry_kind::note, "", "", "a note"),
    };
    const message_history h(tl);
    const bool expected[] = {false, false, true, true, true, true, true, false, false};
    for (std::size_t i = 0; i < tl.size(); ++i) {
        CAPTURE(i);
        CHECK(h.withheld(tl[i]) == expected[i]);
    }
}

TEST_CASE("bookkeeping: a reminder claim's mark, and nothing else; history_of leaves only it out") {
    timeline_entry claim = entry(entry_kind::reminder, "", "", "Reminder: post a status update");
    claim.attrs = {{"type", "posted"}, {"claim", "reminder:1:due:60"}, {"attempt", "0"}, {"owner", "a"}};
    timeline_entry mark = entry(entry_kind::reminder, "", "", "the reminder was posted");
    mark.attrs = {{"type", "mark"}, {"of", "reminder:1:due:60"}, {"outcome", "posted"}};
    timeline_entry snooze = entry(entry_kind::reminder, "", "", "snoozed");
    snooze.attrs = {{"type", "snooze"}};
    timeline_entry untyped = entry(entry_kind::reminder, "", "", "Reminder (an older build's)");
    timeline_entry note = entry(entry_kind::note, "", "", "type=mark, but a note");
    note.attrs = {{"type", "mark"}};
    CHECK(is_bookkeeping(mark));
    for (const auto* e : {&claim, &snooze, &untyped, &note}) CHECK_FALSE(is_bookkeeping(*e));

    const auto history = history_of({claim, mark, snooze, untyped, note});
    REQUIRE(history.size() == 4);
    CHECK(history[0].text == claim.text);  // the order kept
    CHECK(history[1].text == snooze.text);
    CHECK(history[3].text == note.text);
}
}  // TEST_SUITE
