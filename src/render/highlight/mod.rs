//! Code highlighting, behind one function so the engines can change
//! without touching anything else: tree-sitter for the languages notes
//! show most (`trees`), syntect with bat's grammars (from `two-face`) for
//! every other.
//! Each token gets at most one short class for what it is (keyword, string,
//! comment…), not the grammar's whole scope stack: a page of code stays
//! about the size of the code. The colours live in `highlight.css`,
//! written here for a light and a dark scheme.

mod lines;
mod trees;

use rustc_hash::FxHashMap;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Code longer than this is shown plain: highlighting cost grows with the
/// text and a huge generated blob gains nothing from colour.
const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;

/// Changes whenever the HTML a code block becomes changes, so a cache of
/// an older lore is not reused.
const OUTPUT_VERSION: &[u8] = b"classes-3";

/// Highlighted code from the previous build, by [`cache_key`]: the slowest
/// step of a build, so unchanged code blocks are never highlighted twice.
pub type HighlightCache = std::collections::HashMap<String, String>;

/// The loaded grammars and the cache, built once per build and shared by
/// reference.
pub struct Highlighter {
    syntaxes: SyntaxSet,
    /// The tree-sitter grammars, tried first.
    trees: trees::Trees,
    /// Shared with what `lore serve` keeps of the last build, not copied.
    cache: std::sync::Arc<HighlightCache>,
    /// The scopes that decide a class, most specific first.
    classes: Vec<(Scope, &'static str)>,
    /// The lines parsed in this build, met again in other code blocks.
    lines: lines::Lines,
}

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter::with_cache(Default::default())
    }
}

/// The cache key of a code block: its language and its exact text.
pub fn cache_key(code: &str, language: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(OUTPUT_VERSION);
    hasher.update(language.as_bytes());
    hasher.update(&[0]);
    hasher.update(code.as_bytes());
    hasher.finalize().to_hex()[..32].to_string()
}

/// Scope prefixes → class, in the order they are tried on each scope of a
/// token (innermost first). Punctuation and plain names get no class: they
/// take the text colour, and most tokens of a program are those.
const SCOPE_CLASSES: &[(&str, &str)] = &[
    ("comment", "c"),
    ("punctuation.definition.comment", "c"),
    ("markup.inserted", "i"),
    ("markup.deleted", "d"),
    ("markup.heading", "k"),
    ("markup.changed", "t"),
    ("string.regexp", "s"),
    ("string", "s"),
    ("constant.character.escape", "n"),
    ("constant.numeric", "m"),
    ("constant", "n"),
    ("support.constant", "n"),
    ("variable.other.constant", "n"),
    ("keyword.operator.word", "k"),
    ("keyword.operator", "o"),
    ("keyword", "k"),
    ("storage", "k"),
    ("entity.name.tag", "g"),
    ("entity.other.attribute-name", "a"),
    ("entity.name.function", "f"),
    ("support.function", "f"),
    ("variable.function", "f"),
    ("meta.function-call.identifier", "f"),
    ("entity.name.type", "t"),
    ("entity.name.class", "t"),
    ("entity.name.struct", "t"),
    ("entity.name.enum", "t"),
    ("entity.name.trait", "t"),
    ("entity.other.inherited-class", "t"),
    ("support.type", "t"),
    ("support.class", "t"),
    ("entity.name.namespace", "t"),
    ("entity.name.section", "k"),
    ("entity.name", "f"),
    ("variable.parameter", "v"),
    ("variable.language", "n"),
    ("variable.other.readwrite.shell", "v"),
    ("variable.other.normal.shell", "v"),
    ("variable.other.bracket.shell", "v"),
    ("variable.other.special.shell", "v"),
    ("variable.other.positional.shell", "v"),
    ("meta.mapping.key", "a"),
    ("entity.name.key", "a"),
];

/// What people write after the fence → a name or extension the grammars
/// know. Lookups are case-insensitive; anything else is tried as written.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("console", "bash"),
    ("shellsession", "bash"),
    ("terminal", "bash"),
    ("sh", "bash"),
    ("zsh", "bash"),
    ("ksh", "bash"),
    ("fish", "fish"),
    ("ps", "ps1"),
    ("ps1", "ps1"),
    ("pwsh", "ps1"),
    ("powershell", "ps1"),
    ("posh", "ps1"),
    ("tsx", "tsx"),
    ("ts", "ts"),
    ("typescript", "ts"),
    ("jsx", "jsx"),
    ("js", "js"),
    ("javascript", "js"),
    ("mjs", "js"),
    ("cjs", "js"),
    ("node", "js"),
    ("yml", "yaml"),
    ("dockerfile", "Dockerfile"),
    ("docker", "Dockerfile"),
    ("containerfile", "Dockerfile"),
    ("tf", "tf"),
    ("terraform", "tf"),
    ("hcl", "hcl"),
    ("kt", "kt"),
    ("kotlin", "kt"),
    ("kts", "kts"),
    ("py", "py"),
    ("python3", "py"),
    ("py3", "py"),
    ("rb", "rb"),
    ("golang", "go"),
    ("rs", "rs"),
    ("c++", "cpp"),
    ("cs", "cs"),
    ("csharp", "cs"),
    ("c#", "cs"),
    ("f#", "fs"),
    ("fsharp", "fs"),
    ("objc", "m"),
    ("objective-c", "m"),
    ("md", "md"),
    ("markdown", "md"),
    ("html", "html"),
    ("xml", "xml"),
    ("svg", "xml"),
    ("json5", "json"),
    ("jsonc", "json"),
    ("ini", "ini"),
    ("toml", "toml"),
    ("sql", "sql"),
    ("psql", "sql"),
    ("postgres", "sql"),
    ("postgresql", "sql"),
    ("diff", "diff"),
    ("patch", "diff"),
    ("make", "Makefile"),
    ("makefile", "Makefile"),
    ("nginx", "nginx"),
    ("vim", "vim"),
    ("viml", "vim"),
    ("elixir", "ex"),
    ("erlang", "erl"),
    ("haskell", "hs"),
    ("ocaml", "ml"),
    ("proto", "proto"),
    ("protobuf", "proto"),
    ("graphql", "graphql"),
    ("gql", "graphql"),
    ("scss", "scss"),
    ("sass", "sass"),
    ("lua", "lua"),
    ("r", "r"),
    ("swift", "swift"),
    ("zig", "zig"),
    ("nix", "nix"),
    ("cmake", "cmake"),
    ("env", "sh"),
    ("dotenv", "sh"),
];

impl Highlighter {
    pub fn with_cache(cache: std::sync::Arc<HighlightCache>) -> Self {
        let classes = SCOPE_CLASSES
            .iter()
            .filter_map(|(scope, class)| Some((Scope::new(scope).ok()?, *class)))
            .collect();
        Highlighter {
            syntaxes: two_face::syntax::extra_newlines(),
            trees: Default::default(),
            cache,
            classes,
            lines: Default::default(),
        }
    }

    /// The same syntaxes with another cache (loading them is the costly
    /// part), and a memo of lines that starts empty with each build.
    pub fn recached(self, cache: std::sync::Arc<HighlightCache>) -> Self {
        Highlighter {
            cache,
            lines: Default::default(),
            ..self
        }
    }

    /// Like [`Highlighter::highlight`], through the cache; also returns the
    /// key so the caller can keep the entry for the next build.
    pub fn highlight_cached(&self, code: &str, language: &str) -> (String, String) {
        let key = cache_key(code, language);
        let html = match self.cache.get(&key) {
            Some(html) => html.clone(),
            None => self.highlight(code, language),
        };
        (key, html)
    }

    /// The syntect grammar for a fence's language token.
    fn syntax(&self, token: &str) -> Option<&SyntaxReference> {
        self.syntaxes
            .find_syntax_by_token(token)
            .or_else(|| self.syntaxes.find_syntax_by_extension(token))
            .filter(|s| s.name != "Plain Text")
    }

    /// Lets go of the lines this build parsed: the notes are rendered.
    pub fn forget_lines(&self) {
        self.lines.forget();
    }

    /// Whether a fence's language has a grammar.
    pub fn knows(&self, language: &str) -> bool {
        token(language).is_some_and(|t| self.trees.knows(&t) || self.syntax(&t).is_some())
    }

    /// The inside of a `<pre><code>` for `code` in `language`: spans with
    /// one short class each when the language is known, escaped text
    /// otherwise.
    pub fn highlight(&self, code: &str, language: &str) -> String {
        let token = token(language).filter(|_| code.len() <= MAX_HIGHLIGHT_BYTES);
        let Some(token) = token else {
            return escape(code);
        };
        if let Some(html) = self.trees.highlight(code, &token) {
            return html;
        }
        let Some(syntax) = self.syntax(&token) else {
            return escape(code);
        };
        let mut state = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        let mut out = Spans::with_capacity(code.len());
        let mut classes = Classes::default();
        for line in LinesWithEndings::from(code) {
            let Ok(ops) = self.lines.parse(&mut state, line, &self.syntaxes) else {
                return escape(code);
            };
            let mut at = 0;
            for (offset, op) in ops {
                let offset = offset.min(line.len());
                if offset > at {
                    out.push(classes.of(&stack, &self.classes), &line[at..offset]);
                    at = offset;
                }
                if stack.apply(&op).is_err() {
                    return escape(code);
                }
            }
            out.push(classes.of(&stack, &self.classes), &line[at..]);
        }
        out.finish()
    }
}

/// What a fence's language names, lowercased and through the aliases
/// people write; `None` for no language.
fn token(language: &str) -> Option<String> {
    let lower = language.trim().to_lowercase();
    if lower.is_empty() {
        return None;
    }
    let alias = ALIASES.iter().find(|(alias, _)| *alias == lower);
    Some(alias.map_or(lower, |(_, token)| token.to_string()))
}

/// The class of each scope met in a code block, found once: a block
/// meets a few dozen scopes, each many times.
#[derive(Default)]
struct Classes(FxHashMap<Scope, Option<&'static str>>);

impl Classes {
    /// The class of a token: the first scope, innermost first, that names one.
    fn of(
        &mut self,
        stack: &ScopeStack,
        classes: &[(Scope, &'static str)],
    ) -> Option<&'static str> {
        stack.as_slice().iter().rev().find_map(|scope| {
            *self.0.entry(*scope).or_insert_with(|| {
                classes
                    .iter()
                    .find(|(prefix, _)| prefix.is_prefix_of(*scope))
                    .map(|(_, class)| *class)
            })
        })
    }
}

/// Highlighted HTML being written: neighbouring text of the same class
/// shares one span, and a newline closes none (spans may cross lines).
#[derive(Default)]
struct Spans {
    html: String,
    open: Option<&'static str>,
}

impl Spans {
    /// Room for the code and some of its markup, grown but seldom.
    fn with_capacity(code: usize) -> Spans {
        Spans {
            html: String::with_capacity(code + code / 2),
            open: None,
        }
    }

    fn push(&mut self, class: Option<&'static str>, text: &str) {
        if text.is_empty() {
            return;
        }
        // Whitespace takes no colour: it joins whatever span is open.
        let class = if text.trim().is_empty() {
            self.open
        } else {
            class
        };
        if class != self.open {
            if self.open.is_some() {
                self.html.push_str("</span>");
            }
            if let Some(class) = class {
                self.html.push_str("<span class=\"");
                self.html.push_str(class);
                self.html.push_str("\">");
            }
            self.open = class;
        }
        escape_into(&mut self.html, text);
    }

    fn finish(mut self) -> String {
        if self.open.is_some() {
            self.html.push_str("</span>");
        }
        self.html
    }
}

/// One colour scheme of the code classes: (class, colour).
type Palette = [(&'static str, &'static str); 13];

/// Light scheme, on the theme's light code background (`--code-bg`,
/// #f5f6f8): every colour has a contrast of at least 4.5:1 (WCAG AA),
/// checked by a test.
pub const LIGHT: Palette = [
    ("k", "#b3123b"),
    ("s", "#0b4f8a"),
    ("c", "#5c636d"),
    ("m", "#8a3d00"),
    ("f", "#6b3fc0"),
    ("t", "#8a4b00"),
    ("n", "#0a5c9e"),
    ("v", "#8a3d00"),
    ("o", "#9c1e4a"),
    ("g", "#12652c"),
    ("a", "#6b3fc0"),
    ("i", "#12652c"),
    ("d", "#b3123b"),
];

/// Dark scheme, on the dark code background (#1a1d22), also AA.
pub const DARK: Palette = [
    ("k", "#ff8f9e"),
    ("s", "#9ecbff"),
    ("c", "#9aa3ad"),
    ("m", "#ffb871"),
    ("f", "#d2b4ff"),
    ("t", "#ffc37a"),
    ("n", "#79c0ff"),
    ("v", "#ffb871"),
    ("o", "#ff9db4"),
    ("g", "#85e89d"),
    ("a", "#d2b4ff"),
    ("i", "#85e89d"),
    ("d", "#ff8f9e"),
];

/// The code backgrounds the palettes are made for (the theme's
/// `--code-bg`, light and dark).
pub const LIGHT_BACKGROUND: &str = "#f5f6f8";
pub const DARK_BACKGROUND: &str = "#1a1d22";

/// The stylesheet for highlighted code: a light scheme, and a dark one
/// under `prefers-color-scheme: dark`.
pub fn stylesheet() -> String {
    let rules = |palette: &Palette, indent: &str| {
        palette
            .iter()
            .map(|(class, colour)| format!("{indent}.code .{class} {{ color: {colour}; }}\n"))
            .collect::<String>()
    };
    format!(
        "/* Generated by lore: code colours (one class per token kind). */\n{}\
         .code .c {{ font-style: italic; }}\n\
         @media (prefers-color-scheme: dark) {{\n{}}}\n",
        rules(&LIGHT, ""),
        rules(&DARK, "  ")
    )
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_into(&mut out, text);
    out
}

/// Copies the runs between special characters whole: most text has few.
fn escape_into(out: &mut String, text: &str) {
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // An ASCII byte is always a whole character: the cut is sound.
        out.push_str(&text[from..at]);
        out.push_str(entity);
        from = at + 1;
    }
    out.push_str(&text[from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_unknown_are_escaped() {
        let h = Highlighter::default();
        let html = h.highlight("fn main() { let s = \"x\"; } // done\n", "rust");
        assert!(html.contains("<span class=\"k\">fn"), "{html}");
        assert!(html.contains("<span class=\"f\">main</span>"), "{html}");
        assert!(
            html.contains("<span class=\"s\">&quot;x&quot;</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"c\">// done"), "{html}");
        assert_eq!(h.highlight("<b>\n", "nosuchlang"), "&lt;b&gt;\n");
    }

    #[test]
    fn the_languages_people_write_are_highlighted() {
        let h = Highlighter::default();
        for language in [
            "shell",
            "console",
            "sh",
            "bash",
            "zsh",
            "ps1",
            "powershell",
            "tsx",
            "ts",
            "typescript",
            "jsx",
            "js",
            "yml",
            "yaml",
            "dockerfile",
            "Dockerfile",
            "tf",
            "hcl",
            "toml",
            "kotlin",
            "kt",
            "python",
            "py",
            "rust",
            "go",
            "golang",
            "java",
            "c",
            "cpp",
            "csharp",
            "ruby",
            "sql",
            "json",
            "html",
            "css",
            "diff",
            "make",
            "lua",
            "swift",
            "scala",
            "php",
            "nix",
            "zig",
            "graphql",
            "proto",
            "ini",
            "xml",
            "elixir",
            "haskell",
        ] {
            assert!(h.knows(language), "no grammar for {language}");
        }
    }

    #[test]
    fn every_token_carries_one_short_class() {
        let h = Highlighter::default();
        let code = "public class A extends B { int f(String s) { return 1 + s.length(); } }\n";
        let html = h.highlight(code, "java");
        let classes: Vec<&str> = html
            .split("class=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap_or(""))
            .collect();
        assert!(!classes.is_empty(), "{html}");
        assert!(classes.iter().all(|c| c.len() == 1), "{html}");
        // The old output (every scope a class) was over 12 times the code.
        assert!(html.len() < 5 * code.len(), "{} bytes: {html}", html.len());
    }

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let v = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn both_schemes_meet_wcag_aa_contrast() {
        for (palette, background) in [(&LIGHT, LIGHT_BACKGROUND), (&DARK, DARK_BACKGROUND)] {
            for (class, colour) in palette.iter() {
                let ratio = contrast(colour, background);
                assert!(
                    ratio >= 4.5,
                    ".{class} {colour} on {background}: {ratio:.2}"
                );
            }
        }
        // The stylesheet holds both, the dark one under the media query.
        let css = stylesheet();
        let (light, dark) = css.split_once("prefers-color-scheme: dark").unwrap();
        assert!(
            light.contains(LIGHT[0].1) && dark.contains(DARK[0].1),
            "{css}"
        );
    }

    #[test]
    fn a_repeated_line_is_highlighted_for_where_it_stands() {
        let h = Highlighter::default();
        let line = "x = compute(\"a\") # note\n";
        let plain = h.highlight(line, "python");
        assert!(plain.contains("<span class=\"c\"># note"), "{plain}");
        // The same line again and again, then inside a string: there it is
        // string, not code, though its parse was kept from before.
        let code = format!("{line}{line}s = \"\"\"\n{line}\"\"\"\n{line}");
        let html = h.highlight(&code, "python");
        let fresh = Highlighter::default().highlight(&code, "python");
        assert_eq!(html, fresh);
        assert_eq!(
            html.matches("<span class=\"c\"># note").count(),
            3,
            "{html}"
        );
        // Highlighting a block again gives the same HTML.
        assert_eq!(h.highlight(&code, "python"), html);
        assert_eq!(h.highlight(line, "python"), plain);
    }

    #[test]
    fn a_cache_of_an_older_output_is_not_reused() {
        let mut old = blake3::Hasher::new();
        old.update(b"rust\0fn x() {}");
        let old_key = old.finalize().to_hex()[..32].to_string();
        assert_ne!(cache_key("fn x() {}", "rust"), old_key);
    }
}
