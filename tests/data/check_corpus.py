#!/usr/bin/env python3
"""Check a labelled tagging corpus (JSONL): every line parses, has exactly text/tags/source,
tags come from {hypothesis, command, action, status} in that order, no text appears twice, and
no text also appears in the other corpora named after it. Prints the counts per tag.

    python3 tests/data/check_corpus.py tests/data/tagging-train.jsonl \
        ../shared/data/tagging-corpus.jsonl tests/data/tagging-cases.jsonl
"""
import collections
import json
import re
import sys

TAGS = ["hypothesis", "command", "action", "status"]


def key(text):
    # Case and whitespace differences do not make a line new.
    return re.sub(r"\s+", " ", text.strip().lower())


def main(corpus, others):
    problems = []
    seen = {}
    counts = collections.Counter()
    lines = 0
    with open(corpus, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            lines = n
            try:
                o = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{corpus}:{n}: not JSON ({e})")
                continue
            if set(o) != {"text", "tags", "source"}:
                problems.append(f"{corpus}:{n}: keys are {sorted(o)}")
                continue
            if not isinstance(o["text"], str) or not o["text"].strip():
                problems.append(f"{corpus}:{n}: empty text")
            if not isinstance(o["source"], str) or not o["source"].strip():
                problems.append(f"{corpus}:{n}: empty source")
            tags = o["tags"]
            if not isinstance(tags, list) or any(t not in TAGS for t in tags):
                problems.append(f"{corpus}:{n}: unknown tags {tags}")
            elif tags != sorted(set(tags), key=TAGS.index):
                problems.append(f"{corpus}:{n}: tags out of order or repeated {tags}")
            k = key(o["text"])
            if k in seen:
                problems.append(f"{corpus}:{n}: same text as line {seen[k]}")
            seen[k] = n
            for t in tags:
                counts[t] += 1
            if not tags:
                counts["untagged"] += 1
    for path in others:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                k = key(json.loads(line)["text"])
                if k in seen:
                    problems.append(f"{corpus}:{seen[k]}: also in {path}:{n}")
    print(f"{lines} lines: " + ", ".join(f"{t} {counts[t]}" for t in TAGS + ["untagged"]))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
