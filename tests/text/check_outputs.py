#!/usr/bin/env python3
"""Every export of every hostile record, read back with real parsers.

Runs dump_outputs (argv[1]) into a temporary directory, then for each case:
  JSON      json.loads; each `text` is its `slack_text` with Slack's three entities decoded.
  CSV       the csv module (RFC 4180); one row per timeline entry, 8 columns, no cell a
            spreadsheet would run as a formula, no control or bidi character; a typed text reads
            as typed.
  SVG       xml.etree (a real XML parser); no script, foreignObject, event handler or link;
            the hover text of a typed message reads as typed.
  Markdown  `cmark --unsafe` (CommonMark, raw HTML let through); every tag in its HTML is one
            the draft's template makes, every link is http(s), and a typed text shows as typed.
Exit 0 when every check holds; else one line per failure and exit 1.
"""
import csv
import html.parser
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

FAILURES = []
# The 300 KB case is one field: above the csv module's default limit of 128 KiB.
csv.field_size_limit(1 << 30)


def fail(case, fmt, what):
    FAILURES.append(f"{case}.{fmt}: {what}")


def slack_decode(s):
    return re.sub(r"&(amp|lt|gt);", lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], s)


# C0 controls but tab, LF, CR; DEL and C1; bidi embeddings, overrides and isolates.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(s):
    return UNPRINTABLE.sub("", s)


def without_code_fences(s):
    """`s` as a reader sees it once its code spans are rendered: parse_slack_text's rule (a run
    of backticks opens a span that the next run of the same length closes; a run without one is
    text), each span's fences dropped."""
    out, i = [], 0
    while i < len(s):
        if s[i] != "`":
            out.append(s[i])
            i += 1
            continue
        n = len(s[i:]) - len(s[i:].lstrip("`"))
        k, close = s.find("`", i + n), -1
        while k != -1:
            run = len(s[k:]) - len(s[k:].lstrip("`"))
            if run == n:
                close = k
                break
            k = s.find("`", k + run)
        if close == -1:
            out.append(s[i:i + n])
            i += n
        else:
            out.append(s[i + n:close])
            i = close + n
    return "".join(out)


def simple_typed(case):
    """The typed text when the case is one a reader should see as is (valid UTF-8, no markup)."""
    typed = case["typed"]
    if not typed or "\ufffd" in typed:
        return None
    return printable(typed)


def check_json(name, path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for e in doc["timeline"]:
        if slack_decode(e["slack_text"]) != e["text"]:
            fail(name, "json", f"entry {e['seq']}: text is not slack_text decoded")
        if e["user"] is not None and not e["user_name"]:
            fail(name, "json", f"entry {e['seq']}: empty user_name")
    if slack_decode(doc["incident"]["slack_title"]) != doc["incident"]["title"]:
        fail(name, "json", "title is not slack_title decoded")
    return doc


def check_csv(name, path, doc, case):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, strict=True))
    header = ["at", "slack_ts", "user", "kind", "tags", "text", "ref_ts", "user_name"]
    if rows[0] != header:
        fail(name, "csv", f"header {rows[0]}")
    if len(rows) - 1 != len(doc["timeline"]):
        fail(name, "csv", f"{len(rows) - 1} rows for {len(doc['timeline'])} entries")
    for i, row in enumerate(rows[1:], 1):
        if len(row) != len(header):
            fail(name, "csv", f"row {i} has {len(row)} columns")
            continue
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                fail(name, "csv", f"row {i}: a formula-like cell {cell[:20]!r}")
            if UNPRINTABLE.search(cell):
                fail(name, "csv", f"row {i}: a control character in {cell[:20]!r}")
    typed = simple_typed(case)
    notes = [r for r in rows[1:] if len(r) == len(header) and r[3] == "note"]
    if typed is not None and notes:
        shown = notes[0][5][1:] if notes[0][5].startswith("'") else notes[0][5]
        if shown != typed:
            fail(name, "csv", f"the note reads {shown[:40]!r}, typed {typed[:40]!r}")


def check_svg(name, path, case):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(name, "svg", f"not well-formed XML: {e}")
        return
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        fail(name, "svg", f"root element {root.tag}")
    titles = []
    for el in root.iter():
        local = el.tag.split("}")[-1]
        if local in ("script", "foreignObject", "a", "image", "use", "iframe"):
            fail(name, "svg", f"a <{local}> element")
        for attr in el.attrib:
            if attr.lower().startswith("on") or attr.endswith("href"):
                fail(name, "svg", f"attribute {attr} on <{local}>")
        if local == "title" and el.text:
            titles.append(el.text)
    typed = simple_typed(case)
    if typed is not None:
        want = " ".join(typed.split())[:30]
        if not any(want in " ".join(t.split()) for t in titles):
            fail(name, "svg", f"no hover text shows {want!r}")


# What the review draft's template makes; anything else came from the input.
TEMPLATE_TAGS = {"h1", "h2", "h3", "p", "strong", "em", "ul", "li", "blockquote", "br", "a", "code", "table", "thead",
                 "tbody", "tr", "th", "td", "input", "del"}


class TagCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.links, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("href", "src"):
                self.links.append(v or "")
            if k.startswith("on"):
                self.tags.append(f"{tag}[{k}]")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data):
        self.tags.append("<!--comment-->")

    def handle_decl(self, decl):
        self.tags.append("<!decl>")

    def handle_pi(self, data):
        self.tags.append("<?pi>")

    def handle_data(self, data):
        self.text.append(data)


def check_markdown(name, path, case):
    rendered = subprocess.run(["cmark", "--unsafe", path], capture_output=True, check=True).stdout.decode("utf-8")
    p = TagCollector()
    p.feed(rendered)
    for tag in p.tags:
        if tag not in TEMPLATE_TAGS:
            fail(name, "md", f"a tag the template does not make: <{tag}>")
    for link in p.links:
        if not (link.startswith("http://") or link.startswith("https://")):
            fail(name, "md", f"a link that is not http(s): {link[:60]!r}")
    typed = simple_typed(case)
    if typed is not None and "\n" not in typed and "\r" not in typed and len(typed) < 1000:
        text = "".join(p.text)
        if " ".join(without_code_fences(typed).split()) not in " ".join(text.split()):
            fail(name, "md", f"the rendered draft does not show {typed[:40]!r} as typed")


def main():
    dumper = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="ib-text-") as d:
        subprocess.run([dumper, d], check=True)
        with open(os.path.join(d, "cases.json"), encoding="utf-8") as f:
            cases = json.load(f)
        for name, case in cases.items():
            base = os.path.join(d, name)
            doc = check_json(name, base + ".json")
            check_csv(name, base + ".csv", doc, case)
            check_svg(name, base + ".svg", case)
            check_markdown(name, base + ".md", case)
        print(f"checked {len(cases)} hostile strings in JSON, CSV, SVG and Markdown")
    for line in FAILURES:
        print("FAIL " + line)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
