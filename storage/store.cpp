// ib::storage::store: the contract of store.hpp, carried out by one engine (backend.hpp), chosen
// by the name it is opened with.
#include "store.hpp"

#include "backend.hpp"
#include "migrations.hpp"

#include <algorithm>

namespace ib::storage {

bool is_postgres_uri(std::string_view db) { return db.starts_with("postgresql://") || db.starts_with("postgres://"); }

std::string display_name(std::string_view db) {
    if (!is_postgres_uri(db)) return std::string(db);
    std::string out(db);
    // scheme://[user[:password]@]host…: the authority ends at the first '/', '?' or '#' after "//".
    const std::size_t start = out.find("//") + 2;
    const std::size_t end = std::min(out.find_first_of("/?#", start), out.size());
    const std::size_t at = end == 0 ? std::string::npos : out.rfind('@', end - 1);
    if (at != std::string::npos && at >= start) {
        const std::size_t colon = out.find(':', start);
        if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
    // password=… among the query parameters.
    if (const std::size_t q = out.find('?'); q != std::string::npos) {
        std::string query = out.substr(q + 1), kept;
        std::size_t pos = 0;
        while (pos <= query.size()) {
            const std::size_t amp = std::min(query.find('&', pos), query.size());
            const std::string param = query.substr(pos, amp - pos);
            if (!param.empty() && !param.starts_with("password=")) kept += (kept.empty() ? "" : "&") + param;
            pos = amp + 1;
        }
        out.erase(q);
        if (!kept.empty()) out += "?" + kept;
    }
    return out;
}

store::store(const std::string& path, open_options opts)
    : impl_(is_postgres_uri(path) ? open_pg_store(path, opts) : open_sqlite_store(path, opts)) {}
store::~store() = default;
store::store(store&&) noexcept = default;
store& store::operator=(store&&) noexcept = default;

int store::schema_version() const { return impl_->schema_version(); }
int store::latest_schema_version() { return latest_version(); }

std::int64_t store::create_incident(incident& inc, timeline_entry& declare_entry) {
    return impl_->create_incident(inc, declare_entry);
}
bool store::save_change(const incident& inc, const timeline_entry& entry) { return impl_->save_change(inc, entry); }
std::optional<incident> store::incident_by_id(std::int64_t id) const { return impl_->incident_by_id(id); }
store::change_result store::save_change_from(const incident& base, const incident& inc, const timeline_entry& entry) {
    return impl_->save_change_from(base, inc, entry);
}
store::claim_result store::claim(std::int64_t incident_id, std::span<const entry_kind> kinds,
                                 const claim_decision& decide) {
    return impl_->claim(incident_id, kinds, decide);
}
std::optional<incident> store::incident_by_channel(std::string_view channel_id) const {
    return impl_->incident_by_channel(channel_id);
}
std::optional<incident> store::latest_incident() const { return impl_->latest_incident(); }
std::vector<incident> store::incidents_declared_between(time_point from, time_point to) const {
    return impl_->incidents_declared_between(from, to);
}
std::vector<incident> store::incidents_resolved_since(time_point from) const {
    return impl_->incidents_resolved_since(from);
}

bool store::append(const timeline_entry& e) { return impl_->append(e); }
std::vector<bool> store::append_batch(std::span<const timeline_entry> entries) { return impl_->append_batch(entries); }
std::vector<timeline_entry> store::timeline(std::int64_t incident_id) const { return impl_->timeline(incident_id); }
std::size_t store::timeline_size(std::int64_t incident_id) const { return impl_->timeline_size(incident_id); }
std::vector<timeline_entry> store::timeline_of_kinds(std::int64_t incident_id, std::span<const entry_kind> kinds) const {
    return impl_->timeline_of_kinds(incident_id, kinds);
}
std::size_t store::history_size(std::int64_t incident_id) const {
    // The bookkeeping first, then the size: an entry stored in between makes the size one more,
    // never less than the bookkeeping.
    const entry_kind kinds[] = {k_bookkeeping.kind};
    const auto of_kind = impl_->timeline_of_kinds(incident_id, kinds);
    const auto bookkeeping = static_cast<std::size_t>(std::count_if(of_kind.begin(), of_kind.end(), is_bookkeeping));
    return impl_->timeline_size(incident_id) - bookkeeping;
}
std::vector<timeline_entry> store::timeline_page(std::int64_t incident_id, std::size_t offset, std::size_t limit) const {
    return impl_->timeline_page(incident_id, offset, limit);
}
std::optional<std::size_t> store::timeline_position(std::int64_t incident_id, std::int64_t seq) const {
    return impl_->timeline_position(incident_id, seq);
}
std::vector<entry_kind> store::timeline_kinds(std::int64_t incident_id) const { return impl_->timeline_kinds(incident_id); }
std::optional<timeline_entry> store::message(std::int64_t incident_id, std::string_view slack_ts) const {
    return impl_->message(incident_id, slack_ts);
}

store::retag_result store::retag(std::int64_t incident_id,
                                 const std::function<std::optional<std::vector<tag_hit>>(const timeline_entry&)>& derive) {
    return impl_->retag(incident_id, derive);
}
store::redaction_result store::redact_message(const timeline_entry& redaction) {
    return impl_->redact_message(redaction);
}

std::vector<backfill_mark> store::mark_disconnected(std::span<const std::int64_t> incident_ids,
                                                    std::optional<time_point> lost_at, std::int64_t epoch) {
    return impl_->mark_disconnected(incident_ids, lost_at, epoch);
}
std::vector<backfill_mark> store::backfill_marks() const { return impl_->backfill_marks(); }
bool store::finish_backfill(std::int64_t incident_id, std::int64_t epoch, const timeline_entry* gap,
                            const backfill_gap* claimed) {
    return impl_->finish_backfill(incident_id, epoch, gap, claimed);
}
store::gap_claim_result store::claim_gap(const backfill_gap& gap, std::string_view owner, time_point now,
                                         const std::function<bool(const gap_claim*)>& take) {
    return impl_->claim_gap(gap, owner, now, take);
}
std::size_t store::renew_gaps(std::string_view owner, time_point now) {
    return impl_->renew_gaps(owner, now);
}
std::vector<std::string> store::thread_parents(std::int64_t incident_id) const {
    return impl_->thread_parents(incident_id);
}

void store::atomically(const std::function<void()>& writes) { impl_->atomically(writes); }

bool store::save_flow(const flow_row& row) { return impl_->save_flow(row); }
void store::forget_flow(std::string_view key, std::string_view owner) { impl_->forget_flow(key, owner); }
std::vector<store::flow_row> store::unfinished_flows() const { return impl_->unfinished_flows(); }
std::vector<store::flow_row> store::claim_flows(std::string_view owner, time_point now,
                                                const std::function<bool(const flow_row&)>& take) {
    return impl_->claim_flows(owner, now, take);
}
std::size_t store::renew_flows(std::string_view owner, time_point now) { return impl_->renew_flows(owner, now); }

void store::save_user(const user_profile& p) { impl_->save_user(p); }
std::optional<user_profile> store::user(std::string_view id) const { return impl_->user(id); }
std::vector<std::pair<std::string, time_point>> store::users_fetched() const { return impl_->users_fetched(); }
user_names store::names_of(std::span<const std::string> ids) const {
    user_names out;
    for (const auto& id : ids)
        if (auto p = user(id); p && !p->name.empty()) out.emplace(id, std::move(p->name));
    return out;
}

const std::optional<std::string>& store::migration_backup() const { return impl_->migration_backup(); }

void store::begin_group() { impl_->begin_group(); }
void store::commit_group() { impl_->commit_group(); }
void store::rollback_group() { impl_->rollback_group(); }

std::string store::journal_mode() const { return impl_->journal_mode(); }
int store::synchronous() const { return impl_->synchronous(); }
int store::busy_timeout_ms() const { return impl_->busy_timeout_ms(); }

}  // namespace ib::storage
