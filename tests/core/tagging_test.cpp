// The tagger's model, part by part: the normaliser/tokeniser, the word classes, the
// constructions, the feature ids and the weight table, explanations, and near misses taken from
// the labelling conventions (tests/data/README.md) as regression cases.
#include "core/tagger.hpp"
#include "core/tagging/constructions.hpp"
#include "core/tagging/features.hpp"
#include "core/tagging/lexicon.hpp"
#include "core/tagging/model.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace ib::tagging;
using ib::tag;

// The token stream as text, boundaries as "|": "| i'll restart <code> |".
std::string stream(std::string_view text) {
    tokens t;
    tokenize(text, t);
    std::string out;
    for (const token& k : t.list) {
        if (!out.empty()) out += ' ';
        out += k.kind == token_kind::boundary ? std::string("|") : std::string(t.str(k));
    }
    return out;
}

const token* find_token(const tokens& t, std::string_view s) {
    for (const token& k : t.list)
        if (t.str(k) == s) return &k;
    return nullptr;
}

std::vector<std::string> constructions_of(std::string_view text) {
    tokens t;
    tokenize(text, t);
    std::vector<std::string> out;
    find_constructions(
        t,
        [](void* v, construction c, std::size_t) {
            static_cast<std::vector<std::string>*>(v)->push_back(std::string(construction_name(c)));
        },
        &out);
    return out;
}

bool has(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::vector<tag> tags_of(std::string_view text) {
    std::vector<tag> out;
    for (const auto& h : ib::tag_message(text)) out.push_back(h.tag);
    return out;
}

std::string why(std::string_view text, tag t) {
    for (const auto& h : ib::tag_message(text))
        if (h.tag == t) return h.rule;
    return {};
}

}  // namespace

TEST_SUITE("tagging") {

TEST_CASE("tokeniser: words are lowercased, apostrophes unified, edges stripped") {
    CHECK(stream("I'll RESTART it.") == "| i'll restart it |");
    CHECK(stream("I\xE2\x80\x99ll restart it") == "| i'll restart it |");  // curly apostrophe
    CHECK(stream("*bold* _italic_ ~strike~ 'quoted'") == "| bold italic strike quoted |");
    CHECK(stream("hypothesis: the LB") == "| hypothesis : the lb |");
    CHECK(stream("is it the cache? or dns") == "| is it the cache ? | or dns |");
    CHECK(stream("a, b; c! d\ne \xE2\x80\x94 f") == "| a , b | c | d | e | f |");
}

TEST_CASE("tokeniser: numbers, flags, paths and HTTP codes become shapes") {
    CHECK(stream("db-3 at 14:05, 10.4.2.15 and v2.41.3") == "| db-0 at 0:0 , 0.0.0.0 and v0.0.0 |");
    CHECK(stream("502s and 404 and 5xx but 200") == "| <5xx> and <4xx> and <5xx> but 0 |");
    CHECK(stream("kubectl logs -n api --since=15m /var/log/x ~/y") == "| kubectl logs <flag> api <flag> <path> <path> |");
    CHECK(stream(std::string(60, 'a')) == "| <long> |");
}

TEST_CASE("tokeniser: Slack markup, links, code and emoji are placeholder tokens") {
    CHECK(stream("<@U024BE7LH> <@U1|bob> <#C1|inc-42> <!here> <!subteam^S1|@sre>") ==
          "| <user> <user> <channel> <here> <group> |");
    CHECK(stream("see <https://grafana.acme.io/d/1|api latency> or https://x.io/y") == "| see <link> or <link> |");
    CHECK(stream("ran `df -h` then\n```\nSELECT 1;\n```\ndone") == "| ran <code> then | <codeblock> | done |");
    CHECK(stream(":fire: \xF0\x9F\x94\xA5 @dana #payments") == "| <emoji> <emoji> <user> <channel> |");
    CHECK(stream("mysql&gt; SHOW PROCESSLIST; a &amp; b &lt;c") == "| mysql> show processlist | a & b <c |");
    // "> quoted" at a line start is a quote marker, not a word
    CHECK(stream("&gt; customers are reporting 500s") == "| customers are reporting <5xx> |");
    // Unterminated or malformed markup does not swallow the rest.
    CHECK(stream("a < b and `unterminated <@U1 x") == "| a < b and unterminated <@u0 x |");
}

TEST_CASE("tokeniser: code content and link targets are kept for the code and status cues") {
    tokens t;
    tokenize("ran `sudo systemctl restart nginx` and updated <https://status.acme.io|our page>", t);
    const token* code = find_token(t, "<code>");
    REQUIRE(code != nullptr);
    CHECK(t.content(*code) == "sudo systemctl restart nginx");
    const token* link = find_token(t, "<link>");
    REQUIRE(link != nullptr);
    CHECK(t.content(*link) == "https://status.acme.io");
    CHECK((link->classes & wc_comms_item) != 0);  // a status site
}

TEST_CASE("tokeniser: clauses are cut at sentence boundaries and commas") {
    tokens t;
    tokenize("I think the deploy broke it, rolling back now. ok", t);
    CHECK(find_token(t, "think")->clause == find_token(t, "broke")->clause);
    CHECK(find_token(t, "rolling")->clause == find_token(t, "broke")->clause + 1);
    CHECK(find_token(t, "ok")->clause > find_token(t, "rolling")->clause);
    // Round 10: a comma ends its own clause, so the clause after it opens on its first word.
    CHECK(find_token(t, ",")->clause == find_token(t, "broke")->clause);
    // A thousands separator is part of its number, not a clause break.
    tokenize("queued 2,314 pending verifications", t);
    CHECK(find_token(t, ",") == nullptr);
    CHECK(find_token(t, "queued")->clause == find_token(t, "verifications")->clause);
    // A code fence's language tag is no part of the code.
    tokenize("```sql\nSELECT count(*) FROM bets;\n```", t);
    REQUIRE(find_token(t, "<codeblock>") != nullptr);
    CHECK(t.content(*find_token(t, "<codeblock>")).starts_with("SELECT"));
}

TEST_CASE("tokeniser: bounded and safe on any bytes") {
    tokens t;
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    for (int k = 0; k < 6; ++k) all += all;
    tokenize(all, t);
    CHECK(t.text.size() <= k_judged_prefix + 64 + k_judged_prefix / 2);
    for (const token& k : t.list) {
        CHECK(k.b <= k.e);
        CHECK(k.e <= t.text.size());
        CHECK(k.cb <= k.ce);
        CHECK(k.ce <= t.text.size());
    }
    tokenize(std::string(300 * 1024, '`'), t);
    tokenize(std::string(300 * 1024, '<'), t);
    tokenize("", t);
    CHECK(stream("") == "|");
}

TEST_CASE("word classes: listed words, their inflections, and what does not inflect") {
    CHECK((look_up("restart").classes & wc_op_verb) != 0);
    CHECK(look_up("restarting").form == form::ing);
    CHECK(look_up("scaling").form == form::ing);      // dropped e
    CHECK(look_up("stopped").form == form::past);     // doubled consonant
    CHECK(look_up("applied").form == form::past);     // -ied
    CHECK((look_up("applied").classes & (wc_op_verb | wc_done)) == (wc_op_verb | wc_done));  // listed and inflected
    CHECK(look_up("spun").form == form::past);        // irregular
    CHECK(look_up("retries").form == form::third);    // -ies
    CHECK((look_up("reimporting").classes & wc_op_verb) != 0);  // re- prefix
    CHECK(look_up("re-queueing").form == form::ing);             // re-, whatever the verb
    CHECK((look_up("re-queueing").classes & wc_op_verb) != 0);
    CHECK((look_up("re-checking").classes & wc_op_verb) == 0);   // looking again is no operation
    CHECK(look_up("force-pushed").form == form::past);           // a compound verb: its last word
    CHECK((look_up("force-pushed").classes & wc_op_verb) != 0);
    CHECK((look_up("cache-restore").classes & wc_op_verb) == 0);  // a noun compound
    CHECK((look_up("csms").classes & wc_audience) != 0);
    CHECK((look_up("vermutlich").classes & wc_hedge) != 0);
    CHECK((look_up("kubectl").classes & wc_tool) != 0);
    CHECK((look_up("top").classes & wc_tool) == 0);   // an English word first
    CHECK((look_up("top").classes & wc_tool_word) != 0);
    CHECK(look_up("zzzqqq").classes == 0);
    CHECK(look_up("").classes == 0);
    CHECK(class_name(0) == "hedge");
    CHECK(class_name(k_word_classes).empty());
}

TEST_CASE("word classes: SQL words count as SQL only in capitals, status sites are comms") {
    tokens t;
    tokenize("UPDATE flags SET x = 1 and update the flags", t);
    CHECK((t.list[1].classes & wc_sql) != 0);   // UPDATE
    CHECK((find_token(t, "the")->classes & wc_sql) == 0);
    CHECK((t.list[t.list.size() - 3].classes & wc_sql) == 0);  // "update" in prose
    tokenize("set githubstatus.com to yellow", t);
    CHECK((find_token(t, "githubstatus.com")->classes & wc_comms_item) != 0);
}

TEST_CASE("constructions: action") {
    CHECK(has(constructions_of("I'll roll back checkout"), "intent+op_verb"));
    CHECK(has(constructions_of("I'm going to just restart the workers"), "intent+op_verb"));
    CHECK(has(constructions_of("we're draining node-7"), "progressive+op_verb"));
    CHECK(has(constructions_of("I've already restarted pgbouncer"), "subject+op_verb-ed"));
    CHECK(has(constructions_of("ok, rolling back to 3.2.1"), "initial op_verb-ing"));
    CHECK(has(constructions_of("I think it's the deploy, reverting it now"), "initial op_verb-ing"));
    CHECK(has(constructions_of("blackholed the attacking /24"), "initial op_verb-ed"));
    CHECK(has(constructions_of("I'll update the VP"), "intent+comms"));
    CHECK(has(constructions_of("looping in legal now"), "op_verb+audience"));
    CHECK(has(constructions_of("restarting didn't help"), "gerund subject"));
    CHECK(has(constructions_of("restarted at 14:10 by the autoscaler"), "passive by someone"));
    CHECK(has(constructions_of("should we roll back?"), "op_verb in question"));
    CHECK(has(constructions_of("can you restart the ingest workers"), "request to act"));
    CHECK(has(constructions_of("I'm going to restart my laptop"), "personal object"));
    CHECK(!has(constructions_of("started seeing errors at 13:50"), "initial op_verb-ed"));
    CHECK(!has(constructions_of("running low on disk"), "initial op_verb-ing"));
    // A '?' makes its own clause a question, not an offer made before it.
    CHECK(has(constructions_of("I can take the database side, Marco can you look at the app?"), "intent+op_verb"));
    CHECK(has(constructions_of("should we roll back, or wait?"), "op_verb in question"));
    CHECK(!has(constructions_of("should we roll back, or wait?"), "intent+op_verb"));
    CHECK(has(constructions_of("flag `recently_viewed` set to false"), "object+op_verb-ed"));
    CHECK(has(constructions_of("<@U1> I'll handle the rollback, you keep digging"), "takes on an operation"));
    CHECK(has(constructions_of("I'm working on the permanent fix"), "takes on an operation"));
    CHECK(!has(constructions_of("I'll work on messaging to send to other teams"), "takes on an operation"));
    // Round 9: "on it" is the writer taking the job, alone or after a subject; not inside a clause.
    CHECK(has(constructions_of("on it"), "takes on an operation"));
    CHECK(has(constructions_of("I'm on it, draining node-7 first"), "takes on an operation"));
    CHECK(!has(constructions_of("the fix has a comment on it from Dana"), "takes on an operation"));
    CHECK(!has(constructions_of("anyone on it?"), "takes on an operation"));
    // Round 10: "going for it" is the writer going ahead.
    CHECK(has(constructions_of("dry run says 1.4 TB reclaimable. going for it"), "takes on an operation"));
    CHECK(!has(constructions_of("are we going for it?"), "takes on an operation"));
    CHECK(has(constructions_of("pulling the job output now"), "evidence object"));
    CHECK(has(constructions_of("failing back to East means losing the West writes"), "gerund subject"));
    // Round 6: the writer's clause shape around a verb the lexicon does not know as an operation.
    CHECK(has(constructions_of("clamping MSS on our tunnel interface to 1360"), "writer's verb"));
    CHECK(has(constructions_of("we consolidated the orphaned snapshots"), "writer's verb"));
    CHECK(!has(constructions_of("nothing in the logs since the morning"), "writer's verb"));
    CHECK(!has(constructions_of("should we be clamping MSS?"), "writer's verb"));
}

TEST_CASE("command lines: what they do is their program's verb or subcommand, not any word in them") {
    auto verbs = [](std::string_view c) { return ib::tagging::command_text_verbs(c); };
    using ib::tagging::cv_read;
    using ib::tagging::cv_write;
    CHECK(verbs("sudo systemctl restart pgbouncer") == cv_write);
    CHECK(verbs("db2$ sudo rm -rf /var/opt/gitlab/postgresql/data/*") == cv_write);
    CHECK(verbs("kubectl -n dispatch logs deploy/geo-indexer --since=10m | grep -c 'stale'") == cv_read);
    CHECK(verbs("grep -rn worker_shutdown_timeout /etc/nginx/") == cv_read);   // an operand, not a verb
    // The value of a scoping option is an operand: this deletes, it does not search.
    CHECK(verbs("kubectl -n search delete pod es-data-3") == cv_write);
    CHECK(verbs("helm --namespace auth rollback otp-sender 57") == cv_write);
    CHECK(verbs("ansible-playbook -i prod bidder.yml --tags jvm") == cv_write);
    CHECK(verbs("aws route53 change-resource-record-sets --hosted-zone-id Z0 --change-batch file://x.json") == cv_write);
    CHECK(verbs("aws logs filter-log-events --log-group-name /alb --start-time 1715644800000") == cv_read);
    CHECK(verbs("kafka-consumer-groups.sh --group etl --reset-offsets --to-offset 88 --execute") == cv_write);
    CHECK(verbs("runner-ctl drain --pool large && runner-ctl restart --pool large") == cv_write);
    CHECK(verbs("SELECT pg_drop_replication_slot('analytics_old');") == (cv_read | cv_write));
    CHECK(verbs("psql -c 'select now() - pg_last_xact_replay_timestamp()'") == cv_read);
    CHECK(verbs("clickhouse-client -q \"ALTER USER tenant SETTINGS max_rows_to_read = 2\"") == cv_write);
    CHECK((verbs("kubectl apply -f x.yaml --dry-run=server") & ib::tagging::cv_dry) != 0);
    CHECK(verbs("systemd[1]: nginx.service: Scheduled restart job") == 0);  // a log line
    CHECK(verbs("Vault is sealed") == 0);
    // Round 10: a function's arguments are not its verb ("min(start_at)" starts nothing); publish,
    // up and down write; a verb done again ("resubmit") is that verb.
    CHECK(verbs("SELECT count(*), min(start_at) FROM calendar_blocks") == cv_read);
    CHECK(verbs("epgctl publish --file /srv/epg/archive/epg_20261204.xml --extend-days 1") == cv_write);
    CHECK(verbs("docker compose up -d --build ari-consumer") == cv_write);
    CHECK((verbs("./resubmit.sh --status REJECTED --since 07:00") & cv_write) != 0);
    // Round 6: an HTTP client's method or body; a prompt glued to its command; a compound
    // subcommand's verb is its first part ("service-version" names none, "activate" does).
    CHECK(verbs("curl -X POST https://api.fastly.com/service/x/purge_all") == cv_write);
    CHECK(verbs("curl -XDELETE 'localhost:9200/products_tmp'") == cv_write);
    CHECK(verbs("curl -s localhost:9200/_cat/indices -d '{}'") == cv_write);
    CHECK(verbs("curl -s -X GET localhost:9200/_cluster/health") == cv_read);
    CHECK(verbs("curl -sI https://www.example.com") == cv_read);
    CHECK(verbs("Invoke-RestMethod -Method Delete -Uri https://api.internal/v1/sessions") == cv_write);
    CHECK(verbs("http PATCH https://flags.internal/api/flags/x enabled:=false") == cv_write);
    CHECK(verbs("core-sw01(config-if)#shutdown") == cv_write);
    // Round 7: what is typed in a router's configuration mode changes it; show reads anywhere.
    CHECK(verbs("sw-comms-02(config-if)#switchport access vlan 214") == cv_write);
    CHECK(verbs("sw-comms-02#show vlan brief") == cv_read);
    CHECK(verbs("Unlock-ADAccount -Identity svc_scan3") == cv_write);
    CHECK(verbs("kubectl get csr -o name | xargs kubectl certificate approve") == (cv_read | cv_write));
    CHECK((verbs("fastly service-version activate --version 88 --service-id 4aB") & cv_write) != 0);  // "--version" reads
    CHECK(verbs("aws ec2 describe-instances --instance-ids i-0abc") == cv_read);
    // Round 8: find's -exec runs a command of its own; so do ssh's remote command and sqlcmd -Q;
    // a colon-separated subcommand names its verb in any part.
    CHECK(verbs("find /srv/mirror -mindepth 1 -mtime +14 -exec rm -rf {} +") == (cv_read | cv_write));
    CHECK(verbs("find /var/spool -name '*.tmp' -mmin +120 | wc -l") == cv_read);
    CHECK(verbs("ssh web1 'uptime; free -m; sudo ss -s'") == cv_read);
    CHECK(verbs("ssh db-3 'sudo systemctl restart postgresql'") == cv_write);
    CHECK(verbs("sqlcmd -S erp-sql01 -Q \"SELECT TOP 20 * FROM dbo.job_errors\"") == cv_read);
    CHECK(verbs("firebase remoteconfig:versions:list --limit 3") == cv_read);
    CHECK((verbs("heroku ps:scale worker=8 -a inventory-sync-prod") & cv_write) != 0);
    CHECK(verbs("redis-cli -h cache-1:6379 info") == cv_read);  // host:port stays an operand
    // Round 9: PowerShell's prompt is two words ("PS" is no `ps`); xargs runs the command after
    // its flags; tagging an image and unlinking keys write.
    CHECK(verbs("PS C:\\> Disable-ADAccount -Identity j.morrow") == cv_write);
    CHECK(verbs("PS C:\\> Get-ADUser j.morrow -Properties LockedOut") == cv_read);
    CHECK(verbs("redis-cli --scan --pattern 'rl:*' | xargs -n 500 redis-cli -h rl-redis UNLINK") == (cv_read | cv_write));
    CHECK(verbs("crane tag ghcr.io/acme/ci-runner@sha256:4be1c0 stable") == cv_write);
    // Round 11: an ansible ad-hoc command's module is its verb; shell/command run their -a command.
    CHECK(verbs("ansible kiosks -m copy -a 'src=app.conf dest=/etc/app/app.conf'") == cv_write);
    CHECK(verbs("ansible edge -b -m ansible.builtin.service -a 'name=nginx state=restarted'") == cv_write);
    CHECK(verbs("ansible pos_tills -m win_service -a \"name=Spooler state=stopped\"") == cv_write);
    CHECK(verbs("ansible all -m ping") == cv_read);
    CHECK(verbs("ansible db -m setup -a 'filter=ansible_memtotal_mb'") == cv_read);
    CHECK(verbs("ansible web -m shell -a 'df -h /var'") == cv_read);
    CHECK(verbs("ansible web -m shell -a 'systemctl restart php-fpm'") == cv_write);
    CHECK(verbs("ansible web -m copy -a 'src=a dest=/b' --check") == (cv_write | cv_dry));
}

TEST_CASE("constructions: hypothesis, status and command") {
    CHECK(has(constructions_of("bet it's the LB idle timeout again"), "hedge+explanation"));
    CHECK(has(constructions_of("pretty sure the cert expired"), "hedge+explanation"));
    CHECK(has(constructions_of("has to be the new WAF rule"), "hedge+explanation"));
    // Round 9: "what if we …" proposes, "what if it's …" asks about a cause; a hedge denied
    // ("not a guess") is certainty.
    CHECK(has(constructions_of("what if it's the firewall rule?"), "hedge+explanation"));
    CHECK(!has(constructions_of("what if we just drain the two worst nodes?"), "hedge+explanation"));
    CHECK(!has(constructions_of("not a guess, the copy tool lowercases keys by default"), "hedge+explanation"));
    CHECK(has(constructions_of("I think I need coffee"), "hedge about oneself"));
    CHECK(has(constructions_of("probably 20 more minutes"), "hedge about oneself"));
    CHECK(has(constructions_of("looks like error rate is coming down"), "hedge about oneself"));
    CHECK(has(constructions_of("bad config push on those 3?"), "cause question"));
    CHECK(has(constructions_of("tombstones?"), "bare question"));
    CHECK(!has(constructions_of("who's IC?"), "bare question"));
    CHECK(!has(constructions_of("can you check the db?"), "cause question"));
    CHECK(has(constructions_of("that would explain the jump"), "hedged cause"));
    CHECK(has(constructions_of("root cause was the expired cert"), "confirmed"));
    CHECK(has(constructions_of("updated the status page"), "status channel"));
    CHECK(has(constructions_of("emailed premium users the ETA"), "tell audience"));
    CHECK(has(constructions_of("ops mgr informed"), "tell audience"));
    CHECK(has(constructions_of("letting our VP know"), "tell audience"));
    CHECK(has(constructions_of("leadership wants an update every 30 min"), "audience asks"));
    CHECK(has(constructions_of("customers are saying the app is blank"), "audience reports"));
    CHECK(has(constructions_of("support has 30 tickets about it"), "support volume"));
    CHECK(has(constructions_of("ran `df -h` on db-3"), "run code"));
    CHECK(has(constructions_of("`kubectl get pods`"), "code: tool"));
    CHECK(has(constructions_of("`$ whatever --now`"), "code: tool"));  // a prompt
    CHECK(has(constructions_of("`hsmctl sessions --partition a`"), "code: arguments"));
    CHECK(has(constructions_of("set `max_connections=400`"), "code: plain"));
    CHECK(has(constructions_of("`Vault is sealed` errors everywhere"), "code: plain"));
    // Round 7: capitals in a first word that names no tool: a log line or an error as printed.
    CHECK(has(constructions_of("`EXT4-fs error (device nvme1n1): reading directory lblock 0`"), "code: plain"));
    CHECK(has(constructions_of("`HTTP/2 403`"), "code: plain"));
    CHECK(has(constructions_of("`SELECT count(*) FROM orders`"), "code: tool"));
    CHECK(has(constructions_of("`Get-Service W3SVC`"), "code: tool"));
    // Round 7: a yes/no question about a third party that says what it may have done.
    CHECK(has(constructions_of("are the updated units boot-looping?"), "yes/no cause question"));
    CHECK(has(constructions_of("was the replica promoted during the maintenance?"), "yes/no cause question"));
    CHECK(has(constructions_of("someone ran a purge-all?"), "yes/no cause question"));
    CHECK(!has(constructions_of("did you restart the workers already?"), "yes/no cause question"));
    CHECK(!has(constructions_of("are we rolling back?"), "yes/no cause question"));
    CHECK(!has(constructions_of("has anyone paged the network on-call?"), "yes/no cause question"));
    CHECK(!has(constructions_of("is the bridge open?"), "yes/no cause question"));
    CHECK(!has(constructions_of("the workers are being OOM-killed"), "yes/no cause question"));  // no question
    // Round 11: an explanation named as an idea and given its verdict; "or someone …" offers a cause.
    CHECK(has(constructions_of("ok so the DNS theory was wrong, it's the proxy"), "idea judged"));
    CHECK(has(constructions_of("the quota idea doesn't fit, nothing was throttled"), "idea judged"));
    CHECK(has(constructions_of("so the disk guess was it"), "idea judged"));
    CHECK(has(constructions_of("both the cache and the CDN ideas were red herrings"), "idea judged"));
    CHECK(!has(constructions_of("my guess is it was the nightly vacuum"), "idea judged"));
    CHECK(!has(constructions_of("my theory is the pool is too small"), "idea judged"));
    CHECK(has(constructions_of("or someone rotated the webhook secret?"), "alternative"));
    CHECK(!has(constructions_of("or someone should page the DBA"), "alternative"));
}

TEST_CASE("command lines: PowerShell cmdlets by their shape, prompts glued to their command") {
    // A cmdlet nobody listed is a tool as written ("Disable-ADAccount"), not in prose ("set-up").
    tokens t;
    tokenize("Disable-ADAccount -Identity svc_scanner", t);
    REQUIRE(find_token(t, "disable-adaccount") != nullptr);
    CHECK((find_token(t, "disable-adaccount")->classes & ib::tagging::wc_tool) != 0);
    tokenize("the set-up of the new lab took a day", t);
    REQUIRE(find_token(t, "set-up") != nullptr);
    CHECK((find_token(t, "set-up")->classes & ib::tagging::wc_tool) == 0);
    CHECK(ib::tagging::cmdlet_shape("get-mailboxdatabasecopystatus"));
    CHECK(!ib::tagging::cmdlet_shape("follow-up"));  // not an approved verb
    CHECK(!ib::tagging::cmdlet_shape("get-db2"));    // the noun is letters
    CHECK(has(constructions_of("`Search-ADAccount -LockedOut`"), "code: tool"));
    // A router's mode stays inside its prompt: one word, not a word, a word and a channel.
    const std::string glued = stream("SW-02(config-if)#shutdown");
    CHECK(glued.find("<channel>") == std::string::npos);  // no channel "#shutdown"
    CHECK(glued.find("(config-if)#shutdown") != std::string::npos);
    CHECK(stream("db.killOp(123) now").find('(') == std::string::npos);  // elsewhere brackets separate
    // What the model makes of them (the committed weights): a command, and an action when it writes.
    for (const char* text : {"Get-MailboxDatabaseCopyStatus -Server EXCH02 | Format-Table Name,Status",
                             "core1#show interfaces TenGigabitEthernet0/1/0 transceiver detail"}) {
        INFO(std::string(text));
        CHECK(tags_of(text) == std::vector<tag>{tag::command});
    }
    CHECK(tags_of("Unlock-ADAccount -Identity svc_ftp") == std::vector<tag>{tag::command, tag::action});
    CHECK(tags_of("Get-ADUser svc_ftp -Properties LockedOut") == std::vector<tag>{tag::command});
}

TEST_CASE("features: deterministic ids, templates selectable, sources recorded") {
    tokens t;
    tokenize("I'll restart `nginx` now", t);
    std::vector<feature> a, b;
    extract(t, k_all_templates, a);
    extract(t, k_all_templates, b);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].id == b[i].id);
        CHECK(a[i].id != 0);
        CHECK(a[i].tmpl < ft_template_count);
    }
    extract(t, mask_of(ft_unigram), b);
    CHECK(b.size() == 4);  // i'll restart <code> now
    for (const feature& f : b) CHECK(f.tmpl == ft_unigram);
    // The same word in two templates has two ids.
    std::vector<feature> bi;
    extract(t, mask_of(ft_bigram), bi);
    for (const feature& f : bi) CHECK(std::none_of(b.begin(), b.end(), [&](const feature& u) { return u.id == f.id; }));
    // Constructions are features too, named after the construction.
    extract(t, mask_of(ft_construction), b);
    REQUIRE(!b.empty());
    std::vector<std::string> names;
    for (const feature& f : b) names.push_back(describe(t, f));
    CHECK(has(names, "intent+op_verb"));
}

TEST_CASE("features: described for explanations") {
    tokens t;
    tokenize("bet it's the LB", t);
    std::vector<feature> fs;
    extract(t, k_all_templates, fs);
    std::vector<std::string> names;
    for (const feature& f : fs) names.push_back(describe(t, f));
    CHECK(has(names, "bet"));
    CHECK(has(names, "bet it's"));
    CHECK(has(names, "^ bet"));
    CHECK(has(names, "[hedge]"));
    CHECK(has(names, "hedge+explanation"));
}

TEST_CASE("model: the compiled-in table answers for known features only") {
    const model_data& m = k_model;
    REQUIRE(!m.keys.empty());
    REQUIRE(m.keys.size() == m.weights.size());
    CHECK((m.keys.size() & (m.keys.size() - 1)) == 0);  // a power of two
    std::size_t used = 0;
    for (std::size_t s = 0; s < m.keys.size(); ++s) {
        if (m.keys[s] == 0) continue;
        ++used;
        CHECK(find(m, m.keys[s]) == &m.weights[s]);
    }
    CHECK(used > 1000);
    CHECK(used * 8 <= m.keys.size() * 5);
    CHECK(find(m, 0) == nullptr);
    // Scores are the bias when nothing is known, and no tag passes on bias alone.
    const auto s = score(m, {});
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        CHECK(s[k] == m.bias[k]);
        CHECK(s[k] <= m.threshold[k]);
    }
}

TEST_CASE("explanations: the features that weighed most") {
    // The model names up to three features that weighed most for the tag, constructions first
    // when they did.
    CHECK(why("I'll roll back checkout", tag::action).rfind("model:action(intent+op_verb", 0) == 0);
    CHECK(why("`kubectl get pods -n api`", tag::command).rfind("model:command(", 0) == 0);
    const std::string h = why("bet it's the LB idle timeout vs gunicorn keepalive again", tag::hypothesis);
    REQUIRE(h.rfind("model:hypothesis(", 0) == 0);
    CHECK(h.back() == ')');
    CHECK(std::count(h.begin(), h.end(), ',') <= 2);
    const std::string s = why("pinged the CSMs of the top ten accounts", tag::status);
    CHECK(s.rfind("model:status(", 0) == 0);
    // Never empty, never a correction's prefix (corrections override tags by their own entries).
    for (const char* text : {"bet it's the LB again", "exec summary sent to the VP", "wonder if it's the 3am cron",
                             "I'm locking deploys, nobody ship anything"}) {
        for (const auto& hit : ib::tag_message(text)) {
            INFO(std::string(text));
            CHECK(!hit.rule.empty());
            CHECK(hit.rule.rfind("correction", 0) != 0);
        }
    }
}

TEST_CASE("near misses from the labelling conventions (tests/data/README.md)") {
    using T = tag;
    struct want {
        const char* text;
        std::vector<tag> tags;
    };
    const want cases[] = {
        // hypothesis: a tentative explanation; questions count; hedges about anything else do not
        {"could it be the 3am cron?", {T::hypothesis}},
        {"bet it's the LB again", {T::hypothesis}},
        {"wonder if it's the 3am cron", {T::hypothesis}},
        {"I think I need coffee", {}},
        {"probably 20 more minutes", {}},
        {"I think we should page Dana", {}},
        {"looks like error rate is coming down", {}},
        {"AWS confirmed: a power event in use1-az4 took out the racks", {}},
        {"what if it's the firewall rule we pushed?", {T::hypothesis}},
        {"maybe we should page the DBA", {}},
        {"I think I'll grab a coffee", {}},
        {"might be late to the call", {}},
        // command: code or an invocation; a tool in prose or a code span holding no command is not
        {"kubectl is slow from the VPN", {}},
        {"does the bastion have redis-cli?", {}},
        {"the setting is `max_connections=400`", {}},
        {"git status on the deploy host shows uncommitted changes", {T::command}},
        {"`kubectl get pods -n api`", {T::command}},
        {"running `kubectl rollout undo deploy/api`", {T::command, T::action}},
        {"I will run `pg_repack -t orders` next", {T::command, T::action}},
        // a pasted command that changes the system is an action too; one that only reads is not
        {"kubectl -n payments rollout undo deploy/api", {T::command, T::action}},
        {"kubectl -n payments get pods -o wide", {T::command}},
        {"select * from jobs where state = 'stuck'", {T::command}},
        // action: the writer acting; not questions, proposals, requests, automation or others
        {"should we roll back?", {}},
        {"any objections to scaling to 60?", {}},
        {"the autoscaler added 12 nodes", {}},
        {"someone restarted consul on Friday", {}},
        {"can you restart the ingest workers?", {}},
        {"opening a ticket with AWS support", {T::action}},
        {"I've paged the DBA on-call", {T::action}},
        // status: telling customers or stakeholders, done or planned, is status alone
        {"pinged the CSMs of the top ten accounts", {T::status}},
        {"exec summary sent to the VP", {T::status}},
        {"rolled back, and I've updated the status page", {T::action, T::status}},
        {"pod status is CrashLoopBackOff", {}},
        {"HTTP status 503 from the gateway", {}},
        {"status of the deploy?", {}},
        {"Acme's engineers say the 502s only happen on POST", {}},
        {"support is asking for an ETA", {T::status}},
        {"users on twitter are saying checkout is broken", {T::status}},  // customers' side, relayed
        {"letting the account managers know", {T::status}},
    };
    for (const want& w : cases) {
        INFO(std::string(w.text));
        CHECK(tags_of(w.text) == w.tags);
    }
}

}  // TEST_SUITE("tagging")
