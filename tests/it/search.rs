//! Search as a reader uses it, in headless Chromium, from `file://` and
//! over http: recall and ranking through the theme API (`lore.search`,
//! `lore.filters`, `lore.card`) on a small made-up knowledge base, and the
//! default theme's search box opened with `?q=`. A harness page calls the
//! API and writes the answers into the DOM, which `--dump-dom` returns.

use crate::browser::{chromium, dump_dom, site_routes};
use crate::server::TestServer;
use crate::util::*;

fn note(kb: &Kb, name: &str, title: &str, date: &str, tags: &[&str], author: &str, body: &str) {
    let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
    kb.write(
        &format!("content/{name}.md"),
        &format!(
            "---\ntitle: \"{title}\"\ndate: {date}T10:00:00\nauthors: [\"{author}\"]\ntags: [{}]\n---\n{body}\n",
            tags.join(", ")
        ),
    );
}

/// Five notes, each holding what one assertion looks for, and 33 older
/// ones that all say "pottery": more notes than a chunk of cards holds (32),
/// and a word with more notes than its shard lists inline (32).
fn fixture() -> Kb {
    let kb = Kb::new();
    for i in 0..33 {
        note(
            &kb,
            &format!("pottery{i}"),
            &format!("Pottery {i}"),
            &format!("2020-01-{:02}", i % 28 + 1),
            &["life"],
            "Cy",
            &format!("Wheel and kiln, lesson {i} of pottery."),
        );
    }
    note(
        &kb,
        "kafka",
        "Kafka partitions",
        "2024-05-01",
        &["streaming"],
        "Ann",
        "Topics are split into partitions; brokers replicate them.",
    );
    note(
        &kb,
        "garden",
        "Quiet gardens",
        "2024-04-01",
        &["life"],
        "Bob",
        "## Evenings\n\nSomeone was running past while a xylophone played somewhere far away.",
    );
    note(
        &kb,
        "contracts",
        "Data contracts",
        "2024-03-01",
        &["data", "governance"],
        "Ann",
        "A data contract is an agreement between producers and consumers of a dataset.",
    );
    note(
        &kb,
        "lakes",
        "Data lakes",
        "2023-02-01",
        &["data"],
        "Bob",
        "Data lands in cheap storage first; data about data comes later.",
    );
    note(
        &kb,
        "law",
        "Contract law",
        "2022-01-01",
        &["law"],
        "Cy",
        "Signing a contract binds both sides.",
    );
    kb.write("config.toml", "title = \"Fixture\"\n");
    kb.lore_ok(&["build"]);
    kb
}

/// The queries each test page runs, as `[query, options]` pairs.
const QUERIES: &str = r#"[
  ["xylophone", {}],
  ["runs", {}],
  ["xylo", {}],
  ["xylophne", {}],
  ["kafak", {}],
  ["data contract", {}],
  ["data lakes", {}],
  ["data", {"filters": {"tags": ["governance"]}}],
  ["data", {"filters": {"authors": ["Bob"], "years": ["2023"]}}],
  ["", {"filters": {"tags": ["data"]}}],
  ["", {"filters": {"tags": {"all": ["data", "governance"]}}}],
  ["contract", {"limit": 1, "offset": 1}],
  ["evenings", {}]
]"#;

/// A page at the site root that runs `QUERIES`, `lore.filters` and
/// `lore.card`, and writes the answers (as URI-encoded JSON) into the DOM.
fn harness(kb: &Kb, page: &str, root: &str) {
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>
<script src="{root}static/search.js"></script></head><body data-root="{root}"><pre id="out">waiting</pre>
<script>
var qs = {QUERIES};
Promise.all(qs.map(function (q) {{ return lore.search(q[0], q[1]); }}).concat([
  lore.filters("data"), lore.filters(), lore.card("{root}notes/kafka.html"),
  lore.search("data", {{}}), lore.search("pottery", {{limit: 40}})
])).then(function (r) {{
  document.getElementById('out').textContent = encodeURIComponent(JSON.stringify(r));
}}, function (e) {{ document.getElementById('out').textContent = 'ERROR ' + e; }});
</script></body></html>"#
    );
    kb.write(&format!("public/{page}"), &html);
}

fn answers(dom: &str) -> Vec<serde_json::Value> {
    let start = dom.find("<pre id=\"out\">").expect("the harness page") + 14;
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = &dom[start..end];
    assert!(!text.starts_with("ERROR") && text != "waiting", "{text}");
    let json = percent_decode(text);
    serde_json::from_str(&json).unwrap()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn titles(answer: &serde_json::Value) -> Vec<&str> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect()
}

fn check_answers(a: &[serde_json::Value], root: &str) {
    assert_eq!(titles(&a[0]), ["Quiet gardens"], "a word only in one body");
    assert_eq!(a[0]["total"], 1);
    let r = &a[0]["results"][0];
    assert_eq!(r["url"], format!("{root}notes/garden.html"));
    assert_eq!(r["date"], "2024-04-01");
    assert_eq!(r["authors"][0], "Bob");
    assert_eq!(r["tags"][0], "life");
    assert!(
        r["excerpt"]
            .as_str()
            .unwrap()
            .contains("<mark>xylophone</mark>"),
        "the excerpt marks the word: {r}"
    );
    assert_eq!(titles(&a[1]), ["Quiet gardens"], "runs finds running");
    assert_eq!(
        titles(&a[2]),
        ["Quiet gardens"],
        "the last word is a prefix"
    );
    assert_eq!(titles(&a[3]), ["Quiet gardens"], "two typos in a long word");
    assert_eq!(
        titles(&a[4]),
        ["Kafka partitions"],
        "a swapped pair of letters"
    );
    let both = titles(&a[5]);
    assert_eq!(both[0], "Data contracts", "the note with both words first");
    assert!(
        both.contains(&"Contract law") && both.contains(&"Data lakes") && a[5]["total"] == 3,
        "then notes with one of them: {both:?}"
    );
    assert_eq!(titles(&a[6])[0], "Data lakes", "an exact title first");
    assert_eq!(
        titles(&a[16]),
        ["Data lakes", "Data contracts"],
        "a word's own notes above those with only a longer word it begins (dataset)"
    );
    assert_eq!(titles(&a[7]), ["Data contracts"], "a tag filter");
    assert_eq!(titles(&a[8]), ["Data lakes"], "author and year filters");
    assert_eq!(
        titles(&a[9]),
        ["Data contracts", "Data lakes"],
        "browsing a tag lists its notes newest first"
    );
    assert_eq!(titles(&a[10]), ["Data contracts"], "all of two tags");
    assert_eq!(a[11]["total"], 2, "contract and contracts are one stem");
    assert_eq!(a[11]["results"].as_array().unwrap().len(), 1, "limit");
    assert_eq!(titles(&a[12]), ["Quiet gardens"], "a heading is searchable");
    let tags = a[13]["tags"].as_array().unwrap();
    let count = |v: &str| {
        tags.iter()
            .find(|t| t["value"] == v)
            .map(|t| t["count"].as_u64().unwrap())
    };
    assert_eq!(
        count("data"),
        Some(2),
        "facet counts over the results: {tags:?}"
    );
    assert_eq!(count("governance"), Some(1));
    assert_eq!(count("life"), None, "no result has it");
    assert_eq!(
        a[14]["authors"].as_array().unwrap().len(),
        3,
        "every author of the site"
    );
    assert_eq!(a[15]["title"], "Kafka partitions", "a card by URL");
    assert!(a[15]["summary"].as_str().unwrap().contains("brokers"));
    let mut pottery = titles(&a[17]);
    assert_eq!(
        (a[17]["total"].as_u64(), pottery.len()),
        (Some(33), 33),
        "every note with the word, past the 32 its shard lists"
    );
    pottery.sort_unstable();
    pottery.dedup();
    assert_eq!(pottery.len(), 33, "no note twice");
}

#[test]
fn the_search_api_finds_ranks_and_filters_from_file_urls() {
    let Some(browser) = chromium() else { return };
    let kb = fixture();
    harness(&kb, "t.html", "");
    harness(&kb, "notes/t.html", "../");
    for (page, root) in [("t.html", ""), ("notes/t.html", "../")] {
        let url = format!("file://{}", kb.path(&format!("public/{page}")).display());
        check_answers(&answers(&dump_dom(browser, &url)), root);
    }
}

/// The site's files served under /repo/, as GitHub Pages serves a project.
fn serve(kb: &Kb) -> TestServer {
    TestServer::start(site_routes(&kb.path("public"), "/repo/"))
}

#[test]
fn the_search_api_works_over_http_and_loads_only_what_a_query_needs() {
    let Some(browser) = chromium() else { return };
    let kb = fixture();
    harness(&kb, "t.html", "");
    kb.write(
        "public/one.html",
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>\
         <script src=\"static/search.js\"></script></head><body><pre id=\"out\">waiting</pre><script>\
         lore.search('xylophone').then(function (r) { document.getElementById('out').textContent = \
         encodeURIComponent(JSON.stringify([r])); });</script></body></html>",
    );
    let server = serve(&kb);
    let one = answers(&dump_dom(browser, &server.url("/repo/one.html")));
    assert_eq!(titles(&one[0]), ["Quiet gardens"]);
    assert_eq!(
        one[0]["results"][0]["url"], "notes/garden.html",
        "without data-root, URLs are relative to the page all the same"
    );
    let chunks = std::fs::read_dir(kb.path("public/search/c"))
        .unwrap()
        .count();
    let loaded = (0..chunks)
        .filter(|i| server.hits(&format!("/repo/search/c/{i}.js")) > 0)
        .count();
    assert_eq!(
        (loaded, chunks),
        (1, 2),
        "one result loads the one chunk of cards and excerpt text it is in"
    );
    let tails = std::fs::read_dir(kb.path("public/search/p"))
        .unwrap()
        .count();
    assert!(
        tails > 0 && (0..tails).all(|i| server.hits(&format!("/repo/search/p/{i}.js")) == 0),
        "a rare word's results need no tail of postings"
    );
    assert_eq!(
        server.hits("/repo/search/f/values.js"),
        0,
        "no filter, no filter data"
    );
    assert_eq!(
        server.hits("/repo/search/u/0.js"),
        0,
        "URLs by hash are for lore.card only"
    );
    check_answers(
        &answers(&dump_dom(browser, &server.url("/repo/t.html"))),
        "",
    );
}

#[test]
fn the_search_box_runs_the_query_in_the_page_url() {
    let Some(browser) = chromium() else { return };
    let kb = fixture();
    let server = serve(&kb);
    let file = format!(
        "file://{}?q=xylophone",
        kb.path("public/notes/kafka.html").display()
    );
    let http = format!("{}?q=xylophone", server.url("/repo/notes/kafka.html"));
    for url in [file, http] {
        let dom = dump_dom(browser, &url);
        assert!(
            dom.contains("href=\"../notes/garden.html\"") && dom.contains("<mark>xylophone</mark>"),
            "{url}: the result and its marked excerpt:\n{dom}"
        );
        assert!(dom.contains(">1 result<"), "{url}: the count:\n{dom}");
        assert!(
            dom.contains("aria-expanded=\"true\""),
            "{url}: the box says it is open"
        );
    }
}

/// The keys of the box on a real page: `/` focuses it, typing searches,
/// arrows pick a result (announced through aria-activedescendant), Esc
/// closes, "More results" pages on, filters browse with no words typed.
/// A script added to the built page plays the keys and writes what it saw.
#[test]
fn the_search_box_answers_the_keyboard_and_filters() {
    let Some(browser) = chromium() else { return };
    let kb = fixture();
    let page = kb.read("public/notes/kafka.html");
    // The page holds only the input: the script makes the panel.
    assert!(!page.contains("search-panel") && !page.contains("role=\"combobox\""));
    let script = r#"<script>
(function () {
  var input = document.getElementById('search-input'), seen = [];
  function later(f) { setTimeout(f, 400); }
  function key(el, k) { el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true })); }
  function say() { document.getElementById('played').textContent = seen.join('|'); }
  window.addEventListener('load', function () {
    key(document.body, '/');
    seen.push('focus:' + (document.activeElement === input) + ',' + input.getAttribute('role'));
    input.value = 'data';
    input.dispatchEvent(new Event('input'));
    later(function () {
      key(input, 'ArrowDown');
      key(input, 'ArrowDown');
      seen.push('active:' + input.getAttribute('aria-activedescendant'));
      seen.push('selected:' + document.querySelector('[aria-selected="true"]').id);
      key(input, 'Escape');
      seen.push('closed:' + document.getElementById('search-panel').hidden + ',' + input.getAttribute('aria-expanded'));
      input.value = '';
      document.getElementById('search-filters-toggle').click();
      later(function () {
        var box = Array.from(document.querySelectorAll('.sf-value')).filter(function (l) {
          return l.textContent.indexOf('governance') >= 0;
        })[0];
        seen.push('facet:' + box.textContent.trim());
        box.querySelector('input').click();
        later(function () {
          seen.push('browse:' + Array.from(document.querySelectorAll('.sr-title')).map(function (t) { return t.textContent; }).join(','));
          say();
        });
      });
    });
  });
})();
</script><pre id="played">waiting</pre></body>"#;
    kb.write("public/notes/kafka.html", &page.replace("</body>", script));
    let url = format!("file://{}", kb.path("public/notes/kafka.html").display());
    let dom = dump_dom(browser, &url);
    let start = dom.find("<pre id=\"played\">").unwrap() + 17;
    let played = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    assert_eq!(
        played,
        "focus:true,combobox|active:search-result-1|selected:search-result-1|closed:true,false\
         |facet:governance (1)|browse:Data contracts",
        "{dom}"
    );
}

/// Six notes that say "zeppelin" past their summaries, and one that says
/// it only far past the text results keep (400 characters). The filler has
/// accented words, so a summary cut at the wrong length (characters, not
/// bytes) shows.
fn long_notes() -> Kb {
    let kb = Kb::new();
    let filler = "Café owners note déjà vu—again and again, every evening. ";
    for i in 0..7 {
        let repeat = if i == 6 { 20 } else { 4 };
        note(
            &kb,
            &format!("long{i}"),
            &format!("Long note {i}"),
            &format!("2024-01-0{}", i + 1),
            &["long"],
            "Ann",
            &format!(
                "{}\n\nThen a zeppelin number {i} drifted over the town.",
                filler.repeat(repeat)
            ),
        );
    }
    kb.write("config.toml", "title = \"Long\"\n");
    kb.lore_ok(&["build"]);
    kb
}

#[test]
fn results_show_marked_excerpts_past_the_summary_and_cards_keep_their_summary() {
    let Some(browser) = chromium() else { return };
    let kb = long_notes();
    kb.write(
        "public/t.html",
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>\
         <script src=\"static/search.js\"></script></head><body><pre id=\"out\">waiting</pre><script>\
         Promise.all([lore.search('zeppelin'), lore.card('notes/long4.html')]).then(function (r) { \
         document.getElementById('out').textContent = encodeURIComponent(JSON.stringify(r)); }, \
         function (e) { document.getElementById('out').textContent = 'ERROR ' + e; });</script></body></html>",
    );
    let a = answers(&dump_dom(
        browser,
        &format!("file://{}", kb.path("public/t.html").display()),
    ));
    assert_eq!(a[0]["total"], 7, "the word is found however deep it is");
    let home = kb.read("public/index.html");
    for r in a[0]["results"].as_array().unwrap() {
        let excerpt = r["excerpt"].as_str().unwrap();
        let n = r["title"]
            .as_str()
            .unwrap()
            .trim_start_matches("Long note ");
        if n == "6" {
            assert!(
                excerpt.starts_with("Café owners")
                    && excerpt.ends_with('…')
                    && !excerpt.contains("<mark>"),
                "past the kept text, the note's summary: {excerpt}"
            );
            continue;
        }
        assert!(
            excerpt.starts_with('…')
                && excerpt.contains(&format!("<mark>zeppelin</mark> number {n}")),
            "{}: an excerpt around the word, from the note's own text: {excerpt}",
            r["title"]
        );
    }
    // The summary the home page lists for the note, word for word.
    let summary = a[1]["summary"].as_str().unwrap();
    assert!(summary.ends_with('…') && summary.starts_with("Café owners"));
    assert!(
        home.contains(&format!(
            "<p class=\"summary\">{}</p>",
            html_escape(summary)
        )),
        "lore.card's summary is the one the site shows: {summary}"
    );
    assert_eq!(a[1]["title"], "Long note 4");
}
