#include "sim/delivery.hpp"

#include "sim/payloads.hpp"

#include <algorithm>
#include <stdexcept>

namespace ib::sim::detail {

delivery::delivery(const simulator_options& opts, id_source& ids) : opts_(opts), ids_(ids) {}

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
    (void)now;
    if (!env.is_object())
        throw std::invalid_argument("slack_simulator: an envelope must be a JSON object");
    if (!env.contains("envelope_id") || !env["envelope_id"].is_string())
        env["envelope_id"] = ids_.uuid();
    auto id = env["envelope_id"].get<std::string>();
    bool tracked_event = env.value("type", json()) == "events_api";
    std::size_t attempt = 0;
    if (tracked_event && env.contains("retry_attempt") && env["retry_attempt"].is_number_integer())
        attempt = static_cast<std::size_t>(std::max<long long>(0, env["retry_attempt"].get<long long>()));
    out_frame f{frame_kind::text, to_text(env), id, 0};
    std::unique_lock lock(m_);
    note_envelope(id, f.text);
    accept(std::move(f), tracked_event, attempt);
    auto [kicks, rearm] = take_hooks();
    lock.unlock();
    run_hooks(std::move(kicks), rearm);
    return id;
}

void
delivery::submit_events(std::vector<std::pair<std::string, std::string>> envelopes, steady::time_point now)
{
    (void)now;
    std::unique_lock lock(m_);
    for (auto& [id, text] : envelopes) {
        note_envelope(id, text);
        accept(out_frame{frame_kind::text, std::move(text), id, 0}, true, 0);
    }
    auto [kicks, rearm] = take_hooks();
    lock.unlock();
    run_hooks(std::move(kicks), rearm);
}

void
delivery::submit_text(std::string text, steady::time_point now)
{
    (void)now;
    std::unique_lock lock(m_);
    accept(out_frame{frame_kind::text, std::move(text), {}, 0}, false, 0);
    auto [kicks, rearm] = take_hooks();
    lock.unlock();
    run_hooks(std::move(kicks), rearm);
}

void
delivery::accept(out_frame f, bool tracked_event, std::size_t attempt)
{
    if (tracked_event) {
        auto d = ++delivery_seq_;
        deliveries_.emplace(d, tracked{f.text, f.envelope_id, {f.envelope_id}, attempt, 0, false});
        delivery_by_envelope_[f.envelope_id] = d;
        f.delivery = d;
    }
    dispatch(std::move(f));
}

delivery::connection*
delivery::choose()
{
    return open_.empty() ? nullptr : &open_.back();
}

delivery::connection*
delivery::find(conn_id id)
{
    auto it = std::find_if(open_.begin(), open_.end(), [id](const connection& c) { return c.id == id; });
    return it == open_.end() ? nullptr : &*it;
}

// To the newest open connection, or into the outbox until one opens.
void
delivery::dispatch(out_frame f)
{
    auto* c = choose();
    if (!c) {
        outbox_.push_back(std::move(f));
        return;
    }
    queue_on(*c, std::move(f));
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

// A new envelope for an unacked event: same payload (same event_id), new envelope_id,
// retry_attempt + 1, retry_reason "timeout". Drops the event past max_redeliveries.
void
delivery::redeliver(std::uint64_t d)
{
    auto it = deliveries_.find(d);
    if (it == deliveries_.end())
        return;
    auto& rec = it->second;
    if (rec.attempt >= opts_.max_redeliveries) {
        forget(it);
        return;
    }
    auto env = json::parse(rec.text, nullptr, false);
    if (!env.is_object()) {
        forget(it);
        return;
    }
    auto id = ids_.uuid();
    rec.attempt += 1;
    env["envelope_id"] = id;
    env["retry_attempt"] = rec.attempt;
    env["retry_reason"] = "timeout";
    rec.text = to_text(env);
    rec.envelope_id = id;
    rec.envelope_ids.push_back(id);
    rec.written = false;
    rec.conn = 0;
    delivery_by_envelope_[id] = d;
    note_envelope(id, rec.text);
    dispatch(out_frame{frame_kind::text, rec.text, id, d});
}

void
delivery::forget(std::unordered_map<std::uint64_t, tracked>::iterator it)
{
    for (auto& e : it->second.envelope_ids)
        delivery_by_envelope_.erase(e);
    deliveries_.erase(it);
}

void
delivery::note_envelope(const std::string& envelope_id, const std::string& text)
{
    envelopes_sent_[envelope_id] = text;
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
    open_.back().queue.push_back(out_frame{frame_kind::hello, to_text(hello_frame(open_.size())), {}, 0});
    // Events lost with an earlier connection go first (they are older), then the outbox.
    auto parked = std::move(parked_);
    parked_.clear();
    for (auto d : parked)
        redeliver(d);
    auto& c = open_.back();
    while (!outbox_.empty()) {
        c.queue.push_back(std::move(outbox_.front()));
        outbox_.pop_front();
    }
    // The caller starts the writer; kicks for this connection would be redundant.
    pending_kicks_.erase(std::remove(pending_kicks_.begin(), pending_kicks_.end(), id), pending_kicks_.end());
    auto [kicks, rearm] = take_hooks();
    lock.unlock();
    run_hooks(std::move(kicks), rearm);
    return id;
}

void
delivery::closed(conn_id id, steady::time_point now)
{
    (void)now;
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

    std::vector<std::uint64_t> lost;
    for (auto d : c.inflight) {
        auto rec = deliveries_.find(d);
        if (rec != deliveries_.end() && rec->second.written && rec->second.conn == id) {
            rec->second.written = false;
            lost.push_back(d);
        }
    }
    std::deque<out_frame> unsent;
    for (auto& f : c.queue)
        if (f.kind == frame_kind::text)
            unsent.push_back(std::move(f));

    if (open_.empty()) {
        parked_.insert(parked_.end(), lost.begin(), lost.end());
        outbox_.insert(outbox_.begin(), std::make_move_iterator(unsent.begin()), std::make_move_iterator(unsent.end()));
    } else {
        for (auto d : lost)
            redeliver(d);
        for (auto& f : unsent)
            dispatch(std::move(f));
    }
    auto [kicks, rearm] = take_hooks();
    lock.unlock();
    run_hooks(std::move(kicks), rearm);
}

std::optional<out_frame>
delivery::next_frame(conn_id id, steady::time_point now)
{
    std::unique_lock lock(m_);
    auto* c = find(id);
    if (!c)
        return std::nullopt;
    if (c->queue.empty()) {
        c->idle = true;
        return std::nullopt;
    }
    out_frame f = std::move(c->queue.front());
    c->queue.pop_front();
    // From here on the frame counts as written: ack latency starts, and a tracked event is
    // redelivered if this connection ends before it is acked.
    if (!f.envelope_id.empty()) {
        sent_at_[f.envelope_id] = now;
        auto rec = f.delivery == 0 ? deliveries_.end() : deliveries_.find(f.delivery);
        if (rec != deliveries_.end() && rec->second.envelope_id == f.envelope_id) {
            rec->second.written = true;
            rec->second.conn = id;
            c->inflight.push_back(f.delivery);
            if (opts_.redeliver_after.count() > 0) {
                sent_order_.push_back(sent_entry{now, f.delivery, f.envelope_id});
                note_deadline(now + opts_.redeliver_after);
            }
        }
    }
    auto [kicks, rearm] = take_hooks();
    lock.unlock();
    run_hooks(std::move(kicks), rearm);
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
    slack_simulator::ack a{id, std::nullopt, steady::duration::zero(), now};
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
    if (!sent_order_.empty())
        next = sent_order_.front().at + opts_.redeliver_after;
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

// The redelivery sweep (redeliver_after > 0): sent_order_ is in send order, so the stale ones
// are always at the front.
void
delivery::on_timer(steady::time_point now)
{
    std::unique_lock lock(m_);
    while (!sent_order_.empty()) {
        auto& front = sent_order_.front();
        auto it = deliveries_.find(front.delivery);
        bool stale = it == deliveries_.end() || !it->second.written || it->second.envelope_id != front.envelope_id;
        if (!stale && now - front.at < opts_.redeliver_after)
            break;
        auto d = front.delivery;
        sent_order_.pop_front();
        if (!stale)
            redeliver(d);
    }
    auto [kicks, rearm] = take_hooks();
    lock.unlock();
    run_hooks(std::move(kicks), rearm);
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
delivery::run_hooks(std::vector<conn_id> kicks, bool rearm)
{
    if (hooks_.kick)
        for (auto id : kicks)
            hooks_.kick(id);
    if (rearm && hooks_.rearm)
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

}  // namespace ib::sim::detail
