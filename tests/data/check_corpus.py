#!/usr/bin/env python3
"""Check a labelled tagging corpus (JSONL): every line parses, has exactly text/tags/source,
tags come from {hypothesis, command, action, status} in that order, no text appears twice, and
no text also appears in the other corpora named after it. Prints the counts per tag.

    python3 tests/data/check_corpus.py tests/data/tagging-train.jsonl \
        ../shared/data/tagging-corpus.jsonl tests/data/tagging-cases.jsonl

With --tuning, checks every tuning corpus the trainer reads (TUNING, as in
tools/tagger/training.cpp) and lists the lines each shares with the others as notes: a few short
lines ("fair", `chronyc tracking`) were written independently by two writers, and the corpora that
hold them are not rewritten for it. Only a malformed line or one repeated within its own corpus
fails then; a new corpus is checked with the first form, where any shared line fails:

    python3 tests/data/check_corpus.py --tuning
"""
import collections
import json
import os
import re
import sys

# The corpora tools/tagger/training.cpp load_tuning_set() reads, relative to tests/data.
TUNING = ["tagging-train.jsonl", "tagging-train2.jsonl", "tagging-train3.jsonl", "tagging-train4.jsonl",
          "tagging-train5.jsonl", "tagging-train6.jsonl", "tagging-train7.jsonl", "tagging-heldout.jsonl", "tagging-heldout2.jsonl", "tagging-heldout3.jsonl",
          "tagging-heldout4.jsonl", "tagging-heldout5.jsonl", "tagging-heldout6.jsonl", "tagging-heldout7.jsonl", "tagging-heldout8.jsonl", "tagging-cases.jsonl", "../../../shared/data/tagging-corpus.jsonl"]

TAGS = ["hypothesis", "command", "action", "status"]


def key(text):
    # Case and whitespace differences do not make a line new.
    return re.sub(r"\s+", " ", text.strip().lower())


def main(corpus, others, cross_fatal=True):
    problems = []
    notes = []
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
                    (problems if cross_fatal else notes).append(f"{corpus}:{seen[k]}: also in {path}:{n}")
    print(f"{lines} lines: " + ", ".join(f"{t} {counts[t]}" for t in TAGS + ["untagged"]))
    for p in problems:
        print(p)
    for p in notes:
        print("note: " + p)
    return 1 if problems else 0


def check_tuning():
    here = os.path.dirname(os.path.abspath(__file__))
    paths = [os.path.normpath(os.path.join(here, f)) for f in TUNING]
    # The shared sample is not ours to edit: it is checked as the others' neighbour only.
    return max(main(p, [q for q in paths if q != p], cross_fatal=False) for p in paths[:-1])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--tuning":
        sys.exit(check_tuning())
    sys.exit(main(sys.argv[1], sys.argv[2:]))
