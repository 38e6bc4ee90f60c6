//! The languages notes show most, highlighted with tree-sitter: a block is
//! parsed whole, once, where syntect runs a grammar's regular expressions
//! line by line. On the benchmark corpus's Rust, Python, SQL and YAML that
//! is about a quarter of the time (`bench/compare.sh`). Each capture of a
//! grammar's highlight query gets one of the short classes syntect's
//! scopes get, so the stylesheet is the same. Every other language stays
//! with syntect, and so does code tree-sitter would take too long over
//! (see [`MAX_TREE_BYTES`]) or YAML that could nest too deep for it (see
//! [`MAX_YAML_INDICATORS`]).

use std::cell::RefCell;
use std::sync::OnceLock;

use tree_sitter::Language;
use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter as Engine};

use super::Spans;

/// Capture names (as the grammars' queries spell them) → class. A capture
/// takes the entry with most of its dot-separated parts, so
/// `function.method` is a function and `string.special.key` a key. An
/// entry with no class stops the class of what encloses it: the name in
/// a Python f-string's braces is code, not string.
const CAPTURES: &[(&str, Option<&str>)] = &[
    ("comment", Some("c")),
    ("string", Some("s")),
    ("string.special.key", Some("a")),
    ("string.escape", Some("n")),
    ("escape", Some("n")),
    ("number", Some("m")),
    ("float", Some("m")),
    ("boolean", Some("n")),
    ("constant", Some("n")),
    ("constant.builtin", Some("n")),
    ("keyword", Some("k")),
    ("conditional", Some("k")),
    ("storageclass", Some("k")),
    ("type.qualifier", Some("k")),
    ("operator", Some("o")),
    ("function", Some("f")),
    ("constructor", Some("t")),
    ("type", Some("t")),
    ("variable.parameter", Some("v")),
    ("parameter", Some("v")),
    ("variable.builtin", Some("n")),
    ("attribute", Some("a")),
    ("tag", Some("g")),
    // Keys in the grammars whose `keys` is set, plain elsewhere.
    ("property", None),
    ("variable", None),
    ("punctuation", None),
    ("label", None),
    ("embedded", None),
];

/// Longer code goes to syntect. tree-sitter's error recovery grows with
/// the square of what a block leaves open: 4,000 unclosed `<` in Rust took
/// 12 ms, 8,000 took 47 ms and 16,000 180 ms (a JSON `[` or a Python `(`
/// the same). Below this, the worst a block can cost is about 6 µs a byte,
/// where code typically takes 0.2; no code block of the benchmark's 2,924
/// is over 900 bytes.
const MAX_TREE_BYTES: usize = 8 * 1024;

/// Whether tree-sitter takes `code` (see [`MAX_TREE_BYTES`]).
fn fits(code: &str) -> bool {
    code.len() <= MAX_TREE_BYTES
}

/// tree-sitter-yaml 0.7 keeps its stack of indentation levels in the
/// state tree-sitter saves after each token: 10 bytes and 4 a level. Past
/// 1 KB (some 250 levels: `- - - …`) it writes beyond the buffer, and
/// tree-sitter aborts the process. Its scanner adds a level only where it
/// reads a block indicator (`-`, `?` or `:`) or a block scalar's header
/// (`|`, `>`), at most one for each, and what it reads again it reads from
/// the state saved before: YAML with no more of these bytes than this can
/// never nest deeper (at most 10 + 4 × 200 bytes). Other YAML goes to
/// syntect.
const MAX_YAML_INDICATORS: usize = 200;

/// Whether tree-sitter-yaml takes `code` (see [`MAX_YAML_INDICATORS`]).
fn yaml_fits(code: &str) -> bool {
    let indicators = code
        .bytes()
        .filter(|b| matches!(b, b'-' | b'?' | b':' | b'|' | b'>'))
        .count();
    fits(code) && indicators <= MAX_YAML_INDICATORS
}

/// Where patterns of a query match the same node, tree-sitter-highlight
/// keeps the last. Go's and JSON's queries put the specific patterns
/// first (a function's name before "any identifier is a variable"): these
/// say them again after, so that they win.
const GO_LAST: &str = "
(call_expression function: (identifier) @function)
(call_expression function: (selector_expression field: (field_identifier) @function.method))
(function_declaration name: (identifier) @function)
(method_declaration name: (field_identifier) @function.method)
";
/// See [`GO_LAST`].
const JSON_LAST: &str = "(pair key: (string) @string.special.key)\n";

/// The SQL query is written for Neovim: its number patterns use Lua's
/// `%d` for a digit, and its `@spell` on comments, a capture no class
/// has, would win over `@comment`.
const SQL_MENDS: &[(&str, &str)] = &[("%d", "[0-9]"), (" @spell", "")];

/// One language: how fences name it, its parser and its query.
struct Grammar {
    /// Fence languages, lowercased and through the aliases.
    tokens: &'static [&'static str],
    language: fn() -> Language,
    /// The highlight query, in parts: TypeScript's extends JavaScript's.
    queries: &'static [&'static str],
    /// Mends to the query: (what, with what). See [`GO_LAST`].
    mends: &'static [(&'static str, &'static str)],
    /// Keys of a data or style language (JSON, TOML, CSS) take the
    /// attribute class, as syntect colours them; the fields of a program
    /// take none.
    keys: bool,
    /// Whether the grammar takes a block (else syntect does): [`fits`],
    /// or a stricter test where a grammar needs one.
    takes: fn(&str) -> bool,
    /// Compiled on first use: a query takes milliseconds to compile, and
    /// most sites use two or three languages.
    config: OnceLock<Option<HighlightConfiguration>>,
}

impl Grammar {
    fn config(&self) -> Option<&HighlightConfiguration> {
        self.config
            .get_or_init(|| {
                let mut query = self.queries.concat();
                for (what, with) in self.mends {
                    query = query.replace(what, with);
                }
                let mut config =
                    HighlightConfiguration::new((self.language)(), self.tokens[0], &query, "", "")
                        .ok()?;
                let names: Vec<&str> = CAPTURES.iter().map(|(name, _)| *name).collect();
                config.configure(&names);
                Some(config)
            })
            .as_ref()
    }

    fn class(&self, capture: usize) -> Option<&'static str> {
        match CAPTURES.get(capture)? {
            ("property", _) if self.keys => Some("a"),
            (_, class) => *class,
        }
    }
}

/// The tree-sitter grammars lore carries.
pub struct Trees {
    grammars: Vec<Grammar>,
}

impl Default for Trees {
    fn default() -> Self {
        use tree_sitter_javascript as js;
        use tree_sitter_typescript as ts;
        type Mends = &'static [(&'static str, &'static str)];
        type Row = (
            &'static [&'static str],
            fn() -> Language,
            &'static [&'static str],
            Mends,
            bool,
            fn(&str) -> bool,
        );
        // Fence tokens, parser, query parts, mends to the query, whether
        // keys take the attribute class, which blocks it takes: one
        // grammar a line.
        #[rustfmt::skip]
        let rows: [Row; 14] = [
            (&["rust", "rs"], || tree_sitter_rust::LANGUAGE.into(), &[tree_sitter_rust::HIGHLIGHTS_QUERY], &[], false, fits),
            (&["python", "py"], || tree_sitter_python::LANGUAGE.into(), &[tree_sitter_python::HIGHLIGHTS_QUERY], &[], false, fits),
            (&["js", "javascript", "jsx"], || js::LANGUAGE.into(), &[js::HIGHLIGHT_QUERY, js::JSX_HIGHLIGHT_QUERY], &[], false, fits),
            (&["ts", "typescript"], || ts::LANGUAGE_TYPESCRIPT.into(), &[ts::HIGHLIGHTS_QUERY, js::HIGHLIGHT_QUERY], &[], false, fits),
            (&["tsx"], || ts::LANGUAGE_TSX.into(), &[ts::HIGHLIGHTS_QUERY, js::HIGHLIGHT_QUERY, js::JSX_HIGHLIGHT_QUERY], &[], false, fits),
            (&["go"], || tree_sitter_go::LANGUAGE.into(), &[tree_sitter_go::HIGHLIGHTS_QUERY, GO_LAST], &[], false, fits),
            (&["bash", "sh"], || tree_sitter_bash::LANGUAGE.into(), &[tree_sitter_bash::HIGHLIGHT_QUERY], &[], false, fits),
            (&["c", "h"], || tree_sitter_c::LANGUAGE.into(), &[tree_sitter_c::HIGHLIGHT_QUERY], &[], false, fits),
            (&["java"], || tree_sitter_java::LANGUAGE.into(), &[tree_sitter_java::HIGHLIGHTS_QUERY], &[], false, fits),
            (&["sql"], || tree_sitter_sequel::LANGUAGE.into(), &[tree_sitter_sequel::HIGHLIGHTS_QUERY], SQL_MENDS, false, fits),
            (&["json"], || tree_sitter_json::LANGUAGE.into(), &[tree_sitter_json::HIGHLIGHTS_QUERY, JSON_LAST], &[], true, fits),
            (&["toml"], || tree_sitter_toml_ng::LANGUAGE.into(), &[tree_sitter_toml_ng::HIGHLIGHTS_QUERY], &[], true, fits),
            (&["css"], || tree_sitter_css::LANGUAGE.into(), &[tree_sitter_css::HIGHLIGHTS_QUERY], &[], true, fits),
            (&["yaml"], || tree_sitter_yaml::LANGUAGE.into(), &[tree_sitter_yaml::HIGHLIGHTS_QUERY], &[], true, yaml_fits),
        ];
        let grammars = rows
            .into_iter()
            .map(|(tokens, language, queries, mends, keys, takes)| Grammar {
                tokens,
                language,
                queries,
                mends,
                keys,
                takes,
                config: OnceLock::new(),
            })
            .collect();
        Trees { grammars }
    }
}

thread_local! {
    /// A parser and its cursors per thread: made once, reused for every block.
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

impl Trees {
    fn grammar(&self, token: &str) -> Option<&Grammar> {
        self.grammars.iter().find(|g| g.tokens.contains(&token))
    }

    /// Whether a fence language (lowercased, through the aliases) is one
    /// of these.
    pub fn knows(&self, token: &str) -> bool {
        self.grammar(token).is_some()
    }

    /// `code` as highlighted HTML, or `None` when no grammar here has its
    /// language or takes the block (or the parse fails): the caller falls
    /// back.
    pub fn highlight(&self, code: &str, token: &str) -> Option<String> {
        let grammar = self.grammar(token).filter(|g| (g.takes)(code))?;
        let config = grammar.config()?;
        ENGINE.with_borrow_mut(|engine| {
            let events = engine
                .highlight(config, code.as_bytes(), None, None, |_| None)
                .ok()?;
            let mut out = Spans::with_capacity(code.len());
            // The class of each capture open, innermost last.
            let mut open: Vec<Option<&'static str>> = Vec::new();
            for event in events {
                match event.ok()? {
                    HighlightEvent::HighlightStart(capture) => open.push(grammar.class(capture.0)),
                    HighlightEvent::HighlightEnd => {
                        open.pop();
                    }
                    HighlightEvent::Source { start, end } => {
                        let class = open.last().copied().flatten();
                        out.push(class, code.get(start..end)?);
                    }
                }
            }
            Some(out.finish())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_compiles_its_query() {
        let trees = Trees::default();
        for grammar in &trees.grammars {
            assert!(grammar.config().is_some(), "{}", grammar.tokens[0]);
        }
    }

    #[test]
    fn keys_of_data_are_attributes_and_fields_of_code_are_plain() {
        let trees = Trees::default();
        let toml = trees
            .highlight("name = \"lore\"\ncount = 3\n", "toml")
            .unwrap();
        assert!(toml.contains("<span class=\"a\">name"), "{toml}");
        assert!(toml.contains("<span class=\"m\">3"), "{toml}");
        let yaml = trees.highlight("name: lore\ncount: 3\n", "yaml").unwrap();
        assert!(yaml.contains("<span class=\"a\">name</span>"), "{yaml}");
        assert!(yaml.contains("<span class=\"m\">3"), "{yaml}");
        let rust = trees.highlight("fn f(p: P) { p.size }\n", "rust").unwrap();
        assert!(rust.contains("<span class=\"v\">p</span>"), "{rust}");
        assert!(rust.contains(".size"), "{rust}");
        assert!(!rust.contains("\">size"), "{rust}");
    }

    #[test]
    fn a_name_inside_a_string_interpolation_is_not_string() {
        let trees = Trees::default();
        let html = trees.highlight("f\"{name}!\"\n", "python").unwrap();
        assert!(!html.contains("<span class=\"s\">f&quot;{name}"), "{html}");
    }

    #[test]
    fn what_a_query_says_first_is_mended_to_win() {
        let trees = Trees::default();
        let go = trees
            .highlight("func main() { fmt.Println(len(x)) }\n", "go")
            .unwrap();
        for name in ["main", "Println", "len"] {
            assert!(go.contains(&format!("\"f\">{name}<")), "{go}");
        }
        let json = trees.highlight("{\"key\": \"value\"}\n", "json").unwrap();
        assert!(json.contains("\"a\">&quot;key&quot;<"), "{json}");
        assert!(json.contains("\"s\">&quot;value&quot;<"), "{json}");
        let sql = "-- count\nSELECT a FROM t WHERE b > 3 AND c < 1.5; -- done\n";
        let sql = trees.highlight(sql, "sql").unwrap();
        assert!(sql.contains("\"c\">-- count"), "{sql}");
        assert!(sql.contains("\"c\">-- done"), "{sql}");
        assert!(
            sql.contains("\"m\">3") && sql.contains("\"m\">1.5"),
            "{sql}"
        );
        assert!(sql.contains("\"k\">SELECT"), "{sql}");
    }

    #[test]
    fn every_grammar_colours_its_keywords_and_strings() {
        let trees = Trees::default();
        for (token, code, class) in [
            ("rust", "let s = \"x\";", "s"),
            ("python", "import os", "k"),
            ("js", "const s = 'x';", "k"),
            ("ts", "interface P { n: number }", "k"),
            ("tsx", "const e = <div className=\"x\" />;", "s"),
            ("go", "package main", "k"),
            ("bash", "for f in a; do echo \"$f\"; done", "k"),
            ("c", "int main(void) { return 0; }", "k"),
            ("java", "public class A {}", "k"),
            ("sql", "SELECT 1;", "k"),
            ("json", "{\"a\": \"b\"}", "s"),
            ("toml", "a = \"b\"", "s"),
            ("css", "a { color: red; }", "a"),
            ("yaml", "a: 'b'", "s"),
        ] {
            assert!(trees.knows(token), "{token}");
            let html = trees.highlight(&format!("{code}\n"), token).unwrap();
            assert!(
                html.contains(&format!("<span class=\"{class}\">")),
                "{token}: {html}"
            );
        }
    }

    #[test]
    fn long_code_is_left_to_syntect_and_hostile_code_never_aborts() {
        assert!(fits(&"x".repeat(MAX_TREE_BYTES)));
        assert!(!fits(&"x".repeat(MAX_TREE_BYTES + 1)));
        let h = super::super::Highlighter::default();
        // Unclosed brackets cost tree-sitter the square of their number,
        // hence the cap; deep YAML sequences made tree-sitter-yaml abort
        // the process, hence syntect past the indicators that could nest
        // that deep. Each is coloured or escaped.
        for (language, code) in [
            ("json", "[".repeat(MAX_TREE_BYTES)),
            ("rust", "<".repeat(MAX_TREE_BYTES)),
            ("python", "(".repeat(MAX_TREE_BYTES * 2)),
            ("yaml", "- ".repeat(2000)),
            ("yaml", "? ".repeat(2000)),
            ("yaml", "a: ".repeat(2000)),
        ] {
            let html = h.highlight(&code, language);
            assert!(html.len() >= code.len(), "{language}");
        }
    }

    #[test]
    fn yaml_as_deep_as_its_indicators_allow_is_tree_sitters_and_no_deeper() {
        let trees = Trees::default();
        let n = MAX_YAML_INDICATORS;
        // Each shape nests one level an indicator, as deep as the limit
        // (or, for a mapping indented a space a level, MAX_TREE_BYTES)
        // lets it: tree-sitter parses it, and does not abort.
        let mut mapping = String::new();
        for depth in 0.. {
            let line = format!("{}k:\n", " ".repeat(depth));
            if !fits(&(mapping.clone() + &line)) {
                break;
            }
            mapping.push_str(&line);
        }
        for code in [
            "- ".repeat(n),
            "? ".repeat(n),
            format!("{}x\n", "- ".repeat(n - 1)),
            mapping,
            format!("{}|\n x\n", "- ".repeat(n - 1)),
        ] {
            assert!(yaml_fits(&code), "{code}");
            assert!(trees.highlight(&code, "yaml").is_some(), "{code}");
        }
        // One more indicator, and syntect has it.
        let over = "- ".repeat(n + 1);
        assert!(!yaml_fits(&over));
        assert!(trees.highlight(&over, "yaml").is_none());
        assert!(trees.highlight(&"- ".repeat(n), "yaml").is_some());
    }
}
