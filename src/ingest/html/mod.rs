//! Feed HTML → markdown. This module owns turning untrusted HTML from feeds
//! (item bodies, summaries, HTML fragments found inside markdown) into clean,
//! safe CommonMark/GFM that reads well in an Obsidian vault and renders well
//! on the site: fenced code with its language and its exact text, GFM tables,
//! lists, quotes, headings, emphasis, links, images, figures, embeds as links.
//!
//! It must not do any I/O (no file system, no network: relative URLs are
//! resolved against the base the caller passes, nothing is fetched), and it
//! must not let anything executable or active through: the markdown it
//! returns holds no raw HTML tag outside code, no `<script`, `<iframe`,
//! `<object`, `<style`, `<form`, no `on…=` handler and no `javascript:`
//! outside fenced code (inside a code block such text is just code), and no
//! text that Obsidian or its plugins would run or reinterpret (dataview
//! blocks, `%%` comments, `==` highlights, `#tags`, `$` math).
//!
//! Pipeline, one pass each:
//! 1. [`prepass`], streaming with lol_html: drops junk (scripts, styles,
//!    forms, SVG, Forem's fullscreen buttons, line-number gutters), strips
//!    attributes (`on…` handlers included), reduces code to its text with
//!    the language on `<code class="language-x">`, caps the nesting.
//! 2. ammonia sanitises what is left against an allowlist ([`SANITISER`]):
//!    the guarantee that nothing active gets through rests on a sanitiser
//!    that is maintained and fuzzed, not on our pre-pass. It runs after the
//!    pre-pass because the pre-pass shrinks the document (highlighting
//!    spans, gutters), which makes the sanitiser's parse cheaper.
//! 3. html5ever builds the tree; [`cap_depth`] bounds it exactly, because
//!    htmd converts recursively.
//! 4. htmd converts, with our handlers for code, tables, links, images,
//!    figures and embeds. Code is not emitted inline: each code block or
//!    span is stashed and a placeholder goes in its place, so that
//! 5. [`finish`] can escape and tidy all the prose without touching code,
//!    then put the code back. Whatever looks like a tag in the text is
//!    escaped, so the markdown holds no HTML at all.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::LazyLock;

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::options::{BrStyle, BulletListMarker, HrStyle, Options};
use htmd::{Element, HtmlToMarkdown, Node};
use lol_html::html_content::{ContentType, Element as LolElement, TextChunk};
use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings, end_tag};
use markup5ever_rcdom::NodeData;

use super::obsidian;

mod captree;
mod convert;
mod finish;
mod prepass;
mod urls;

use captree::*;
use convert::*;
use finish::*;
use prepass::*;
use urls::*;

/// Inputs longer than this are cut (at a char boundary) before conversion.
/// Real feed items are a few hundred KB at most; anything near this size is
/// generated or hostile, and the cut bounds the time and memory one item
/// can take (the parsed tree of 10 MB of HTML is already a few hundred MB).
pub const MAX_HTML_BYTES: usize = 10 * 1024 * 1024;

/// Elements nested deeper than this lose their tags in the streaming
/// pre-pass (their text stays). html5ever checks scopes by walking its stack
/// of open elements, so unbounded nesting would make parsing quadratic.
const PREPASS_MAX_DEPTH: usize = 64;

/// The exact cap on the parsed tree: deeper nodes are lifted to this depth.
/// htmd converts recursively, a few KB of stack per level, so this bounds
/// its stack use whatever the pre-pass estimated.
const TREE_MAX_DEPTH: usize = 100;

// Marks that travel through html5ever and htmd inside text. They are
// Unicode noncharacters, which never occur in interchanged text, and every
// U+FDD0..U+FDEF is removed from the input first, so none can be forged.
/// Around the stash index of a code block.
const BLOCK_OPEN: char = '\u{FDD0}';
const BLOCK_CLOSE: char = '\u{FDD1}';
/// Around the stash index of a code span.
const SPAN_OPEN: char = '\u{FDD2}';
const SPAN_CLOSE: char = '\u{FDD3}';
/// First char of every `<pre>`, so that htmd never sees code text that
/// starts with a backtick directly in a `pre` (it would backslash it).
const PRE_START: char = '\u{FDD4}';
/// Before each table cell: `CELL`, the colspan, `:`, the content.
const CELL: char = '\u{FDD5}';
/// Before each table row.
const ROW: char = '\u{FDD6}';
/// Around a table caption.
const CAPTION_OPEN: char = '\u{FDD7}';
const CAPTION_CLOSE: char = '\u{FDD8}';
/// Around the URL of a `<source>` inside `<video>`/`<audio>`.
const MEDIA_OPEN: char = '\u{FDD9}';
const MEDIA_CLOSE: char = '\u{FDDA}';

fn is_mark(c: char) -> bool {
    ('\u{FDD0}'..='\u{FDEF}').contains(&c)
}

/// Converts untrusted feed HTML into safe markdown. `base` is the URL relative links resolve against (item link or channel link), if known.
pub fn html_to_markdown(html: &str, base: Option<&str>) -> String {
    let html = truncate(html, MAX_HTML_BYTES);
    // Characters no text may hold go first: dropped later, one could join
    // `<` and a letter into a tag after escaping has run.
    let html = crate::ingest::text::without_forbidden(html);
    let html = strip_marks(&html);
    if html.trim().is_empty() {
        return String::new();
    }
    let cleaned = prepass(&html);
    let base = base.and_then(BaseUrl::parse);
    match catch_unwind(AssertUnwindSafe(|| convert(&cleaned, base))) {
        Ok(markdown) => crate::ingest::markdown::escape_raw_html(markdown),
        // Neither html5ever nor htmd is known to panic on any input; if one
        // ever does, the item still gets its words, as plain escaped text.
        Err(_) => {
            STASH.with(|s| s.borrow_mut().reset(None));
            plain_text_fallback(&cleaned)
        }
    }
}

/// `text` cut to at most `max` bytes, at a char boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` without the noncharacters we use as marks.
fn strip_marks(text: &str) -> Cow<'_, str> {
    // U+FDD0..U+FDEF are EF B7 90..AF in UTF-8.
    let has_any = text
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == 0xEF && w[1] == 0xB7 && (0x90..=0xAF).contains(&w[2]));
    if has_any {
        text.chars()
            .filter(|&c| !is_mark(c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_raw_html_survives_however_code_spans_and_escapes_mix() {
        use pulldown_cmark::{Event, Options, Parser};
        for html in [
            include_str!(
                "../../../fuzz/regressions/html_to_markdown/escaped-tag-after-backtick-runs.html"
            ),
            include_str!(
                "../../../fuzz/regressions/html_to_markdown/escaping-one-tag-reveals-another.html"
            ),
        ] {
            let markdown = super::html_to_markdown(html, Some("https://example.test/"));
            for event in Parser::new_ext(&markdown, Options::all()) {
                assert!(
                    !matches!(event, Event::Html(_) | Event::InlineHtml(_)),
                    "{event:?} in:\n{markdown}"
                );
            }
        }
    }

    use super::*;
    use regex::Regex;

    fn md(html: &str) -> String {
        let out = html_to_markdown(html, Some("https://blog.example/posts/first.html"));
        assert_safe(&out);
        out
    }

    /// The guarantee: outside fenced code, no tag, no script scheme, no
    /// handler; and nowhere (code spans included) a script-ish tag.
    fn assert_safe(markdown: &str) {
        let mut prose = String::new();
        let mut fence: Option<String> = None;
        for line in markdown.lines() {
            let bare = line.trim_start_matches(['>', ' ', '-']);
            match &fence {
                Some(f) if bare.trim_end() == f => fence = None,
                Some(_) => {}
                None if bare.starts_with("```") => {
                    fence = Some(bare.chars().take_while(|&c| c == '`').collect());
                }
                None => {
                    prose.push_str(line);
                    prose.push('\n');
                }
            }
        }
        let lower = prose.to_lowercase();
        for bad in [
            "<script",
            "<iframe",
            "<object",
            "<style",
            "<form",
            "javascript:",
            "vbscript:",
        ] {
            assert!(!lower.contains(bad), "{bad} in:\n{markdown}");
        }
        let handler = Regex::new(r"(?i)\bon[a-z]+\s*=").unwrap();
        assert!(!handler.is_match(&prose), "handler in:\n{markdown}");
        let spans = Regex::new(r"(`+)[^`]*?(`+)").unwrap();
        let without_spans = spans.replace_all(&prose, "");
        let tag = Regex::new(r"<[a-zA-Z/!]").unwrap();
        assert!(!tag.is_match(&without_spans), "raw HTML in:\n{markdown}");
        assert!(!markdown.contains(is_mark), "a mark leaked");
        // And as a CommonMark parser reads it: no HTML, no unsafe link.
        use pulldown_cmark::{Event, Options, Parser, Tag};
        for event in Parser::new_ext(markdown, Options::all()) {
            match event {
                Event::Html(html) | Event::InlineHtml(html) => {
                    panic!("raw HTML {html:?} in:\n{markdown}")
                }
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    let url = dest_url.to_ascii_lowercase();
                    assert!(
                        ["http://", "https://", "mailto:", "#", "/"]
                            .iter()
                            .any(|p| url.starts_with(p)),
                        "unsafe URL {dest_url} in:\n{markdown}"
                    );
                }
                _ => {}
            }
        }
    }

    #[test]
    fn rouge_block_becomes_fenced_java_with_exact_text() {
        let html = r#"<p>Before.</p><div class="language-java highlighter-rouge"><div class="highlight"><pre class="highlight"><code><span class="kd">class</span> <span class="nc">Box</span> <span class="o">{</span>
    <span class="n">List</span><span class="o">&lt;</span><span class="n">Integer</span><span class="o">&gt;</span> <span class="n">xs</span><span class="o">;</span> <span class="c1">// a &amp;&amp; b</span>

	<span class="kt">int</span>  <span class="n">n</span> <span class="o">=</span> <span class="mi">1</span><span class="o">;</span>
<span class="o">}</span>
</code></pre></div></div><p>After.</p>"#;
        let expected = "Before.\n\n```java\nclass Box {\n    List<Integer> xs; // a && b\n\n\tint  n = 1;\n}\n```\n\nAfter.";
        assert_eq!(md(html), expected);
    }

    #[test]
    fn forem_block_keeps_language_and_drops_fullscreen_panel() {
        let html = r#"<div class="highlight js-code-highlight">
<pre class="highlight java"><code><span class="nc">Flow</span> <span class="n">f</span> <span class="o">=</span> <span class="n">Flow</span><span class="o">.</span><span class="na">of</span><span class="o">(</span><span class="s">"a"</span><span class="o">);</span>
</code></pre>
<div class="highlight__panel js-actions-panel">
<div class="highlight__panel-action js-fullscreen-code-action">
    <svg xmlns="http://www.w3.org/2000/svg" width="20px" height="20px" viewbox="0 0 24 24"><title>Enter fullscreen mode</title><path d="M16 3h6v6h-2V5h-4V3z"></path></svg>
    <svg xmlns="http://www.w3.org/2000/svg" width="20px" height="20px" viewbox="0 0 24 24"><title>Exit fullscreen mode</title><path d="M18 7h4v2h-6V3h2v4z"></path></svg>
</div>
</div>
</div>"#;
        let out = md(html);
        assert_eq!(out, "```java\nFlow f = Flow.of(\"a\");\n```");
        assert!(!out.to_lowercase().contains("fullscreen"));
    }

    #[test]
    fn highlightjs_prism_and_data_lang_forms_keep_the_language() {
        let cases = [
            (
                r#"<pre><code class="language-rust">let x = 1;</code></pre>"#,
                "rust",
            ),
            (
                r#"<pre class="language-python"><code>x = 1</code></pre>"#,
                "python",
            ),
            (r#"<pre><code class="hljs go">x := 1</code></pre>"#, "go"),
            (
                r#"<pre class="hljs"><code class="lang-ruby">x = 1</code></pre>"#,
                "ruby",
            ),
            (
                r#"<pre class="prettyprint lang-sql"><code>SELECT 1</code></pre>"#,
                "sql",
            ),
            (
                r#"<pre><code data-lang="kotlin">val x = 1</code></pre>"#,
                "kotlin",
            ),
            (
                r#"<div class="highlight highlight-source-shell"><pre>ls -la</pre></div>"#,
                "shell",
            ),
            (
                r#"<pre class="brush: js; gutter: false">var x;</pre>"#,
                "js",
            ),
        ];
        for (html, lang) in cases {
            let out = md(html);
            assert!(
                out.starts_with(&format!("```{lang}\n")),
                "{html} gave:\n{out}"
            );
        }
        assert_eq!(md("<pre>plain\n  text</pre>"), "```\nplain\n  text\n```");
    }

    #[test]
    fn fence_is_longer_than_any_backtick_run_in_the_code() {
        let out = md("<pre><code>```\nnested\n````\n</code></pre>");
        assert_eq!(out, "`````\n```\nnested\n````\n`````");
    }

    #[test]
    fn inline_code_is_a_code_span_with_its_text() {
        assert_eq!(
            md("<p>Call <code>a_b(*x)</code> or <code>x`y</code>.</p>"),
            "Call `a_b(*x)` or ``x`y``."
        );
        assert_eq!(
            md("<p>A <code>List&lt;String&gt;</code></p>"),
            "A `List<String>`"
        );
        // A code span cannot escape anything: script-like code becomes text.
        let out = md("<p>Never <code>&lt;script src=x&gt;</code> here.</p>");
        assert!(out.contains("&lt;script src=x>"), "{out}");
    }

    #[test]
    fn table_becomes_a_gfm_table() {
        let html = "<table><thead><tr><th>Tool</th><th>Use</th></tr></thead>\
                    <tbody><tr><td>grep</td><td>find a|b</td></tr>\
                    <tr><td><code>x|y</code></td><td><b>bold</b></td></tr></tbody></table>";
        assert_eq!(
            md(html),
            "| Tool | Use |\n| --- | --- |\n| grep | find a\\|b |\n| `x\\|y` | **bold** |"
        );
        // Without header cells, the first row is the header.
        assert_eq!(
            md("<table><tr><td>a</td><td>b</td></tr><tr><td>1</td></tr></table>"),
            "| a | b |\n| --- | --- |\n| 1 | |"
        );
    }

    #[test]
    fn nested_lists_keep_their_structure() {
        let html = "<ul><li>one<ul><li>one.a</li><li>one.b<ol><li>deep</li></ol></li></ul></li><li>two</li></ul>";
        assert_eq!(md(html), "- one\n  - one.a\n  - one.b\n    1. deep\n- two");
    }

    #[test]
    fn blockquote_keeps_paragraphs_and_code() {
        let html = "<blockquote><p>First.</p><p>Second.</p><pre><code class=\"language-sh\">ls\n\ncd</code></pre></blockquote>";
        assert_eq!(
            md(html),
            "> First.\n>\n> Second.\n>\n> ```sh\n> ls\n>\n> cd\n> ```"
        );
    }

    #[test]
    fn figure_becomes_image_then_italic_caption() {
        let html = r#"<figure><img src="/img/owl.png" alt="An owl"><figcaption>The owl at <em>dusk</em></figcaption></figure>"#;
        assert_eq!(
            md(html),
            "![An owl](https://blog.example/img/owl.png)\n\n_The owl at *dusk*_"
        );
    }

    #[test]
    fn iframes_become_links_to_the_embedded_page() {
        assert_eq!(
            md(
                r#"<iframe width="560" src="https://www.youtube.com/embed/Ab_c-12?si=x" frameborder="0"></iframe>"#
            ),
            "[YouTube video](https://www.youtube.com/watch?v=Ab_c-12)"
        );
        assert_eq!(
            md(
                r#"<iframe src="https://www.youtube-nocookie.com/embed/XyZ" title="A talk"></iframe>"#
            ),
            "[A talk](https://www.youtube.com/watch?v=XyZ)"
        );
        assert_eq!(
            md(r#"<iframe src="//player.vimeo.com/video/123?h=1"></iframe>"#),
            "[Vimeo video](https://vimeo.com/123)"
        );
        assert_eq!(
            md(r#"<iframe src="https://codepen.io/kit/embed/preview/abCD"></iframe>"#),
            "[CodePen](https://codepen.io/kit/pen/abCD)"
        );
        assert_eq!(
            md(r#"<iframe src="https://maps.example/embed?q=1"></iframe>"#),
            "[Embedded content (maps.example)](https://maps.example/embed?q=1)"
        );
        assert_eq!(md(r#"<iframe src="javascript:alert(1)"></iframe>"#), "");
        assert_eq!(
            md(r#"<script src="https://gist.github.com/kit/abc123.js"></script>"#),
            "[GitHub gist](https://gist.github.com/kit/abc123)"
        );
    }

    #[test]
    fn scripts_styles_handlers_and_script_urls_are_removed() {
        let html = r#"<p onclick="steal()">Click <a href="javascript:alert(1)">here</a>.</p>
<script>document.write("x")</script><style>p{color:red}</style><noscript>no js</noscript>
<img src="x.png" onerror="alert(1)" alt="pic"><a href=" JaVaScRiPt:alert(1)">two</a>
<a href="java&#x09;script:alert(1)">three</a><a href="&#106;avascript:alert(1)">four</a>
<a href="vbscript:msgbox(1)">five</a><img src="data:image/png;base64,AAAA" alt="inline">
<form action="/x"><input name="q"><button>Go</button></form><object data="x.swf"></object>
<embed src="x.swf"><svg><script>alert(1)</script></svg><template><p>hidden</p></template>"#;
        let out = md(html);
        assert_eq!(
            out,
            "Click here.\n\n![pic](https://blog.example/posts/x.png)two threefour five"
        );
    }

    #[test]
    fn dangerous_text_in_prose_is_neutralised() {
        let out = md(
            "<p>Type &lt;script&gt;alert(1)&lt;/script&gt; or javascript:void(0) and onload=go</p>",
        );
        assert_eq!(
            out,
            "Type &lt;script>alert(1)&lt;/script> or javascript&#58;void(0) and onload&#61;go"
        );
        assert_eq!(md("<p>&amp;copy; stays text</p>"), "\\&copy; stays text");
    }

    #[test]
    fn relative_urls_resolve_against_the_base() {
        let html = r##"<p><img src="/assets/a.png" alt="a"> <img src="b.png" alt="b">
<img src="../c.png" alt="c"> <img src="//cdn.example/d.png" alt="d">
<a href="#notes">frag</a> <a href="mailto:kit@example.com">mail</a>
<a href="?page=2">query</a> <a href="https://other.example/x y">abs</a></p>"##;
        assert_eq!(
            md(html),
            "![a](https://blog.example/assets/a.png) ![b](https://blog.example/posts/b.png) \
             ![c](https://blog.example/c.png) ![d](https://cdn.example/d.png) [frag](#notes) \
             [mail](mailto:kit@example.com) [query](https://blog.example/posts/first.html?page=2) \
             [abs](https://other.example/x%20y)"
        );
        // Without a base, relative references stay relative.
        assert_eq!(
            html_to_markdown(r#"<img src="/assets/a.png" alt="a">"#, None),
            "![a](/assets/a.png)"
        );
        // Lazy-loaded images use their real source.
        assert_eq!(
            md(r#"<img src="data:image/gif;base64,R0l" data-src="/real.png" alt="r">"#),
            "![r](https://blog.example/real.png)"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        for (open, close) in [
            ("<div>", "</div>"),
            ("<blockquote>", "</blockquote>"),
            ("<ul><li>", "</li></ul>"),
            ("<b>", "</b>"),
            ("<table><tr><td>", "</td></tr></table>"),
            ("<span>", ""),
        ] {
            let html = format!("{}deep text{}", open.repeat(5_000), close.repeat(5_000));
            let out = md(&html);
            assert!(out.contains("deep text"), "{open}: {out:.200}");
        }
        // Formatting elements with distinct attributes, reopened after a block.
        let mut html = String::from("<div>");
        for i in 0..3_000 {
            html.push_str(&format!("<b class=\"c{i}\"><i id=\"{i}\">"));
        }
        html.push_str("</div><p>after</p>");
        assert!(md(&html).contains("after"));
    }

    #[test]
    fn ten_megabyte_input_is_cut_at_a_char_boundary() {
        // Mostly text (quick even in a debug build), with a two-byte `é`
        // straddling the cut.
        let mut html = String::from("<p>Start <b>bold</b>.</p><p>");
        let words = "ünïcödé prose without tags, ";
        while html.len() < MAX_HTML_BYTES - words.len() {
            html.push_str(words);
        }
        html.push_str(&"x".repeat(MAX_HTML_BYTES - 1 - html.len()));
        html.push_str("é tail that is cut off</p>");
        assert!(!html.is_char_boundary(MAX_HTML_BYTES));
        let out = md(&html);
        assert!(out.starts_with("Start **bold**.\n\nünïcödé prose"));
        assert!(out.ends_with('x'), "{}", &out[out.len() - 20..]);
        assert_eq!(truncate("aé", 2), "a");
    }

    #[test]
    fn nbsp_and_blank_line_runs_are_cleaned() {
        let html = "<p>a&nbsp;&nbsp;b&#160;c&nbsp;</p><p>&nbsp;</p><p></p><br><br><p>d</p>\n\n\n<div>e<br></div><pre>x&nbsp;y</pre>";
        let out = md(html);
        assert_eq!(out, "a b c\n\nd\n\ne\n\n```\nx\u{a0}y\n```");
        assert!(!out.contains("\n\n\n"));
        assert!(out.lines().all(|l| l == l.trim_end()));
    }

    #[test]
    fn obsidian_syntax_from_a_feed_is_neutralised() {
        assert_eq!(md("<p>x&nbsp;#tag</p>"), "x \\#tag");
        let out = md(
            "<pre><code class=\"language-dataviewjs\">dv.list()</code></pre>\
                      <pre><code class=\"language-dataview\">LIST</code></pre>\
                      <p>%%hidden%% and ==marked== and $5 to $6</p><p>#hashtag here, #1 too</p>\
                      <h2>Title #tag</h2><p>{{ page.title }} {% raw %}</p>",
        );
        assert_eq!(
            out,
            "```text\ndv.list()\n```\n\n```text\nLIST\n```\n\n\
             \\%\\%hidden\\%\\% and \\=\\=marked\\=\\= and \\$5 to \\$6\n\n\
             \\#hashtag here, \\#1 too\n\n## Title \\#tag\n\n{{ page.title }} {% raw %}"
        );
    }

    #[test]
    fn headings_emphasis_links_and_breaks() {
        let out = md(
            "<h3>\n  <a name=\"why\" href=\"#why\"></a>\n  Why it <em>works</em>\n</h3>\
                      <p>One<br>two<br></p><hr><p><del>old</del> <strong>new</strong></p>",
        );
        assert_eq!(
            out,
            "### Why it *works*\n\nOne\\\ntwo\n\n- - -\n\n~~old~~ **new**"
        );
    }

    #[test]
    fn highlighter_line_number_tables_are_unwrapped() {
        let html = r#"<table class="rouge-table"><tbody><tr><td class="gutter gl"><pre class="lineno">1
2
</pre></td><td class="code"><pre><code class="language-ruby">a = 1
b = 2
</code></pre></td></tr></tbody></table>"#;
        assert_eq!(md(html), "```ruby\na = 1\nb = 2\n```");
    }

    #[test]
    fn code_text_survives_backticks_markup_and_old_tags() {
        assert_eq!(md("<xmp><b>a&amp;b</b></xmp>"), "```\n<b>a&amp;b</b>\n```");
        assert_eq!(
            md("<pre>`x` and ~y\n  z</pre>"),
            "```\n`x` and ~y\n  z\n```"
        );
        // html5ever reopens the `<b>` inside the `<pre>`: still just code.
        assert_eq!(md("<p><b>x</p><pre>a*b</pre>"), "**x**\n\n```\na*b\n```");
        assert_eq!(
            md("<p><code>a <b>b</b> <a href=\"/x\">c</a></code> and <kbd>Ctrl</kbd></p>"),
            "`a b c` and `Ctrl`"
        );
    }

    #[test]
    fn nested_tables_captions_and_colspans_fit_gfm() {
        let html = "<table><caption>Prices</caption><tr><th>A</th><th>B</th></tr>\
                    <tr><td><table><tr><td>x</td><td>y</td></tr></table></td><td>z</td></tr>\
                    <tr><td colspan=\"2\">wide</td></tr></table>";
        assert_eq!(
            md(html),
            "Prices\n\n| A | B |\n| --- | --- |\n| x y | z |\n| wide | |"
        );
        // A one-column layout table is just its content.
        assert_eq!(
            md("<table><tr><td><p>Alone.</p><pre>x</pre></td></tr></table>"),
            "Alone.\n\n```\nx\n```"
        );
    }

    #[test]
    fn media_elements_become_links() {
        assert_eq!(
            md("<video controls><source src=\"/v.mp4\">No video here.</video>"),
            "[Video](https://blog.example/v.mp4)"
        );
        assert_eq!(
            md("<audio src=\"a.mp3\" title=\"Episode 1\"></audio>"),
            "[Episode 1](https://blog.example/posts/a.mp3)"
        );
    }

    #[test]
    fn hard_breaks_never_end_a_paragraph() {
        assert_eq!(
            md("<p>a<br>b<br><br>c<br></p><p><br>d</p>"),
            "a\\\nb\n\nc\n\nd"
        );
    }

    #[test]
    fn code_blocks_inside_inline_markup_stay_code() {
        // A `<pre>` inside `<b>`: its fence cannot open after `**`.
        let out = md("<b>x<pre>&lt;script&gt;</pre></b>");
        assert!(!out.contains("**```"), "{out}");
        let mut line = String::new();
        escape_prose("javascript:<text", &mut line);
        assert_eq!(line, "javascript&#58;&lt;text");
    }

    #[test]
    fn runs_of_like_inline_elements_merge_whole() {
        let run = "<b>x</b><strong>y</strong>".repeat(50_000);
        assert_eq!(md(&run), format!("**{}**", "xy".repeat(50_000)));
        assert_eq!(
            md("<p><i>a</i><em>b</em><b>c</b><a href=\"/1\">d</a><a href=\"/1\">e</a></p>"),
            "*ab***c**[d](https://blog.example/1)[e](https://blog.example/1)"
        );
    }

    #[test]
    fn empty_and_junk_only_input_gives_empty_markdown() {
        assert_eq!(md(""), "");
        assert_eq!(md("   \n"), "");
        assert_eq!(md("<script>x</script><style>y</style>"), "");
        assert_eq!(md("just text"), "just text");
    }

    #[test]
    fn arbitrary_tag_soup_never_panics_and_stays_safe() {
        let pieces = [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<pre>",
            "</pre>",
            "<code>",
            "</code>",
            "<table>",
            "<tr>",
            "<td>",
            "</td>",
            "<th>",
            "</table>",
            "<ul>",
            "<li>",
            "</ul>",
            "<ol start=\"x\">",
            "<a href=\"javascript:x\">",
            "<a href=\"/ok\">",
            "</a>",
            "<img src=\"x\" onerror=\"y\">",
            "<script>",
            "</script>",
            "<style>",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "<svg>",
            "<math>",
            "<iframe src=\"https://www.youtube.com/embed/x\">",
            "</iframe>",
            "&nbsp;",
            "&lt;script&gt;",
            "text ",
            "`",
            "```",
            "|",
            "#tag",
            "==",
            "%%",
            "$",
            "\u{FDD0}0\u{FDD1}",
            "<blockquote>",
            "<figure>",
            "<figcaption>",
            "<h2>",
            "</h2>",
            "<br>",
            "<textarea>",
            "<select>",
            "<option>",
            "<noscript>",
            "<template>",
            "é",
            "\u{0}",
            "<",
            ">",
            "&",
            "<b>",
            "<i>",
            "</b>",
            "<caption>",
            "<td colspan=\"99999\">",
            "<a>",
            "<plaintext>",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..400 {
            let mut html = String::new();
            for _ in 0..60 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                html.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            md(&html);
        }
    }
}
