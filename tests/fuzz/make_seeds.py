#!/usr/bin/env python3
"""Regenerates the fuzz seed corpora in tests/fuzz/seeds/ (committed; rerun after the fixtures change).

  envelope: every Socket Mode frame in shared/slack-fixtures, every Events API payload there wrapped
            into an events_api envelope (inner events into an event_callback first), a few
            hand-written malformed frames; compact JSON.
  tagger:   the text of every labelled message in shared/data/tagging-corpus.jsonl and
            tests/data/tagging-cases.jsonl.
  command:  hand-written `/incident` texts (the seeds/command/*.txt files are kept as they are).

Usage: python3 tests/fuzz/make_seeds.py [path/to/shared]
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared"
SEEDS = HERE / "seeds"


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def write(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def envelope(payload, n):
    return {"envelope_id": f"seed-{n:04d}", "type": "events_api", "payload": payload,
            "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""}


def envelope_seeds():
    fixtures = SHARED / "slack-fixtures"
    frame_types = {"hello", "disconnect", "events_api", "slash_commands", "interactive"}
    n = 0
    for path in sorted(fixtures.glob("*.json")):
        doc = json.loads(path.read_text())
        if not isinstance(doc, dict):
            continue
        kind = doc.get("type")
        n += 1
        if path.name.startswith("socket-mode-") and kind in frame_types:
            write("envelope", path.stem, compact(doc))
        elif path.name.startswith("event-callback-"):
            write("envelope", path.stem, compact(envelope(doc, n)))
        elif path.name.startswith("event-") and path.stem.endswith(("-inner", "-no-inviter")):
            callback = {"team_id": "T111", "api_app_id": "A111", "event": doc, "type": "event_callback",
                        "event_id": f"Ev{n:04d}", "event_time": 1610241741}
            write("envelope", path.stem, compact(envelope(callback, n)))
    # Shapes the fixtures lack: frames that must become bad_frame (and still be acked).
    handwritten = {
        "bad-truncated": b'{"envelope_id":"trunc-1","type":"events_api","payload":{"type":"event_callback"',
        "bad-event-not-object": b'{"envelope_id":"x1","type":"events_api","payload":{"type":"event_callback","event":"oops"}}',
        "bad-invalid-utf8": b'{"envelope_id":"u1","type":"slash_commands","payload":{"text":"\xff\xfe"}}',
        "bad-escaped-id": b'{"envelope_id":"a\\u0000b","type":"interactive","payload":{"type":"block_actions","actions":[1]}}',
        "unknown-type": b'{"envelope_id":"k1","type":"something_new","payload":{}}',
        "message-changed-minimal": b'{"envelope_id":"m1","type":"events_api","payload":{"type":"event_callback",'
                                   b'"event_time":1,"event":{"type":"message","subtype":"message_changed","ts":"1.2",'
                                   b'"message":{"ts":"1.1","text":"new","edited":{"ts":"1.2"}},"previous_message":{"text":"old"}}}}',
        "member-left-no-ts": b'{"envelope_id":"l1","type":"events_api","payload":{"type":"event_callback",'
                             b'"event_time":1700000000,"event":{"type":"member_left_channel","user":"U1","channel":"C1"}}}',
        "hello-min": b'{"type":"hello"}',
    }
    for name, data in handwritten.items():
        write("envelope", name, data)


def tagger_seeds():
    n = 0
    for path in (SHARED / "data" / "tagging-corpus.jsonl", REPO / "tests" / "data" / "tagging-cases.jsonl"):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            n += 1
            write("tagger", f"{path.stem}-{n:03d}", json.loads(line)["text"].encode())


if __name__ == "__main__":
    envelope_seeds()
    tagger_seeds()
