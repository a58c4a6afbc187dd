// The PostgreSQL engine of store_backend (backend.hpp), over libpq.
//
// Why libpq and not libpqxx: Debian 12's libpqxx-dev is 6.4, which has neither pipeline mode nor
// COPY streams for batched writes (libpqxx 7.x added both); libpq (PostgreSQL 15) has both, in C,
// and is what every PostgreSQL client library wraps. pg_session.hpp keeps libpq's C behind a small
// RAII layer (pg_result, the prepared-statement cache) so this file reads like sqlite_store.cpp;
// the schema is in pg_schema.cpp, check and migrate in pg_maintenance.cpp.
//
// The schema is the SQLite one at the same version (sqlite_store.cpp, migrations.cpp), written
// for PostgreSQL: times are unix microseconds (BIGINT), tags and attrs JSON text (read with
// ::jsonb where a query looks inside), the timeline append-only by trigger except the two
// sanctioned rewrites (redaction, retag). The constraints the multi-instance phase relies on are
// there from the first version: an entry is stored once per key (Slack's event_id) and once per
// incident and Slack ts for a message, bot message, join or leave (unique indexes, so two
// instances racing on one event store it once and the loser's INSERT … ON CONFLICT DO NOTHING
// reports a duplicate).
//
// Durability: every connection runs with synchronous_commit = on, so a write method returns only
// after its COMMIT is flushed on the server (and on synchronous standbys, if any): an ack still
// means committed.
#include "backend.hpp"
#include "pg_session.hpp"
#include "pg_store.hpp"

#include "core/corrections.hpp"

#include <algorithm>
#include <iterator>
#include <optional>

namespace ib::storage {

using namespace pg;

namespace {

// A PostgreSQL array literal ({"a","b\"c",NULL}) built element by element, for unnest($n::text[])
// and unnest($n::bigint[]): one text parameter however many entries.
class array_literal {
public:
    void add(std::string_view v) {
        next();
        out_ += '"';
        for (const char c : v) {
            if (c == '"' || c == '\\') out_ += '\\';
            out_ += c;
        }
        out_ += '"';
    }
    void add(std::int64_t v) {
        next();
        out_ += std::to_string(v);
    }
    void add_null() {
        next();
        out_ += "NULL";
    }
    std::string done() && {
        out_ += '}';
        return std::move(out_);
    }

private:
    void next() {
        if (out_.size() > 1) out_ += ',';
    }
    std::string out_ = "{";
};

}  // namespace

std::vector<bool> pg::pg_impl::insert_run(std::span<const timeline_entry> run, bool own_savepoint) {
    array_literal incident_ids, keys, ats, slack_ts, users, kinds, tags, texts, ref_ts, attrs, received;
    for (const auto& e : run) {
        incident_ids.add(e.incident_id);
        if (e.key.empty())
            keys.add_null();
        else
            keys.add(e.key);
        ats.add(to_unix_micros(e.at));
        slack_ts.add(e.slack_ts);
        users.add(e.user);
        kinds.add(rules::kind_text(name_, e));
        tags.add(encode_tags(e.tags));
        texts.add(e.text);
        ref_ts.add(e.ref_ts);
        attrs.add(encode_attrs(e.attrs));
        received.add(to_unix_micros(e.received_at));
    }
    // `input` is materialized once (nextval is volatile), its seqs drawn in the run's order; the
    // INSERT takes its rows in that order, so of two that collide the earlier one is stored; the
    // last SELECT says which of the input's seqs went in.
    static const std::string sql =
        "WITH input AS MATERIALIZED ("
        " SELECT t.ord, nextval((SELECT pg_get_serial_sequence('timeline', 'seq'))) AS seq, t.incident_id,"
        R"( t."key", t.at, t.slack_ts, t."user", t.kind, t.tags, t."text", t.ref_ts, t.attrs, t.received_at)"
        " FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],"
        " $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[]) WITH ORDINALITY"
        R"( AS t(incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts, attrs, received_at, ord))"
        " ORDER BY t.ord),"
        " stored AS ("
        R"( INSERT INTO timeline (seq, incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts,)"
        " attrs, received_at)"
        R"( SELECT seq, incident_id, "key", at, slack_ts, "user", kind, tags, "text", ref_ts, attrs, received_at)"
        " FROM input ORDER BY ord ON CONFLICT DO NOTHING RETURNING seq)"
        " SELECT stored.seq IS NOT NULL FROM input LEFT JOIN stored ON stored.seq = input.seq"
        " ORDER BY input.ord";
    const params ps{std::move(incident_ids).done(), std::move(keys).done(), std::move(ats).done(),
                    std::move(slack_ts).done(), std::move(users).done(), std::move(kinds).done(),
                    std::move(tags).done(), std::move(texts).done(), std::move(ref_ts).done(),
                    std::move(attrs).done(), std::move(received).done()};
    pg_result r = own_savepoint ? exec_in_savepoint("append_batch", sql, ps) : exec("append_batch", sql, ps);
    if (r.rows() != static_cast<int>(run.size()))
        throw storage_error(name_ + ": append_batch: " + std::to_string(r.rows()) + " results for " +
                            std::to_string(run.size()) + " entries");
    std::vector<bool> stored;
    stored.reserve(run.size());
    for (int i = 0; i < r.rows(); ++i) stored.push_back(r.boolean(i, 0));
    return stored;
}

std::vector<bool> pg::pg_impl::append_rows(std::span<const timeline_entry> entries, std::string_view op) {
    std::vector<bool> stored;
    stored.reserve(entries.size());
    std::size_t i = 0;
    try {
        pg_write_scope tx(*this);
        for (; i < entries.size(); ++i) stored.push_back(insert_entry(entries[i], entries[i].incident_id).has_value());
        tx.commit(op);
    } catch (const storage_error& e) {
        if (i == entries.size()) throw;
        std::string why = e.what();
        if (why.starts_with(name_ + ": ")) why.erase(0, name_.size() + 2);
        throw storage_error(rules::batch_failure(name_, op, entries, i, why));
    }
    return stored;
}

std::vector<bool> pg::pg_impl::append_all(std::span<const timeline_entry> entries, std::string_view op) {
    require_writable(op);
    // One entry: the plain INSERT.
    if (entries.size() <= 1) return entries.empty() ? std::vector<bool>{} : append_rows(entries, op);
    ensure_connected();
    // One statement: on its own it is atomic and, with synchronous_commit on, durable when it
    // returns (no BEGIN and COMMIT round trips); inside a transaction (a group) it goes with its
    // savepoint in one round trip.
    const bool one_statement = std::none_of(entries.begin(), entries.end(), rules::dedupe_reads);
    std::optional<pg_write_scope> tx;
    std::vector<bool> stored;
    try {
        if (one_statement) return insert_run(entries, in_transaction());
        tx.emplace(*this);
        stored.reserve(entries.size());
        for (std::size_t i = 0; i < entries.size();) {
            if (rules::dedupe_reads(entries[i])) {
                stored.push_back(insert_entry(entries[i], entries[i].incident_id).has_value());
                ++i;
                continue;
            }
            std::size_t end = i;
            while (end < entries.size() && !rules::dedupe_reads(entries[end])) ++end;
            const auto part = insert_run(entries.subspan(i, end - i), false);
            stored.insert(stored.end(), part.begin(), part.end());
            i = end;
        }
    } catch (const storage_error&) {
        // Something in the batch failed (an unknown incident_id, …), so nothing of it is stored
        // (tx rolls back): row by row again, which names the entry, or stores them all if what
        // failed has passed. Not when the connection is gone: that is the error to report.
        tx.reset();
        if (!conn_ || PQstatus(conn_) != CONNECTION_OK) throw;
        return append_rows(entries, op);
    }
    tx->commit(op);
    return stored;
}

namespace {

// A bookkeeping row (core/timeline.hpp), which the history's paged reads leave out.
const std::string bookkeeping = rules::bookkeeping_sql("(attrs::jsonb ->> '", "')");

class pg_store final : public store_backend {
public:
    pg_store(const std::string& uri, const open_options& opts) : impl_(std::make_unique<pg_impl>(uri, opts)) {}

    int schema_version() const override { return impl_->stored_version(); }

    std::int64_t create_incident(incident& inc, timeline_entry& declare_entry) override {
        auto& im = *impl_;
        im.require_writable("create_incident");
        // The declare entry's key decides: a redelivered declare (here, or on another instance
        // that won the race for the key) returns the stored incident.
        const auto stored_for_key = [&]() -> std::optional<std::int64_t> {
            const auto existing = im.find_key(declare_entry.key);
            if (!existing) return std::nullopt;
            const auto [seq, incident_id] = *existing;
            auto stored = im.load_incident(incident_id);
            if (!stored) throw im.row_error("timeline", seq, "refers to a missing incident");
            inc = std::move(*stored);
            declare_entry.incident_id = incident_id;
            declare_entry.seq = seq;
            return incident_id;
        };
        {
            pg_write_scope tx(im);
            if (const auto id = stored_for_key()) return *id;  // nothing written; tx rolls back
            pg_result r = im.exec("create_incident",
                                  "INSERT INTO incidents (title, severity, status, channel_id, channel_name, declared_by,"
                                  " declared_at, detected_at, acknowledged_at, acknowledged_by, identified_at, mitigated_at,"
                                  " resolved_at, commander, comms_lead, reopen_count, is_private)"
                                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
                                  " RETURNING id",
                                  im.incident_params(inc));
            const std::int64_t id = r.i64(0, 0);
            if (const auto seq = im.insert_entry(declare_entry, id)) {
                tx.commit("create_incident");
                inc.id = id;
                declare_entry.incident_id = id;
                declare_entry.seq = *seq;
                return id;
            }
        }
        // Another instance stored this declare between our lookup and our insert: ours is rolled
        // back, theirs is the incident.
        if (const auto id = stored_for_key()) return *id;
        throw storage_error(im.name_ + ": create_incident: the declare entry was refused as a duplicate");
    }

    bool save_change(const incident& inc, const timeline_entry& entry) override {
        auto& im = *impl_;
        im.require_writable("save_change");
        rules::require_own_entry(im.name_, "save_change", inc, entry);
        pg_write_scope tx(im);
        if (!im.insert_entry(entry, inc.id)) return false;
        im.update_incident(inc);
        tx.commit("save_change");
        return true;
    }

    store::change_result save_change_from(const incident& base, const incident& inc,
                                          const timeline_entry& entry) override {
        auto& im = *impl_;
        im.require_writable("save_change");
        rules::require_own_entry(im.name_, "save_change", inc, entry);
        pg_write_scope tx(im);
        // The row lock first: every change to this incident, on any instance, queues here, so
        // what is read below stays true until this transaction ends.
        pg_result r = im.exec("save_change", incident_query("WHERE id = $1 FOR UPDATE"), {int_param(inc.id)});
        if (r.rows() == 0)
            throw storage_error(im.name_ + ": save_change: no incident with id " + std::to_string(inc.id));
        auto out = rules::change_from(im, im.read_incident(r, 0), base, inc, entry);
        if (out.outcome == store::change_outcome::stored) tx.commit("save_change");
        return out;
    }

    std::optional<incident> incident_by_id(std::int64_t id) const override { return impl_->load_incident(id); }

    store::claim_result claim(std::int64_t incident_id, std::span<const entry_kind> kinds,
                              const store::claim_decision& decide) override {
        auto& im = *impl_;
        im.require_writable("claim");
        pg_write_scope tx(im);
        // The row lock first: instances claiming for this incident decide one after the other,
        // each on what the one before stored.
        pg_result r = im.exec("claim", incident_query("WHERE id = $1 FOR UPDATE"), {int_param(incident_id)});
        if (r.rows() == 0) return {};
        auto out = rules::claim_with(im, im.read_incident(r, 0), timeline_of_kinds(incident_id, kinds), decide);
        if (out.claimed) tx.commit("claim");
        return out;
    }

    std::optional<incident> incident_by_channel(std::string_view channel_id) const override {
        pg_result r = impl_->exec("incident_by_channel", incident_query("WHERE channel_id = $1 ORDER BY id DESC LIMIT 1"),
                                  {text_param(channel_id)});
        if (r.rows() == 0) return std::nullopt;
        return impl_->read_incident(r, 0);
    }

    std::optional<incident> latest_incident() const override {
        pg_result r = impl_->exec("latest_incident", incident_query("ORDER BY id DESC LIMIT 1"));
        if (r.rows() == 0) return std::nullopt;
        return impl_->read_incident(r, 0);
    }

    std::vector<incident> incidents_declared_between(time_point from, time_point to) const override {
        return impl_->read_incidents(impl_->exec("incidents_declared_between",
                                                 incident_query("WHERE declared_at >= $1 AND declared_at < $2"
                                                                " ORDER BY declared_at, id"),
                                                 {int_param(to_unix_micros(from)), int_param(to_unix_micros(to))}));
    }

    std::vector<incident> incidents_resolved_since(time_point from) const override {
        auto out = impl_->read_incidents(impl_->exec("incidents_resolved_since",
                                                     incident_query("WHERE resolved_at >= $1 ORDER BY id"),
                                                     {int_param(to_unix_micros(from))}));
        std::erase_if(out, [](const incident& i) { return i.is_open(); });  // reopened since
        return out;
    }

    bool append(const timeline_entry& e) override { return impl_->append_all(std::span(&e, 1), "append").front(); }
    std::vector<bool> append_batch(std::span<const timeline_entry> entries) override {
        return impl_->append_all(entries, "append_batch");
    }

    std::vector<timeline_entry> timeline(std::int64_t incident_id) const override {
        auto out = impl_->read_entries(
            impl_->exec("timeline", entry_query("WHERE incident_id = $1 ORDER BY at, seq"), {int_param(incident_id)}));
        apply_corrections(out);
        return out;
    }

    std::size_t timeline_size(std::int64_t incident_id) const override {
        pg_result r =
            impl_->exec("timeline_size", "SELECT count(*) FROM timeline WHERE incident_id = $1", {int_param(incident_id)});
        return static_cast<std::size_t>(r.i64(0, 0));
    }

    std::vector<timeline_entry> timeline_of_kinds(std::int64_t incident_id,
                                                  std::span<const entry_kind> kinds) const override {
        std::vector<timeline_entry> out;
        for (entry_kind k : kinds) {
            auto some = impl_->read_entries(impl_->exec(
                "timeline_of_kinds", entry_query("WHERE incident_id = $1 AND kind = $2 ORDER BY at, seq"),
                {int_param(incident_id), std::string(to_string(k))}));
            std::move(some.begin(), some.end(), std::back_inserter(out));
        }
        rules::order_kinds(*impl_, out, incident_id, kinds);
        return out;
    }

    std::vector<timeline_entry> timeline_page(std::int64_t incident_id, std::size_t offset,
                                              std::size_t limit) const override {
        auto out = impl_->read_entries(impl_->exec("timeline_page", entry_query("WHERE incident_id = $1 AND NOT " + bookkeeping + " ORDER BY at, seq LIMIT $2 OFFSET $3"),
                                                   {int_param(incident_id), int_param(static_cast<std::int64_t>(limit)),
                                                    int_param(static_cast<std::int64_t>(offset))}));
        apply_corrections(out, impl_->corrections(incident_id, {}));
        return out;
    }

    std::optional<std::size_t> timeline_position(std::int64_t incident_id, std::int64_t seq) const override {
        // When the entry happened, then how many entries come before it in (at, seq) order.
        pg_result at = impl_->exec("entry_at", "SELECT at FROM timeline WHERE seq = $1 AND incident_id = $2 AND NOT " + bookkeeping,
                                   {int_param(seq), int_param(incident_id)});
        if (at.rows() == 0) return std::nullopt;
        pg_result before = impl_->exec("entries_before",
                                       "SELECT count(*) FROM timeline WHERE incident_id = $1 AND (at, seq) < ($2, $3) AND NOT " + bookkeeping,
                                       {int_param(incident_id), int_param(at.i64(0, 0)), int_param(seq)});
        return static_cast<std::size_t>(before.i64(0, 0));
    }

    std::vector<entry_kind> timeline_kinds(std::int64_t incident_id) const override {
        pg_result r = impl_->exec("timeline_kinds", rules::kinds_query("$1"), {int_param(incident_id)});
        std::vector<entry_kind> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(rules::read_kind(impl_->name_, 0, r.text(i, 0)));
        return out;
    }

    std::optional<timeline_entry> message(std::int64_t incident_id, std::string_view slack_ts) const override {
        if (slack_ts.empty()) return std::nullopt;
        pg_result r = impl_->exec("message", entry_query("WHERE incident_id = $1 AND slack_ts = $2 AND kind = 'message'"),
                                  {int_param(incident_id), text_param(slack_ts)});
        if (r.rows() == 0) return std::nullopt;
        std::optional<timeline_entry> out = impl_->read_entry(r, 0);
        apply_corrections(std::span(&*out, 1), impl_->corrections(incident_id, slack_ts));
        return out;
    }

    store::retag_result retag(
        std::int64_t incident_id,
        const std::function<std::optional<std::vector<tag_hit>>(const timeline_entry&)>& derive) override {
        auto& im = *impl_;
        im.require_writable("retag");
        pg_write_scope tx(im);
        if (!im.load_incident(incident_id))
            throw storage_error(im.name_ + ": retag: no incident " + std::to_string(incident_id));
        const auto messages = im.read_entries(im.exec(
            "retag", entry_query("WHERE incident_id = $1 AND kind = 'message' ORDER BY at, seq"), {int_param(incident_id)}));
        auto out = rules::retag(im, incident_id, messages, derive);
        tx.commit("retag");
        return out;
    }

    // As on SQLite, in one transaction; what PostgreSQL cannot do is empty a WAL of the old text:
    // the old row versions stay in the table's dead tuples until (auto)vacuum reclaims them and in
    // the server's WAL archive, so `checkpointed` is always false.
    store::redaction_result redact_message(const timeline_entry& redaction) override {
        auto& im = *impl_;
        im.require_writable("redact_message");
        if (redaction.kind != entry_kind::redaction || redaction.ref_ts.empty())
            throw storage_error(im.name_ + ": redact_message: not a redaction entry with the message's ts");
        if (im.in_group_) throw storage_error(im.name_ + ": redact_message: a group is open");
        store::redaction_result out;
        pg_write_scope tx(im);
        pg_result found = im.exec("redact_message",
                                  "SELECT count(*) FROM timeline WHERE incident_id = $1 AND slack_ts = $2"
                                  " AND kind IN ('message', 'bot_message')",
                                  {int_param(redaction.incident_id), text_param(redaction.ref_ts)});
        if (found.i64(0, 0) == 0)
            throw storage_error(im.name_ + ": no message with ts " + redaction.ref_ts + " on incident " +
                                std::to_string(redaction.incident_id) + "'s timeline");
        if (!im.insert_entry(redaction, redaction.incident_id))
            throw storage_error(im.name_ + ": redact_message: an entry with key '" + redaction.key + "' is stored");
        pg_result rewrite = im.exec(
            "redact_message",
            R"(UPDATE timeline SET "text" = CASE WHEN kind = 'deletion' THEN "text" ELSE $3 END,)"
            " attrs = CASE WHEN attrs::jsonb ? 'previous_text'"
            "              THEN jsonb_set(attrs::jsonb, '{previous_text}', to_jsonb($3::text))::text ELSE attrs END"
            " WHERE incident_id = $1 AND ((kind IN ('message', 'bot_message') AND slack_ts = $2)"
            "                          OR (kind IN ('edit', 'deletion') AND ref_ts = $2))",
            {int_param(redaction.incident_id), text_param(redaction.ref_ts), text_param(redaction.text)});
        out.rewritten = static_cast<std::size_t>(rewrite.changed());
        tx.commit("redact_message");
        return out;
    }

    std::vector<backfill_mark> mark_disconnected(std::span<const std::int64_t> incident_ids,
                                                 std::optional<time_point> lost_at, std::int64_t epoch) override {
        auto& im = *impl_;
        im.require_writable("mark_disconnected");
        pg_write_scope tx(im);
        auto out = rules::mark_disconnected(im, im.name_, incident_ids, lost_at, epoch);
        tx.commit("mark_disconnected");
        return out;
    }

    std::vector<backfill_mark> backfill_marks() const override {
        pg_result r = impl_->exec("backfill_marks",
                                  "SELECT incident_id, since_ts, down_from, epoch FROM backfill_marks ORDER BY incident_id");
        std::vector<backfill_mark> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(pg_impl::read_mark(r, i));
        return out;
    }

    bool finish_backfill(std::int64_t incident_id, std::int64_t epoch, const timeline_entry* gap,
                         const backfill_gap* claimed) override {
        auto& im = *impl_;
        im.require_writable("finish_backfill");
        pg_write_scope tx(im);
        if (gap != nullptr) im.insert_entry(*gap, incident_id);
        bool cleared = false;
        if (claimed != nullptr) {
            // The claim is done; the mark goes when it is still this gap.
            const pg::param down_from = int_param(to_unix_micros(claimed->down_from));
            im.exec("finish_backfill",
                    "UPDATE backfill_claims SET done = true WHERE channel_id = $1 AND since_ts = $2 AND down_from = $3",
                    {claimed->channel_id, claimed->since_ts, down_from});
            pg_result r = im.exec("finish_backfill",
                                  "DELETE FROM backfill_marks WHERE incident_id = $1 AND since_ts = $2 AND down_from = $3",
                                  {int_param(incident_id), claimed->since_ts, down_from});
            cleared = r.changed() == 1;
        } else {
            pg_result r = im.exec("finish_backfill", "DELETE FROM backfill_marks WHERE incident_id = $1 AND epoch = $2",
                                  {int_param(incident_id), int_param(epoch)});
            cleared = r.changed() == 1;
        }
        tx.commit("finish_backfill");
        return cleared;
    }

    store::gap_claim_result claim_gap(const backfill_gap& gap, std::string_view owner, time_point now,
                                      const std::function<bool(const store::gap_claim*)>& take) override {
        auto& im = *impl_;
        im.require_writable("claim_gap");
        pg_write_scope tx(im);
        const pg::param down_from = int_param(to_unix_micros(gap.down_from));
        store::gap_claim_result out;
        // Twice at most: a claim another instance inserts between the read and the insert is
        // read again, once its transaction ends (the insert waits for it on the unique key).
        for (int attempt = 0; attempt < 2; ++attempt) {
            pg_result r = im.exec("claim_gap",
                                  "SELECT owner, renewed_at, done FROM backfill_claims"
                                  " WHERE channel_id = $1 AND since_ts = $2 AND down_from = $3 FOR UPDATE",
                                  {gap.channel_id, gap.since_ts, down_from});
            out.held.reset();
            if (r.rows() == 1) out.held = store::gap_claim{r.text(0, 0), from_unix_micros(r.i64(0, 1)), r.text(0, 2) == "t"};
            if (!take(out.held ? &*out.held : nullptr)) return out;
            pg_result w = im.exec(
                "claim_gap",
                out.held ? std::string("UPDATE backfill_claims SET owner = $4, renewed_at = $5, done = false"
                                       " WHERE channel_id = $1 AND since_ts = $2 AND down_from = $3")
                         : std::string("INSERT INTO backfill_claims (channel_id, since_ts, down_from, owner, renewed_at)"
                                       " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"),
                {gap.channel_id, gap.since_ts, down_from, text_param(owner), int_param(to_unix_micros(now))});
            if (w.changed() != 1) continue;  // inserted by another meanwhile: read it
            tx.commit("claim_gap");
            out.held = store::gap_claim{std::string(owner), now, false};
            out.claimed = true;
            return out;
        }
        return out;
    }

    std::size_t renew_gaps(std::string_view owner, time_point now) override {
        return renew("renew_gaps", "UPDATE backfill_claims SET renewed_at = $2 WHERE owner = $1 AND NOT done", owner, now);
    }

    std::vector<std::string> thread_parents(std::int64_t incident_id) const override {
        pg_result r = impl_->exec("thread_parents",
                                  "SELECT DISTINCT parent COLLATE \"C\" FROM (SELECT attrs::jsonb ->> 'thread_ts' AS parent FROM timeline"
                                  " WHERE incident_id = $1 AND kind IN ('message', 'bot_message')) p"
                                  " WHERE parent IS NOT NULL ORDER BY 1",
                                  {int_param(incident_id)});
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
        return out;
    }

    void atomically(const std::function<void()>& writes) override {
        impl_->require_writable("atomically");
        pg_write_scope tx(*impl_);
        writes();
        tx.commit("atomically");
    }

    bool save_flow(const store::flow_row& row) override {
        auto& im = *impl_;
        im.require_writable("save_flow");
        if (row.key.empty()) throw storage_error(im.name_ + ": save_flow: empty key");
        pg_result r = im.exec("save_flow",
                              R"(INSERT INTO flows ("key", kind, step, state, owner, renewed_at) VALUES ($1, $2, $3, $4, $5, $6))"
                              R"( ON CONFLICT ("key") DO UPDATE SET kind = excluded.kind, step = excluded.step,)"
                              " state = excluded.state, renewed_at = excluded.renewed_at"
                              " WHERE excluded.step > flows.step AND flows.owner = excluded.owner",
                              {row.key, row.kind, int_param(row.step), row.state, row.owner,
                               int_param(to_unix_micros(row.renewed_at))});
        return r.changed() == 1;
    }

    void forget_flow(std::string_view key, std::string_view owner) override {
        impl_->require_writable("forget_flow");
        impl_->exec("forget_flow", R"(DELETE FROM flows WHERE "key" = $1 AND owner = $2)",
                    {text_param(key), text_param(owner)});
    }

    std::vector<store::flow_row> unfinished_flows() const override {
        pg_result r = impl_->exec("unfinished_flows",
                                  R"(SELECT "key", kind, step, state, owner, renewed_at FROM flows ORDER BY first_saved)");
        std::vector<store::flow_row> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({r.text(i, 0), r.text(i, 1), r.i64(i, 2), r.text(i, 3), r.text(i, 4),
                           from_unix_micros(r.i64(i, 5))});
        return out;
    }

    std::vector<store::flow_row> claim_flows(std::string_view owner, time_point now,
                                             const std::function<bool(const store::flow_row&)>& take) override {
        auto& im = *impl_;
        im.require_writable("claim_flows");
        pg_write_scope tx(im);
        std::vector<store::flow_row> out;
        for (auto& row : unfinished_flows()) {
            if (!take(row)) continue;
            // Compare and set: the UPDATE waits for the row's lock, then finds the row as the
            // instance before left it; renewed or taken meanwhile, it matches nothing.
            pg_result r = im.exec("claim_flows",
                                  R"(UPDATE flows SET owner = $2, renewed_at = $3 WHERE "key" = $1)"
                                  " AND owner = $4 AND step = $5 AND renewed_at = $6",
                                  {row.key, text_param(owner), int_param(to_unix_micros(now)), row.owner,
                                   int_param(row.step), int_param(to_unix_micros(row.renewed_at))});
            if (r.changed() != 1) continue;
            row.owner = std::string(owner);
            row.renewed_at = now;
            out.push_back(std::move(row));
        }
        tx.commit("claim_flows");
        return out;
    }

    std::size_t renew_flows(std::string_view owner, time_point now) override {
        return renew("renew_flows", "UPDATE flows SET renewed_at = $2 WHERE owner = $1", owner, now);
    }

    // renew_flows and renew_gaps: `update` sets renewed_at = $2 on the rows of owner $1 it names.
    std::size_t renew(const char* op, const char* update, std::string_view owner, time_point now) {
        impl_->require_writable(op);
        pg_result r = impl_->exec(op, update, {text_param(owner), int_param(to_unix_micros(now))});
        return static_cast<std::size_t>(r.changed());
    }

    void save_user(const user_profile& p) override {
        impl_->require_writable("save_user");
        impl_->exec("save_user",
                    "INSERT INTO users (id, name, real_name, handle, found, fetched_at) VALUES ($1, $2, $3, $4, $5, $6)"
                    " ON CONFLICT (id) DO UPDATE SET name = excluded.name, real_name = excluded.real_name,"
                    " handle = excluded.handle, found = excluded.found, fetched_at = excluded.fetched_at",
                    {p.id, p.name, p.real_name, p.handle, std::string(p.found ? "true" : "false"),
                     int_param(to_unix_micros(p.fetched_at))});
    }

    std::optional<user_profile> user(std::string_view id) const override {
        pg_result r = impl_->exec("user", "SELECT id, name, real_name, handle, found, fetched_at FROM users WHERE id = $1",
                                  {text_param(id)});
        if (r.rows() == 0) return std::nullopt;
        user_profile p;
        p.id = r.text(0, 0);
        p.name = r.text(0, 1);
        p.real_name = r.text(0, 2);
        p.handle = r.text(0, 3);
        p.found = r.boolean(0, 4);
        p.fetched_at = from_unix_micros(r.i64(0, 5));
        return p;
    }

    std::vector<std::pair<std::string, time_point>> users_fetched() const override {
        pg_result r = impl_->exec("users_fetched", "SELECT id, fetched_at FROM users");
        std::vector<std::pair<std::string, time_point>> out;
        for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), from_unix_micros(r.i64(i, 1)));
        return out;
    }

    const std::optional<std::string>& migration_backup() const override { return impl_->no_backup_; }

    void begin_group() override {
        auto& im = *impl_;
        im.require_writable("begin_group");
        if (im.in_group_) throw storage_error(im.name_ + ": begin_group: a group is already open");
        im.ensure_connected();
        im.begin_pending_ = true;  // BEGIN goes with the group's first statement (pg_session.hpp)
        im.in_group_ = true;
    }

    void commit_group() override {
        auto& im = *impl_;
        if (!im.in_group_) throw storage_error(im.name_ + ": commit_group: no group is open");
        try {
            // Nothing was written (an idle probe): BEGIN still checks that the server is there.
            im.send_begin("commit_group");
            pg_write_scope::commit_transaction(im, "commit_group");
        } catch (...) {
            rollback_group();
            throw;
        }
        im.in_group_ = false;
    }

    void rollback_group() override {
        auto& im = *impl_;
        if (!im.in_group_) return;
        im.in_group_ = false;
        im.begin_pending_ = false;  // nothing was sent
        if (!im.conn_ || PQstatus(im.conn_) != CONNECTION_OK || !im.in_transaction()) return;
        im.exec_simple("rollback_group", "ROLLBACK");
    }

    // PostgreSQL always writes ahead.
    std::string journal_mode() const override { return "wal"; }
    // synchronous_commit: on (or remote_*) = 2 like SQLite's FULL, local = 1, off = 0.
    int synchronous() const override {
        pg_result r = impl_->exec("synchronous", "SELECT current_setting('synchronous_commit')");
        const auto v = r.view(0, 0);
        return v == "off" ? 0 : v == "local" ? 1 : 2;
    }
    int busy_timeout_ms() const override {
        pg_result r = impl_->exec("busy_timeout", "SELECT setting FROM pg_settings WHERE name = 'lock_timeout'");
        return static_cast<int>(r.i64(0, 0));
    }

private:
    std::unique_ptr<pg_impl> impl_;
};

}  // namespace

std::unique_ptr<store_backend> open_pg_store(const std::string& uri, const open_options& opts) {
    return std::make_unique<pg_store>(uri, opts);
}

}  // namespace ib::storage
