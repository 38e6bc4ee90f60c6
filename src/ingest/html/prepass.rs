//! Step 1 of the converter: a streaming pass with lol_html over the raw
//! HTML. Drops junk, strips attributes, reduces code blocks to their text
//! with the language on `<code class="language-x">`, and caps the nesting.

use super::*;

/// What the pre-pass needs to know about an open element to follow the
/// implicit closing rules of the HTML tree builder. The emulation is
/// deliberately cautious: it only closes an element where html5ever surely
/// closes it too, so its depth never falls far below html5ever's (an
/// overestimate only flattens a badly nested document a little early).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
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

pub(super) struct Open {
    pub(super) id: usize,
    pub(super) kind: Kind,
    /// The code language this element announces to the `<pre>` inside it
    /// (Rouge's `<div class="language-java highlighter-rouge">`).
    pub(super) lang: Option<String>,
    /// A code-highlighter layout table (line numbers | code), unwrapped.
    pub(super) unwrap: bool,
}

/// The elements open at this point of the stream (at most
/// [`PREPASS_MAX_DEPTH`] of them, so every scan here is bounded).
#[derive(Default)]
pub(super) struct PrepassState {
    pub(super) open: Vec<Open>,
    pub(super) next_id: usize,
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

pub(super) fn kind_of(tag: &str) -> Kind {
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
pub(super) fn closes_p(tag: &str) -> bool {
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
pub(super) fn is_junk(tag: &str) -> bool {
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

pub(super) fn has_class(class: Option<&str>, wanted: &[&str]) -> bool {
    class.is_some_and(|c| c.split_ascii_whitespace().any(|t| wanted.contains(&t)))
}

/// Attributes htmd or our handlers read; every other one is removed (event
/// handlers, styles, and attributes on formatting elements, which keeps
/// html5ever's list of active formatting elements short).
pub(super) fn keeps_attribute(tag: &str, name: &str) -> bool {
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

pub(super) fn strip_attributes(el: &mut LolElement<'_, '_>, tag: &str) {
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
pub(super) fn gist_url(src: &str) -> Option<String> {
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
pub(super) fn prepass(html: &str) -> String {
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

pub(super) static XMP: LazyLock<Selector> =
    LazyLock::new(|| "xmp".parse().expect("a constant, valid selector"));

pub(super) static ANY_ELEMENT: LazyLock<Selector> =
    LazyLock::new(|| "*".parse().expect("a constant, valid selector"));

/// Line numbers that Chroma, Pygments and Rouge put inside the code: they
/// go with their text. (Selectors match the tag as it came, before
/// [`on_element`], which runs first, strips its attributes.)
pub(super) static LINE_NUMBERS: LazyLock<Selector> = LazyLock::new(|| {
    "span.lnt, span.ln, span.linenos, span.lineno, span.gutter"
        .parse()
        .expect("a constant, valid selector")
});

pub(super) fn on_element(el: &mut LolElement<'_, '_>, state: &Rc<RefCell<PrepassState>>) {
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
pub(super) fn register_end(
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
pub(super) fn language_of(el: &LolElement<'_, '_>) -> Option<String> {
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

pub(super) fn language_from_class(class: &str) -> Option<String> {
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
pub(super) fn clean_language(raw: &str) -> Option<String> {
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
