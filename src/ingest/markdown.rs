//! Markdown files with front matter: Jekyll and Hugo (YAML `---` or TOML
//! `+++`), Zola (TOML with `[taxonomies]`), Obsidian notes, and lore's own
//! notes. Splits and parses the front matter into plain JSON-like values;
//! the notes stage reads the vault through the same functions.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};

use super::{SourceFile, SourceOptions, dates, html, mojibake, text};
use crate::model::{Diagnostic, Item};

/// Front matter, parsed into a map, and the body after it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed<'a> {
    pub fields: Map<String, Value>,
    pub body: &'a str,
}

/// Why front matter could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrontMatterError {
    #[error("front matter opened with `{0}` is never closed")]
    Unclosed(&'static str),
    #[error("front matter is not valid YAML: {0}")]
    Yaml(String),
    #[error("front matter is not valid TOML: {0}")]
    Toml(String),
    #[error("front matter is not a map of properties")]
    NotAMap,
}

/// Splits `---` YAML or `+++` TOML front matter from the body. A file with
/// none is all body: front matter is optional.
pub fn split(text: &str) -> Result<Parsed<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (fence, is_yaml) in [("---", true), ("+++", false)] {
        let Some(rest) = text
            .strip_prefix(fence)
            .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
        else {
            continue;
        };
        let (raw, body) = find_close(rest, fence).ok_or(FrontMatterError::Unclosed(fence))?;
        // Parsed after an empty line in place of the opening fence, so that
        // the line an error names is the line of the file.
        let numbered = format!("\n{raw}");
        let value = if is_yaml {
            parse_yaml(&numbered)?
        } else {
            parse_toml(&numbered)?
        };
        let fields = match value {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => return Err(FrontMatterError::NotAMap),
        };
        return Ok(Parsed { fields, body });
    }
    Ok(Parsed {
        fields: Map::new(),
        body: text,
    })
}

/// Finds the closing fence line; returns (front matter, body).
fn find_close<'a>(rest: &'a str, fence: &str) -> Option<(&'a str, &'a str)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == fence || (fence == "---" && bare == "...") {
            let body = &rest[offset + line.len()..];
            return Some((
                &rest[..offset],
                body.strip_prefix('\n')
                    .or_else(|| body.strip_prefix("\r\n"))
                    .unwrap_or(body),
            ));
        }
        offset += line.len();
    }
    None
}

fn parse_yaml(raw: &str) -> Result<Value, FrontMatterError> {
    if raw.trim().is_empty() {
        return Ok(Value::Null);
    }
    // YAML 1.2 booleans only: a tag `y`, `no` or `on` is text, not a bool.
    let options = serde_saphyr::options! { strict_booleans: true, duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins };
    serde_saphyr::from_str_with_options::<Value>(raw, options)
        .map_err(|e| FrontMatterError::Yaml(e.to_string()))
}

fn parse_toml(raw: &str) -> Result<Value, FrontMatterError> {
    let table: toml::Table =
        toml::from_str(raw).map_err(|e| FrontMatterError::Toml(e.to_string()))?;
    Ok(toml_to_json(toml::Value::Table(table)))
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// A property as one line of text (numbers and dates included).
pub fn field_text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A property as a list: a YAML list, or one string. `split_words` reads
/// Jekyll's space-separated `tags: a b c`.
pub fn field_list(fields: &Map<String, Value>, key: &str, split_words: bool) -> Vec<String> {
    let one = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
            _ => None,
        }
    };
    match fields.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(Value::String(s)) if split_words => s
            .split([' ', ','])
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The `[taxonomies]` table of a Zola page, flattened into `taxonomies.NAME`.
fn taxonomy(fields: &Map<String, Value>, name: &str) -> Vec<String> {
    match fields.get("taxonomies") {
        Some(Value::Object(t)) => field_list(t, name, false),
        _ => Vec::new(),
    }
}

/// Reads a markdown post from a folder source (Jekyll, Hugo, Zola, Obsidian).
pub fn read(
    file: &SourceFile<'_>,
    text_in: &str,
    options: &SourceOptions,
) -> (Vec<Item>, Vec<Diagnostic>) {
    let parsed = match split(text_in) {
        Ok(parsed) => parsed,
        Err(e) => {
            return (
                Vec::new(),
                vec![Diagnostic::error(file.origin, None, e.to_string())],
            );
        }
    };
    let fields = &parsed.fields;
    let body = mojibake::repair(parsed.body);
    let body = sanitise_markdown(&body);
    let title = field_text(fields, "title")
        .map(|t| text::clean_line(&t))
        .or_else(|| first_heading(&body))
        .unwrap_or_else(|| file.stem().to_string());
    let date = DATE_KEYS
        .iter()
        .find_map(|key| field_text(fields, key).and_then(|d| dates::parse(&d)))
        .or_else(|| dates::from_file_name(file.file_name()));
    let mut tags = field_list(fields, "tags", true);
    tags.extend(field_list(fields, "categories", true));
    tags.extend(field_list(fields, "category", true));
    tags.extend(taxonomy(fields, "tags"));
    tags.extend(taxonomy(fields, "categories"));
    tags.extend(options.tags.iter().cloned());
    let mut authors = field_list(fields, "authors", false);
    authors.extend(field_list(fields, "author", false));
    authors.extend(taxonomy(fields, "authors"));
    let mut authors: Vec<String> = authors
        .iter()
        .map(|a| text::clean_line(a))
        .filter(|a| !a.is_empty())
        .collect();
    if authors.is_empty() {
        authors.extend(options.author.clone());
    }
    let url = ["url", "link", "permalink", "canonical_url"]
        .iter()
        .find_map(|k| field_text(fields, k))
        .filter(|u| u.starts_with("http"));
    let id = field_text(fields, "id")
        .or_else(|| url.clone())
        .unwrap_or_else(|| format!("file:{}", file.origin));
    let source = options
        .name
        .clone()
        .or_else(|| field_text(fields, "source"))
        .unwrap_or_else(|| folder_name(file.origin));
    tags.extend(inline_tags(&body));
    let item = Item {
        id,
        title,
        date,
        authors,
        tags,
        url,
        source,
        name: chosen_name(file, fields),
        extra: extra_properties(fields),
        body,
    };
    (vec![item], Vec::new())
}

/// Where a note's date may be, best first: the publication date Jekyll,
/// Hugo and Zola use, then creation and modification dates (Obsidian
/// templates write `created`, Hugo `lastmod`). After these comes the date
/// in a Jekyll file name; a note with none of them has no date.
const DATE_KEYS: &[&str] = &[
    "date",
    "publishDate",
    "published",
    "pubDate",
    "created",
    "created_at",
    "updated",
    "lastmod",
];

/// Keys lore reads into its own properties; every other key is kept as it
/// is in [`extra_properties`].
const INTERPRETED_KEYS: &[&str] = &[
    "title",
    "date",
    "authors",
    "author",
    "tags",
    "tag",
    "categories",
    "category",
    "taxonomies",
    "source",
    "url",
    "link",
    "permalink",
    "canonical_url",
    "id",
    "aliases",
    "related",
    "slug",
];

/// The name the author gave the note: `slug`, else the file name (without
/// a Jekyll date prefix; a Hugo or Zola bundle's `index.md` is named after
/// its folder). This is how Jekyll, Hugo and Zola name pages and how
/// Obsidian resolves `[[links]]`, so keeping it keeps links working.
fn chosen_name(file: &SourceFile<'_>, fields: &Map<String, Value>) -> Option<String> {
    if let Some(slug) = field_text(fields, "slug") {
        return Some(slug);
    }
    let stem = file.stem();
    let stem = if matches!(stem, "index" | "_index") {
        let mut parts = file.origin.rsplit(['/', '\\']);
        parts.next();
        parts.next().unwrap_or(stem)
    } else {
        stem
    };
    let without_date = match dates::from_file_name(stem) {
        Some(_) => &stem[11..],
        None => stem,
    };
    Some(without_date.to_string()).filter(|n| !n.trim().is_empty() && !looks_generated(n))
}

/// A file name no person chose: a number, or one holding a hash-like run of
/// 8+ hex digits (`004_a363f232c4c4cfcf`, `1698765432`). Such a note is
/// better named after its title.
fn looks_generated(name: &str) -> bool {
    let all_digits = name
        .chars()
        .all(|c| c.is_ascii_digit() || "-_. ".contains(c));
    all_digits
        || name.split(['-', '_', '.', ' ']).any(|token| {
            token.len() >= 8
                && token.chars().all(|c| c.is_ascii_hexdigit())
                && token.chars().any(|c| c.is_ascii_digit())
        })
}

/// Properties lore does not interpret, as YAML text, in the source's order:
/// a person's `status`, `cssclasses` or `draft` survive the import.
pub fn extra_properties(fields: &Map<String, Value>) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|(key, _)| !INTERPRETED_KEYS.contains(&key.as_str()))
        // No person names a property in hundreds of characters, and YAML
        // cannot read a key over 1,024 back: such a key is noise.
        .filter(|(key, _)| key.len() <= MAX_PROPERTY_NAME)
        .map(|(key, value)| (key.clone(), yaml_value(value)))
        .collect()
}

/// The longest property name kept, in bytes.
const MAX_PROPERTY_NAME: usize = 200;

/// Escapes every `<` of what a CommonMark reader takes for raw HTML (a tag,
/// a comment, a declaration outside code), found by the parser the site
/// renders with: the last step of every imported body, so no note holds
/// raw HTML whatever the steps before it did. Escaping one tag can change
/// how the text after it parses, so this runs to a fixpoint; if a few
/// passes are not enough (only contrived input), every `<` is escaped.
pub fn escape_raw_html(mut markdown: String) -> String {
    const PASSES: usize = 4;
    for _ in 0..PASSES {
        match escape_raw_html_once(&markdown) {
            Some(escaped) => markdown = escaped,
            None => return markdown,
        }
    }
    if escape_raw_html_once(&markdown).is_some() {
        markdown = markdown.replace('<', "&lt;");
    }
    markdown
}

/// One pass of [`escape_raw_html`]; `None` when there is no raw HTML.
fn escape_raw_html_once(markdown: &str) -> Option<String> {
    if !markdown.contains('<') {
        return None;
    }
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut copied_to = 0;
    for (event, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        if !matches!(event, Event::Html(_) | Event::InlineHtml(_)) || range.start < copied_to {
            continue;
        }
        out.push_str(&markdown[copied_to..range.start]);
        out.push_str(&markdown[range.clone()].replace('<', "&lt;"));
        copied_to = range.end;
    }
    if copied_to == 0 {
        return None;
    }
    out.push_str(&markdown[copied_to..]);
    Some(out)
}

/// A value as YAML: JSON's flow syntax is YAML, so strings are quoted and
/// lists and maps are flow collections; ISO dates stay bare so that
/// Obsidian keeps typing them as dates.
fn yaml_value(value: &Value) -> String {
    match value {
        Value::String(s) if is_iso_date(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    let date = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    date && (b.len() == 10
        || (b[10] == b'T'
            && b[11..]
                .iter()
                .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'Z' | b'+' | b'-'))))
}

/// Obsidian's inline `#tags` in a note's text (not in code, not in links):
/// Obsidian lists them with the note's tags, so the site does too.
fn inline_tags(body: &str) -> Vec<String> {
    let mut tags = Vec::new();
    if !body.contains('#') {
        return tags;
    }
    let mut in_link_or_code = 0usize;
    for event in Parser::new_ext(body, Options::all()) {
        match event {
            Event::Start(Tag::Link { .. } | Tag::CodeBlock(_)) => in_link_or_code += 1,
            Event::End(TagEnd::Link | TagEnd::CodeBlock) => {
                in_link_or_code = in_link_or_code.saturating_sub(1);
            }
            Event::Text(text) if in_link_or_code == 0 => {
                for (at, _) in text.match_indices('#') {
                    let before = text[..at].chars().next_back();
                    if before.is_some_and(|c| !c.is_whitespace() && c != '(') {
                        continue;
                    }
                    let tag: String = text[at + 1..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/'))
                        .collect();
                    if tag.chars().any(|c| !c.is_ascii_digit()) {
                        tags.push(tag);
                    }
                }
            }
            _ => {}
        }
    }
    tags
}

/// The name of the folder a file sits in, as the default source name.
fn folder_name(origin: &str) -> String {
    let mut parts = origin.rsplit(['/', '\\']);
    parts.next();
    parts
        .next()
        .filter(|p| !p.is_empty() && *p != ".")
        .unwrap_or("notes")
        .to_string()
}

/// The text of the first `# ` heading.
fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(text::clean_line)
        .filter(|t| !t.is_empty())
}

/// Raw HTML inside imported markdown is as untrusted as feed HTML: each
/// HTML block is converted to markdown, inline tags are dropped (their text
/// stays) except images, which become markdown images. Dropping a tag can
/// join the text around it into a new one (`<scr<b>ipt>`), and text the
/// parser did not take for a tag (`<svg/onload=…>`) is one to a browser, so
/// every `<` in prose that is not followed by a space becomes `&lt;`: no
/// tag can survive, however many passes a stripper would need.
pub fn sanitise_markdown(body: &str) -> String {
    if !body.contains('<') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut copied_to = 0;
    let mut in_code = false;
    for (event, range) in Parser::new_ext(body, Options::all()).into_offset_iter() {
        let replacement = match &event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                continue;
            }
            Event::Text(_) if !in_code && body[range.clone()].contains('<') => {
                escape_open_brackets(body, range.clone())
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                let fragment = &body[range.clone()];
                let is_image = fragment
                    .trim_start()
                    .get(..4)
                    .is_some_and(|t| t.eq_ignore_ascii_case("<img"));
                if matches!(event, Event::Html(_)) || is_image {
                    let md = html::html_to_markdown(fragment, None);
                    if matches!(event, Event::Html(_)) {
                        format!("{md}\n\n")
                    } else {
                        md
                    }
                } else {
                    String::new()
                }
            }
            _ => continue,
        };
        if range.start < copied_to {
            continue;
        }
        out.push_str(&body[copied_to..range.start]);
        out.push_str(&replacement);
        copied_to = range.end;
    }
    out.push_str(&body[copied_to..]);
    out
}

/// The source text of `range` with each `<` that could open a tag written
/// as `&lt;`. A `<` before whitespace cannot (`a < b` stays as written),
/// nor can one a backslash already escapes.
fn escape_open_brackets(body: &str, range: std::ops::Range<usize>) -> String {
    let text = &body[range.clone()];
    let mut out = String::with_capacity(text.len() + 8);
    for (at, c) in text.char_indices() {
        if c != '<' {
            out.push(c);
            continue;
        }
        // The source, not the slice: the parser may end a text at the `<`.
        // What follows a space is never dropped (no HTML starts with one).
        let before_space = body[range.start + at + 1..].starts_with(char::is_whitespace);
        let backslashes = body[..range.start + at]
            .bytes()
            .rev()
            .take_while(|&b| b == b'\\')
            .count();
        if before_space || backslashes % 2 == 1 {
            out.push('<');
        } else {
            out.push_str("&lt;");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml_front_matter_split() {
        let yaml = split("---\ntitle: \"A: b\"\ntags: [x, y]\n---\nBody\n").unwrap();
        assert_eq!(field_text(&yaml.fields, "title").as_deref(), Some("A: b"));
        assert_eq!(field_list(&yaml.fields, "tags", true), ["x", "y"]);
        assert_eq!(yaml.body, "Body\n");
        let toml =
            split("+++\ntitle = \"T\"\ndate = 2023-01-05\n[taxonomies]\ntags = [\"z\"]\n+++\nBody")
                .unwrap();
        assert_eq!(
            field_text(&toml.fields, "date").as_deref(),
            Some("2023-01-05")
        );
        assert_eq!(taxonomy(&toml.fields, "tags"), ["z"]);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let parsed = split("# Just text\n").unwrap();
        assert!(parsed.fields.is_empty());
        assert_eq!(parsed.body, "# Just text\n");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert!(split("---\ntitle: x\nno end").is_err());
    }

    #[test]
    fn jekyll_space_separated_categories() {
        let parsed = split("---\ncategories: rust web\n---\n").unwrap();
        assert_eq!(
            field_list(&parsed.fields, "categories", true),
            ["rust", "web"]
        );
    }

    #[test]
    fn machine_made_file_names_are_not_note_names() {
        assert!(looks_generated("004_a363f232c4c4cfcf"));
        assert!(looks_generated("1698765432"));
        assert!(!looks_generated("hello-world"));
        assert!(!looks_generated("Meeting Notes 2024"));
        assert!(!looks_generated("deadbeef-cafe"));
    }

    #[test]
    fn inline_script_in_markdown_is_dropped() {
        let out = sanitise_markdown(
            "Hello <script>alert(1)</script> world\n\n<div onclick=\"x()\">block</div>\n",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
    }

    #[test]
    fn no_tag_survives_stripping() {
        let out = sanitise_markdown(
            "a <scr<script>ipt>alert(1)</script> b <<b>img src=x onerror=y> c <svg/onload=z> d < e \\<kbd> `<code>`\n\n```\n<pre>\n```\n",
        );
        assert_eq!(
            out,
            "a &lt;script>alert(1) b &lt;img src=x onerror=y> c &lt;svg/onload=z> d < e \\<kbd> `<code>`\n\n```\n<pre>\n```\n"
        );
    }
}
