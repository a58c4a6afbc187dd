// The status rules: communication with customers and stakeholders (status page, support,
// social media, complaints, updates to leadership).
#include "core/tagger/rules.hpp"

namespace ib::tagger {
namespace {

bool status_page_at(const view& v, std::size_t i) {
    const token& t = v.t[i];
    if (t.kind == tk::url_ref) {
        const std::size_t scheme = t.target.find("://");
        const sv host = scheme == sv::npos ? t.target : t.target.substr(scheme + 3);
        return host.substr(0, 7) == "status." || t.target.find("statuspage") != sv::npos ||
               t.low.find("status") != sv::npos;
    }
    const sv w = v.w(i);
    if (w == "statuspage" || w == "status-page" || w == "statuspage.io") return true;
    if (w == "status" && v.joined(i + 1)) {
        const sv nx = v.w(i + 1);
        return nx == "page" || nx == "pages" || nx == "site" || nx == "update" || nx == "updates";
    }
    return false;
}

bool customers_report_at(const view& v, std::size_t i) {
    if (!in(k_customers, v.w(i))) return false;
    // "customers in APAC are saying …", "users on the forum are complaining"
    for (std::size_t k = i + 1; k < v.size() && k <= i + 5; ++k) {
        if (v.t[k].gap >= sep_comma) break;
        if (in(k_reporting_verbs, v.w(k))) return true;
    }
    // "tickets from enterprise customers", "calls from users"
    for (std::size_t k = i, steps = 0; k > 0 && steps < 5; --k, ++steps) {
        if (v.t[k].gap >= sep_comma) break;
        if (in(k_contact_nouns, v.w(k - 1))) return true;
    }
    // "the customer email", "customer comms"; "update(s)" only as a noun ("the customer update",
    // not "users update their settings").
    if (v.joined(i + 1) && in(k_comms_nouns, v.w(i + 1))) {
        const bool verb_like = v.w(i + 1) == "update" || v.w(i + 1) == "updates";
        if (!verb_like || (i > 0 && v.joined(i) && in(k_determiners, v.w(i - 1)))) return true;
    }
    return false;
}

bool support_at(const view& v, std::size_t i) {
    const token& t = v.t[i];
    if (t.kind == tk::channel_ref) return t.low.find("support") != sv::npos;
    const sv w = v.w(i);
    if (w == "#support" || in(k_helpdesks, w)) return true;
    if (w == "customer" && v.joined(i + 1) && v.w(i + 1) == "success") return true;
    if (w != "support") return false;
    if (v.joined(i + 1) && in(k_support_next, v.w(i + 1))) return true;
    return i > 0 && v.joined(i) && in(k_support_prev, v.w(i - 1));
}

bool stakeholders_at(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (w == "stakeholder" || w == "stakeholders") return true;
    if (!in(k_stakeholders, w)) return false;
    // "leadership wants an update", "CS is asking for an ETA", "sales wants to know …"
    for (std::size_t k = i + 1; k < v.size() && k <= i + 3; ++k) {
        if (!v.joined(k)) break;
        if (in(k_asking_verbs, v.w(k))) return true;
    }
    return false;
}

bool comms_at(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (w.empty()) return false;
    if (in(k_comms_words, w)) return true;
    if (w == "external" && v.joined(i + 1) && in(k_comms_nouns, v.w(i + 1))) return true;
    if (w == "incident" && v.joined(i + 1) && v.w(i + 1) == "notice") return true;
    // "let them know", "let the partner team know" — but not "let you know".
    if (w == "let") {
        for (std::size_t k = i + 1; k < v.size() && k <= i + 5; ++k) {
            if (!v.joined(k)) break;
            const sv x = v.w(k);
            if (x == "me" || x == "you" || x == "us" || x == "y'all") break;
            if (x == "know") return k > i + 1;
        }
    }
    // "messaging to send to other teams", "email to affected users"
    if (in(k_comms_nouns, w)) {
        for (std::size_t k = i + 1; k < v.size() && k <= i + 6; ++k) {
            if (v.t[k].gap >= sep_comma) break;
            if (v.w(k) != "to") continue;
            for (std::size_t m = k + 1; m < v.size() && m <= k + 3; ++m) {
                if (!v.joined(m)) break;
                if (in(k_audience, v.w(m))) return true;
            }
        }
    }
    // "update the stakeholders", "warn the Acme account", "tell customers"
    if (in(k_comms_verbs, w)) {
        for (std::size_t k = i + 1; k < v.size() && k <= i + 3; ++k) {
            if (!v.joined(k)) break;
            const sv x = v.w(k);
            if (x == "team" || x == "teams" || x == "them") break;
            if (in(k_audience, x)) return true;
        }
    }
    return false;
}

}  // namespace

std::optional<tag_hit> status_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (status_page_at(v, i)) return tag_hit{tag::status, "status:status page"};
        const sv w = v.w(i);
        if (in(k_social, w) || (w == "social" && v.joined(i + 1) && v.w(i + 1) == "media"))
            return tag_hit{tag::status, "status:social"};
        if (in(k_complaints, w)) return tag_hit{tag::status, "status:complaints"};
        if (customers_report_at(v, i)) return tag_hit{tag::status, "status:customers"};
        if (support_at(v, i)) return tag_hit{tag::status, "status:support"};
        if (stakeholders_at(v, i)) return tag_hit{tag::status, "status:stakeholders"};
        if (comms_at(v, i)) return tag_hit{tag::status, "status:comms"};
    }
    return std::nullopt;
}

}  // namespace ib::tagger
