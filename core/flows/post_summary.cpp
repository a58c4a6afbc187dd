#include "core/flows/post_summary.hpp"

#include "core/summary.hpp"
#include "core/summary_lease.hpp"

#include <span>
#include <utility>

namespace ib::flows {

summary_flow::summary_flow(incident inc, bool with_review, time_point now, std::string first_reply,
                           std::string resolve_key, std::string owner) {
    st_.inc = std::move(inc);
    st_.with_review = with_review;
    st_.now = now;
    st_.first_reply = std::move(first_reply);
    st_.resolve_key = std::move(resolve_key);
    st_.owner = std::move(owner);
}

summary_flow::summary_flow(state saved) : st_(std::move(saved)) {}

action summary_flow::start() {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "summary: start() called twice; giving up");
    if (st_.first_reply.empty()) return load();
    st_.at = stage::replying;
    return step(reply{st_.first_reply});
}

action summary_flow::resume(event ev) {
    const bool restart = std::holds_alternative<restarted>(ev);
    const bool leased = !st_.resolve_key.empty();
    if (restart && leased && (st_.at == stage::replying || st_.at == stage::loading))
        return finish(st_.at, log_level::warn,
                      "the summary of incident " + std::to_string(st_.inc.id) +
                          " was not posted before a restart: left to the instance that takes its lease over");
    if (restart && leased && (st_.at == stage::posting_summary || st_.at == stage::posting_review)) {
        st_.outcome = "in_doubt";  // nothing more is posted: at most once
        return mark(log_level::warn, skipped_after_restart(st_.at == stage::posting_summary ? "the summary"
                                                                                          : "the review prompt",
                                                           st_.inc.channel_id));
    }
    switch (st_.at) {
    case stage::replying:
        if (std::holds_alternative<ok>(ev) || restart) return load();
        break;

    case stage::loading:
        if (restart) return load();
        if (auto* messages = std::get_if<rendered>(&ev)) return post_summary(*messages);
        if (const auto* f = std::get_if<store_failed>(&ev))
            return finish(st_.at, log_level::error, "could not read the timeline for the summary: " + f->error);
        break;

    case stage::posting_summary:
        if (auto note = after_post(ev, "the summary", st_.inc.channel_id)) {
            note_outcome(ev);
            return post_review(note->level, std::move(note->text));
        }
        break;

    case stage::posting_review:
        if (auto note = after_post(ev, "the review prompt", st_.inc.channel_id)) {
            note_outcome(ev);
            return mark(note->level, std::move(note->text));
        }
        break;

    case stage::marking:
        if (restart) return mark(log_level::none, {});
        if (const auto* f = std::get_if<store_failed>(&ev))
            return finish(st_.at, log_level::error,
                          "could not mark the summary of incident " + std::to_string(st_.inc.id) +
                              "; another instance may post it again once its lease ends: " + f->error);
        if (std::holds_alternative<stored>(ev)) return finish(st_.at);
        break;

    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "summary", ev);
}

action summary_flow::load() {
    st_.at = stage::loading;
    load_summary what;
    what.incident_id = st_.inc.id;
    what.inc = st_.inc;
    what.now = st_.now;
    what.with_history = st_.with_review;
    if (st_.with_review) {
        what.history_from = st_.inc.declared_at - history_window;
        what.history_to = st_.inc.declared_at;
        what.max_history = max_history;
        what.history_kinds = {entry_kind::join, entry_kind::message};
    }
    return step(std::move(what));
}

rendered render_summary(const load_summary& what, loaded data) {
    rendered out;
    // The incident's history: the instances' bookkeeping (timeline.hpp) is no part of it.
    const incident_record record{what.inc, history_of(std::move(data.timeline)), std::move(data.names)};
    const incident_summary s = summarize(record);
    out.summary_text = render_summary_text(s);
    out.summary_blocks = render_summary_blocks(s);
    if (what.with_history) {
        const review_prompt p = make_review_prompt(record, what.now, std::span<const incident_record>(data.earlier));
        out.review_text = render_review_text(p);
        out.review_blocks = render_review_blocks(p);
    }
    return out;
}

action summary_flow::post_summary(rendered& messages) {
    st_.summary_text = std::move(messages.summary_text);
    st_.summary_blocks = std::move(messages.summary_blocks);
    st_.review_text = std::move(messages.review_text);
    st_.review_blocks = std::move(messages.review_blocks);
    st_.at = stage::posting_summary;
    return step(post_message(st_.inc.channel_id, st_.summary_text, st_.summary_blocks));
}

action summary_flow::post_review(log_level level, std::string log) {
    if (!st_.with_review) return mark(level, std::move(log));
    st_.at = stage::posting_review;
    return step(post_message(st_.inc.channel_id, st_.review_text, st_.review_blocks), level, std::move(log));
}

action summary_flow::mark(log_level level, std::string log) {
    if (st_.resolve_key.empty()) return finish(st_.at, level, std::move(log));
    // Marked at the flow's time (it has no clock): after the resolve, which came before it.
    st_.at = stage::marking;
    return step(append_entry{make_summary_mark(st_.inc.id, st_.resolve_key, st_.owner, st_.now, st_.outcome)}, level,
                std::move(log));
}

void summary_flow::note_outcome(const event& ev) {
    if (st_.outcome != "posted") return;
    const auto* r = std::get_if<called>(&ev);
    if (r == nullptr) st_.outcome = "in_doubt";
    else if (r->outcome != slack::api_outcome::ok) st_.outcome = "failed";
}

std::string_view to_string(summary_flow::stage s) {
    using st = summary_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::replying: return "replying";
    case st::loading: return "loading";
    case st::posting_summary: return "posting_summary";
    case st::posting_review: return "posting_review";
    case st::marking: return "marking";
    case st::finished: break;
    }
    return "finished";
}

}  // namespace ib::flows
