// The review site's stylesheet and script, compiled in (no external assets: works offline).
// The script only reads: local times beside UTC, permalinks to entries on other pages, Space on
// the filter chips, the incident's summary after the first paint (GET /incidents/ID/summary, its
// parts put in place of the page's [data-summary] placeholders), and live updates of an open
// incident by polling /incidents/ID/version.
#include "core/review/layout.hpp"
#include "core/review/site.hpp"

namespace ib::review {

namespace {

constexpr std::string_view css = R"css(:root { color-scheme: light; --ink: #111827; --muted: #4b5563; --line: #d1d5db; --accent: #1d4ed8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, main:focus-visible, li:focus-visible {
  outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 4px 8px; }
.skip:focus { left: 8px; }
header.site { background: #111827; padding: 8px 16px; }
header.site a { color: #fff; margin-right: 16px; font-weight: 600; }
main { padding: 16px; max-width: 1280px; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.2rem; margin-top: 1.6em; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
.filters { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin: 8px 0; }
.filters label { font-weight: 600; }
input, select, button { font: inherit; padding: 3px 6px; }
button { cursor: pointer; }
.chip { display: inline-block; border: 1px solid #6b7280; border-radius: 10px; padding: 0 8px; font-size: 0.85em; text-decoration: none; color: var(--ink); background: #f3f4f6; }
a.chip[aria-current="true"], .chips a[aria-current="true"] { background: #1d4ed8; color: #fff; font-weight: 700; text-decoration: underline; }
.chips { margin: 6px 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.tag-hypothesis { border-color: #7c3aed; } .tag-action { border-color: #047857; } .tag-status { border-color: #b45309; }
.sev { font-weight: 700; } .sev1, .sev2 { color: #b91c1c; } .sev3 { color: #92400e; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 4px 16px; }
.facts dt { font-weight: 600; color: var(--muted); } .facts dd { margin: 0; }
.chart { overflow-x: auto; } .chart svg { max-width: 100%; height: auto; }
.chart a:focus-visible circle, .chart a:focus-visible rect { stroke: #f59e0b; stroke-width: 3; }
ol.timeline { list-style: none; padding: 0; }
.entry { border-bottom: 1px solid var(--line); padding: 4px 0; }
.entry:target, .entry.target { background: #fef3c7; }
.entry .meta { color: var(--muted); font-size: 0.9em; }
.entry .who { font-weight: 600; color: var(--ink); }
.entry .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.local { color: var(--muted); }
.notice, .error { border-left: 4px solid #b91c1c; padding: 4px 8px; background: #fef2f2; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.login { display: flex; gap: 8px; align-items: center; }
)css";

constexpr std::string_view js = R"js('use strict';
(function () {
  // The viewer's local time after each UTC time.
  function localTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      if (t.dataset.local) return;
      var d = new Date(t.getAttribute('datetime'));
      if (isNaN(d.getTime())) return;
      t.dataset.local = '1';
      var s = document.createElement('span');
      s.className = 'local';
      s.textContent = ' (' + d.toLocaleString() + ' local)';
      t.after(s);
    });
  }
  // #SEQ of an entry that is not on this page (another page, a chart mark): the server's
  // permalink redirects to the page holding it.
  function followHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var inc = document.body.dataset.incident;
    if (!inc || !/^[0-9]+$/.test(id)) return;
    var el = document.getElementById(id);
    if (el) { el.classList.add('target'); return; }
    location.replace('/incidents/' + inc + '/entries/' + id);
  }
  // The parts of an incident page that need its whole record (chart, the person filter's people,
  // participants, status-page updates, hypotheses, action items, coordination), fetched once the
  // timeline is on screen: each [data-summary] placeholder is replaced by the summary page's
  // element with its id. DOMParser runs nothing; the server escapes the summary like the page.
  function loadSummary() {
    var inc = document.body.dataset.incident;
    var slots = document.querySelectorAll('[data-summary]');
    if (!inc || !slots.length) return;
    fetch('/incidents/' + inc + '/summary', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        slots.forEach(function (slot) {
          var part = doc.getElementById(slot.id);
          if (!part || !slot.isConnected) return;
          if ('value' in slot && slot.value) part.value = slot.value;  // a filter keeps what it was set to
          slot.replaceWith(document.adoptNode(part));
        });
        localTimes(document.getElementById('main'));
        document.body.dataset.summary = 'shown';
      })
      .catch(function () { /* the placeholders keep their link to the summary page */ });
  }
  // An open incident: poll its version; when it changed, fetch this page's <main> again.
  function live() {
    var version = document.body.dataset.live;
    var inc = document.body.dataset.incident;
    if (!version || !inc) return;
    function tick() {
      fetch('/incidents/' + inc + '/version', { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (v) {
          if (v === version) return null;
          version = v;
          var url = location.pathname + location.search + (location.search ? '&' : '?') + 'fragment=main';
          return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) { return r.text(); })
            .then(function (html) {
              var main = document.getElementById('main');
              main.innerHTML = html;
              localTimes(main);
              loadSummary();
              document.body.dataset.version = v;
            });
        })
        .then(function () { setTimeout(tick, 1000); }, function () { setTimeout(tick, 5000); });
    }
    setTimeout(tick, 1000);
  }
  // The filter chips are links that toggle their filter: Space works on them as on a toggle
  // button, Enter as on any link.
  document.addEventListener('keydown', function (e) {
    var a = e.target;
    if (e.key !== ' ' || !a.matches || !a.matches('.chips a[href]')) return;
    e.preventDefault();
    a.click();
  });
  document.addEventListener('DOMContentLoaded', function () {
    localTimes(document);
    followHash();
    window.addEventListener('hashchange', followHash);
    loadSummary();
    live();
  });
})();
)js";

}  // namespace

http::response asset(std::string_view name) {
    http::response res;
    if (name == "review.css") {
        res.content_type = "text/css; charset=utf-8";
        res.body = std::string(css);
    } else if (name == "review.js") {
        res.content_type = "text/javascript; charset=utf-8";
        res.body = std::string(js);
    } else {
        return error_page(404, "No such file.");
    }
    add_security_headers(res);
    return res;
}

}  // namespace ib::review
