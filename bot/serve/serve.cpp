#include "bot/serve/serve.hpp"

#include "bot/log.hpp"
#include "core/users.hpp"
#include "storage/store.hpp"

#include <csignal>
#include <pthread.h>

#include <chrono>
#include <limits>
#include <optional>

namespace ib::bot {

namespace {

time_point wall_clock() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// The data behind the site: the read-only store and the last incident read in full, kept while
// neither it nor its timeline changes (a 100,000-entry timeline is read once, not per page).
// An incident page without filters never reads the whole timeline: its page, its deletions and
// the timeline's kinds come by index (core/review/site.hpp, page_view), so its first paint
// does not wait for the summary, which the page fetches next (and which reads and keeps the
// record). Used on the server's thread only.
class site_data {
public:
    explicit site_data(const serve_config& cfg)
        : opts_(cfg.site), store_(cfg.db_path, storage::open_options{.read_only = true}) {}

    ib::http::response handle(const ib::http::request& req) {
        const review::route r = review::parse_route(req);
        if (!review::check_access(req, r, opts_.token)) {
            if (r.what == review::page::version || r.what == review::page::download)
                return review::error_page(401, "Sign in first.");
            return review::login_page({}, true);
        }
        switch (r.what) {
        case review::page::healthz: {
            ib::http::response res;
            res.body = "ok\n";
            return res;
        }
        case review::page::asset: return review::asset(r.name);
        case review::page::login: return opts_.token.empty() ? review::error_page(404, "This site needs no sign-in.")
                                                             : review::login_page();
        case review::page::login_submit: return review::login_submit(req, opts_.token);
        case review::page::incidents: return review::incidents_page(all_incidents(), r.query, wall_clock(), opts_);
        case review::page::stats: return review::stats_page(all_incidents(), wall_clock(), opts_);
        case review::page::method_not_allowed: {
            auto res = review::error_page(405, "This site only reads: GET and HEAD.");
            res.headers.emplace_back("Allow", "GET, HEAD");
            return res;
        }
        case review::page::not_found: return review::error_page(404, "Not found.");
        default: break;
        }
        // The pages of one incident.
        const auto inc = store_.incident_by_id(r.incident_id);
        if (!inc || !review::visible(*inc, opts_))
            return review::error_page(404, "No incident #" + std::to_string(r.incident_id) + ".");
        if (r.what == review::page::version)
            return review::version_response(*inc, store_.timeline_size(inc->id));
        switch (r.what) {
        case review::page::incident:
            if (!review::filters_timeline(r.query)) return review::incident_page(page_of(*inc, r.query), r.query, wall_clock());
            return review::incident_page(review::view_of(record(*inc).record, r.query), r.query, wall_clock());
        case review::page::entry:
            return review::entry_redirect(inc->id, r.seq, store_.timeline_position(inc->id, r.seq));
        case review::page::summary: {
            auto& cached = record(*inc);
            if (!cached.summary) cached.summary = review::summary_page(cached.record);
            return *cached.summary;
        }
        case review::page::download: return review::download(record(*inc).record, r.name);
        default: return review::error_page(404, "Not found.");
        }
    }

private:
    struct cached_record {
        incident_record record;
        std::string version;
        std::optional<ib::http::response> summary;  // summary_page(record), once asked for
    };

    // One page of the unfiltered timeline, read by index: the page's entries, the deletions and
    // marked messages they need, the kinds on the whole timeline, and the names of them all.
    review::page_view page_of(const incident& inc, const ib::http::params& query) {
        review::page_view v;
        v.inc = inc;
        v.total = v.matches = store_.history_size(inc.id);
        const auto slice = review::slice_of(v.matches, query);
        v.page = slice.page;
        v.pages = slice.pages;
        v.first = slice.first;
        v.entries = store_.timeline_page(inc.id, slice.first, review::page_size);
        constexpr entry_kind deletions[] = {entry_kind::deletion};
        v.context = store_.timeline_of_kinds(inc.id, deletions);
        for (const auto& ts : review::marked_messages(v.entries))
            if (auto m = store_.message(inc.id, ts)) v.context.push_back(std::move(*m));
        v.kinds = store_.timeline_kinds(inc.id);
        v.names = store_.names_of(review::people_in(v));
        return v;
    }

    std::vector<incident> all_incidents() const {
        return store_.incidents_declared_between(time_point::min(), time_point::max());
    }

    // The incident with its timeline and names: read again when its version changed.
    cached_record& record(const incident& inc) {
        const std::string version = review::version_of(inc, store_.timeline_size(inc.id));
        if (!cache_ || cache_->record.inc.id != inc.id || cache_->version != version) {
            cached_record c;
            c.record = incident_record{inc, history_of(store_.timeline(inc.id)), {}};
            c.record.names = store_.names_of(users_referenced(c.record.inc, c.record.timeline));
            c.version = version;
            cache_ = std::move(c);
        }
        return *cache_;
    }

    review::site_options opts_;
    storage::store store_;
    std::optional<cached_record> cache_;
};

}  // namespace

int run_serve(const serve_config& cfg) {
    // Block the stop signals before the server thread starts (it inherits the mask), then
    // wait for one of them here.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    site_data data(cfg);
    ops::http_server server(cfg.listen, [&data](const ib::http::request& req) {
        try {
            return data.handle(req);
        } catch (const std::exception& e) {
            log_error("serve", std::string("request failed: ") + e.what());
            return review::error_page(500, "The database could not be read; see the server's log.");
        }
    }, "the review site");
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("serve", "stopping on signal " + std::to_string(sig));
    server.stop();
    return 0;
}

}  // namespace ib::bot
