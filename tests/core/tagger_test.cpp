// Tagger tests: corpus figures (shared corpus and our labelled cases, reported separately),
// then one block per rule family asserting the rule that fired, then robustness.
#include "core/tagger.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using ib::tag;
using ib::tag_message;

constexpr std::array<tag, 4> k_scored{tag::hypothesis, tag::command, tag::action, tag::status};

struct labelled {
    std::string text;
    std::set<tag> tags;
};

std::vector<labelled> load_cases(const std::filesystem::path& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "labelled corpus missing or unreadable: " << path.string());
    std::vector<labelled> out;
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto j = nlohmann::json::parse(line, nullptr, false);
        REQUIRE_MESSAGE(!j.is_discarded(), path.string() << ":" << line_no << ": invalid JSON");
        labelled c;
        c.text = j.at("text").get<std::string>();
        for (const auto& t : j.at("tags")) {
            const auto parsed = ib::parse_tag(t.get<std::string>());
            REQUIRE_MESSAGE(parsed.has_value(), path.string() << ":" << line_no << ": unknown tag");
            c.tags.insert(*parsed);
        }
        out.push_back(std::move(c));
    }
    REQUIRE_MESSAGE(!out.empty(), "labelled corpus is empty: " << path.string());
    return out;
}

std::set<tag> predicted(const std::string& text) {
    std::set<tag> s;
    for (const auto& h : tag_message(text)) s.insert(h.tag);
    return s;
}

struct scores {
    double precision = 0, recall = 0, f1 = 0;
    int tp = 0, fp = 0, fn = 0;
};

// Prints a per-tag table and the disagreements; returns the per-tag scores.
std::array<scores, 4> evaluate(const char* title, const std::vector<labelled>& cases) {
    std::array<scores, 4> s{};
    int exact = 0;
    std::vector<std::string> misses;
    for (const auto& c : cases) {
        const auto got = predicted(c.text);
        if (got == c.tags) ++exact;
        for (std::size_t k = 0; k < k_scored.size(); ++k) {
            const bool want = c.tags.count(k_scored[k]) > 0, have = got.count(k_scored[k]) > 0;
            if (want && have) ++s[k].tp;
            if (!want && have) ++s[k].fp;
            if (want && !have) ++s[k].fn;
        }
        if (got != c.tags) {
            std::string m = "  miss: \"" + c.text + "\" want [";
            for (tag t : c.tags) m += std::string(ib::to_string(t)) + " ";
            m += "] got [";
            for (const auto& h : tag_message(c.text)) m += h.rule + " ";
            misses.push_back(m + "]");
        }
    }
    std::printf("\n%s (%zu messages)\n", title, cases.size());
    std::printf("  %-11s %9s %9s %9s %5s %5s %5s\n", "tag", "precision", "recall", "F1", "tp", "fp",
                "fn");
    for (std::size_t k = 0; k < k_scored.size(); ++k) {
        auto& x = s[k];
        x.precision = x.tp + x.fp ? double(x.tp) / (x.tp + x.fp) : 1.0;
        x.recall = x.tp + x.fn ? double(x.tp) / (x.tp + x.fn) : 1.0;
        x.f1 = x.precision + x.recall > 0 ? 2 * x.precision * x.recall / (x.precision + x.recall) : 0;
        std::printf("  %-11s %9.3f %9.3f %9.3f %5d %5d %5d\n",
                    std::string(ib::to_string(k_scored[k])).c_str(), x.precision, x.recall, x.f1,
                    x.tp, x.fp, x.fn);
    }
    std::printf("  exact-set accuracy: %d/%zu = %.3f\n", exact, cases.size(),
                double(exact) / double(cases.size()));
    for (const auto& m : misses) std::printf("%s\n", m.c_str());
    std::fflush(stdout);
    return s;
}

void check_scores(const std::array<scores, 4>& s) {
    for (std::size_t k = 0; k < k_scored.size(); ++k) {
        INFO("tag " << ib::to_string(k_scored[k]));
        CHECK(s[k].f1 >= 0.9);
    }
}

// The rule that produced `t` for `text`, or "" when the tag is absent.
std::string rule(std::string_view text, tag t) {
    for (const auto& h : tag_message(text))
        if (h.tag == t) return h.rule;
    return {};
}

std::vector<tag> tags_of(std::string_view text) {
    std::vector<tag> out;
    for (const auto& h : tag_message(text)) out.push_back(h.tag);
    return out;
}

template <class F>
double millis(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_SUITE("tagger") {

TEST_CASE("shared corpus figures") {
    const auto cases = load_cases(std::string(IB_SHARED_DIR) + "/data/tagging-corpus.jsonl");
    check_scores(evaluate("shared corpus", cases));
}

TEST_CASE("incident-bot labelled cases figures") {
    const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() /
                      "data/tagging-cases.jsonl";
    const auto cases = load_cases(path);
    check_scores(evaluate("tagging-cases.jsonl", cases));
}


TEST_CASE("hypothesis: a hedge introducing an explanation") {
    using T = tag;
    // Each hedge family reports its phrase.
    CHECK(rule("looks like the queue consumer crashed", T::hypothesis) == "hedge:looks like");
    CHECK(rule("I think the cron double-fires since the DST change", T::hypothesis) == "hedge:i think");
    CHECK(rule("i think its the dns cache on the bastion", T::hypothesis) == "hedge:i think");
    CHECK(rule("could it be the WAF rule?", T::hypothesis) == "hedge:could it be");
    CHECK(rule("probably a surge in logins from the west coast", T::hypothesis) == "hedge:probably");
    CHECK(rule("the errors are probably coming from old clients", T::hypothesis) == "hedge:probably");
    CHECK(rule("might be a noisy neighbour on that hypervisor", T::hypothesis) == "hedge:might be");
    CHECK(rule("my theory: the deploy changed the default timeout", T::hypothesis) == "hedge:my theory");
    CHECK(rule("hypothesis: the health check path changed", T::hypothesis) == "hedge:hypothesis");
    CHECK(rule("I wonder whether it's the sidecar injection", T::hypothesis) == "hedge:i wonder whether");
    CHECK(rule("could the TLS handshake be timing out?", T::hypothesis) == "hedge:could…be?");
    CHECK(rule("I\u2019m fairly sure it\u2019s the expired intermediate cert", T::hypothesis) ==
          "hedge:fairly sure");
    CHECK(rule("pretty sure the 502s come from the idle timeout", T::hypothesis) == "hedge:pretty sure");
    // A hedge closing its clause qualifies what came before it.
    CHECK(rule("the timing suggests the cache warmup, maybe", T::hypothesis) == "hedge:maybe");
    CHECK(rule("possibly, let's see", T::hypothesis).empty());

    SUBCASE("not an explanation: personal state, proposal, estimate, verdict, request") {
        for (const char* text : {
                 "I think I need coffee before I can read more graphs",
                 "I think we should schedule the review for Monday",
                 "I think so",
                 "maybe later, I'm in a meeting",
                 "probably around 4pm before we have an RCA",
                 "might be a while before I get to a laptop",
                 "sounds good, go for it",
                 "seems fine to me",
                 "looks like a plan",
                 "probably not, the timing doesn't line up",
                 "Maybe we should get the DB team in here",
                 "we should probably restart the cache",
                 "Could you temporarily disable these jobs?",
                 "I think your hunch about the pool size is right",
                 "looks like everyone's here, let's start",
             }) {
            INFO(text);
            CHECK(rule(text, T::hypothesis).empty());
        }
    }
    SUBCASE("a statement of fact is not tentative") {
        CHECK(rule("root cause was the expired cert", T::hypothesis).empty());
        CHECK(rule("the graphs for eu-west look weird", T::hypothesis).empty());
    }
}

TEST_CASE("command: code, prompts, SQL, tools used as commands") {
    using T = tag;
    CHECK(rule("```\nsudo tail -f /var/log/nginx/error.log\n```", T::command) == "code-block");
    CHECK(rule("`df -h` on db-3 shows 100%", T::command) == "code-span");
    CHECK(rule("$ dig +short api.acme.io", T::command) == "prompt:$");
    CHECK(rule("root@db-1:~# df -h /var", T::command) == "prompt:user@host");
    CHECK(rule("deploy@bastion:~$ ssh ingest-3", T::command) == "prompt:user@host");
    CHECK(rule("cathy#: top", T::command) == "prompt:host#");
    CHECK(rule("mysql> SHOW FULL PROCESSLIST;", T::command) == "prompt:repl>");
    CHECK(rule("mysql&gt; SHOW FULL PROCESSLIST;", T::command) == "prompt:repl>");  // Slack-escaped
    CHECK(rule("SELECT count(*) FROM jobs WHERE state = 'stuck';", T::command) == "sql:select");
    CHECK(rule("UPDATE flags SET enabled = false WHERE name = 'x';", T::command) == "sql:update");
    CHECK(rule("delete from sessions where created_at < now()", T::command) == "sql:delete");
    CHECK(rule("kubectl logs deploy/payments --since=15m", T::command) == "cli:kubectl");
    CHECK(rule("docker ps on that host shows restarts", T::command) == "cli:docker");
    CHECK(rule("traceroute to 10.4.2.15 dies at hop 2", T::command) == "cli:traceroute");
    CHECK(rule("top on worker-5: load average 48", T::command) == "cli:top");
    CHECK(rule("sudo systemctl restart pgbouncer", T::command) == "cli:systemctl");
    CHECK(rule("grep for 'timeout' in the api logs", T::command) == "cli:grep");
    CHECK(rule("grepping the ingress logs for 499s", T::command) == "cli:grep");
    CHECK(rule("ran htop on the box, java at 400%", T::command) == "cli:htop");
    CHECK(rule("ps aux | grep java", T::command) == "cli:grep");

    SUBCASE("tools mentioned, preferred or used as English words") {
        for (const char* text : {
                 "I like htop a little better. It's easier to read.",
                 "the runbook mentions kubectl but not the namespace",
                 "who has ssh access to the bastion?",
                 "curl isn't installed in the distroless image",
                 "git is down too?",
                 "top of the hour is when the batch jobs start",
                 "less traffic than usual",
                 "cat pictures incoming",
                 "ping me if you need anything",
                 "dig into the logs when you can?",
                 "Select the 'prod' workspace in the dropdown",
                 "delete that last message, wrong channel",
                 "we use terraform for all of this",
             }) {
            INFO(text);
            CHECK(rule(text, T::command).empty());
        }
    }
}

TEST_CASE("action: intent, progress or a completed operation by the writer") {
    using T = tag;
    CHECK(rule("I'll roll back checkout", T::action) == "intent:i'll+verb");
    CHECK(rule("I'm going to restart the ingest workers", T::action) == "intent:going to+verb");
    CHECK(rule("im gonna cordon the bad node", T::action) == "intent:gonna+verb");
    CHECK(rule("Let me bounce the pods on node-3", T::action) == "intent:let me+verb");
    CHECK(rule("I have her number and can loop her in", T::action) == "intent:can+verb");
    CHECK(rule("about to promote the replica", T::action) == "intent:about to+verb");
    CHECK(rule("I'm ready to deploy that change", T::action) == "intent:ready to+verb");
    CHECK(rule("I'll hold on asking the network team", T::action) == "intent:i'll+verb");
    CHECK(rule("I'm almost done restarting the server", T::action) == "progressive:i'm+verb");
    CHECK(rule("we're rolling the fix out region by region", T::action) == "progressive:we're+verb");
    CHECK(rule("paging the database on-call", T::action) == "gerund:verb-ing");
    CHECK(rule("I think the deploy broke it, rolling back now", T::action) == "gerund:verb-ing");
    CHECK(rule("rolled back to 3.2.1", T::action) == "done:verb-ed");
    CHECK(rule("gracefully stopped and started the web services", T::action) == "done:verb-ed");
    CHECK(rule("just force-pushed the revert", T::action) == "done:verb-ed");
    CHECK(rule("I found a rogue process and I killed it", T::action) == "done:i+verb-ed");
    CHECK(rule("I did a full cluster support bundle", T::action) == "done:i+verb-ed");
    CHECK(rule("I've drained node-7 and cordoned it", T::action) == "done:i+verb-ed");

    SUBCASE("not acting on the system or the response") {
        for (const char* text : {
                 "I'm going to read the backscroll first",
                 "I'm going to grab lunch, back in 20",
                 "I'll take a look at the dashboards",
                 "I'll keep an eye on the error graphs",
                 "I'm on a customer call but I'm here for backup",
                 "Will do",
                 "working on it",
                 "can someone restart the ingest workers?",
                 "should we roll back?",
                 "has anyone tried restarting it?",
                 "restarting didn't help last time",
                 "started seeing errors around 13:50",
                 "restarted at 14:10 by the autoscaler",
                 "the failover failed to complete",
                 "posted an update on the status page",
                 "Adding <#C0123|inc-2291> for context",
                 "I'll let you know when I'm back",
                 "running low on disk on db-2",
                 "I restarted nothing, just looked",
             }) {
            INFO(text);
            CHECK(rule(text, T::action).empty());
        }
    }
}

TEST_CASE("status: customer and stakeholder communication") {
    using T = tag;
    CHECK(rule("the status page has been updated", T::status) == "status:status page");
    CHECK(rule("resolved on <https://status.acme.io|statuspage>", T::status) == "status:status page");
    CHECK(rule("customers in APAC are saying the app is blank", T::status) == "status:customers");
    CHECK(rule("12 new tickets from enterprise customers", T::status) == "status:customers");
    CHECK(rule("support has 30+ tickets about double charges", T::status) == "status:support");
    CHECK(rule("Zendesk queue is at 120", T::status) == "status:support");
    CHECK(rule("forwarding from <#C42|support>", T::status) == "status:support");
    CHECK(rule("people are talking about us on Twitter", T::status) == "status:social");
    CHECK(rule("getting lots of complaints about messages", T::status) == "status:complaints");
    CHECK(rule("leadership wants an update every 30 minutes", T::status) == "status:stakeholders");
    CHECK(rule("we may want to let them know it takes hours", T::status) == "status:comms");
    CHECK(rule("I'll work on messaging to send to other teams", T::status) == "status:comms");
    CHECK(rule("comms: next external update in 30 min", T::status) == "status:comms");
    CHECK(rule("posting the customer update now", T::status) == "status:customers");

    SUBCASE("the words without the communication") {
        for (const char* text : {
                 "status of the rollback?",
                 "the customer_id column is null",
                 "the user service is returning 500s",
                 "support for TLS 1.0 was removed",
                 "the ticket for the follow-up is INC-4412",
                 "I'll open a ticket with Google support.",
                 "Most of those users are on the west coast",
                 "I'm on a customer call for 20 minutes",
                 "I'll let you know when I'm back at my desk",
             }) {
            INFO(text);
            CHECK(rule(text, T::status).empty());
        }
    }
}

TEST_CASE("multi-tag messages: one hit per tag, in tag order") {
    using T = tag;
    CHECK(tags_of("running `terraform plan` against prod to see the drift") ==
          std::vector<tag>{T::command, T::action});
    CHECK(tags_of("I'll take care of updating the status page again") ==
          std::vector<tag>{T::action, T::status});
    CHECK(tags_of("maybe it's the cert; I'll renew it with `certbot renew --force-renewal`") ==
          std::vector<tag>{T::hypothesis, T::command, T::action});
    CHECK(tags_of("restarted the workers with `systemctl restart celery` and support says tickets "
                  "stopped") == std::vector<tag>{T::command, T::action, T::status});
    CHECK(tags_of("customers are reporting timeouts, probably the same LB issue") ==
          std::vector<tag>{T::hypothesis, T::status});
    CHECK(tags_of("I'll ping the support lead") == std::vector<tag>{T::action, T::status});
    // Two code spans, two intents: still one hit per tag.
    const auto hits = tag_message("I'll run `a` then I'll run `b`");
    CHECK(hits.size() == 2);
    CHECK(tags_of("looks like it crashed. looks like it crashed again") ==
          std::vector<tag>{T::hypothesis});
}

TEST_CASE("empty, whitespace and chatter carry no tags") {
    for (const char* text : {"", " ", "\n\t \r\n", "lol", "+1", ":fire: :fire:", "\xF0\x9F\x98\xAC",
                             "ack", "thanks all", "error rate back to normal"}) {
        INFO(text);
        CHECK(tag_message(text).empty());
    }
}

TEST_CASE("Slack markup is opaque") {
    using T = tag;
    // A mention in front does not hide the clause start.
    CHECK(rule("<@U024BE7LH> I'll handle the rollback", T::action) == "intent:i'll+verb");
    CHECK(rule("<@U02ABCD7|bob> I think your change is amplifying the load", T::hypothesis) ==
          "hedge:i think");
    // Words inside link labels and targets are not prose.
    CHECK(tag_message("see <https://wiki/restart-runbook|I'll restart the pods>").empty());
    CHECK(tag_message("<#C1|customers-reporting> <@U9|support> <!here>").empty());
    CHECK(rule("curl -sv <https://api.acme.io/healthz> returns 503", T::command) == "cli:curl");
    // Unterminated or malformed markup does not swallow the rest.
    CHECK(rule("<@U1 I'll restart the api", T::action) == "intent:i'll+verb");
    CHECK(rule("a < b and I'll restart the api", T::action) == "intent:i'll+verb");
}

TEST_CASE("robustness: any bytes, bounded time") {
    SUBCASE("invalid UTF-8, NULs and control characters") {
        std::string nasty = "I\xE2\x80 think \xFF\xFE the \x00" "cache\x01\x02 is\x7f broken \xC2";
        nasty += std::string("\0\0\0", 3) + "`unterminated ``` <@ <https://x|" + "\xE2\x80";
        CHECK_NOTHROW(tag_message(nasty));
        std::string all;
        for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
        for (int k = 0; k < 4; ++k) all += all;
        CHECK_NOTHROW(tag_message(all));
        // A NUL is spacing, not an end of string.
        CHECK(rule(std::string("I'll\0restart the api", 20), tag::action) == "intent:i'll+verb");
    }
    SUBCASE("500 KB message returns quickly and judges a prefix") {
        std::string big = "I think the cache is broken. ";
        while (big.size() < 500 * 1024) big += "a a a the the i'll could be `x` <@U1> ";
        big += "customers are reporting errors";  // beyond the judged prefix
        std::vector<ib::tag_hit> hits;
        const double ms = millis([&] { hits = tag_message(big); });
        MESSAGE("500 KB message tagged in " << ms << " ms");
        CHECK(ms < 50.0);
        CHECK(rule(big, tag::hypothesis) == "hedge:i think");
        CHECK(rule(big, tag::status).empty());
    }
    SUBCASE("pathological repetitions") {
        for (const std::string& unit : {std::string("<"), std::string("`"), std::string("```"),
                                        std::string("&gt;"), std::string("\xE2\x80\x99"),
                                        std::string("?"), std::string("a ")}) {
            std::string s;
            while (s.size() < 200 * 1024) s += unit;
            const double ms = millis([&] { (void)tag_message(s); });
            INFO("unit " << unit << " took " << ms << " ms");
            CHECK(ms < 50.0);
        }
    }
    SUBCASE("pure: same input, same output") {
        const std::string text = "users are complaining on Twitter, I'm writing the status page update";
        CHECK(tag_message(text) == tag_message(text));
    }
}

}  // TEST_SUITE("tagger")
