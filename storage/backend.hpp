// The seam under ib::storage::store: one implementation per engine.
//   sqlite_store.cpp  a SQLite file (or ":memory:"), the embedded default
//   pg_store.cpp      a PostgreSQL database, for `--db postgresql://…` (libpq)
// store.hpp states the contract and store.cpp forwards every call; each method here means exactly
// what its namesake there says, on either engine. Where an engine cannot do what the contract says
// word for word (PostgreSQL has no WAL file a redaction could empty), store.hpp says what it does
// instead. Every method throws storage_error, whose message starts with the database's name
// (display_name(): a URI without its password).
#pragma once

#include "store.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace ib::storage {

class store_backend {
public:
    virtual ~store_backend() = default;

    virtual int schema_version() const = 0;

    virtual std::int64_t create_incident(incident& inc, timeline_entry& declare_entry) = 0;
    virtual bool save_change(const incident& inc, const timeline_entry& entry) = 0;
    virtual store::change_result save_change_from(const incident& base, const incident& inc,
                                                  const timeline_entry& entry) = 0;
    virtual store::claim_result claim(std::int64_t incident_id, std::span<const entry_kind> kinds,
                                      const store::claim_decision& decide) = 0;
    virtual std::optional<incident> incident_by_id(std::int64_t id) const = 0;
    virtual std::optional<incident> incident_by_channel(std::string_view channel_id) const = 0;
    virtual std::optional<incident> latest_incident() const = 0;
    virtual std::vector<incident> incidents_declared_between(time_point from, time_point to) const = 0;
    // store::incidents_resolved_since. This default reads every incident (SQLite, where no bot
    // asks: one run holds the file); PostgreSQL's asks for the rows.
    virtual std::vector<incident> incidents_resolved_since(time_point from) const {
        auto all = incidents_declared_between(time_point::min(), time_point::max());
        std::erase_if(all, [&](const incident& i) { return i.is_open() || !i.resolved_at || *i.resolved_at < from; });
        return all;
    }

    virtual bool append(const timeline_entry& e) = 0;
    virtual std::vector<bool> append_batch(std::span<const timeline_entry> entries) = 0;
    virtual std::vector<timeline_entry> timeline(std::int64_t incident_id) const = 0;
    virtual std::size_t timeline_size(std::int64_t incident_id) const = 0;
    virtual std::vector<timeline_entry> timeline_of_kinds(std::int64_t incident_id,
                                                          std::span<const entry_kind> kinds) const = 0;
    virtual std::vector<timeline_entry> timeline_page(std::int64_t incident_id, std::size_t offset,
                                                      std::size_t limit) const = 0;
    virtual std::optional<std::size_t> timeline_position(std::int64_t incident_id, std::int64_t seq) const = 0;
    virtual std::vector<entry_kind> timeline_kinds(std::int64_t incident_id) const = 0;
    virtual std::optional<timeline_entry> message(std::int64_t incident_id, std::string_view slack_ts) const = 0;

    virtual store::retag_result retag(
        std::int64_t incident_id,
        const std::function<std::optional<std::vector<tag_hit>>(const timeline_entry&)>& derive) = 0;
    virtual store::redaction_result redact_message(const timeline_entry& redaction) = 0;

    virtual std::vector<backfill_mark> mark_disconnected(std::span<const std::int64_t> incident_ids,
                                                         std::optional<time_point> lost_at, std::int64_t epoch) = 0;
    virtual std::vector<backfill_mark> backfill_marks() const = 0;
    virtual bool finish_backfill(std::int64_t incident_id, std::int64_t epoch, const timeline_entry* gap,
                                 const backfill_gap* claimed) = 0;
    virtual store::gap_claim_result claim_gap(const backfill_gap& gap, std::string_view owner, time_point now,
                                              const std::function<bool(const store::gap_claim*)>& take) = 0;
    virtual std::size_t renew_gaps(std::string_view owner, time_point now) = 0;
    virtual std::vector<std::string> thread_parents(std::int64_t incident_id) const = 0;

    virtual void atomically(const std::function<void()>& writes) = 0;

    virtual bool save_flow(const store::flow_row& row) = 0;
    virtual void forget_flow(std::string_view key, std::string_view owner) = 0;
    virtual std::vector<store::flow_row> unfinished_flows() const = 0;
    virtual std::vector<store::flow_row> claim_flows(std::string_view owner, time_point now,
                                                     const std::function<bool(const store::flow_row&)>& take) = 0;
    virtual std::size_t renew_flows(std::string_view owner, time_point now) = 0;

    virtual void save_user(const user_profile& p) = 0;
    virtual std::optional<user_profile> user(std::string_view id) const = 0;
    virtual std::vector<std::pair<std::string, time_point>> users_fetched() const = 0;

    virtual const std::optional<std::string>& migration_backup() const = 0;

    virtual void begin_group() = 0;
    virtual void commit_group() = 0;
    virtual void rollback_group() = 0;

    virtual std::string journal_mode() const = 0;
    virtual int synchronous() const = 0;
    virtual int busy_timeout_ms() const = 0;
};

// SQLite: `path` is a file or ":memory:" (sqlite_store.cpp).
std::unique_ptr<store_backend> open_sqlite_store(const std::string& path, const open_options& opts);
// PostgreSQL: `uri` is a libpq URI, postgresql://… or postgres://… (pg_store.cpp).
std::unique_ptr<store_backend> open_pg_store(const std::string& uri, const open_options& opts);

}  // namespace ib::storage
