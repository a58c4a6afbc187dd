// Corrections: people fix the tags the tagger gave a message ("Correct tags" message shortcut,
// core/flows/correct.hpp). A correction is a timeline entry of its own (kind `correction`):
//   user     who corrected          at       when
//   ref_ts   the message's Slack ts attrs     from, to: tag names in tag order, comma-separated
// The message's stored tags stay what the tagger said; its effective tags, what every reader
// (exports, summary, stats) sees, are the `to` of its last correction (apply_corrections; the
// store applies it when reading). Pure.
#pragma once

#include "core/timeline.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ib {

// The message shortcut's and the modal's callback_id (deploy/slack-app-manifest.yaml).
inline constexpr std::string_view correct_tags_callback = "correct_tags";
// The modal's checkboxes: their input block's block_id and the element's action_id.
inline constexpr std::string_view correct_tags_block = "tags";
inline constexpr std::string_view correct_tags_action = "tags";

// Every tag, in tag order (join, hypothesis, command, action, status).
std::span<const tag> all_tags();

// "hypothesis,action": the distinct tags of `hits` in tag order ("" when none).
std::string tag_names(std::span<const tag_hit> hits);
std::string tag_names(std::span<const tag> tags);
// The tags named in `names` ("" gives none); nullopt when a name is not a tag.
std::optional<std::vector<tag>> parse_tag_names(std::string_view names);

// The correction of `message` (a `message` entry, with its effective tags) to `to`, by `user` at
// `now`, deduplicated on `key` (the modal's view id: one submission, one entry).
timeline_entry make_correction(const timeline_entry& message, std::span<const tag> to, std::string_view user,
                               time_point now, std::string key);

// The tags `message` reads as after `correction` (its `to`): a tag the message had keeps its
// rule, followed by " (kept by correction:<user>)"; a new one gets the rule "correction:<user>".
std::vector<tag_hit> corrected_tags(const timeline_entry& message, const timeline_entry& correction);

// Gives each `message` entry in `entries` (matched by slack_ts) the tags of the last of
// `corrections` (in timeline order: at, then seq) that refers to it. Entries of other kinds, and
// corrections of messages not in `entries`, are left alone.
void apply_corrections(std::span<timeline_entry> entries, std::span<const timeline_entry> corrections);
// The same with the corrections found in `timeline` itself.
void apply_corrections(std::vector<timeline_entry>& timeline);

// What `incident-bot retag` stores for an entry: the tagger's tags for a `message` entry's text
// (what the recorder gives a new message), nullopt for the other kinds (theirs are not derived
// from text, or there are none).
std::optional<std::vector<tag_hit>> retagged(const timeline_entry& e);

// The "Correct tags" modal (views.open's `view`) for `message` in `channel`: the message quoted
// (who said it and its text, as a post of the bot quotes Slack text), then the five tags as
// checkboxes, those the message has now checked. private_metadata says which message it is
// (correction_target).
nlohmann::json correction_modal(const timeline_entry& message, std::string_view channel);

// The message a submitted modal is about, from its private_metadata; nullopt when it is not one
// correction_modal made.
struct correction_target {
    std::string channel;
    std::string ts;
    bool operator==(const correction_target&) const = default;
};
std::optional<correction_target> parse_correction_target(std::string_view private_metadata);

}  // namespace ib
