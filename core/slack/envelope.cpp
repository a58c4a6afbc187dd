#include "envelope.hpp"

#include "core/json_text.hpp"
#include "core/slack/pruned_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <utility>

namespace ib::slack {
namespace {

using json = nlohmann::json;

constexpr std::size_t npos = std::string_view::npos;

// ---- byte scans run before (or instead of) the JSON parser --------------------------------

// Index of the quote closing the JSON string that opens at s[open] (a '"'), or npos when the
// string is unterminated. Escapes are skipped, not decoded.
std::size_t string_end(std::string_view s, std::size_t open) {
    for (std::size_t i = open + 1; i < s.size(); ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            return i;
    }
    return npos;
}

std::size_t skip_ws(std::string_view s, std::size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    return i;
}

// True when brackets nest deeper than `max_depth` anywhere outside strings. A single pass over
// the bytes with no allocation, so a hostile "[[[[…" never reaches the DOM builder.
bool nesting_exceeds(std::string_view s, int max_depth) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
        case '"': in_string = true; break;
        case '{':
        case '[':
            if (++depth > max_depth) return true;
            break;
        case '}':
        case ']': --depth; break;
        default: break;
        }
    }
    return false;
}

// Best effort, for frames the parser will not (or could not) accept: finds a top-level
// "envelope_id":"…" member by scanning bytes, so the driver can still ack the envelope and
// Slack stops redelivering it. Only short printable-ASCII values are returned.
std::optional<std::string> sniff_envelope_id(std::string_view s) {
    std::size_t i = skip_ws(s, 0);
    if (i >= s.size() || s[i] != '{') return std::nullopt;
    int depth = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '"') {
            const std::size_t end = string_end(s, i);
            if (end == npos) return std::nullopt;
            const std::string_view str = s.substr(i + 1, end - i - 1);
            i = end + 1;
            if (depth != 1 || str != "envelope_id") continue;
            // A member name is followed by ':'; a value string equal to "envelope_id" is not.
            const std::size_t colon = skip_ws(s, i);
            if (colon >= s.size() || s[colon] != ':') continue;
            const std::size_t open = skip_ws(s, colon + 1);
            if (open >= s.size() || s[open] != '"') return std::nullopt;
            const std::size_t close = string_end(s, open);
            if (close == npos) return std::nullopt;
            const std::string_view value = s.substr(open + 1, close - open - 1);
            if (value.empty() || value.size() > 255) return std::nullopt;
            for (const char v : value)
                if (v < 0x20 || v > 0x7e || v == '\\') return std::nullopt;
            return std::string(value);
        }
        if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']')
            --depth;
        ++i;
    }
    return std::nullopt;
}

// Keeps a log line readable whatever the input was: at most `max` bytes, no control bytes
// and no bytes outside ASCII (the parser's message may quote invalid UTF-8 back at us).
std::string printable(std::string_view s, std::size_t max = 200) {
    std::string out;
    out.reserve(std::min(s.size(), max));
    for (const char c : s.substr(0, max)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    if (s.size() > max) out += "...";
    return out;
}

// ---- typed access to DOM fields -------------------------------------------------------------

// Reads fields out of a parsed frame (strings are moved out: the DOM is ours and thrown away).
// The first problem is remembered as a one-line reason; after it every read is a no-op that
// returns an empty value, so a parser can read all its fields and check ok() once.
class reader {
public:
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }

    // The string at obj[key]; "" when absent or null. Required: present and non-empty.
    std::string str(json& obj, std::string_view where, const char* key, bool required = false) {
        json* v = find(obj, where, key, required);
        if (v == nullptr) return {};
        if (!v->is_string()) {
            wrong_type(where, key, "string", *v);
            return {};
        }
        std::string out = std::move(v->get_ref<std::string&>());
        if (required && out.empty()) fail(where, key, "empty");
        return out;
    }

    // The boolean at obj[key]; false when absent or null.
    bool boolean(json& obj, std::string_view where, const char* key) {
        json* v = find(obj, where, key, false);
        if (v == nullptr) return false;
        if (!v->is_boolean()) {
            wrong_type(where, key, "boolean", *v);
            return false;
        }
        return v->get<bool>();
    }

    // The integer at obj[key]; nullopt when absent or null. Fractions and values outside
    // [lo, hi] are errors.
    std::optional<std::int64_t> integer(json& obj, std::string_view where, const char* key,
                                        std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                                        std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
        json* v = find(obj, where, key, false);
        if (v == nullptr) return std::nullopt;
        if (!v->is_number_integer()) {
            wrong_type(where, key, "integer", *v);
            return std::nullopt;
        }
        constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        if (v->is_number_unsigned() && v->get<std::uint64_t>() > int64_max) {
            fail(where, key, "out of range");
            return std::nullopt;
        }
        const auto n = v->get<std::int64_t>();
        if (n < lo || n > hi) {
            fail(where, key, "out of range");
            return std::nullopt;
        }
        return n;
    }

    // The object at obj[key]; nullptr when absent or null (an error when required).
    json* object(json& obj, std::string_view where, const char* key, bool required = false) {
        json* v = find(obj, where, key, required);
        if (v == nullptr) return nullptr;
        if (!v->is_object()) {
            wrong_type(where, key, "object", *v);
            return nullptr;
        }
        return v;
    }

    // The array at obj[key]; nullptr when absent or null.
    json* array(json& obj, std::string_view where, const char* key) {
        json* v = find(obj, where, key, false);
        if (v == nullptr) return nullptr;
        if (!v->is_array()) {
            wrong_type(where, key, "array", *v);
            return nullptr;
        }
        return v;
    }

    // Calls each(element, "<where>.<key>[i]") for every element of the array at obj[key], which
    // must be objects; stops at the first problem. Nothing when absent or null.
    template <class F>
    void objects(json& obj, std::string_view where, const char* key, F&& each) {
        json* arr = array(obj, where, key);
        for (std::size_t i = 0; arr != nullptr && i < arr->size() && ok(); ++i) {
            json& x = (*arr)[i];
            const std::string at = std::string(where).append(".").append(key) + "[" + std::to_string(i) + "]";
            if (!x.is_object()) {
                fail(at, "", std::string("expected object, got ").append(x.type_name()));
                return;
            }
            each(x, at);
        }
    }

    void fail(std::string_view where, std::string_view key, std::string_view what) {
        if (!ok()) return;
        error_.reserve(where.size() + key.size() + what.size() + 3);
        error_.append(where);
        if (!where.empty() && !key.empty()) error_ += '.';
        error_.append(key);
        error_ += ": ";
        error_.append(what);
    }

private:
    // The member, or nullptr when absent/null or after an earlier error; `obj` is an object.
    json* find(json& obj, std::string_view where, const char* key, bool required) {
        if (!ok()) return nullptr;
        const auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) fail(where, key, "missing");
            return nullptr;
        }
        return &*it;
    }

    void wrong_type(std::string_view where, std::string_view key, std::string_view expected, const json& got) {
        fail(where, key, std::string("expected ").append(expected).append(", got ").append(got.type_name()));
    }

    std::string error_;
};

constexpr std::string_view ev_path = "payload.event";

// ---- inner events ---------------------------------------------------------------------------

// Where a message's fields are, for the one-line reason of a bad frame or message.
struct message_paths {
    std::string_view self, edited, message, message_edited, previous;
};
constexpr message_paths event_paths{"payload.event", "payload.event.edited", "payload.event.message",
                                    "payload.event.message.edited", "payload.event.previous_message"};
constexpr message_paths history_paths{"message", "message.edited", "message.message", "message.message.edited",
                                      "message.previous_message"};

// A `message` event, or a message of a channel's history: the same fields, the same policy.
message_event read_message(reader& r, json& ev, const message_paths& at = event_paths) {
    message_event m;
    m.subtype = r.str(ev, at.self, "subtype");
    m.channel = r.str(ev, at.self, "channel");
    m.channel_type = r.str(ev, at.self, "channel_type");
    m.user = r.str(ev, at.self, "user");
    m.bot_id = r.str(ev, at.self, "bot_id");
    m.text = r.str(ev, at.self, "text");
    m.ts = r.str(ev, at.self, "ts", true);
    m.thread_ts = r.str(ev, at.self, "thread_ts");
    m.hidden = r.boolean(ev, at.self, "hidden");
    m.inviter = r.str(ev, at.self, "inviter");
    if (json* edited = r.object(ev, at.self, "edited")) m.edited_ts = r.str(*edited, at.edited, "ts");

    if (m.subtype == "message_changed") {
        // The new version of the message; its author and edit stamp live inside it.
        if (json* msg = r.object(ev, at.self, "message")) {
            m.changed_ts = r.str(*msg, at.message, "ts");
            m.new_text = r.str(*msg, at.message, "text");
            std::string user = r.str(*msg, at.message, "user");
            if (m.user.empty()) m.user = std::move(user);
            std::string bot = r.str(*msg, at.message, "bot_id");
            if (m.bot_id.empty()) m.bot_id = std::move(bot);
            std::string thread = r.str(*msg, at.message, "thread_ts");
            if (m.thread_ts.empty()) m.thread_ts = std::move(thread);
            if (json* edited = r.object(*msg, at.message, "edited")) m.edited_ts = r.str(*edited, at.message_edited, "ts");
        }
    } else if (m.subtype == "message_deleted") {
        m.deleted_ts = r.str(ev, at.self, "deleted_ts");
    }
    if (m.subtype == "message_changed" || m.subtype == "message_deleted") {
        if (json* prev = r.object(ev, at.self, "previous_message")) m.previous_text = r.str(*prev, at.previous, "text");
    }
    return m;
}

reaction read_reaction(reader& r, json& ev, bool added) {
    reaction x;
    x.added = added;
    x.user = r.str(ev, ev_path, "user", true);
    x.reaction = r.str(ev, ev_path, "reaction", true);
    x.item_user = r.str(ev, ev_path, "item_user");
    x.event_ts = r.str(ev, ev_path, "event_ts");
    if (json* item = r.object(ev, ev_path, "item")) {
        constexpr std::string_view where = "payload.event.item";
        x.item_type = r.str(*item, where, "type");
        x.item_channel = r.str(*item, where, "channel");
        x.item_ts = r.str(*item, where, "ts");
    }
    return x;
}

inner_event read_inner_event(reader& r, json& ev, std::string type) {
    if (type == "message") return read_message(r, ev);
    if (type == "reaction_added") return read_reaction(r, ev, true);
    if (type == "reaction_removed") return read_reaction(r, ev, false);
    if (type == "app_mention") {
        app_mention m;
        m.channel = r.str(ev, ev_path, "channel", true);
        m.user = r.str(ev, ev_path, "user");
        m.text = r.str(ev, ev_path, "text");
        m.ts = r.str(ev, ev_path, "ts", true);
        m.thread_ts = r.str(ev, ev_path, "thread_ts");
        m.event_ts = r.str(ev, ev_path, "event_ts");
        return m;
    }
    if (type == "member_joined_channel") {
        member_joined m;
        m.user = r.str(ev, ev_path, "user", true);
        m.channel = r.str(ev, ev_path, "channel", true);
        m.inviter = r.str(ev, ev_path, "inviter");
        m.event_ts = r.str(ev, ev_path, "event_ts");
        return m;
    }
    if (type == "member_left_channel") {
        member_left m;
        m.user = r.str(ev, ev_path, "user", true);
        m.channel = r.str(ev, ev_path, "channel", true);
        m.event_ts = r.str(ev, ev_path, "event_ts");
        return m;
    }
    if (type == "channel_created") {
        channel_created c;
        if (json* ch = r.object(ev, ev_path, "channel", true)) {
            constexpr std::string_view where = "payload.event.channel";
            c.id = r.str(*ch, where, "id", true);
            c.name = r.str(*ch, where, "name");
            c.creator = r.str(*ch, where, "creator");
        }
        return c;
    }
    return other_event{std::move(type)};
}

// ---- envelopes ----------------------------------------------------------------------------

frame read_hello(reader& r, json& j) {
    hello h;
    h.num_connections = static_cast<int>(r.integer(j, "", "num_connections", 0, 1'000'000).value_or(0));
    if (json* debug = r.object(j, "", "debug_info")) {
        if (const auto t = r.integer(*debug, "debug_info", "approximate_connection_time", 0))
            h.approximate_connection_time = std::chrono::seconds{*t};
    }
    if (json* info = r.object(j, "", "connection_info")) h.app_id = r.str(*info, "connection_info", "app_id");
    if (!r.ok()) return bad_frame{r.error(), std::nullopt};
    return h;
}

frame read_disconnect(reader& r, json& j) {
    disconnect d;
    d.raw_reason = r.str(j, "", "reason");
    if (!r.ok()) return bad_frame{r.error(), std::nullopt};
    d.reason = parse_disconnect_reason(d.raw_reason);
    return d;
}

frame read_events_api(reader& r, json& j, std::optional<std::string> id) {
    events_api e;
    e.envelope_id = r.str(j, "", "envelope_id", true);
    e.retry_attempt = static_cast<int>(r.integer(j, "", "retry_attempt", 0, 1'000'000).value_or(0));
    e.retry_reason = r.str(j, "", "retry_reason");
    json* p = r.object(j, "", "payload", true);
    const std::string ptype = p ? r.str(*p, "payload", "type", true) : std::string{};
    if (r.ok() && ptype == "event_callback") {
        e.event_id = r.str(*p, "payload", "event_id");
        e.event_time = r.integer(*p, "payload", "event_time").value_or(0);
        e.team_id = r.str(*p, "payload", "team_id");
        e.api_app_id = r.str(*p, "payload", "api_app_id");
        if (json* ev = r.object(*p, "payload", "event", true)) {
            std::string etype = r.str(*ev, ev_path, "type", true);
            if (r.ok()) e.event = read_inner_event(r, *ev, std::move(etype));
        }
    } else if (r.ok() && ptype == "app_rate_limited") {
        e.team_id = r.str(*p, "payload", "team_id");
        e.api_app_id = r.str(*p, "payload", "api_app_id");
        e.event = app_rate_limited{r.integer(*p, "payload", "minute_rate_limited").value_or(0)};
    } else if (r.ok()) {
        e.team_id = r.str(*p, "payload", "team_id");
        e.api_app_id = r.str(*p, "payload", "api_app_id");
        e.event = other_event{ptype};
    }
    if (!r.ok()) return bad_frame{r.error(), std::move(id)};
    return e;
}

frame read_slash_command(reader& r, json& j, std::optional<std::string> id) {
    slash_command c;
    c.envelope_id = r.str(j, "", "envelope_id", true);
    c.accepts_response_payload = r.boolean(j, "", "accepts_response_payload");
    if (json* p = r.object(j, "", "payload", true)) {
        c.command = r.str(*p, "payload", "command", true);
        c.text = r.str(*p, "payload", "text");
        c.user_id = r.str(*p, "payload", "user_id", true);
        c.user_name = r.str(*p, "payload", "user_name");
        c.channel_id = r.str(*p, "payload", "channel_id", true);
        c.channel_name = r.str(*p, "payload", "channel_name");
        c.team_id = r.str(*p, "payload", "team_id");
        c.api_app_id = r.str(*p, "payload", "api_app_id");
        c.response_url = r.str(*p, "payload", "response_url");
        c.trigger_id = r.str(*p, "payload", "trigger_id");
    }
    if (!r.ok()) return bad_frame{r.error(), std::move(id)};
    return c;
}

// A submitted modal: its id, callback_id, private_metadata and the state of its inputs.
void read_view(reader& r, json& view, interactive& x) {
    x.view_id = r.str(view, "payload.view", "id");
    x.view_callback_id = r.str(view, "payload.view", "callback_id");
    x.private_metadata = r.str(view, "payload.view", "private_metadata");
    json* state = r.object(view, "payload.view", "state");
    json* values = state != nullptr ? r.object(*state, "payload.view.state", "values") : nullptr;
    if (values == nullptr) return;
    for (auto& [block_id, block] : values->items()) {
        const std::string where = "payload.view.state.values." + block_id;
        if (!block.is_object()) return r.fail(where, "", std::string("expected object, got ").append(block.type_name()));
        for (auto& [action_id, element] : block.items()) {
            if (!element.is_object())
                return r.fail(where, action_id, std::string("expected object, got ").append(element.type_name()));
            view_input in{block_id, action_id, r.str(element, where, "type"), {}};
            const std::string at = where + "." + action_id;
            r.objects(element, at, "selected_options",
                      [&](json& o, const std::string& w) { in.selected.push_back(r.str(o, w, "value")); });
            if (json* one = r.object(element, at, "selected_option")) in.selected.push_back(r.str(*one, at, "value"));
            if (!r.ok()) return;
            x.inputs.push_back(std::move(in));
        }
    }
}

frame read_interactive(reader& r, json& j, std::optional<std::string> id) {
    interactive x;
    x.envelope_id = r.str(j, "", "envelope_id", true);
    x.accepts_response_payload = r.boolean(j, "", "accepts_response_payload");
    if (json* p = r.object(j, "", "payload", true)) {
        x.type = r.str(*p, "payload", "type", true);
        x.callback_id = r.str(*p, "payload", "callback_id");
        x.trigger_id = r.str(*p, "payload", "trigger_id");
        x.response_url = r.str(*p, "payload", "response_url");
        x.api_app_id = r.str(*p, "payload", "api_app_id");
        if (json* user = r.object(*p, "payload", "user")) {
            x.user_id = r.str(*user, "payload.user", "id");
            x.team_id = r.str(*user, "payload.user", "team_id");
        }
        if (json* team = r.object(*p, "payload", "team")) {
            std::string team_id = r.str(*team, "payload.team", "id");
            if (!team_id.empty()) x.team_id = std::move(team_id);
        }
        if (json* ch = r.object(*p, "payload", "channel")) x.channel_id = r.str(*ch, "payload.channel", "id");
        if (json* box = r.object(*p, "payload", "container")) {
            std::string ch = r.str(*box, "payload.container", "channel_id");
            if (x.channel_id.empty()) x.channel_id = std::move(ch);
            x.message_ts = r.str(*box, "payload.container", "message_ts");
        }
        if (x.message_ts.empty()) x.message_ts = r.str(*p, "payload", "message_ts");
        if (json* view = r.object(*p, "payload", "view")) read_view(r, *view, x);
        r.objects(*p, "payload", "actions", [&](json& a, const std::string& where) {
            block_action b;
            b.action_id = r.str(a, where, "action_id", true);
            b.value = r.str(a, where, "value");
            b.block_id = r.str(a, where, "block_id");
            x.actions.push_back(std::move(b));
        });
    }
    if (!r.ok()) return bad_frame{r.error(), std::move(id)};
    return x;
}

frame parse_frame_impl(std::string_view text, std::size_t max_bytes) {
    // Cheap rejections first: size, then nesting depth, both without building anything.
    if (text.size() > max_bytes)
        return bad_frame{
            "too large: " + std::to_string(text.size()) + " bytes (limit " + std::to_string(max_bytes) + ")",
            sniff_envelope_id(text)};
    if (nesting_exceeds(text, max_json_depth))
        return bad_frame{"nested deeper than " + std::to_string(max_json_depth) + " levels", sniff_envelope_id(text)};

    // The one JSON parse: the pruned fast path for what it can vouch for (every well-formed
    // envelope in practice), nlohmann's for the rest, where syntax errors, invalid UTF-8 and raw
    // control characters in strings surface as parse_error.
    json j;
    if (auto fast = parse_pruned(text, unread_members, max_json_depth)) {
        j = std::move(*fast);
    } else {
        try {
            j = json::parse(text.begin(), text.end());
        } catch (const json::exception& e) {
            return bad_frame{"invalid JSON: " + printable(e.what()), sniff_envelope_id(text)};
        }
    }
    if (!j.is_object()) return bad_frame{std::string("not a JSON object: got ").append(j.type_name()), std::nullopt};

    // The envelope id, when it is a usable string, goes into any bad_frame from here on.
    std::optional<std::string> id;
    if (const auto it = j.find("envelope_id"); it != j.end() && it->is_string()) {
        if (const auto& s = it->get_ref<const std::string&>(); !s.empty()) id = s;
    }

    reader r;
    const std::string type = r.str(j, "", "type", true);
    if (!r.ok()) return bad_frame{r.error(), std::move(id)};
    if (type == "events_api") return read_events_api(r, j, std::move(id));
    if (type == "slash_commands") return read_slash_command(r, j, std::move(id));
    if (type == "interactive") return read_interactive(r, j, std::move(id));
    if (type == "hello") return read_hello(r, j);
    if (type == "disconnect") return read_disconnect(r, j);
    return unknown_envelope{type, id.value_or(std::string{})};
}

}  // namespace

std::optional<history_message> read_history_message(nlohmann::json& message, std::string_view channel,
                                                    std::string* error) {
    const auto fail = [&](std::string why) -> std::optional<history_message> {
        if (error != nullptr) *error = std::move(why);
        return std::nullopt;
    };
    if (!message.is_object()) return fail(std::string("message: expected object, got ").append(message.type_name()));
    reader r;
    history_message h;
    h.message = read_message(r, message, history_paths);
    h.message.channel = std::string(channel);  // history messages name no channel: it is the one asked about
    h.reply_count = r.integer(message, "message", "reply_count", 0).value_or(0);
    r.objects(message, "message", "reactions", [&](json& x, const std::string& where) {
        message_reaction mr;
        mr.name = r.str(x, where, "name", true);
        if (json* users = r.array(x, where, "users")) {
            for (std::size_t k = 0; k < users->size() && r.ok(); ++k) {
                json& u = (*users)[k];
                if (!u.is_string() || u.get_ref<const std::string&>().empty()) {
                    r.fail(where + ".users[" + std::to_string(k) + "]", "", "expected a user id");
                    break;
                }
                mr.users.push_back(std::move(u.get_ref<std::string&>()));
            }
        }
        h.reactions.push_back(std::move(mr));
    });
    if (!r.ok()) return fail(r.error());
    return h;
}

std::string_view to_string(disconnect_reason r) {
    switch (r) {
    case disconnect_reason::refresh_requested: return "refresh_requested";
    case disconnect_reason::warning: return "warning";
    case disconnect_reason::link_disabled: return "link_disabled";
    case disconnect_reason::too_many_websockets: return "too_many_websockets";
    case disconnect_reason::other: break;
    }
    return "other";
}

disconnect_reason parse_disconnect_reason(std::string_view s) {
    if (s == "refresh_requested") return disconnect_reason::refresh_requested;
    if (s == "warning") return disconnect_reason::warning;
    if (s == "link_disabled") return disconnect_reason::link_disabled;
    if (s == "too_many_websockets") return disconnect_reason::too_many_websockets;
    return disconnect_reason::other;
}

frame parse_frame(std::string_view text, std::size_t max_bytes) {
    // Nothing below is expected to throw but allocation failure; this is the fuzzing
    // contract: whatever happens, the caller gets a frame, never an exception.
    try {
        return parse_frame_impl(text, max_bytes);
    } catch (const std::exception& e) {
        return bad_frame{std::string("internal error: ").append(e.what()), std::nullopt};
    } catch (...) {
        return bad_frame{"internal error", std::nullopt};
    }
}

std::string make_ack(std::string_view envelope_id) {
    // One per event: written directly, the same text as dumping {"envelope_id": id} (invalid
    // UTF-8, never seen in practice, is replaced rather than thrown on).
    std::string out = "{\"envelope_id\":";
    append_json_string(out, envelope_id);
    out += '}';
    return out;
}

std::string make_ack(std::string_view envelope_id, const nlohmann::json& payload) {
    json j = json::object();
    j["envelope_id"] = std::string(envelope_id);
    j["payload"] = payload;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ib::slack
