#include "bot/app/executor.hpp"

#include "bot/app/async_record.hpp"
#include "bot/log.hpp"
#include "bot/use_tuple.hpp"
#include "core/catchup.hpp"
#include "core/flows/post_summary.hpp"
#include "core/recording.hpp"
#include "core/summary_lease.hpp"
#include "core/users.hpp"
#include "storage/store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
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

// Sends the ack `a` on `sink`, with its payload when it has one.
void send_ack(frame_sink& sink, const flows::ack& a) {
    sink.send(a.payload.is_null() ? slack::make_ack(a.envelope_id) : slack::make_ack(a.envelope_id, a.payload));
}

// Sends what a reply_policy decided, when it is an ack (and there is a connection to send it on).
void ack_if(const command_reply& reply, const flows::effect& how) {
    if (const auto* a = std::get_if<flows::ack>(&how); a != nullptr && reply.sink) send_ack(*reply.sink, *a);
}

// co_await read_on(reader, read): runs `read` on the reader's thread; rethrows what it threw.
template <class Token>
auto read_on(reader& rd, reader::read_fn read, Token&& token) {
    return net::async_initiate<Token, void(std::exception_ptr)>(
        [&rd](auto handler, reader::read_fn r) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            rd.submit(std::move(r), [h](std::exception_ptr e) { (*h)(e); });
        },
        token, std::move(read));
}

std::string what_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "unknown error";
    }
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
    } else if (const auto* tt = std::get_if<flows::take_turn>(&what)) {
        c.incident = std::to_string(tt->incident_id);
    } else if (const auto* et = std::get_if<flows::end_turn>(&what)) {
        if (et->committed)
            about(*et->committed);
        else
            c.incident = std::to_string(et->incident_id);
    } else if (const auto* ci = std::get_if<flows::create_incident>(&what)) {
        about(ci->inc);
    } else if (const auto* sc = std::get_if<flows::save_change>(&what)) {
        about(sc->inc);
    } else if (const auto* ae = std::get_if<flows::append_entry>(&what)) {
        c.incident = std::to_string(ae->entry.incident_id);
    } else if (const auto* cr = std::get_if<flows::claim_reminder>(&what)) {
        c.incident = std::to_string(cr->incident_id);
    } else if (const auto* l = std::get_if<flows::load_summary>(&what)) {
        c.incident = std::to_string(l->incident_id);
    } else if (const auto* rs = std::get_if<flows::run_summary>(&what)) {
        about(rs->inc);
    } else if (const auto* sh = std::get_if<flows::store_history>(&what)) {
        c.incident = std::to_string(sh->incident_id);
        c.channel = sh->channel;
    } else if (const auto* fb = std::get_if<flows::finish_backfill>(&what)) {
        c.incident = std::to_string(fb->incident_id);
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

executor::executor(slack_api& api, recorder& rec, reader& rd, app_state& st, event_intake& events,
                   std::function<void()> wake_reminders)
    : api_(api), rec_(rec), rd_(rd), st_(st), events_(events), wake_reminders_(std::move(wake_reminders)) {}

std::shared_ptr<flow_context> executor::context(std::string key, std::shared_ptr<command_reply> reply,
                                                std::string reply_to) {
    auto ctx = std::make_shared<flow_context>();
    ctx->key = std::move(key);
    ctx->reply = std::move(reply);
    ctx->reply_to = std::move(reply_to);
    return ctx;
}

std::function<void(std::exception_ptr)> executor::task_done() {
    return [this](std::exception_ptr e) {
        if (!e) return;
        if (on_task_failure) return on_task_failure(e);
        log_error("bot", "task failed: " + what_of(e));
    };
}

// ---- the journal --------------------------------------------------------------------------------

flows::journal_write executor::journal_rule_for(const flows::effect& what, const flow_context& ctx) const {
    const auto route = !ctx.reply || ctx.reply->policy.drops_answers() ? flows::reply_route::dropped
                       : ctx.reply->policy.answers_by_message()       ? flows::reply_route::message
                                                                      : flows::reply_route::ack;
    const flows::journal_write rule = flows::journal_rule(what, ctx.durable, route);
    if (rule == flows::journal_write::before && ctx.key.empty()) return flows::journal_write::none;
    return rule;
}

bool executor::own(flows::effect& what) const {
    auto* c = std::get_if<flows::save_change>(&what);
    if (c == nullptr || c->entry.kind != entry_kind::resolve) return false;
    stamp_owner(c->entry, st_.summaries.lease().owner);
    return true;
}

void executor::resolved(const flows::event& ev) const {
    const auto* s = std::get_if<flows::stored>(&ev);
    if (s != nullptr && !s->duplicate && on_resolved) on_resolved();
}

net::awaitable<bool> executor::save_state(std::shared_ptr<flow_context> ctx, std::string_view kind,
                                          std::string state) {
    if (ctx->durable && state == ctx->last_saved) co_return true;  // nothing new to write down
    storage::store::flow_row row{ctx->key, std::string(kind), ++ctx->steps, state, owner(), wall_now()};
    recorder::work_fn work = [row = std::move(row)](storage::store& s) { s.save_flow(row); };
    ++ctx->writes_in_flight;
    flows::event ev = co_await durable_write(std::move(work));
    --ctx->writes_in_flight;
    const bool saved = std::holds_alternative<flows::stored>(ev);
    if (saved) {
        ctx->last_saved = std::move(state);
        durable(*ctx);
    } else {
        log_error("bot", "could not record the progress of flow " + ctx->key + ": " +
                             std::get<flows::store_failed>(ev).error);
    }
    if (ctx->changed) ctx->changed->cancel();
    co_return saved;
}

void executor::durable(flow_context& ctx) {
    ctx.durable = true;
    if (ctx.reply) ack_if(*ctx.reply, ctx.reply->policy.durable());
}

void executor::end(flow_context& ctx) {
    ctx.finished = true;
    if (ctx.changed) ctx.changed->cancel();  // a watchdog waiting on it finds the flow over
    if (ctx.reply) ack_if(*ctx.reply, ctx.reply->policy.finished());
    if (ctx.key.empty() || ctx.steps == 0) return;
    // Nobody waits for this write: if it is lost, the flow is resumed at its last state and ends.
    rec_.submit([key = ctx.key, owner = owner()](storage::store& s) { s.forget_flow(key, owner); }, nullptr);
}

net::awaitable<void> executor::watchdog(std::shared_ptr<flow_context> ctx) {
    net::steady_timer t(co_await net::this_coro::executor);
    t.expires_after(flows::reply_policy::budget);
    auto [ec] = co_await t.async_wait(use_tuple);
    (void)ec;
    if (!ctx->changed) ctx->changed = std::make_shared<net::steady_timer>(co_await net::this_coro::executor);
    for (;;) {
        if (!ctx->reply || ctx->finished || ctx->reply->policy.current() != flows::reply_policy::stage::waiting)
            co_return;
        // The command, or its change, is durable: ack now, with the holding message.
        if (ctx->durable || ctx->key.empty()) {
            ack_if(*ctx->reply, ctx->reply->policy.budget_elapsed());
            co_return;
        }
        // A journal write is on its way (the change itself, or the state before a post): wait for it.
        if (ctx->writes_in_flight > 0 || !ctx->snapshot) {
            ctx->changed->expires_at(net::steady_timer::time_point::max());
            auto [wec] = co_await ctx->changed->async_wait(use_tuple);
            (void)wec;  // cancelled when a write completed: look again
            continue;
        }
        // Store the command itself (its flow's current state) before acking.
        auto [kind, state] = ctx->snapshot();
        const bool saved = co_await save_state(ctx, kind, std::move(state));
        if (!saved) co_return;  // not acked: Slack tells the user it failed (logged)
    }
}

net::awaitable<flows::event> executor::write(recorder::work_fn work, std::shared_ptr<flows::event> out,
                                             std::shared_ptr<flow_context> ctx) {
    ++ctx->writes_in_flight;
    flows::event ev = co_await durable_write(std::move(work));
    --ctx->writes_in_flight;
    if (std::holds_alternative<flows::stored>(ev)) {
        ev = *out;
        learn(ev);
        if (!ctx->key.empty() && on_stored) on_stored();
        if (!ctx->key.empty()) durable(*ctx);
    }
    if (ctx->changed) ctx->changed->cancel();
    co_return ev;
}

executor::store_job executor::store_writes(flows::effect what) {
    auto out = std::make_shared<flows::event>(flows::stored{});
    if (auto* c = std::get_if<flows::create_incident>(&what)) {
        // A redelivered declare gets the incident stored the first time: it is read back into `out`.
        recorder::work_fn work = [out, inc = std::move(c->inc), e = std::move(c->entry)](storage::store& s) {
            incident stored_inc = inc;
            timeline_entry entry = e;
            s.create_incident(stored_inc, entry);
            *out = flows::stored{std::move(stored_inc)};
        };
        return {std::move(work), out};
    }
    if (auto* c = std::get_if<flows::save_change>(&what)) {
        // Under the incident's row lock: planned from a version another instance replaced, the
        // flow plans again from the row (turn); a key stored already is a command handled already.
        recorder::work_fn work = [out, inc = std::move(c->inc), e = std::move(c->entry),
                                  base = std::move(c->base)](storage::store& s) {
            auto r = s.save_change_from(base, inc, e);
            using outcome = storage::store::change_outcome;
            if (r.outcome == outcome::stale)
                *out = flows::turn{std::move(r.current)};
            else
                *out = flows::stored{std::move(r.current), r.outcome == outcome::duplicate};
        };
        return {std::move(work), out};
    }
    auto& a = std::get<flows::append_entry>(what);
    recorder::work_fn work = [e = std::move(a.entry)](storage::store& s) { s.append(e); };
    return {std::move(work), out};
}

void executor::learn(const flows::event& ev) {
    const incident* current = nullptr;
    if (const auto* t = std::get_if<flows::turn>(&ev)) current = &t->inc;
    if (const auto* s = std::get_if<flows::stored>(&ev); s != nullptr && s->duplicate) current = &s->inc;
    if (current == nullptr || current->id == 0) return;
    if (st_.channels.learn(*current)) st_.observer->open_incidents(st_.channels.open_count());
}

// ---- effects --------------------------------------------------------------------------------

net::awaitable<flows::event> executor::perform(flows::effect what, std::shared_ptr<flow_context> ctx) {
    // Slack: a Web API call, an answer to the person who typed the command.
    if (auto* c = std::get_if<flows::call>(&what)) {
        flows::call made = std::move(*c);
        co_return co_await call(std::move(made));
    }
    if (auto* r = std::get_if<flows::reply>(&what)) {
        std::string text = std::move(r->text);
        std::shared_ptr<command_reply> to = ctx->reply;
        co_await answer(std::move(to), std::move(text));
        co_return flows::ok{};
    }
    if (auto* a = std::get_if<flows::ack>(&what)) {
        if (ctx->reply && ctx->reply->sink) send_ack(*ctx->reply->sink, *a);
        co_return flows::ok{};
    }

    // Reads, on the reader's connection.
    if (auto* l = std::get_if<flows::load_summary>(&what)) {
        flows::load_summary spec = std::move(*l);
        co_return co_await load(std::move(spec));
    }
    if (auto* m = std::get_if<flows::load_message>(&what)) {
        flows::load_message spec = std::move(*m);
        co_return co_await load_entry(std::move(spec));
    }
    // An entry stored by a flow that keeps no journal (core/flows/correct.hpp), deduplicated on
    // its key like every entry.
    if (auto* a = std::get_if<flows::append_entry>(&what)) {
        recorder::work_fn work = [e = std::move(a->entry)](storage::store& s) { s.append(e); };
        co_return co_await durable_write(std::move(work));
    }

    if (auto* c = std::get_if<flows::claim_reminder>(&what)) {
        const flows::claim_reminder asked = *c;
        co_return co_await claim(asked);
    }

    // Changes to one incident, one at a time.
    if (auto* t = std::get_if<flows::take_turn>(&what)) {
        flows::take_turn asked = std::move(*t);
        co_return co_await take(std::move(asked));
    }
    if (auto* p = std::get_if<flows::replan_reminders>(&what)) {
        flows::replan_reminders change = std::move(*p);
        co_await replan(std::move(change));
        co_return flows::ok{};
    }

    // The catch-up from Slack's history (backfill.hpp): its pages and its end are stored through
    // the recorder like live events (no journal: the catch-up marks say where to start again),
    // and its pacing waits.
    if (auto* h = std::get_if<flows::store_history>(&what)) {
        flows::store_history page = std::move(*h);
        co_return co_await store_history(std::move(page));
    }
    if (auto* f = std::get_if<flows::finish_backfill>(&what)) {
        recorder::work_fn work = [f = std::move(*f)](storage::store& s) {
            const storage::backfill_gap claimed{f.channel, f.since_ts, f.down_from};
            s.finish_backfill(f.incident_id, f.epoch, f.gap ? &*f.gap : nullptr, f.claimed ? &claimed : nullptr);
        };
        co_return co_await durable_write(std::move(work));
    }
    // The users.info cache (resolve_user.hpp): a durable write, no journal (a lost lookup is
    // simply asked again).
    if (auto* u = std::get_if<flows::save_user>(&what)) {
        recorder::work_fn work = [p = std::move(u->profile)](storage::store& s) { s.save_user(p); };
        co_return co_await durable_write(std::move(work));
    }
    if (const auto* w = std::get_if<flows::wait>(&what)) {
        const std::chrono::milliseconds delay = w->delay;
        co_return co_await wait(delay);
    }

    // What the bot holds in memory.
    remember(what);
    co_return flows::ok{};
}

net::awaitable<flows::event> executor::summarize(flows::run_summary what, std::shared_ptr<flow_context> ctx) {
    // Runs to its end under the same journal entry: it takes over from the flow that started it.
    // On resolve, leased to this instance (the resolve names it): marked once posted.
    flows::summary_flow summary(std::move(what.inc), what.with_review, wall_now(), {}, std::move(what.resolve_key),
                                st_.summaries.lease().owner);
    co_await run(std::move(summary), std::move(ctx), false, true);
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
        // Several instances: what the others had of the channel before the store is in its history.
        if (st_.channels.catch_up_declared() && st_.declared_opened) st_.declared_opened(o->inc);
    } else if (const auto* e = std::get_if<flows::end_turn>(&what)) {
        // Only the holder ends a turn (a flow resumed after a restart holds none): memory then
        // becomes what it committed, and the next change in line may plan from it.
        if (!st_.turns.holds(e->incident_id, e->key)) return;
        if (e->committed) {
            st_.channels.set(*e->committed);
            st_.observer->open_incidents(st_.channels.open_count());  // a resolve or a reopen changes it
        }
        if (const auto next = st_.turns.release(e->incident_id, e->key))
            if (auto it = waiting_.find(*next); it != waiting_.end()) it->second->cancel();
    } else if (const auto* f = std::get_if<flows::forget_reminders>(&what)) {
        st_.reminders.forget(f->incident_id);
    } else if (const auto* k = std::get_if<flows::keep_responders>(&what)) {
        st_.responders.last_read = k->members;
    }
}

net::awaitable<flows::event> executor::take(flows::take_turn t) {
    if (!st_.turns.request(t.incident_id, t.key)) {
        // Earlier changes of this incident are being stored: wait for the one before to end its turn.
        auto timer = std::make_shared<net::steady_timer>(co_await net::this_coro::executor);
        timer->expires_at(net::steady_timer::time_point::max());
        waiting_[t.key] = timer;
        while (!st_.turns.holds(t.incident_id, t.key)) {
            auto [ec] = co_await timer->async_wait(use_tuple);
            (void)ec;  // cancelled by end_turn: look again
            timer->expires_at(net::steady_timer::time_point::max());
        }
        waiting_.erase(t.key);
    }
    const incident* inc = st_.channels.find(t.incident_id);
    if (inc == nullptr) {
        (void)st_.turns.release(t.incident_id, t.key);
        co_return flows::store_failed{"incident " + std::to_string(t.incident_id) + " is not known"};
    }
    co_return flows::turn{*inc};
}

net::awaitable<std::string> executor::read_or_why(reader::read_fn read) {
    std::string failure;  // (no co_await inside a catch block)
    try {
        co_await read_on(rd_, std::move(read), net::use_awaitable);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    co_return failure;
}

net::awaitable<void> executor::look_up_channel(std::string channel) {
    if (!st_.channels.looks_up_misses() || channel.empty() || st_.channels.find(channel) != nullptr) co_return;
    // Read on the reader's connection: the incident and what its reminder schedule follows.
    auto found = std::make_shared<channel_incident>();
    reader::read_fn read = [found, channel](const storage::store& s) { *found = read_channel_incident(s, channel); };
    std::string failure = co_await read_or_why(std::move(read));
    if (!failure.empty()) {
        log_warn("bot", "could not look up the incident of channel " + channel + ": " + failure);
        co_return;
    }
    if (found->inc) learn_incident(*found->inc, found->schedule_entries);
}

void executor::learn_incident(const incident& inc, std::span<const timeline_entry> reminder_entries) {
    if (!st_.channels.learn(inc)) return;
    st_.observer->open_incidents(st_.channels.open_count());
    if (!inc.is_open() || st_.reminders.state(inc.id) != nullptr) return;
    st_.reminders.track(inc, derive_reminder_state(reminder_entries));
    wake_reminders_();
}

// What a reminder's claim reads: its schedule, and the resolves, so that an instance hears of
// another's resolve whose summary it may have to take over.
constexpr entry_kind k_claim_kinds[] = {entry_kind::statuspage, entry_kind::reminder, entry_kind::resolve};

net::awaitable<flows::event> executor::claim(flows::claim_reminder c) {
    // Decided and stored on the storage thread, under the incident's row lock.
    auto out = std::make_shared<storage::store::claim_result>();
    recorder::work_fn work = [out, c, policy = st_.reminders.policy(), lease = st_.reminders.lease()](storage::store& s) {
        *out = s.claim(c.incident_id, k_claim_kinds, [&](const incident& inc, std::span<const timeline_entry> entries) {
            return reminder_to_claim(inc, entries, c.now, policy, lease);
        });
    };
    flows::event ev = co_await durable_write(std::move(work));
    if (!std::holds_alternative<flows::stored>(ev)) co_return ev;
    if (!out->inc) co_return flows::store_failed{"incident " + std::to_string(c.incident_id) + " is not stored"};
    // The schedule follows the database: what other instances changed, posted or snoozed counts.
    if (st_.channels.learn(*out->inc)) st_.observer->open_incidents(st_.channels.open_count());
    st_.reminders.track(*out->inc, derive_reminder_state(out->entries));
    st_.summaries.track(*out->inc, out->entries);
    wake_reminders_();
    if (out->claimed && on_claimed) on_claimed();
    flows::stored claimed{*out->inc, !out->claimed, std::nullopt};
    if (out->claimed && !out->entries.empty()) claimed.entry = out->entries.back();  // the one stored here
    co_return claimed;
}

net::awaitable<void> executor::take_over_summary(std::int64_t incident_id, time_point now) {
    // Decided and stored on the storage thread, under the incident's row lock: of the instances
    // deciding alike, one stores the takeover.
    auto out = std::make_shared<storage::store::claim_result>();
    recorder::work_fn work = [out, incident_id, now, lease = st_.summaries.lease(),
                              exclusive = st_.summaries.exclusive()](storage::store& s) {
        *out = s.claim(incident_id, k_summary_lease_kinds, [&](const incident& inc, std::span<const timeline_entry> entries) {
            return summary_to_claim(inc, entries, now, lease, exclusive);
        });
    };
    const flows::event ev = co_await durable_write(std::move(work));
    if (const auto* f = std::get_if<flows::store_failed>(&ev)) {
        log_warn("bot", "could not take over the summary, trying again later: " + f->error,
                 {{"incident", std::to_string(incident_id)}});
        st_.summaries.postpone(incident_id, now + st_.summaries.lease().length);
        wake_reminders_();
        co_return;
    }
    if (!out->inc) {
        st_.summaries.forget(incident_id);
        co_return;
    }
    // The schedule follows the database: a mark or another's takeover ends the wait here.
    if (st_.channels.learn(*out->inc)) st_.observer->open_incidents(st_.channels.open_count());
    st_.summaries.track(*out->inc, out->entries);
    wake_reminders_();
    if (!out->claimed) co_return;  // decided otherwise: marked, reopened, or taken over elsewhere
    // Claimed here: post the summary and the review prompt, then mark them (not journaled: a
    // crash before the mark leaves the takeover to the next instance, after the lease).
    const timeline_entry& taken = out->entries.back();
    log_info("bot", "taking over the summary of incident " + std::to_string(incident_id) + ": its lease ended unmarked",
             {{"incident", std::to_string(incident_id)}, {"channel", out->inc->channel_id}});
    flows::summary_flow summary(*out->inc, true, now, {}, taken.attr("of"), st_.summaries.lease().owner);
    auto ctx = context({}, nullptr);  // GCC 12 (bug 98401): a named local, not a temporary in the co_await
    co_await run_kept(summary, std::move(ctx));
}

net::awaitable<bool> executor::sweep_resolved(time_point from) {
    // Read on the reader's connection: one query for the incidents, one indexed read each.
    struct resolved_incident {
        incident inc;
        std::vector<timeline_entry> entries;
    };
    auto found = std::make_shared<std::vector<resolved_incident>>();
    reader::read_fn read = [found, from](const storage::store& s) {
        for (auto& inc : s.incidents_resolved_since(from)) {
            auto entries = s.timeline_of_kinds(inc.id, k_summary_lease_kinds);
            found->push_back({std::move(inc), std::move(entries)});
        }
    };
    std::string failure = co_await read_or_why(std::move(read));
    if (!failure.empty()) {
        log_warn("bot", "could not read the incidents resolved lately, trying again later: " + failure);
        co_return false;
    }
    // The schedule follows the database: a resolve left unmarked by another instance is held
    // until its lease ends; what is marked or open is dropped.
    for (const auto& r : *found) {
        if (st_.channels.learn(r.inc)) st_.observer->open_incidents(st_.channels.open_count());
        st_.summaries.track(r.inc, r.entries);
    }
    co_return true;
}

net::awaitable<void> executor::replan(flows::replan_reminders p) {
    // An incident reopened that the schedule does not hold (resolved before a restart): track it
    // again with the state its stored status-page and reminder entries give.
    if (p.changed && p.changed->is_open() && st_.reminders.state(p.incident_id) == nullptr) {
        auto entries = std::make_shared<std::vector<timeline_entry>>();
        const std::int64_t id = p.incident_id;
        reader::read_fn read = [entries, id](const storage::store& s) {
            *entries = s.timeline_of_kinds(id, k_reminder_schedule_kinds);
        };
        const std::string failure = co_await read_or_why(std::move(read));
        if (!failure.empty())
            log_warn("bot", "reminders of incident " + std::to_string(id) +
                                " restart from scratch: its history could not be read: " + failure);
        st_.reminders.track(*p.changed, derive_reminder_state(*entries));
    }
    // Severity and status re-plan the reminders; a status-page update, a reminder or a
    // snooze moves them.
    if (p.changed) st_.reminders.on_incident_changed(*p.changed);
    if (p.entry) st_.reminders.on_entry(p.incident_id, *p.entry);
    wake_reminders_();
}

net::awaitable<flows::event> executor::call(flows::call c) {
    call_options opts;
    opts.idempotent = c.idempotent;
    opts.return_rate_limits = c.own_rate_limit;
    call_result r = co_await api_.call(std::move(c.method), std::move(c.args), opts);
    co_return flows::called{r.outcome, std::move(r.error), std::move(r.response.body), r.response.retry_after};
}

net::awaitable<void> executor::catch_up(incident inc, std::string user, std::shared_ptr<command_reply> reply) {
    const std::string id = std::to_string(inc.id);
    // Never to a bot: users.info tells (Slack's join events do not).
    if (!reply) {
        flows::call who{"users.info", nlohmann::json{{"user", user}}, true, false};
        flows::event asked = co_await call(std::move(who));
        const auto* answer = std::get_if<flows::called>(&asked);
        if (answer && answer->outcome == slack::api_outcome::ok && answer->body.contains("user") &&
            answer->body["user"].value("is_bot", false)) {
            log_info("bot", "no catch-up for " + user + ": a bot", {{"incident", id}, {"channel", inc.channel_id}});
            co_return;
        }
        // Claimed before it is sent, once per person per incident (catchup_entry's key): a second
        // join sends none; a crash between the claim and the post costs this one (never twice).
        auto claimed = std::make_shared<bool>(false);
        recorder::work_fn work = [claimed, e = catchup_entry(inc.id, user, wall_now())](storage::store& s) {
            *claimed = s.append(e);
        };  // GCC 12: a named local, not a temporary in the co_await
        const flows::event claim = co_await durable_write(std::move(work));
        if (const auto* f = std::get_if<flows::store_failed>(&claim)) {
            log_warn("bot", "catch-up for " + user + " not made: " + f->error, {{"incident", id}, {"channel", inc.channel_id}});
            co_return;
        }
        if (!*claimed) co_return;  // given before
    }
    // Read and rendered on the reader's thread: a long timeline never holds up the acks.
    auto out = std::make_shared<catchup_message>();
    reader::read_fn read = [out, inc, now = wall_now()](const storage::store& s) {
        *out = render_catchup(incident_record{inc, history_of(s.timeline(inc.id)), {}}, now);
    };
    const std::string failure = co_await read_or_why(std::move(read));
    if (!failure.empty()) {
        log_warn("bot", "catch-up for " + user + " not made: " + failure, {{"incident", id}, {"channel", inc.channel_id}});
        if (!reply) co_return;
        std::string sorry = "Sorry, I could not read the incident's record just now.";  // GCC 12: a named local
        co_await answer(std::move(reply), std::move(sorry));
        co_return;
    }
    if (reply) {
        std::string text = std::move(out->text);
        co_await answer(std::move(reply), std::move(text));
        co_return;
    }
    // Only the joiner sees it; a post is never made twice.
    flows::call post{"chat.postEphemeral",
                     nlohmann::json{{"channel", inc.channel_id}, {"user", user}, {"text", out->text}, {"blocks", out->blocks}},
                     false, false};
    flows::event sent = co_await call(std::move(post));
    const auto* result = std::get_if<flows::called>(&sent);
    if (result && result->outcome == slack::api_outcome::ok) log_info("bot", "catch-up sent to " + user, {{"incident", id}, {"channel", inc.channel_id}});
    else log_warn("bot", "catch-up for " + user + " not sent: " + (result ? result->error : std::string("?")),
                  {{"incident", id}, {"channel", inc.channel_id}});
}

net::awaitable<flows::event> executor::durable_write(recorder::work_fn work) {
    std::string failure;  // (no co_await inside a catch block)
    try {
        co_await async_record(rec_, std::move(work), net::use_awaitable);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (failure.empty()) co_return flows::stored{};
    co_return flows::store_failed{std::move(failure)};
}

net::awaitable<flows::event> executor::load_entry(flows::load_message what) {
    auto out = std::make_shared<flows::message_loaded>();
    reader::read_fn read = [out, what = std::move(what)](const storage::store& s) {
        out->entry = s.message(what.incident_id, what.slack_ts);
    };
    std::string failure = co_await read_or_why(std::move(read));
    if (!failure.empty()) co_return flows::store_failed{std::move(failure)};
    co_return std::move(*out);
}

net::awaitable<flows::event> executor::load(flows::load_summary what) {
    auto out = std::make_shared<flows::rendered>();
    // On the reader's own connection and thread: the recorder's group commits go on meanwhile,
    // and the I/O thread keeps acking while a long timeline is summarized and freed.
    reader::read_fn read = [out, what = std::move(what)](const storage::store& s) {
        flows::loaded data;
        data.timeline = s.timeline(what.incident_id);
        // Names for the plain-text headers (a title's <@U…> reads "@name"), from the users cache
        // (the declare entry quotes the title, so its mentions are among these).
        data.names = s.names_of(users_referenced(incident{}, data.timeline));
        if (what.with_history) {
            auto past = s.incidents_declared_between(what.history_from, what.history_to);
            const std::size_t first = past.size() > what.max_history ? past.size() - what.max_history : 0;
            for (std::size_t i = first; i < past.size(); ++i)
                if (past[i].id != what.incident_id)
                    data.earlier.push_back({past[i], s.timeline_of_kinds(past[i].id, what.history_kinds), {}});
        }
        *out = flows::render_summary(what, std::move(data));
    };
    std::exception_ptr failure;
    try {
        co_await read_on(rd_, std::move(read), net::use_awaitable);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) co_return flows::store_failed{what_of(failure)};
    co_return std::move(*out);
}

net::awaitable<flows::event> executor::store_history(flows::store_history page) {
    auto out = std::make_shared<flows::recovered>();
    auto membership = std::make_shared<std::vector<timeline_entry>>();  // joins and leaves newly stored
    auto people = std::make_shared<std::vector<std::string>>();         // whom the stored entries show
    const std::string channel = page.channel;
    // Converted (tagging included) and stored on the storage thread, inside its group, like live
    // events; the 📌 reactions are reconciled against the pins the timeline holds.
    recorder::work_fn work = [out, membership, people, page = std::move(page), bot = st_.bot_user_id,
                              now = wall_now()](storage::store& s) mutable {
        const entry_kind pins[] = {entry_kind::key_moment, entry_kind::unreaction};
        const auto recorded = s.timeline_of_kinds(page.incident_id, pins);
        history_page converted = history_page_entries(page.messages, page.channel, bot, recorded, now);
        for (auto& e : converted.entries) e.incident_id = page.incident_id;
        const auto added = s.append_batch(converted.entries);
        out->stored = static_cast<std::size_t>(std::count(added.begin(), added.end(), true));
        for (std::size_t i = 0; i < added.size() && i < converted.entries.size(); ++i) {
            if (!added[i]) continue;
            // Names for whoever a recovered entry shows, as for live events (a bot is no user).
            if (converted.entries[i].kind != entry_kind::bot_message)
                for (auto& id : users_referenced(incident{}, std::span(&converted.entries[i], 1)))
                    people->push_back(std::move(id));
            if (converted.entries[i].kind == entry_kind::join || converted.entries[i].kind == entry_kind::leave)
                membership->push_back(std::move(converted.entries[i]));
        }
        out->unusable = converted.unusable;
        if (converted.unusable > 0)
            log_warn("bot", "skipping " + std::to_string(converted.unusable) + " unusable message(s) in the history of " +
                                page.channel + ": " + converted.first_problem);
    };
    flows::event ev = co_await durable_write(std::move(work));
    if (std::holds_alternative<flows::store_failed>(ev)) co_return ev;
    // Who joined or left while the bot was away now sees (or no longer sees) a private incident
    // listed, as if the bot had heard it live; oldest first.
    std::stable_sort(membership->begin(), membership->end(),
                     [](const timeline_entry& a, const timeline_entry& b) { return a.at < b.at; });
    for (const auto& e : *membership) st_.members.apply(channel, e);
    // Looked up off this path, like the authors of live events (user_resolver).
    if (st_.users_seen && !people->empty()) st_.users_seen(std::move(*people));
    co_return *out;
}

net::awaitable<flows::event> executor::wait(std::chrono::milliseconds delay) {
    net::steady_timer t(co_await net::this_coro::executor);
    t.expires_after(delay);
    const auto it = waits_.insert(waits_.end(), &t);
    auto [ec] = co_await t.async_wait(use_tuple);
    (void)ec;  // elapsed, or cut short by cancel_waits()
    waits_.erase(it);
    co_return flows::ok{};
}

void executor::cancel_waits() {
    for (auto* t : waits_) t->cancel();
}

net::awaitable<void> executor::answer(std::shared_ptr<command_reply> reply, std::string text) {
    if (!reply) co_return;  // a timer: nobody to answer
    flows::effect how = reply->policy.answer(std::move(text));
    if (const auto* a = std::get_if<flows::ack>(&how)) {
        if (reply->sink) send_ack(*reply->sink, *a);
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

}  // namespace ib::bot
