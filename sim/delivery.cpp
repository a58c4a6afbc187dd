#include "sim/delivery.hpp"

#include "sim/payloads.hpp"

#include <algorithm>
#include <stdexcept>

namespace ib::sim::detail {

namespace {

bool
is_command_type(const std::string& type)
{
    return type == "slash_commands" || type == "interactive";
}

}  // namespace

delivery::delivery(const simulator_options& opts, id_source& ids) : opts_(opts), ids_(ids)
{
    rng_.seed(opts.seed.value_or(mix64(ids.seed())));
}

void
delivery::set_hooks(hooks h)
{
    std::lock_guard lock(m_);
    hooks_ = std::move(h);
}

//-- frames to send -----------------------------------------------------------------------

std::string
delivery::submit(json env, steady::time_point now)
{
    if (!env.is_object())
        throw std::invalid_argument("slack_simulator: an envelope must be a JSON object");
    if (!env.contains("envelope_id") || !env["envelope_id"].is_string())
        env["envelope_id"] = ids_.uuid();
    auto id = env["envelope_id"].get<std::string>();
    auto type = env.contains("type") && env["type"].is_string() ? env["type"].get<std::string>() : std::string();
    std::size_t attempt = 0;
    if (type == "events_api" && env.contains("retry_attempt") && env["retry_attempt"].is_number_integer())
        attempt = static_cast<std::size_t>(std::max<long long>(0, env["retry_attempt"].get<long long>()));
    out_frame f{frame_kind::text, to_text(env), id, 0};
    std::unique_lock lock(m_);
    envelopes_sent_[id] = f.text;
    accept(std::move(f), type, attempt, now);
    auto todo = take_hooks();
    lock.unlock();
    run_hooks(std::move(todo));
    return id;
}

void
delivery::submit_events(std::vector<std::pair<std::string, std::string>> envelopes, steady::time_point now)
{
    std::unique_lock lock(m_);
    for (auto& [id, text] : envelopes) {
        envelopes_sent_[id] = text;
        accept(out_frame{frame_kind::text, std::move(text), id, 0}, "events_api", 0, now);
    }
    auto todo = take_hooks();
    lock.unlock();
    run_hooks(std::move(todo));
}

void
delivery::submit_text(std::string text, steady::time_point now)
{
    std::unique_lock lock(m_);
    accept(out_frame{frame_kind::text, std::move(text), {}, 0}, "", 0, now);
    auto todo = take_hooks();
    lock.unlock();
    run_hooks(std::move(todo));
}

void
delivery::accept(out_frame f, const std::string& type, std::size_t attempt, steady::time_point now)
{
    if (type == "events_api") {
        auto d = ++delivery_seq_;
        deliveries_.emplace(d, tracked{std::move(f.text), f.envelope_id, {f.envelope_id}, attempt, 0, false});
        delivery_by_envelope_[f.envelope_id] = d;
        send_event(d, now);
    } else if (is_command_type(type)) {
        // The user waits for the ack from now on.
        auto deadline = now + opts_.command_ack_deadline;
        commands_[f.envelope_id] = command{deadline};
        command_deadlines_.emplace_back(deadline, f.envelope_id);
        note_deadline(deadline);
        send_command(std::move(f), now);
    } else {
        send_other(std::move(f));
    }
}

// Onto a connection, or into the outbox when no connection is open and when_disconnected is
// queue. false: no connection and retry: the caller decides what the failed attempt means.
bool
delivery::place(out_frame& f)
{
    if (auto* c = choose()) {
        queue_on(*c, std::move(f));
        return true;
    }
    if (opts_.when_disconnected == simulator_options::no_connection::queue) {
        outbox_.push_back(std::move(f));
        return true;
    }
    return false;
}

// One delivery attempt of an event; with no connection (retry) a failed attempt, and so are the
// retries that fall due at once: no connection can open before this returns, so they are counted
// without building their envelopes (nobody sees an attempt made with no connection). Only the
// last one is failed for real, dropping the event or scheduling its next, delayed, retry.
void
delivery::send_event(std::uint64_t d, steady::time_point now)
{
    auto it = deliveries_.find(d);
    if (it == deliveries_.end())
        return;
    out_frame f{frame_kind::text, it->second.text, it->second.envelope_id, d};
    if (place(f))
        return;
    auto& rec = it->second;
    const auto due_at_once = [&](std::size_t attempt) {
        return attempt < opts_.retry_delays.size() ? opts_.retry_delays[attempt].count() <= 0 : true;
    };
    while (rec.attempt < opts_.max_redeliveries && due_at_once(rec.attempt))
        rec.attempt += 1;
    fail_attempt(d, now);  // past max_redeliveries now, or the next retry is a delayed one
}

void
delivery::send_command(out_frame f, steady::time_point now)
{
    // With nowhere to send it, the user sees the command fail at once.
    if (!place(f))
        fail_command(f.envelope_id, "dispatch_failed", now);
}

void
delivery::send_other(out_frame f)
{
    if (auto* c = choose())
        queue_on(*c, std::move(f));
    else
        outbox_.push_back(std::move(f));
}

// A frame that was queued but never written (its connection ended): sent again as it was.
void
delivery::route(out_frame f, steady::time_point now)
{
    if (f.delivery != 0) {
        auto it = deliveries_.find(f.delivery);
        if (it != deliveries_.end() && it->second.envelope_id == f.envelope_id && !it->second.written)
            send_event(f.delivery, now);
    } else if (commands_.count(f.envelope_id)) {
        send_command(std::move(f), now);
    } else {
        send_other(std::move(f));
    }
}

// An attempt of d failed (its connection closed, its ack timed out, or no connection was
// open). Drops d past max_redeliveries; else schedules the next attempt after its delay.
// true: the next attempt is due now (already prepared); the caller sends it.
bool
delivery::fail_attempt(std::uint64_t d, steady::time_point now)
{
    auto it = deliveries_.find(d);
    if (it == deliveries_.end())
        return false;
    auto& rec = it->second;
    rec.written = false;
    rec.conn = 0;
    if (rec.attempt >= opts_.max_redeliveries) {
        lose(d);
        return false;
    }
    auto delay = rec.attempt < opts_.retry_delays.size() ? opts_.retry_delays[rec.attempt] : std::chrono::milliseconds{0};
    if (delay.count() > 0) {
        retry_at_.emplace(now + delay, d);
        note_deadline(now + delay);
        return false;
    }
    next_attempt(d);
    return true;
}

// The envelope for the next attempt: same payload (same event_id), new envelope_id,
// retry_attempt + 1, retry_reason "timeout" (socket-mode-events_api-message.json; bolt-js
// receiver types).
void
delivery::next_attempt(std::uint64_t d)
{
    auto& rec = deliveries_.at(d);
    auto env = json::parse(rec.text, nullptr, false);
    auto id = ids_.uuid();
    rec.attempt += 1;
    if (env.is_object()) {
        env["envelope_id"] = id;
        env["retry_attempt"] = rec.attempt;
        env["retry_reason"] = "timeout";
        rec.text = to_text(env);
    }
    rec.envelope_id = id;
    rec.envelope_ids.push_back(id);
    rec.written = false;
    rec.conn = 0;
    delivery_by_envelope_[id] = d;
    envelopes_sent_[id] = rec.text;
}

void
delivery::lose(std::uint64_t d)
{
    auto it = deliveries_.find(d);
    if (it == deliveries_.end())
        return;
    auto env = json::parse(it->second.text, nullptr, false);
    std::string event_id;
    if (env.is_object() && env.contains("payload") && env["payload"].is_object())
        event_id = arg_string(env["payload"], "event_id");
    lost_.push_back(event_id);
    forget(it);
    cv_.notify_all();
}

void
delivery::fail_command(const std::string& envelope_id, const std::string& error, steady::time_point now)
{
    auto it = commands_.find(envelope_id);
    if (it == commands_.end() || it->second.acked || it->second.failed)
        return;
    it->second.failed = true;
    failures_.push_back(slack_simulator::command_failure{envelope_id, error, now});
    cv_.notify_all();
}

// The connection that gets the next frame. Slack (slack-protocol.md §6): each event goes to ONE
// of the app's open connections, chosen at random; the seeded rng_ makes a test's choices repeat.
delivery::connection*
delivery::choose()
{
    if (open_.empty())
        return nullptr;
    if (opts_.choose_connection == simulator_options::connection_choice::newest)
        return &open_.back();
    std::uniform_int_distribution<std::size_t> pick(0, open_.size() - 1);
    return &open_[pick(rng_)];
}

delivery::connection*
delivery::find(conn_id id)
{
    auto it = std::find_if(open_.begin(), open_.end(), [id](const connection& c) { return c.id == id; });
    return it == open_.end() ? nullptr : &*it;
}

void
delivery::queue_on(connection& c, out_frame f)
{
    c.queue.push_back(std::move(f));
    if (c.idle) {
        c.idle = false;
        pending_kicks_.push_back(c.id);
    }
}

void
delivery::forget(std::unordered_map<std::uint64_t, tracked>::iterator it)
{
    for (auto& e : it->second.envelope_ids)
        delivery_by_envelope_.erase(e);
    deliveries_.erase(it);
}

std::size_t
delivery::expire_undelivered(steady::time_point now)
{
    std::unique_lock lock(m_);
    std::size_t dropped = 0;
    std::deque<out_frame> kept;
    for (auto& f : outbox_) {
        if (f.delivery != 0) {
            if (deliveries_.count(f.delivery)) {
                lose(f.delivery);
                ++dropped;
            }
        } else if (commands_.count(f.envelope_id)) {
            fail_command(f.envelope_id, "dispatch_failed", now);
        } else {
            kept.push_back(std::move(f));
        }
    }
    outbox_ = std::move(kept);
    for (auto& [at, d] : retry_at_) {
        if (deliveries_.count(d)) {
            lose(d);
            ++dropped;
        }
    }
    retry_at_.clear();
    return dropped;
}

//-- connections --------------------------------------------------------------------------

conn_id
delivery::open(steady::time_point now)
{
    (void)now;
    std::unique_lock lock(m_);
    auto id = ++conn_seq_;
    open_.push_back(connection{id, {}, {}, false, false});
    ++opened_;
    auto& c = open_.back();
    c.queue.push_back(out_frame{frame_kind::hello, to_text(hello_frame(open_.size())), {}, 0});
    // Then everything that waited for a connection, in order.
    while (!outbox_.empty()) {
        c.queue.push_back(std::move(outbox_.front()));
        outbox_.pop_front();
    }
    auto todo = take_hooks();
    lock.unlock();
    run_hooks(std::move(todo));
    return id;
}

conn_id
delivery::open_without_hello()
{
    std::lock_guard lock(m_);
    ++opened_;
    return ++conn_seq_;
}

void
delivery::closed(conn_id id, steady::time_point now)
{
    std::unique_lock lock(m_);
    auto it = std::find_if(open_.begin(), open_.end(), [id](const connection& c) { return c.id == id; });
    if (it == open_.end())
        return;
    auto c = std::move(*it);
    open_.erase(it);
    if (c.hello_written) {
        --connected_;
        cv_.notify_all();
    }
    // Events written and unacked: failed attempts, retried (elsewhere, later, or not at all):
    // Slack redelivers what a closed connection never acked to another open one, with
    // retry_attempt + 1 and retry_reason (slack-protocol.md §6; next_attempt()).
    for (auto d : c.inflight) {
        auto rec = deliveries_.find(d);
        if (rec == deliveries_.end() || !rec->second.written || rec->second.conn != id)
            continue;
        if (fail_attempt(d, now))
            send_event(d, now);
    }
    // Frames never written: sent again as they were.
    for (auto& f : c.queue)
        if (f.kind == frame_kind::text)
            route(std::move(f), now);
    auto todo = take_hooks();
    lock.unlock();
    run_hooks(std::move(todo));
}

std::optional<out_frame>
delivery::next_frame(conn_id id, steady::time_point now)
{
    std::unique_lock lock(m_);
    auto* c = find(id);
    if (!c)
        return std::nullopt;
    std::optional<out_frame> f;
    while (!f && !c->queue.empty()) {
        f = std::move(c->queue.front());
        c->queue.pop_front();
        // A frame of an event that has moved on (acked, dropped, re-sent) is not written.
        if (f->delivery != 0) {
            auto rec = deliveries_.find(f->delivery);
            if (rec == deliveries_.end() || rec->second.envelope_id != f->envelope_id || rec->second.written)
                f.reset();
        }
    }
    if (!f) {
        c->idle = true;
        return std::nullopt;
    }
    // From here on the frame counts as written: ack latency starts, and a tracked event is
    // retried if this connection ends (or its ack times out) before it is acked.
    if (!f->envelope_id.empty())
        sent_at_[f->envelope_id] = now;
    if (f->delivery != 0) {
        auto& rec = deliveries_.at(f->delivery);
        rec.written = true;
        rec.conn = id;
        c->inflight.push_back(f->delivery);
        if (opts_.redeliver_after.count() > 0) {
            sent_order_.push_back(sent_entry{now, f->delivery, f->envelope_id});
            note_deadline(now + opts_.redeliver_after);
        }
    }
    auto todo = take_hooks();
    lock.unlock();
    run_hooks(std::move(todo));
    return f;
}

void
delivery::hello_written(conn_id id)
{
    std::lock_guard lock(m_);
    auto* c = find(id);
    if (!c || c->hello_written)
        return;
    c->hello_written = true;
    ++connected_;
    cv_.notify_all();
}

void
delivery::client_frame(const std::string& text, steady::time_point now)
{
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object())
        return;
    auto id_it = j.find("envelope_id");
    if (id_it == j.end() || !id_it->is_string())
        return;
    auto id = id_it->get<std::string>();
    slack_simulator::ack a{id, std::nullopt, steady::duration::zero(), now, false};
    if (auto p = j.find("payload"); p != j.end())
        a.payload = *p;
    std::lock_guard lock(m_);
    if (auto s = sent_at_.find(id); s != sent_at_.end()) {
        a.latency = now - s->second;
        sent_at_.erase(s);
    }
    // The event is settled, whichever of its envelopes was acked.
    if (auto d = delivery_by_envelope_.find(id); d != delivery_by_envelope_.end()) {
        auto rec = deliveries_.find(d->second);
        if (rec != deliveries_.end())
            forget(rec);
        else
            delivery_by_envelope_.erase(d);
    }
    // A command acked after its deadline: the user already saw the error.
    if (auto c = commands_.find(id); c != commands_.end()) {
        a.late = now > c->second.deadline;
        c->second.acked = true;
    }
    ack_index_.emplace(id, acks_.size());
    acks_.push_back(std::move(a));
    cv_.notify_all();
}

void
delivery::client_close(int code, std::string reason, steady::time_point now)
{
    std::lock_guard lock(m_);
    client_closes_.push_back(slack_simulator::client_close{code, std::move(reason), now});
    cv_.notify_all();
}

void
delivery::stopped()
{
    std::lock_guard lock(m_);
    connected_ = 0;
    cv_.notify_all();
}

//-- timers -------------------------------------------------------------------------------

std::optional<steady::time_point>
delivery::next_deadline()
{
    std::lock_guard lock(m_);
    std::optional<steady::time_point> next;
    auto consider = [&next](steady::time_point t) {
        if (!next || t < *next)
            next = t;
    };
    if (!sent_order_.empty())
        consider(sent_order_.front().at + opts_.redeliver_after);
    if (!retry_at_.empty())
        consider(retry_at_.begin()->first);
    if (!command_deadlines_.empty())
        consider(command_deadlines_.front().first);
    armed_ = next;
    pending_rearm_ = false;
    return next;
}

void
delivery::note_deadline(steady::time_point at)
{
    if (!armed_ || at < *armed_)
        pending_rearm_ = true;
}

void
delivery::on_timer(steady::time_point now)
{
    std::unique_lock lock(m_);
    // Ack timeouts (redeliver_after): sent_order_ is in send order, so the stale ones are always
    // at the front.
    while (!sent_order_.empty()) {
        auto& front = sent_order_.front();
        auto it = deliveries_.find(front.delivery);
        bool stale = it == deliveries_.end() || !it->second.written || it->second.envelope_id != front.envelope_id;
        if (!stale && now - front.at < opts_.redeliver_after)
            break;
        auto d = front.delivery;
        sent_order_.pop_front();
        if (!stale && fail_attempt(d, now))
            send_event(d, now);
    }
    // Retries that fell due.
    while (!retry_at_.empty() && retry_at_.begin()->first <= now) {
        auto d = retry_at_.begin()->second;
        retry_at_.erase(retry_at_.begin());
        if (!deliveries_.count(d))
            continue;  // acked or given up meanwhile
        next_attempt(d);
        send_event(d, now);
    }
    // Commands not acked in time: the user sees operation_timeout.
    while (!command_deadlines_.empty() && command_deadlines_.front().first <= now) {
        fail_command(command_deadlines_.front().second, "operation_timeout", now);
        command_deadlines_.pop_front();
    }
    auto todo = take_hooks();
    lock.unlock();
    run_hooks(std::move(todo));
}

std::pair<std::vector<conn_id>, bool>
delivery::take_hooks()
{
    std::pair<std::vector<conn_id>, bool> out{std::move(pending_kicks_), pending_rearm_};
    pending_kicks_.clear();
    pending_rearm_ = false;
    return out;
}

void
delivery::run_hooks(std::pair<std::vector<conn_id>, bool> todo)
{
    if (hooks_.kick)
        for (auto id : todo.first)
            hooks_.kick(id);
    if (todo.second && hooks_.rearm)
        hooks_.rearm();
}

//-- observers ----------------------------------------------------------------------------

std::optional<slack_simulator::ack>
delivery::wait_ack(const std::string& envelope_id, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_);
    bool found = cv_.wait_for(lock, timeout, [&] { return ack_index_.count(envelope_id) > 0; });
    if (!found)
        return std::nullopt;
    return acks_[ack_index_.at(envelope_id)];
}

std::vector<slack_simulator::ack>
delivery::acks() const
{
    std::lock_guard lock(m_);
    return acks_;
}

std::size_t
delivery::ack_count() const
{
    std::lock_guard lock(m_);
    return acks_.size();
}

std::size_t
delivery::connections_opened() const
{
    std::lock_guard lock(m_);
    return opened_;
}

std::size_t
delivery::open_connections() const
{
    std::lock_guard lock(m_);
    return connected_;
}

bool
delivery::wait_connected(std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return connected_ > 0; });
}

std::optional<json>
delivery::envelope(const std::string& envelope_id) const
{
    std::lock_guard lock(m_);
    auto it = envelopes_sent_.find(envelope_id);
    if (it == envelopes_sent_.end())
        return std::nullopt;
    return json::parse(it->second, nullptr, false);
}

std::vector<slack_simulator::client_close>
delivery::client_closes() const
{
    std::lock_guard lock(m_);
    return client_closes_;
}

std::vector<std::string>
delivery::lost_events() const
{
    std::lock_guard lock(m_);
    return lost_;
}

std::vector<slack_simulator::command_failure>
delivery::command_failures() const
{
    std::lock_guard lock(m_);
    return failures_;
}

}  // namespace ib::sim::detail
