#include "bot/app/executor.hpp"

#include "bot/app/async_record.hpp"
#include "bot/log.hpp"
#include "core/flows/post_summary.hpp"
#include "storage/store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <iterator>
#include <span>
#include <string_view>
#include <utility>

namespace ib::bot {

namespace net = boost::asio;

time_point wall_now() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

namespace {

// GCC 12 (bug 98401): no temporaries in co_await expressions, completion tokens included.
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Sends the ack `a` on `sink`, with its payload when it has one.
void send_ack(frame_sink& sink, const flows::ack& a) {
    sink.send(a.payload.is_null() ? slack::make_ack(a.envelope_id) : slack::make_ack(a.envelope_id, a.payload));
}

}  // namespace

line_context line_context::of(const flows::effect& what) {
    line_context c;
    const auto about = [&c](const ib::incident& inc) {
        if (inc.id != 0) c.incident = std::to_string(inc.id);
        c.channel = inc.channel_id;
    };
    if (const auto* call = std::get_if<flows::call>(&what)) {
        c.method = call->method;
        if (const auto it = call->args.find("channel"); it != call->args.end() && it->is_string())
            c.channel = it->get<std::string>();
    } else if (const auto* a = std::get_if<flows::ack>(&what)) {
        c.envelope = a->envelope_id;
    } else if (const auto* h = std::get_if<flows::hold_events>(&what)) {
        c.channel = h->channel;
    } else if (const auto* r = std::get_if<flows::release_events>(&what)) {
        c.channel = r->channel;
    } else if (const auto* o = std::get_if<flows::open_incident>(&what)) {
        about(o->inc);
    } else if (const auto* s = std::get_if<flows::set_incident>(&what)) {
        about(s->inc);
    } else if (const auto* ci = std::get_if<flows::create_incident>(&what)) {
        about(ci->inc);
    } else if (const auto* sc = std::get_if<flows::save_change>(&what)) {
        about(sc->inc);
    } else if (const auto* ae = std::get_if<flows::append_entry>(&what)) {
        c.incident = std::to_string(ae->entry.incident_id);
    } else if (const auto* l = std::get_if<flows::load_summary>(&what)) {
        c.incident = std::to_string(l->incident_id);
    } else if (const auto* rs = std::get_if<flows::run_summary>(&what)) {
        about(rs->inc);
    }
    return c;
}

void line_context::add(const flows::event& ev) {
    if (const auto* c = std::get_if<flows::called>(&ev)) {
        if (c->outcome != slack::api_outcome::ok) error = c->error;
    } else if (const auto* f = std::get_if<flows::store_failed>(&ev)) {
        error = f->error;
    } else if (const auto* s = std::get_if<flows::stored>(&ev); s != nullptr && s->inc.id != 0) {
        incident = std::to_string(s->inc.id);  // a new incident's id
        channel = s->inc.channel_id;
    }
}

void log_line(flows::log_level level, const std::string& line, const line_context& context) {
    if (level == flows::log_level::none) return;
    const std::pair<std::string_view, const std::string*> named[] = {
        {"incident", &context.incident}, {"channel", &context.channel}, {"method", &context.method},
        {"envelope", &context.envelope}, {"error", &context.error}};
    std::array<bot::log_field, std::size(named)> fields;
    std::size_t n = 0;
    for (const auto& [key, value] : named)
        if (!value->empty()) fields[n++] = {key, *value};
    const std::span<const bot::log_field> present(fields.data(), n);
    switch (level) {
    case flows::log_level::none: return;
    case flows::log_level::debug: log_with_fields(bot::log_level::debug, "bot", line, present); return;
    case flows::log_level::info: log_with_fields(bot::log_level::info, "bot", line, present); return;
    case flows::log_level::warn: log_with_fields(bot::log_level::warn, "bot", line, present); return;
    case flows::log_level::error: log_with_fields(bot::log_level::error, "bot", line, present); return;
    }
}

executor::executor(slack_api& api, recorder& rec, app_state& st, event_intake& events,
                   std::function<void()> wake_reminders)
    : api_(api), rec_(rec), st_(st), events_(events), wake_reminders_(std::move(wake_reminders)) {}

net::awaitable<flows::event> executor::perform(flows::effect what, std::shared_ptr<command_reply> reply) {
    // Slack: a Web API call, an answer to the person who typed the command.
    if (auto* c = std::get_if<flows::call>(&what)) {
        flows::call made = std::move(*c);
        co_return co_await call(std::move(made));
    }
    if (auto* r = std::get_if<flows::reply>(&what)) {
        std::string text = std::move(r->text);
        co_await answer(std::move(reply), std::move(text));
        co_return flows::ok{};
    }
    if (auto* a = std::get_if<flows::ack>(&what)) {
        if (reply) send_ack(*reply->sink, *a);
        co_return flows::ok{};
    }

    // Durable writes and reads, on the storage thread.
    if (auto* c = std::get_if<flows::create_incident>(&what)) {
        // A redelivered declare gets the incident stored the first time: read it back from `out`.
        auto out = std::make_shared<flows::create_incident>(std::move(*c));
        recorder::work_fn work = [out](storage::store& s) { s.create_incident(out->inc, out->entry); };
        flows::event ev = co_await write(std::move(work));
        if (std::holds_alternative<flows::stored>(ev)) ev = flows::stored{out->inc};
        co_return ev;
    }
    if (auto* c = std::get_if<flows::save_change>(&what)) {
        recorder::work_fn work = [inc = std::move(c->inc), e = std::move(c->entry)](storage::store& s) {
            s.save_change(inc, e);
        };
        co_return co_await write(std::move(work));
    }
    if (auto* a = std::get_if<flows::append_entry>(&what)) {
        recorder::work_fn work = [e = std::move(a->entry)](storage::store& s) { s.append(e); };
        co_return co_await write(std::move(work));
    }
    if (auto* l = std::get_if<flows::load_summary>(&what)) {
        flows::load_summary spec = std::move(*l);
        co_return co_await load(std::move(spec));
    }

    // Another flow, run to its end.
    if (auto* s = std::get_if<flows::run_summary>(&what)) {
        flows::summary_flow summary(std::move(s->inc), s->with_review, wall_now());
        co_await run(std::move(summary), std::move(reply));
        co_return flows::ok{};
    }

    // What the bot holds in memory.
    remember(what);
    co_return flows::ok{};
}

void executor::remember(const flows::effect& what) {
    if (const auto* h = std::get_if<flows::hold_events>(&what)) {
        st_.channels.hold(h->channel);
    } else if (const auto* r = std::get_if<flows::release_events>(&what)) {
        event_intake::ack_held(st_.channels.release(r->channel));
    } else if (const auto* o = std::get_if<flows::open_incident>(&what)) {
        st_.channels.set(o->inc);
        st_.observer->open_incidents(st_.channels.open_count());
        st_.reminders.track(o->inc, reminder_state{});
        wake_reminders_();
        auto held = st_.channels.release(o->inc.channel_id);
        if (o->inc.is_private) {
            st_.members.rebuild(o->inc, {});  // the declarer; joins held meanwhile follow
            for (const auto& kept : held) st_.members.apply(o->inc.channel_id, kept.entry);
        }
        events_.store_held(std::move(held), o->inc.id);
    } else if (const auto* s = std::get_if<flows::set_incident>(&what)) {
        st_.channels.set(s->inc);  // a resolve or a reopen changes the count
        st_.observer->open_incidents(st_.channels.open_count());
    } else if (const auto* p = std::get_if<flows::replan_reminders>(&what)) {
        // Severity and status re-plan the reminders; a status-page update, a reminder or a
        // snooze moves them.
        if (p->changed) st_.reminders.on_incident_changed(*p->changed);
        if (p->entry) st_.reminders.on_entry(p->incident_id, *p->entry);
        wake_reminders_();
    } else if (const auto* f = std::get_if<flows::forget_reminders>(&what)) {
        st_.reminders.forget(f->incident_id);
    } else if (const auto* k = std::get_if<flows::keep_responders>(&what)) {
        st_.responders.last_read = k->members;
    }
}

net::awaitable<flows::event> executor::call(flows::call c) {
    call_options opts;
    opts.idempotent = c.idempotent;
    call_result r = co_await api_.call(std::move(c.method), std::move(c.args), opts);
    co_return flows::called{r.outcome, std::move(r.error), std::move(r.response.body)};
}

net::awaitable<flows::event> executor::write(recorder::work_fn work) {
    std::string failure;  // (no co_await inside a catch block)
    try {
        co_await async_record(rec_, std::move(work), net::use_awaitable);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (failure.empty()) co_return flows::stored{};
    co_return flows::store_failed{std::move(failure)};
}

net::awaitable<flows::event> executor::load(flows::load_summary what) {
    auto data = std::make_shared<flows::loaded>();
    // Runs on the storage thread, inside its group transaction.
    recorder::work_fn work = [data, what = std::move(what)](storage::store& s) {
        data->timeline = s.timeline(what.incident_id);
        if (!what.with_history) return;
        auto past = s.incidents_declared_between(what.history_from, what.history_to);
        const std::size_t first = past.size() > what.max_history ? past.size() - what.max_history : 0;
        for (std::size_t i = first; i < past.size(); ++i)
            if (past[i].id != what.incident_id)
                data->earlier.push_back({past[i], s.timeline_of_kinds(past[i].id, what.history_kinds)});
    };
    flows::event ev = co_await write(std::move(work));
    if (std::holds_alternative<flows::store_failed>(ev)) co_return ev;
    co_return std::move(*data);
}

net::awaitable<void> executor::answer(std::shared_ptr<command_reply> reply, std::string text) {
    if (!reply) co_return;  // a button click: the channel announcement is the answer
    flows::effect how = reply->policy.answer(std::move(text));
    if (const auto* a = std::get_if<flows::ack>(&how)) {
        send_ack(*reply->sink, *a);
        co_return;
    }
    if (auto* c = std::get_if<flows::call>(&how)) {
        flows::call dm = std::move(*c);
        line_context context = line_context::of(dm);
        flows::event ev = co_await call(std::move(dm));
        context.add(ev);
        const flows::action after = reply->policy.delivered(std::get<flows::called>(ev));
        log_line(after.level, after.log, context);
    }
}

net::awaitable<void> executor::watchdog(std::shared_ptr<command_reply> reply) {
    net::steady_timer t(co_await net::this_coro::executor);
    t.expires_after(flows::reply_policy::budget);
    auto [ec] = co_await t.async_wait(use_tuple);
    (void)ec;
    flows::effect how = reply->policy.budget_elapsed();
    if (const auto* a = std::get_if<flows::ack>(&how)) send_ack(*reply->sink, *a);
}

}  // namespace ib::bot
