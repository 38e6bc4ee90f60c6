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

use super::obsidian;

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
    let html = strip_marks(html);
    if html.trim().is_empty() {
        return String::new();
    }
    let cleaned = prepass(&html);
    let base = base.and_then(BaseUrl::parse);
    match catch_unwind(AssertUnwindSafe(|| convert(&cleaned, base))) {
        Ok(markdown) => markdown,
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

// ---------------------------------------------------------------------------
// 1. Streaming pre-pass
// ---------------------------------------------------------------------------

/// What the pre-pass needs to know about an open element to follow the
/// implicit closing rules of the HTML tree builder. The emulation is
/// deliberately cautious: it only closes an element where html5ever surely
/// closes it too, so its depth never falls far below html5ever's (an
/// overestimate only flattens a badly nested document a little early).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    P,
    Li,
    List,
    DtDd,
    Dl,
    Tr,
    Cell,
    TableSection,
    Table,
    Heading,
    Pre,
    /// `div` and `address`: special, but `<li>` looks through them.
    Div,
    /// The other elements the HTML spec calls "special".
    Special,
    /// Elements that bound every scope of the HTML spec (and `math`,
    /// whose foreign content we do not follow).
    Scope,
    A,
    Code,
    /// Other formatting elements (`b`, `em`, `font`, …): html5ever closes
    /// them with the adoption agency algorithm.
    Formatting,
    Other,
}

impl Kind {
    fn is_special(self) -> bool {
        !matches!(self, Kind::A | Kind::Code | Kind::Formatting | Kind::Other)
    }

    fn is_formatting(self) -> bool {
        matches!(self, Kind::A | Kind::Code | Kind::Formatting)
    }

    fn is_table_part(self) -> bool {
        matches!(
            self,
            Kind::Table | Kind::TableSection | Kind::Tr | Kind::Cell
        )
    }
}

struct Open {
    id: usize,
    kind: Kind,
    /// The code language this element announces to the `<pre>` inside it
    /// (Rouge's `<div class="language-java highlighter-rouge">`).
    lang: Option<String>,
    /// A code-highlighter layout table (line numbers | code), unwrapped.
    unwrap: bool,
}

/// The elements open at this point of the stream (at most
/// [`PREPASS_MAX_DEPTH`] of them, so every scan here is bounded).
#[derive(Default)]
struct PrepassState {
    open: Vec<Open>,
    next_id: usize,
}

impl PrepassState {
    /// Opens an element; `None` (nothing tracked) once the stack is full,
    /// which keeps every scan of it short.
    fn push(&mut self, kind: Kind, lang: Option<String>, unwrap: bool) -> Option<usize> {
        if self.open.len() >= PREPASS_MAX_DEPTH {
            return None;
        }
        self.next_id += 1;
        let id = self.next_id;
        self.open.push(Open {
            id,
            kind,
            lang,
            unwrap,
        });
        Some(id)
    }

    /// The explicit end tag of element `id` (of kind `kind`), as html5ever
    /// treats it. Ids grow, so the stack is sorted by id.
    fn end(&mut self, id: usize, kind: Kind) {
        let Ok(index) = self.open.binary_search_by_key(&id, |o| o.id) else {
            return;
        };
        let above = &self.open[index + 1..];
        if kind.is_formatting() {
            // Adoption agency: with only phrasing above, everything up to
            // the element closes; with a block above, the element goes and
            // the block stays (html5ever may keep a clone of it).
            if above.iter().any(|o| o.kind.is_special()) {
                self.open.remove(index);
            } else {
                self.open.truncate(index);
            }
            return;
        }
        // Out of scope (a table or cell boundary in between): ignored.
        let out_of_scope = if kind.is_table_part() {
            above
                .iter()
                .any(|o| matches!(o.kind, Kind::Table | Kind::Scope))
        } else {
            above.iter().any(|o| {
                o.kind.is_table_part()
                    || o.kind == Kind::Scope
                    || (kind == Kind::Li && o.kind == Kind::List)
            })
        };
        if !out_of_scope {
            self.open.truncate(index);
        }
    }

    /// Closes the nearest open element of kind `target` (and all above it)
    /// unless an element for which `stop` holds comes first.
    fn close_nearest(&mut self, target: Kind, stop: impl Fn(Kind) -> bool) {
        for index in (0..self.open.len()).rev() {
            let kind = self.open[index].kind;
            if kind == target {
                self.open.truncate(index);
                return;
            }
            if stop(kind) {
                return;
            }
        }
    }

    /// Inside code (`<pre>` or inline `<code>`) only text is kept, and
    /// nothing is pushed: the top of the stack is the code element itself.
    fn in_code(&self) -> Option<Kind> {
        self.open
            .last()
            .map(|o| o.kind)
            .filter(|k| matches!(k, Kind::Pre | Kind::Code))
    }

    /// The language announced by a close ancestor.
    fn inherited_lang(&self) -> Option<String> {
        self.open.iter().rev().take(4).find_map(|o| o.lang.clone())
    }

    fn in_unwrapped_table(&self) -> bool {
        self.open
            .iter()
            .rev()
            .find(|o| o.kind == Kind::Table)
            .is_some_and(|o| o.unwrap)
    }
}

fn kind_of(tag: &str) -> Kind {
    match tag {
        "p" => Kind::P,
        "li" => Kind::Li,
        "ul" | "ol" | "menu" | "dir" => Kind::List,
        "dt" | "dd" => Kind::DtDd,
        "dl" => Kind::Dl,
        "tr" => Kind::Tr,
        "td" | "th" => Kind::Cell,
        "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => Kind::TableSection,
        "table" => Kind::Table,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
        "pre" | "listing" | "xmp" | "plaintext" => Kind::Pre,
        "div" | "address" => Kind::Div,
        "applet" | "marquee" | "html" | "math" | "object" | "template" | "button" => Kind::Scope,
        "a" => Kind::A,
        "code" | "kbd" | "samp" | "tt" => Kind::Code,
        "b" | "big" | "em" | "font" | "i" | "nobr" | "s" | "small" | "strike" | "strong" | "u" => {
            Kind::Formatting
        }
        "article" | "aside" | "blockquote" | "body" | "center" | "details" | "dialog"
        | "fieldset" | "figcaption" | "figure" | "footer" | "form" | "frameset" | "header"
        | "hgroup" | "iframe" | "main" | "nav" | "noembed" | "noframes" | "noscript" | "search"
        | "section" | "select" | "summary" | "textarea" | "title" | "head" | "script" | "style"
        | "frame" => Kind::Special,
        _ => Kind::Other,
    }
}

/// Start tags that close an open `<p>` (HTML tree construction, "in body";
/// not `table`, which leaves it open in quirks mode, where we parse).
fn closes_p(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "li"
            | "dd"
            | "dt"
            | "xmp"
    )
}

/// Elements dropped with everything inside them.
fn is_junk(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "object"
            | "embed"
            | "applet"
            | "form"
            | "input"
            | "button"
            | "select"
            | "option"
            | "optgroup"
            | "datalist"
            | "textarea"
            | "svg"
            | "canvas"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "frame"
            | "frameset"
            | "noframes"
            | "noembed"
            | "param"
            | "portal"
    )
}

fn has_class(class: Option<&str>, wanted: &[&str]) -> bool {
    class.is_some_and(|c| c.split_ascii_whitespace().any(|t| wanted.contains(&t)))
}

/// Attributes htmd or our handlers read; every other one is removed (event
/// handlers, styles, and attributes on formatting elements, which keeps
/// html5ever's list of active formatting elements short).
fn keeps_attribute(tag: &str, name: &str) -> bool {
    match tag {
        "a" => name == "href",
        "img" => matches!(
            name,
            "src" | "alt" | "data-src" | "data-lazy-src" | "data-original"
        ),
        "iframe" | "video" | "audio" | "source" => matches!(name, "src" | "title"),
        "pre" | "code" => name == "class",
        "ol" => name == "start",
        "td" | "th" => name == "colspan",
        _ => false,
    }
}

fn strip_attributes(el: &mut LolElement<'_, '_>, tag: &str) {
    if el.attributes().is_empty() {
        return;
    }
    let doomed: Vec<String> = el
        .attributes()
        .iter()
        .map(|a| a.name())
        .filter(|name| !keeps_attribute(tag, name))
        .collect();
    for name in doomed {
        el.remove_attribute(&name);
    }
}

/// A gist embed script (`https://gist.github.com/user/id.js`) as the gist's
/// page URL; the script itself is dropped like any other.
fn gist_url(src: &str) -> Option<String> {
    let rest = src
        .trim()
        .strip_prefix("https://gist.github.com/")
        .or_else(|| src.trim().strip_prefix("//gist.github.com/"))?;
    let path = rest.split(['?', '#']).next()?.strip_suffix(".js")?;
    let safe = !path.is_empty()
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'));
    safe.then(|| format!("https://gist.github.com/{path}"))
}

/// The streaming pre-pass: junk out, attributes stripped, code reduced to
/// `<pre><code class="language-x">text</code></pre>` and `<code>text</code>`,
/// nesting capped. Never fails: on a rewriter error the input goes on as it
/// was (the htmd handlers drop junk elements too, and [`cap_depth`] bounds
/// the tree).
fn prepass(html: &str) -> String {
    let state = Rc::new(RefCell::new(PrepassState::default()));
    let handler_state = Rc::clone(&state);
    let settings = Settings::new()
        .with_strict(false)
        .with_enable_esi_tags(false)
        .append_element_content_handler((
            Cow::Borrowed(&*ANY_ELEMENT),
            ElementContentHandlers::default().element(move |el: &mut LolElement<'_, '_>| {
                on_element(el, &handler_state);
                Ok(())
            }),
        ))
        .append_element_content_handler((
            Cow::Borrowed(&*LINE_NUMBERS),
            ElementContentHandlers::default().element(|el: &mut LolElement<'_, '_>| {
                el.remove();
                Ok(())
            }),
        ))
        .append_element_content_handler((
            Cow::Borrowed(&*XMP),
            ElementContentHandlers::default().text(|chunk: &mut TextChunk<'_>| {
                // `<xmp>` holds raw text; it becomes a `<pre>`, so its text
                // is escaped for html5ever to read back exactly as it was.
                let raw = chunk.as_str().to_string();
                chunk.replace(&raw, ContentType::Text);
                Ok(())
            }),
        ));
    // Collect bytes and validate once (`rewrite_str` validates every chunk).
    let mut out: Vec<u8> = Vec::with_capacity(html.len() + html.len() / 16);
    let mut rewriter = HtmlRewriter::new(settings, |chunk: &[u8]| out.extend_from_slice(chunk));
    let written = rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end());
    if written.is_err() {
        return html.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| html.to_string())
}

static XMP: LazyLock<Selector> =
    LazyLock::new(|| "xmp".parse().expect("a constant, valid selector"));

static ANY_ELEMENT: LazyLock<Selector> =
    LazyLock::new(|| "*".parse().expect("a constant, valid selector"));

/// Line numbers that Chroma, Pygments and Rouge put inside the code: they
/// go with their text. (Selectors match the tag as it came, before
/// [`on_element`], which runs first, strips its attributes.)
static LINE_NUMBERS: LazyLock<Selector> = LazyLock::new(|| {
    "span.lnt, span.ln, span.linenos, span.lineno, span.gutter"
        .parse()
        .expect("a constant, valid selector")
});

fn on_element(el: &mut LolElement<'_, '_>, state: &Rc<RefCell<PrepassState>>) {
    let tag = el.tag_name();
    let tag = tag.as_str();
    if matches!(tag, "html" | "body") {
        // The tree builder merges these into the ones it already has.
        strip_attributes(el, "");
        return;
    }
    let mut st = state.borrow_mut();

    if is_junk(tag) {
        if tag == "script"
            && let Some(url) = el.get_attribute("src").as_deref().and_then(gist_url)
        {
            el.replace(
                &format!("<p><a href=\"{url}\">GitHub gist</a></p>"),
                ContentType::Html,
            );
        } else {
            el.remove();
        }
        // Track it anyway, so that whatever it leaves open is closed with it.
        let kind = kind_of(tag);
        if el.can_have_content()
            && let Some(id) = st.push(kind, None, false)
        {
            drop(st);
            register_end(el, state, id, kind, tag);
        }
        return;
    }

    // Inside code only the text counts: the highlighting markup goes.
    match st.in_code() {
        Some(Kind::Pre) => {
            if tag == "br" {
                el.replace("\n", ContentType::Text);
            } else if tag == "code" {
                let lang = language_of(el).or_else(|| st.open.last().and_then(|o| o.lang.clone()));
                strip_attributes(el, "");
                if let Some(lang) = lang {
                    let _ = el.set_attribute("class", &format!("language-{lang}"));
                }
            } else {
                el.remove_and_keep_content();
            }
            return;
        }
        Some(_) => {
            if tag == "br" {
                el.replace(" ", ContentType::Text);
            } else {
                el.remove_and_keep_content();
            }
            return;
        }
        None => {}
    }

    // Only these need their class here (the other class-based decisions are
    // selector handlers, matched without allocating).
    let class = if matches!(tag, "div" | "td" | "pre" | "table" | "figure" | "section") {
        el.get_attribute("class")
    } else {
        None
    };
    let class = class.as_deref();

    // Highlighter chrome: Forem's fullscreen buttons, line-number gutters.
    let chrome = match tag {
        "div" => has_class(class, &["highlight__panel", "linenodiv"]),
        "td" => has_class(
            class,
            &["gutter", "rouge-gutter", "linenos", "hljs-ln-numbers"],
        ),
        "pre" => has_class(class, &["lineno"]),
        _ => false,
    };
    if chrome {
        el.remove();
        let kind = kind_of(tag);
        if let Some(id) = st.push(kind, None, false) {
            drop(st);
            register_end(el, state, id, kind, tag);
        }
        return;
    }

    if !el.can_have_content() {
        // Void elements (img, br, hr, …) never nest.
        strip_attributes(el, tag);
        return;
    }

    // Implicit ends, where the HTML tree builder surely makes them.
    let kind = kind_of(tag);
    if closes_p(tag) {
        // "Close a p element" if one is in button scope.
        st.close_nearest(Kind::P, |k| k.is_table_part() || k == Kind::Scope);
    }
    let blocks_item = |k: Kind| k.is_special() && !matches!(k, Kind::Div | Kind::P);
    match kind {
        Kind::Li => st.close_nearest(Kind::Li, |k| k != Kind::Li && blocks_item(k)),
        Kind::DtDd => st.close_nearest(Kind::DtDd, |k| k != Kind::DtDd && blocks_item(k)),
        Kind::Tr => st.close_nearest(Kind::Tr, |k| matches!(k, Kind::Table | Kind::Scope)),
        Kind::Cell => st.close_nearest(Kind::Cell, |k| {
            matches!(k, Kind::Tr | Kind::Table | Kind::Scope)
        }),
        Kind::TableSection => st.close_nearest(Kind::TableSection, |k| {
            matches!(k, Kind::Table | Kind::Scope)
        }),
        // A second `<a>` closes the first, if nothing block-level is between.
        Kind::A => st.close_nearest(Kind::A, Kind::is_special),
        // A heading directly inside a heading closes it.
        Kind::Heading if st.open.last().is_some_and(|o| o.kind == Kind::Heading) => {
            st.open.pop();
        }
        _ => {}
    }

    // Too deep: keep the text, drop the tag (a space keeps words apart).
    if st.open.len() >= PREPASS_MAX_DEPTH {
        el.before(" ", ContentType::Text);
        el.remove_and_keep_content();
        return;
    }

    let mut lang = None;
    let mut unwrap = false;
    match kind {
        Kind::Pre => {
            lang = language_of(el).or_else(|| st.inherited_lang());
            strip_attributes(el, "");
            if matches!(tag, "listing" | "xmp") {
                let _ = el.set_tag_name("pre");
            }
            if let Some(lang) = &lang {
                let _ = el.set_attribute("class", &format!("language-{lang}"));
            }
            if tag != "plaintext" {
                el.prepend(&PRE_START.to_string(), ContentType::Text);
            }
        }
        Kind::Code => {
            strip_attributes(el, "");
            let _ = el.set_tag_name("code");
        }
        Kind::Table => {
            // Rouge, Pygments and Chroma lay out line numbers and code as a
            // table: keep only what is inside.
            unwrap = has_class(class, &["rouge-table", "highlighttable", "lntable"]);
            if unwrap {
                el.remove_and_keep_content();
            }
            strip_attributes(el, tag);
        }
        Kind::TableSection | Kind::Tr | Kind::Cell if st.in_unwrapped_table() => {
            el.remove_and_keep_content();
        }
        _ => {
            if class.is_some() && matches!(tag, "div" | "figure" | "section" | "td") {
                lang = language_of(el);
            }
            strip_attributes(el, tag);
        }
    }
    if let Some(id) = st.push(kind, lang, unwrap) {
        drop(st);
        register_end(el, state, id, kind, tag);
    }
}

/// Follows the element's own end tag. (lol_html also calls this when an
/// ancestor's end tag pops the element; html5ever may not, so those calls,
/// recognisable by the other tag name, are left to the ancestor's.)
fn register_end(
    el: &mut LolElement<'_, '_>,
    state: &Rc<RefCell<PrepassState>>,
    id: usize,
    kind: Kind,
    tag: &str,
) {
    if let Some(handlers) = el.end_tag_handlers() {
        let state = Rc::clone(state);
        let tag = tag.to_string();
        handlers.push(end_tag!(move |end| {
            if end.name() == tag {
                state.borrow_mut().end(id, kind);
            }
            Ok(())
        }));
    }
}

/// The code language an element declares, from the markup highlighters
/// produce: `language-x`/`lang-x` classes (highlight.js, Prism, Rouge,
/// markdown renderers), `highlight x` (Forem), `hljs x`, `sourceCode x`
/// (pandoc), `highlight-source-x` (GitHub), `brush: x` (SyntaxHighlighter),
/// and `data-lang`/`lang` attributes.
fn language_of(el: &LolElement<'_, '_>) -> Option<String> {
    for name in ["data-lang", "data-language", "lang"] {
        if let Some(value) = el.get_attribute(name)
            && let Some(lang) = clean_language(&value)
        {
            return Some(lang);
        }
    }
    el.get_attribute("class")
        .as_deref()
        .and_then(language_from_class)
}

fn language_from_class(class: &str) -> Option<String> {
    const MARKERS: &[&str] = &["highlight", "hljs", "sourcecode", "prettyprint", "chroma"];
    const NOT_LANGUAGES: &[&str] = &[
        "highlight",
        "hljs",
        "highlighter-rouge",
        "js-code-highlight",
        "sourcecode",
        "prettyprint",
        "linenums",
        "notranslate",
        "chroma",
        "code",
        "codehilite",
        "line-numbers",
        "wp-block-code",
        "shiki",
        "numberlines",
        "block",
        "source",
    ];
    let mut marker = false;
    let mut candidate = None;
    let mut tokens = class.split_ascii_whitespace().peekable();
    while let Some(token) = tokens.next() {
        let lower = token.to_ascii_lowercase();
        for prefix in ["language-", "lang-", "highlight-source-", "brush:"] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let rest = if rest.is_empty() && prefix == "brush:" {
                    tokens
                        .peek()
                        .map(|t| t.to_ascii_lowercase())
                        .unwrap_or_default()
                } else {
                    rest.to_string()
                };
                return clean_language(rest.trim_end_matches(';'));
            }
        }
        if MARKERS.contains(&lower.as_str()) {
            marker = true;
        } else if !NOT_LANGUAGES.contains(&lower.as_str()) && candidate.is_none() {
            candidate = Some(lower);
        }
    }
    if marker {
        candidate.and_then(|c| clean_language(&c))
    } else {
        None
    }
}

/// A language name safe for a fence info string, or `None`.
fn clean_language(raw: &str) -> Option<String> {
    let lang = raw.trim().to_ascii_lowercase();
    let valid = !lang.is_empty()
        && lang.len() <= 32
        && lang
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'#' | b'-' | b'_' | b'.'));
    if !valid {
        return None;
    }
    match lang.as_str() {
        "none" | "nohighlight" | "no-highlight" | "undefined" | "null" => None,
        "plaintext" | "plain" | "txt" => Some("text".to_string()),
        _ => Some(lang),
    }
}

// ---------------------------------------------------------------------------
// 2. Depth cap on the tree
// ---------------------------------------------------------------------------

/// Lifts every node deeper than [`TREE_MAX_DEPTH`] to that depth, in
/// document order, each deep element left empty: all the text stays, the
/// structure below the cap goes. Iterative, so any depth is fine.
fn cap_depth(document: &Rc<Node>) {
    let mut stack: Vec<(Rc<Node>, usize)> = vec![(Rc::clone(document), 0)];
    while let Some((node, depth)) = stack.pop() {
        if depth + 1 >= TREE_MAX_DEPTH {
            lift_descendants(&node);
            continue;
        }
        for child in node.children.borrow().iter() {
            stack.push((Rc::clone(child), depth + 1));
        }
    }
}

/// Makes all descendants of `node` its children, in document order.
fn lift_descendants(node: &Rc<Node>) {
    let mut lifted = Vec::new();
    let mut pending: Vec<Rc<Node>> = std::mem::take(&mut *node.children.borrow_mut());
    pending.reverse();
    while let Some(current) = pending.pop() {
        let mut grandchildren = std::mem::take(&mut *current.children.borrow_mut());
        grandchildren.reverse();
        pending.append(&mut grandchildren);
        current.parent.set(Some(Rc::downgrade(node)));
        lifted.push(current);
    }
    *node.children.borrow_mut() = lifted;
}

// ---------------------------------------------------------------------------
// 3. Conversion
// ---------------------------------------------------------------------------

struct CodeBlock {
    lang: Option<String>,
    text: String,
}

/// Per-conversion state the handlers share (they must be `Send + Sync`, so
/// it lives in a thread local rather than in the converter).
#[derive(Default)]
struct Stash {
    base: Option<BaseUrl>,
    blocks: Vec<CodeBlock>,
    spans: Vec<String>,
    /// Above 0 while converting the inside of `<pre>` or `<code>`, where
    /// any markup html5ever left (reopened `<b>`, `<a>`, …) is just text.
    in_code: usize,
    /// Above 0 while converting the inside of a `<pre>`.
    in_pre: usize,
    /// The language the `<code>` inside the current `<pre>` announced.
    code_lang: Option<String>,
    /// Tables being converted, nested ones included.
    tables: usize,
    /// Above 0 while converting the inside of `<video>`/`<audio>`.
    in_media: usize,
}

impl Stash {
    /// Ready for the next conversion (keeping the vectors' capacity).
    fn reset(&mut self, base: Option<BaseUrl>) {
        let mut blocks = std::mem::take(&mut self.blocks);
        let mut spans = std::mem::take(&mut self.spans);
        blocks.clear();
        spans.clear();
        *self = Stash {
            base,
            blocks,
            spans,
            ..Stash::default()
        };
    }
}

thread_local! {
    static STASH: RefCell<Stash> = RefCell::new(Stash::default());
    static CONVERTER: HtmlToMarkdown = build_converter();
}

fn with_stash<T>(f: impl FnOnce(&mut Stash) -> T) -> T {
    STASH.with(|s| f(&mut s.borrow_mut()))
}

fn convert(html: &str, base: Option<BaseUrl>) -> String {
    with_stash(|s| s.reset(base));
    let markdown = CONVERTER.with(|converter| {
        let safe = SANITISER.with(|sanitiser| sanitiser.clean(html).to_string());
        let tree = converter.html_to_tree(&safe).ok()?;
        cap_depth(&tree);
        Some(converter.tree_to_markdown(&tree))
    });
    let out = STASH.with(|s| finish(&markdown.unwrap_or_default(), &s.borrow()));
    with_stash(|s| s.reset(None));
    out
}

thread_local! {
    /// ammonia, allowing what the converter reads and nothing that acts:
    /// its defaults plus embeds (which become links) and the `class` that
    /// carries a code block's language. Relative URLs pass through; they are
    /// resolved against the item's base afterwards.
    static SANITISER: ammonia::Builder<'static> = {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["iframe", "video", "audio", "source", "figure", "figcaption", "picture"])
            .add_tags(["pre", "code", "listing", "xmp"])
            .add_tag_attributes("iframe", ["src", "title"])
            .add_tag_attributes("video", ["src", "title"])
            .add_tag_attributes("audio", ["src", "title"])
            .add_tag_attributes("source", ["src", "title"])
            .add_tag_attributes("pre", ["class"])
            .add_tag_attributes("code", ["class"])
            .add_tag_attributes("img", ["data-src", "data-lazy-src", "data-original"])
            .link_rel(None);
        builder
    };
}

fn build_converter() -> HtmlToMarkdown {
    let options = Options {
        bullet_list_marker: BulletListMarker::Dash,
        ul_bullet_spacing: 1,
        ol_number_spacing: 1,
        br_style: BrStyle::Backslash,
        hr_style: HrStyle::Dashes,
        ..Options::default()
    };
    HtmlToMarkdown::builder()
        .options(options)
        .scripting_enabled(true)
        .add_handler(
            vec![
                "script", "style", "noscript", "template", "object", "embed", "applet", "form",
                "input", "button", "select", "option", "optgroup", "datalist", "textarea", "svg",
                "canvas", "head", "title", "meta", "link", "base", "frame", "frameset", "noframes",
                "noembed", "param", "portal", "track",
            ],
            |_: &dyn Handlers, _: Element| None,
        )
        .add_handler(vec!["pre", "listing", "xmp"], pre_handler)
        .add_handler(vec!["code", "kbd", "samp", "tt"], code_handler)
        .add_handler(vec!["b", "strong", "i", "em"], emphasis_handler)
        .add_handler(vec!["table"], table_handler)
        .add_handler(vec!["tr"], row_handler)
        .add_handler(vec!["td", "th"], cell_handler)
        .add_handler(vec!["caption"], caption_handler)
        .add_handler(vec!["img"], img_handler)
        .add_handler(vec!["a"], anchor_handler)
        .add_handler(vec!["iframe"], iframe_handler)
        .add_handler(vec!["video", "audio"], media_handler)
        .add_handler(vec!["source"], source_handler)
        .add_handler(vec!["figcaption"], figcaption_handler)
        .add_handler(vec!["h1", "h2", "h3", "h4", "h5", "h6"], heading_handler)
        .add_handler(vec!["del", "s", "strike"], strike_handler)
        .build()
}

fn attr<'a>(element: &'a Element<'_>, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

fn block(content: &str) -> Option<HandlerResult> {
    Some(format!("\n\n{content}\n\n").into())
}

fn in_code() -> bool {
    with_stash(|s| s.in_code > 0)
}

/// The text of a code element's content: inside `<pre>`/`<code>` htmd
/// passes text through verbatim, and our handlers keep markup as text.
fn code_text(handlers: &dyn Handlers, element: &Element, pre: bool) -> String {
    with_stash(|s| {
        s.in_code += 1;
        s.in_pre += usize::from(pre);
    });
    let text = handlers.walk_children(element.node).content;
    with_stash(|s| {
        s.in_code -= 1;
        s.in_pre -= usize::from(pre);
    });
    // Marks from markup inside the code (a `<pre>` start, table cells)
    // mean nothing there.
    match strip_marks(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(stripped) => stripped,
    }
}

fn language_in_class(element: &Element) -> Option<String> {
    attr(element, "class")?
        .split_ascii_whitespace()
        .find_map(|t| t.strip_prefix("language-").and_then(clean_language))
}

fn pre_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let outer_lang = with_stash(|s| s.code_lang.take());
    let text = code_text(handlers, &element, true);
    let inner_lang = with_stash(|s| std::mem::replace(&mut s.code_lang, outer_lang));
    if in_code() {
        // A `<pre>` inside code: its text is part of the outer code.
        return Some(text.into());
    }
    let text = text.trim_start_matches(['\n', '\r']).trim_end();
    if text.is_empty() {
        return None;
    }
    let lang = inner_lang.or_else(|| language_in_class(&element));
    let id = with_stash(|s| {
        s.blocks.push(CodeBlock {
            lang,
            text: text.to_string(),
        });
        s.blocks.len() - 1
    });
    block(&format!("{BLOCK_OPEN}{id}{BLOCK_CLOSE}"))
}

fn code_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let inside_pre = with_stash(|s| s.in_pre > 0);
    if inside_pre {
        // The `<code>` of a code block: its language, and its text as is.
        if let Some(lang) = language_in_class(&element) {
            with_stash(|s| {
                s.code_lang.get_or_insert(lang);
            });
        }
        return Some(code_text(handlers, &element, false).into());
    }
    if in_code() {
        return Some(code_text(handlers, &element, false).into());
    }
    let text = code_text(handlers, &element, false).replace(['\n', '\r'], " ");
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return None;
    }
    if is_dangerous_code(text) {
        // Code spans cannot escape anything: this one becomes plain text.
        return Some(escape_inline(text).into());
    }
    let span = code_span(text);
    let id = with_stash(|s| {
        s.spans.push(span);
        s.spans.len() - 1
    });
    Some(format!("{SPAN_OPEN}{id}{SPAN_CLOSE}").into())
}

/// htmd's own emphasis, except inside code, where it is just text.
fn emphasis_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if in_code() {
        return Some(handlers.walk_children(element.node));
    }
    handlers.fallback(element)
}

/// Text that must not appear even inside an inline code span.
fn is_dangerous_code(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains("javascript:") || lower.contains("vbscript:") {
        return true;
    }
    let tags = [
        "<script", "<iframe", "<object", "<embed", "<style", "<form", "<frame", "<svg", "<math",
        "<base", "<meta", "<link",
    ];
    if tags.iter().any(|t| lower.contains(t)) {
        return true;
    }
    // A tag carrying an event handler: `<img src=x onerror=…>`.
    let looks_like_tag = lower
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && w[1].is_ascii_alphabetic());
    looks_like_tag && has_event_handler(&lower)
}

fn has_event_handler(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    (0..bytes.len())
        .any(|i| (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) && handler_len(&bytes[i..]) > 0)
}

/// `text` as a code span, with a delimiter unlike any backtick run in it and
/// padding where CommonMark needs it.
fn code_span(text: &str) -> String {
    let mut runs = Vec::new();
    let mut run = 0usize;
    for c in text.chars() {
        if c == '`' {
            run += 1;
        } else if run > 0 {
            runs.push(run);
            run = 0;
        }
    }
    if run > 0 {
        runs.push(run);
    }
    let len = (1..).find(|n| !runs.contains(n)).unwrap_or(1);
    let fence = "`".repeat(len);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// Escapes text for use inside link text, alt text or a paragraph; `<`, `&`
/// and the Obsidian syntax are left to [`finish`], which sees all prose.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut last_space = true;
    for c in text.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out
}

/// Collapses whitespace (newlines and hard breaks included) to single spaces.
fn one_line(text: &str) -> String {
    let text = text.replace("\\\n", " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// Tables: cells and rows come back from their handlers behind marks, and
// the table handler, which gets its content last, lays them out.

fn table_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let nested = with_stash(|s| {
        s.tables += 1;
        s.tables > 1
    });
    let content = handlers.walk_children(element.node).content;
    with_stash(|s| s.tables -= 1);
    let (caption, rows) = parse_table(&content);
    if nested {
        // A table in a table becomes text: GFM cells hold one line.
        let mut text = caption.unwrap_or_default();
        for cell in rows.iter().flatten() {
            text.push(' ');
            text.push_str(cell);
        }
        return Some(format!(" {} ", one_line(&text)).into());
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = String::from("\n\n");
    if let Some(caption) = caption {
        let caption = one_line(&caption);
        if !caption.is_empty() {
            out.push_str(&caption);
            out.push_str("\n\n");
        }
    }
    if columns <= 1 {
        // A layout table (one column): its content, block after block.
        for cell in rows.iter().flatten() {
            let cell = cell.trim_matches('\n');
            if !cell.trim().is_empty() {
                out.push_str(cell);
                out.push_str("\n\n");
            }
        }
        return Some(out.into());
    }
    // GFM needs a header row: the first row is it (usually the `<thead>`
    // one; keeping the rows in order matters more than finding `<th>`s).
    with_stash(|stash| {
        for (index, row) in rows.iter().enumerate() {
            push_row(&mut out, row, columns, stash);
            if index == 0 {
                out.push('|');
                for _ in 0..columns {
                    out.push_str(" --- |");
                }
                out.push('\n');
            }
        }
    });
    out.push('\n');
    Some(out.into())
}

/// Reads back what the caption, row and cell handlers marked: the caption,
/// and the rows as lists of cell contents (colspans as empty cells).
fn parse_table(content: &str) -> (Option<String>, Vec<Vec<String>>) {
    let caption = content.split_once(CAPTION_OPEN).map(|(_, after)| {
        after
            .split_once(CAPTION_CLOSE)
            .map_or(after, |(caption, _)| caption)
            .to_string()
    });
    let mut rows = Vec::new();
    for row_text in content.split(ROW).skip(1) {
        let mut cells = Vec::new();
        for cell_text in row_text.split(CELL).skip(1) {
            let (span, cell) = cell_text.split_once(':').unwrap_or(("1", cell_text));
            // A caption after the rows is not part of the last cell.
            let cell = cell.split(CAPTION_OPEN).next().unwrap_or_default();
            cells.push(cell.to_string());
            let span = span.parse::<usize>().unwrap_or(1).clamp(1, 32);
            cells.extend(std::iter::repeat_n(String::new(), span - 1));
        }
        if !cells.is_empty() {
            rows.push(cells);
        }
    }
    (caption, rows)
}

fn row_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if with_stash(|s| s.tables == 0) {
        return block(content.trim_matches('\n'));
    }
    Some(format!("{ROW}{content}").into())
}

fn cell_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if with_stash(|s| s.tables == 0) {
        return block(content.trim_matches('\n'));
    }
    let span = attr(&element, "colspan")
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 32);
    Some(format!("{CELL}{span}:{content}").into())
}

fn caption_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if with_stash(|s| s.tables == 0) {
        return block(content.trim_matches('\n'));
    }
    Some(format!("{CAPTION_OPEN}{content}{CAPTION_CLOSE}").into())
}

fn push_row(out: &mut String, cells: &[String], columns: usize, stash: &mut Stash) {
    out.push('|');
    for index in 0..columns {
        let cell = cells
            .get(index)
            .map(|c| cell_text(c, stash))
            .unwrap_or_default();
        out.push(' ');
        out.push_str(&cell);
        if !cell.is_empty() {
            out.push(' ');
        }
        out.push('|');
    }
    out.push('\n');
}

/// A cell's markdown on one line, pipes escaped, code blocks made spans.
fn cell_text(markdown: &str, stash: &mut Stash) -> String {
    let mut text = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find([BLOCK_OPEN, SPAN_OPEN]) {
        text.push_str(&rest[..start]);
        let after = &rest[start..];
        let is_block = after.starts_with(BLOCK_OPEN);
        let close = if is_block { BLOCK_CLOSE } else { SPAN_CLOSE };
        let open_len = BLOCK_OPEN.len_utf8();
        let Some(end) = after.find(close) else {
            rest = &after[open_len..];
            continue;
        };
        let id = after[open_len..end].parse::<usize>().ok();
        rest = &after[end + close.len_utf8()..];
        let span = if is_block {
            let Some(code) = id.and_then(|i| stash.blocks.get(i)) else {
                continue;
            };
            let code = one_line(&code.text);
            if is_dangerous_code(&code) {
                // Plain text, escaped with the rest of the row.
                text.push_str(&escape_inline(&code));
                continue;
            }
            Some(code_span(&code))
        } else {
            id.and_then(|i| stash.spans.get(i)).cloned()
        };
        if let Some(span) = span {
            // Inside a table even a code span needs `\|`.
            stash.spans.push(span.replace('|', "\\|"));
            let _ = write!(text, "{SPAN_OPEN}{}{SPAN_CLOSE}", stash.spans.len() - 1);
        }
    }
    text.push_str(rest);
    let line = one_line(&text);
    let mut out = String::with_capacity(line.len());
    let mut escaped = false;
    for c in line.chars() {
        if c == '|' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

fn base_url() -> Option<BaseUrl> {
    with_stash(|s| s.base.clone())
}

fn img_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if in_code() {
        return None;
    }
    let src = ["src", "data-src", "data-lazy-src", "data-original"]
        .iter()
        .filter_map(|name| attr(&element, name))
        .find(|v| !v.trim().is_empty() && !v.trim_start().starts_with("data:"))?;
    let url = resolve_url(src, base_url().as_ref(), false)?;
    let alt = attr(&element, "alt").map(escape_inline).unwrap_or_default();
    Some(format!("![{alt}]({})", markdown_url(&url)).into())
}

fn anchor_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if in_code() {
        return Some(content.into());
    }
    let text = if content.contains('\n') {
        one_line(&content)
    } else {
        content.trim().to_string()
    };
    if text.is_empty() {
        // Heading anchors (`<a href="#why"></a>`) and empty links vanish.
        return None;
    }
    let url = attr(&element, "href").and_then(|href| resolve_url(href, base_url().as_ref(), true));
    let Some(url) = url else {
        return Some(text.into());
    };
    // Keep the spaces around the link text outside it.
    let (lead, trail) = edge_spaces(&content);
    Some(format!("{lead}[{text}]({}){trail}", markdown_url(&url)).into())
}

/// The canonical page of an embed, and a label for it.
fn embed_link(src: &str, title: Option<&str>) -> Option<(String, String)> {
    let url = resolve_url(src, base_url().as_ref(), false)?;
    let lower = url.to_ascii_lowercase();
    let without_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host_end = without_scheme
        .find(['/', '?', '#'])
        .unwrap_or(without_scheme.len());
    let host = without_scheme[..host_end].trim_start_matches("www.");
    // Work on the original case for ids (YouTube ids are case-sensitive).
    let offset = url.len() - without_scheme.len() + host_end;
    let path = url.get(offset..).unwrap_or("");
    let path_only = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path_only.split('/').filter(|s| !s.is_empty()).collect();
    let valid_id = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let (canonical, default_label) = match host {
        "youtube.com" | "youtube-nocookie.com" | "m.youtube.com" => match segments.as_slice() {
            ["embed" | "v", id, ..] if valid_id(id) => (
                format!("https://www.youtube.com/watch?v={id}"),
                "YouTube video".to_string(),
            ),
            _ => (url.clone(), "YouTube video".to_string()),
        },
        "player.vimeo.com" => match segments.as_slice() {
            ["video", id, ..] if valid_id(id) => {
                (format!("https://vimeo.com/{id}"), "Vimeo video".to_string())
            }
            _ => (url.clone(), "Vimeo video".to_string()),
        },
        "gist.github.com" => (
            url.trim_end_matches(".pibb")
                .trim_end_matches(".js")
                .to_string(),
            "GitHub gist".to_string(),
        ),
        "platform.twitter.com" | "twitter.com" | "x.com" => {
            let id = path
                .split(['?', '&'])
                .find_map(|kv| kv.strip_prefix("id="))
                .filter(|id| id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty());
            match id {
                Some(id) => (
                    format!("https://twitter.com/i/status/{id}"),
                    "Tweet".to_string(),
                ),
                None => (url.clone(), "Tweet".to_string()),
            }
        }
        "codepen.io" => match segments.as_slice() {
            [user, "embed", rest @ ..] => {
                let id = rest.iter().rev().find(|s| valid_id(s));
                match id {
                    Some(id) => (
                        format!("https://codepen.io/{user}/pen/{id}"),
                        "CodePen".to_string(),
                    ),
                    None => (url.clone(), "CodePen".to_string()),
                }
            }
            _ => (url.clone(), "CodePen".to_string()),
        },
        _ => (
            url.clone(),
            escape_inline(&format!("Embedded content ({host})")),
        ),
    };
    let label = title
        .map(escape_inline)
        .filter(|t| !t.is_empty())
        .unwrap_or(default_label);
    Some((canonical, label))
}

fn iframe_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    if in_code() {
        return None;
    }
    let src = attr(&element, "src")?;
    let (url, label) = embed_link(src, attr(&element, "title"))?;
    block(&format!("[{label}]({})", markdown_url(&url)))
}

fn media_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    // Its own `src`, else the first `<source>` inside (whose handler marks
    // its URL); the fallback text inside is for browsers without video.
    with_stash(|s| s.in_media += 1);
    let content = handlers.walk_children(element.node).content;
    with_stash(|s| s.in_media -= 1);
    if in_code() {
        return None;
    }
    let src = attr(&element, "src").map(str::to_string).or_else(|| {
        let start = content.find(MEDIA_OPEN)? + MEDIA_OPEN.len_utf8();
        let end = content[start..].find(MEDIA_CLOSE)? + start;
        Some(content[start..end].to_string())
    })?;
    let url = resolve_url(&src, base_url().as_ref(), false)?;
    let label = attr(&element, "title")
        .map(escape_inline)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| {
            if element.tag == "video" {
                "Video"
            } else {
                "Audio"
            }
            .to_string()
        });
    block(&format!("[{label}]({})", markdown_url(&url)))
}

fn source_handler(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let src = attr(&element, "src")?;
    with_stash(|s| s.in_media > 0).then(|| format!("{MEDIA_OPEN}{src}{MEDIA_CLOSE}").into())
}

fn figcaption_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = one_line(&handlers.walk_children(element.node).content);
    if content.is_empty() {
        return None;
    }
    let mark = if content.starts_with('*') || content.ends_with('*') {
        '_'
    } else {
        '*'
    };
    block(&format!("{mark}{content}{mark}"))
}

fn heading_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    if in_code() {
        return Some(content.into());
    }
    let level = element
        .tag
        .strip_prefix('h')
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(2)
        .clamp(1, 6);
    let content = one_line(&content);
    if content.is_empty() {
        return None;
    }
    block(&format!("{} {content}", "#".repeat(level)))
}

/// A space for each end of `content` that has white space, so it can stay
/// outside the markdown markers (`[ text ]` and `~~ x ~~` do not parse).
fn edge_spaces(content: &str) -> (&'static str, &'static str) {
    let space = |yes: bool| if yes { " " } else { "" };
    (
        space(content.starts_with(char::is_whitespace)),
        space(content.ends_with(char::is_whitespace)),
    )
}

fn strike_handler(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let trimmed = content.trim();
    if in_code() || trimmed.is_empty() {
        return Some(content.into());
    }
    let (lead, trail) = edge_spaces(&content);
    Some(format!("{lead}~~{trimmed}~~{trail}").into())
}

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

/// An absolute http(s) URL split into the parts relative references need.
#[derive(Debug, Clone)]
struct BaseUrl {
    scheme: String,
    authority: String,
    path: String,
}

impl BaseUrl {
    fn parse(raw: &str) -> Option<BaseUrl> {
        let raw = raw.trim();
        let (scheme, rest) = raw.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.is_empty() || authority.contains(|c: char| c.is_whitespace()) {
            return None;
        }
        let after = &rest[authority_end..];
        let path = after.split(['?', '#']).next().unwrap_or("");
        let path = if path.is_empty() { "/" } else { path };
        Some(BaseUrl {
            scheme,
            authority: authority.to_string(),
            path: path.to_string(),
        })
    }
}

/// Resolves `raw` against `base` and keeps it only if it is safe: http(s),
/// `mailto:` for links, fragments and, without a base, relative references.
/// Everything else (`javascript:`, `vbscript:`, `data:`, unknown schemes)
/// gives `None`.
fn resolve_url(raw: &str, base: Option<&BaseUrl>, is_link: bool) -> Option<String> {
    // Browsers ignore tabs and newlines anywhere, and controls and spaces at
    // the ends: so must the scheme check.
    let cleaned: Cow<'_, str> = if raw.contains(['\t', '\n', '\r']) {
        raw.chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .into()
    } else {
        raw.into()
    };
    let url = cleaned.trim_matches(|c: char| c <= ' ' || c == '\u{a0}');
    if url.is_empty() || url.contains(|c: char| c.is_control()) {
        return None;
    }
    if url.starts_with('#') {
        return is_link.then(|| url.to_string());
    }
    let scheme_end = url.find([':', '/', '?', '#']);
    if let Some(end) = scheme_end
        && url[end..].starts_with(':')
    {
        let scheme = url[..end].to_ascii_lowercase();
        let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if valid_scheme {
            return match scheme.as_str() {
                "http" | "https" => Some(format!("{scheme}{}", &url[end..])),
                "mailto" if is_link => Some(format!("mailto{}", &url[end..])),
                _ => None,
            };
        }
    }
    if let Some(rest) = url.strip_prefix("//") {
        let scheme = base.map_or("https", |b| b.scheme.as_str());
        return (!rest.is_empty()).then(|| format!("{scheme}://{rest}"));
    }
    let Some(base) = base else {
        return Some(url.to_string());
    };
    let origin = format!("{}://{}", base.scheme, base.authority);
    if url.starts_with('/') {
        return Some(format!("{origin}{}", normalize_path(url)));
    }
    if url.starts_with('?') {
        return Some(format!("{origin}{}{url}", base.path));
    }
    let directory = match base.path.rfind('/') {
        Some(i) => &base.path[..=i],
        None => "/",
    };
    Some(format!(
        "{origin}{}",
        normalize_path(&format!("{directory}{url}"))
    ))
}

/// Removes `.` and `..` segments from the path part of `reference`.
fn normalize_path(reference: &str) -> String {
    let split = reference.find(['?', '#']).unwrap_or(reference.len());
    let (path, tail) = reference.split_at(split);
    if !path.contains("/.") {
        return reference.to_string();
    }
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').collect();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {
                if i == last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if i == last {
                    segments.push("");
                }
            }
            other => segments.push(other),
        }
    }
    let mut out = segments.join("/");
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out.push_str(tail);
    out
}

/// A URL as a markdown link destination: characters that would end or
/// confuse it (spaces, brackets, pipes in tables, backslashes) are
/// percent-encoded.
fn markdown_url(url: &str) -> String {
    let plain = url.bytes().all(|b| {
        b.is_ascii_graphic()
            && !matches!(
                b,
                b'<' | b'>' | b'"' | b'`' | b'(' | b')' | b'|' | b'\\' | b'{' | b'}' | b'^'
            )
    });
    if plain {
        return url.to_string();
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '<' | '>' | '"' | '`' | '(' | ')' | '|' | '\\' | '{' | '}' | '^' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            c if c.is_whitespace() || c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// 4. Post-pass
// ---------------------------------------------------------------------------

/// Escapes and tidies the prose, then puts the stashed code back.
fn finish(markdown: &str, stash: &Stash) -> String {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 8);
    let mut blank_run = 0usize;
    let mut prose = String::new();
    let mut last_line = String::new();
    for (index, line) in lines.iter().enumerate() {
        if let Some((prefix, id)) = block_placeholder(line)
            && let Some(code) = stash.blocks.get(id)
        {
            if blank_run > 0 && !out.is_empty() {
                out.push('\n');
            }
            blank_run = 0;
            push_code_block(&mut out, prefix, code);
            last_line.clear();
            continue;
        }
        prose.clear();
        // Marks other than code placeholders have done their job; drop them
        // before escaping, which must see the text as it will be read.
        let unmarked = strip_stray_marks(line);
        let line = unmarked.as_ref();
        // One leading space is noise (text after a `<br>`); container
        // indentation is never a single space.
        let line = match line.strip_prefix(' ') {
            Some(rest) if !rest.starts_with(' ') => rest,
            _ => line,
        };
        escape_prose(line, &mut prose);
        truncate_end(&mut prose);
        // A hard break (`\`) that ends a paragraph would show as a backslash;
        // so does one alone on its line (`<p><br>…`, `<br><br>`).
        let next_blank = lines.get(index + 1).is_none_or(|next| {
            let bare = next.trim_start_matches(['>', ' ']).trim_end();
            bare.is_empty() || bare == "\\"
        });
        if (next_blank && ends_with_hard_break(&prose))
            || prose.trim_start_matches(['>', ' ']) == "\\"
        {
            prose.pop();
            truncate_end(&mut prose);
        }
        let blank = prose.trim().is_empty();
        // A quote's empty line repeated is a blank line run too.
        let quote_blank = !blank && prose.trim_matches(|c| c == '>' || c == ' ').is_empty();
        if blank || (quote_blank && prose == last_line) {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        expand_spans(&mut out, &prose, stash);
        std::mem::swap(&mut prose, &mut last_line);
    }
    truncate_end(&mut out);
    out
}

fn strip_stray_marks(line: &str) -> Cow<'_, str> {
    if !line.as_bytes().contains(&0xEF) {
        return Cow::Borrowed(line);
    }
    let placeholder = |c: char| matches!(c, BLOCK_OPEN | BLOCK_CLOSE | SPAN_OPEN | SPAN_CLOSE);
    Cow::Owned(
        line.chars()
            .filter(|&c| !is_mark(c) || placeholder(c))
            .collect(),
    )
}

fn truncate_end(text: &mut String) {
    let end = text.trim_end().len();
    text.truncate(end);
}

fn ends_with_hard_break(line: &str) -> bool {
    let backslashes = line.len() - line.trim_end_matches('\\').len();
    backslashes % 2 == 1
}

/// `(prefix, id)` when `line` is a code block placeholder behind nothing but
/// container markers (`> `, list indentation, a list marker).
fn block_placeholder(line: &str) -> Option<(&str, usize)> {
    let start = line.find(BLOCK_OPEN)?;
    let prefix = &line[..start];
    let rest = &line[start + BLOCK_OPEN.len_utf8()..];
    let end = rest.find(BLOCK_CLOSE)?;
    let id = rest[..end].parse().ok()?;
    let after = &rest[end + BLOCK_CLOSE.len_utf8()..];
    (is_container_prefix(prefix) && after.trim().is_empty()).then_some((prefix, id))
}

/// Whether `prefix` is only what htmd puts before a block inside
/// containers: spaces, `>` quote markers, list markers (`- `, `* `, `+ `,
/// `12. `, `3) `). Anything else (`**` from emphasis, heading `#`s) means
/// the block ended up inside a line.
fn is_container_prefix(prefix: &str) -> bool {
    let bytes = prefix.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'>' => i += 1,
            b'-' | b'*' | b'+' if bytes.get(i + 1) == Some(&b' ') => i += 2,
            b'0'..=b'9' => {
                let start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let marker = matches!(bytes.get(i), Some(b'.' | b')'))
                    && bytes.get(i + 1) == Some(&b' ')
                    && i - start <= 9;
                if !marker {
                    return false;
                }
                i += 2;
            }
            _ => return false,
        }
    }
    true
}

fn push_code_block(out: &mut String, prefix: &str, code: &CodeBlock) {
    // Lines after the first keep quote markers but not list markers.
    let continuation: String = prefix
        .chars()
        .map(|c| if c == '>' { '>' } else { ' ' })
        .collect();
    let longest_run = code
        .text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest_run + 1).max(3));
    let lang = match code.lang.as_deref() {
        Some(lang) if obsidian::is_active_language(lang) => "text",
        Some(lang) => lang,
        None => "",
    };
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(prefix);
    out.push_str(&fence);
    out.push_str(lang);
    for line in code.text.split('\n') {
        out.push('\n');
        if line.is_empty() {
            out.push_str(continuation.trim_end());
        } else {
            out.push_str(&continuation);
            out.push_str(line);
        }
    }
    out.push('\n');
    out.push_str(&continuation);
    out.push_str(&fence);
}

/// Appends `prose`, replacing span placeholders (and block ones that ended
/// up inside a line) by code, and dropping any other mark.
fn expand_spans(out: &mut String, prose: &str, stash: &Stash) {
    // Marks are U+FDD0..U+FDEF, whose UTF-8 starts with 0xEF.
    if !prose.as_bytes().contains(&0xEF) {
        out.push_str(prose);
        return;
    }
    let mut rest = prose;
    while let Some(start) = rest.find(is_mark) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let open_len = BLOCK_OPEN.len_utf8();
        let close = if after.starts_with(BLOCK_OPEN) {
            BLOCK_CLOSE
        } else if after.starts_with(SPAN_OPEN) {
            SPAN_CLOSE
        } else {
            rest = &after[open_len..];
            continue;
        };
        let Some(end) = after.find(close) else {
            rest = &after[open_len..];
            continue;
        };
        let id = after[open_len..end].parse::<usize>().ok();
        if close == BLOCK_CLOSE {
            if let Some(code) = id.and_then(|i| stash.blocks.get(i)) {
                let code = one_line(&code.text);
                if is_dangerous_code(&code) {
                    escape_prose(&escape_inline(&code), out);
                } else {
                    out.push_str(&code_span(&code));
                }
            }
        } else if let Some(span) = id.and_then(|i| stash.spans.get(i)) {
            out.push_str(span);
        }
        rest = &after[end + close.len_utf8()..];
    }
    out.push_str(rest);
}

/// Escapes one line of prose markdown produced by htmd (its own escapes are
/// kept): what would turn into HTML (`<tag`, `&entity;`), into a script
/// scheme or handler, or into Obsidian syntax (`%%` comments, `==`
/// highlights, `#tags`, `$` math). `{{` and `{%` are left alone on purpose:
/// they are plain text in markdown, and the site's templates escape note
/// content rather than evaluating it.
fn escape_prose(line: &str, out: &mut String) {
    let bytes = line.as_bytes();
    // `line[copied..i]` is still to be copied; replacements only happen at
    // ASCII bytes, so every slice boundary is a char boundary.
    let mut copied = 0;
    // Whether the previous byte was a backslash that escapes this one.
    let mut escaped = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !is_prose_special(b) {
            escaped = false;
            i += 1;
            continue;
        }
        let was_escaped = escaped;
        escaped = false;
        let prev = if i > 0 { Some(bytes[i - 1]) } else { None };
        let next = bytes.get(i + 1).copied();
        // (bytes of input consumed, replacement, drop the escaping backslash)
        let replacement: Option<(usize, &str, bool)> = match b {
            // A no-break space: a plain space between words, nothing at the
            // start or end of a line or next to other spaces.
            0xC2 if next == Some(0xA0) => {
                let before = if i > copied {
                    line[..i].chars().next_back()
                } else {
                    out.chars().next_back()
                };
                let after = line[i + 2..].chars().next();
                let gap = |c: Option<char>| c.is_none_or(char::is_whitespace);
                Some((2, if gap(before) || gap(after) { "" } else { " " }, false))
            }
            b'\\' => {
                escaped = !was_escaped;
                None
            }
            b'<' if next
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, b'/' | b'!' | b'?')) =>
            {
                Some((1, "&lt;", was_escaped))
            }
            b'&' if !was_escaped && is_entity(&bytes[i + 1..]) => Some((1, "\\&", false)),
            b'$' if !was_escaped => Some((1, "\\$", false)),
            b'%' if !was_escaped && (prev == Some(b) || next == Some(b)) => Some((1, "\\%", false)),
            b'=' if !was_escaped && (prev == Some(b) || next == Some(b)) => Some((1, "\\=", false)),
            // Obsidian reads `#word` after whitespace (a no-break space
            // included) as a tag.
            b'#' if !was_escaped
                && next.is_some_and(|n| !n.is_ascii_whitespace() && n != b'#')
                && line[..i]
                    .chars()
                    .next_back()
                    .is_none_or(char::is_whitespace) =>
            {
                Some((1, "\\#", false))
            }
            b'j' | b'J' | b'v' | b'V'
                if next.is_some_and(|n| matches!(n, b'a' | b'A' | b'b' | b'B')) =>
            {
                let len = script_scheme_len(&bytes[i..]);
                (len > 0).then_some((len, "", false))
            }
            b'o' | b'O'
                if next.is_some_and(|n| n == b'n' || n == b'N')
                    && prev.is_none_or(|p| !p.is_ascii_alphanumeric()) =>
            {
                let len = handler_len(&bytes[i..]);
                (len > 0).then_some((len, "", false))
            }
            _ => None,
        };
        let Some((consumed, replacement, drop_backslash)) = replacement else {
            i += 1;
            continue;
        };
        out.push_str(&line[copied..if drop_backslash { i - 1 } else { i }]);
        if replacement.is_empty() && b != 0xC2 {
            // `javascript:` / `onload=`: the word stays, its last byte (`:`
            // or `=`) becomes a character reference.
            out.push_str(&line[i..i + consumed - 1]);
            out.push_str(if bytes[i + consumed - 1] == b':' {
                "&#58;"
            } else {
                "&#61;"
            });
        } else {
            out.push_str(replacement);
        }
        i += consumed;
        copied = i;
    }
    out.push_str(&line[copied..]);
}

/// Bytes that may start something [`escape_prose`] rewrites.
static PROSE_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let specials = b"\\<&$%=#jJvVoO\xC2";
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

fn is_prose_special(b: u8) -> bool {
    PROSE_SPECIAL[b as usize]
}

/// Whether `rest` (after an `&`) reads as a character reference.
fn is_entity(rest: &[u8]) -> bool {
    let Some(end) = rest.iter().take(33).position(|&b| b == b';') else {
        return false;
    };
    let body = &rest[..end];
    match body {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        [first, ..] => first.is_ascii_alphabetic() && body.iter().all(u8::is_ascii_alphanumeric),
        [] => false,
    }
}

/// Length of `javascript:` or `vbscript:` (any case) at the start of `rest`.
fn script_scheme_len(rest: &[u8]) -> usize {
    for scheme in [&b"javascript:"[..], &b"vbscript:"[..]] {
        if rest.len() >= scheme.len() && rest[..scheme.len()].eq_ignore_ascii_case(scheme) {
            return scheme.len();
        }
    }
    0
}

/// Length of `on<letters>=` (spaces allowed before `=`) at the start of `rest`.
fn handler_len(rest: &[u8]) -> usize {
    if rest.len() < 4 || !rest[..2].eq_ignore_ascii_case(b"on") {
        return 0;
    }
    let mut j = 2;
    while j < rest.len() && rest[j].is_ascii_alphabetic() {
        j += 1;
    }
    if j == 2 {
        return 0;
    }
    while j < rest.len() && rest[j] == b' ' {
        j += 1;
    }
    if rest.get(j) == Some(&b'=') { j + 1 } else { 0 }
}

/// Used only if conversion panicked: the text of the document, tags
/// stripped, on one escaped line.
fn plain_text_fallback(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag && !is_mark(c) => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    let mut out = String::with_capacity(text.len());
    escape_prose(&escape_inline(&text), &mut out);
    out
}

#[cfg(test)]
mod tests {
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
