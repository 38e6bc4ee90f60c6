//! Writes and reads the YAML front matter of lore's notes. Writing is our own
//! small emitter for a fixed schema, because every property must keep one
//! type across the vault (Obsidian types properties vault-wide): text is
//! always double-quoted, dates are bare `YYYY-MM-DDTHH:MM:SS` (UTC), lists
//! are block lists. Reading goes through a real YAML parser.

use std::fmt::Write;

use crate::ingest::{dates, markdown, text};
use crate::model::FrontMatter;

/// The date format of the `date` property.
const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The whole note file: front matter, a blank line, the body.
pub fn render_note(front: &FrontMatter, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str("---\n");
    text_line(&mut out, "title", &front.title);
    match front.date {
        Some(date) => {
            let _ = writeln!(out, "date: {}", date.format(DATE_FORMAT));
        }
        None => out.push_str("date: null\n"),
    }
    list(&mut out, "authors", front.authors.iter());
    list(&mut out, "tags", front.tags.iter());
    optional_line(&mut out, "source", front.source.as_deref());
    optional_line(&mut out, "url", front.url.as_deref());
    optional_line(&mut out, "id", front.id.as_deref());
    list(&mut out, "aliases", front.aliases.iter());
    let links: Vec<String> = front
        .related
        .iter()
        .map(|name| format!("[[{name}]]"))
        .collect();
    list(&mut out, "related", links.iter());
    for (key, value) in &front.extra {
        let _ = writeln!(out, "{}: {}", yaml_key(key), yaml_text(value));
    }
    out.push_str("---\n\n");
    // Stripped before trimmed, so that what is written reads back and
    // writes again to the same bytes.
    out.push_str(text::without_forbidden(body).trim_end());
    out.push('\n');
    out
}

fn text_line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key}: {}", quote(value));
}

fn optional_line(out: &mut String, key: &str, value: Option<&str>) {
    match value {
        Some(v) => text_line(out, key, v),
        None => {
            let _ = writeln!(out, "{key}: null");
        }
    }
}

fn list<'a>(out: &mut String, key: &str, values: impl ExactSizeIterator<Item = &'a String>) {
    if values.len() == 0 {
        let _ = writeln!(out, "{key}: []");
        return;
    }
    let _ = writeln!(out, "{key}:");
    for value in values {
        let _ = writeln!(out, "  - {}", quote(value));
    }
}

/// A key as YAML: bare when it is a plain word, else quoted.
fn yaml_key(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
        && !key.starts_with('-');
    if plain { key.to_string() } else { quote(key) }
}

/// A property value already written as YAML (a person's own property):
/// the characters no text may hold go, and a Templater `<%` (which can only
/// sit inside a quoted string there) gets its `%` as an escape.
fn yaml_text(value: &str) -> String {
    text::without_forbidden(value).replace("<%", "<\\u0025")
}

/// A YAML double-quoted scalar: safe whatever the text holds (colons,
/// quotes, `#`, newlines, control characters). Characters no text may hold
/// ([`text::is_forbidden_char`]) are left out: YAML does not allow them
/// unescaped, and read back they would make the note unreadable elsewhere.
/// The `%` of a `<%` is written as an escape, so Templater, which reads the
/// raw file, finds no command in it, and a YAML reader gets it back.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut previous = '"';
    for c in value.chars() {
        if text::is_forbidden_char(c) {
            continue;
        }
        match c {
            '%' if previous == '<' => out.push_str("\\u0025"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
        previous = c;
    }
    out.push('"');
    out
}

/// Front matter read from a note file, whoever wrote it. Missing
/// properties fall back to sensible values (the title to the file name).
pub fn read(
    fields: &serde_json::Map<String, serde_json::Value>,
    name: &str,
    body: &str,
) -> FrontMatter {
    let title = markdown::field_text(fields, "title")
        .map(|t| text::plain_line(&t))
        .filter(|t| !t.is_empty())
        .or_else(|| {
            body.lines()
                .find_map(|l| l.strip_prefix("# "))
                .map(text::clean_line)
                .filter(|t| !t.is_empty())
        })
        .unwrap_or_else(|| name.to_string());
    let date = markdown::field_text(fields, "date").and_then(|d| dates::parse(&d));
    let mut authors = markdown::field_list(fields, "authors", false);
    authors.extend(markdown::field_list(fields, "author", false));
    let mut tags = markdown::field_list(fields, "tags", true);
    tags.extend(markdown::field_list(fields, "tag", true));
    let related = markdown::field_list(fields, "related", false)
        .into_iter()
        .map(|l| {
            l.trim()
                .trim_start_matches("[[")
                .trim_end_matches("]]")
                .split('|')
                .next()
                .unwrap_or("")
                .to_string()
        })
        // A note's name holds no bracket: anything else is not a link
        // lore can write back as it read it.
        .filter(|l| !l.is_empty() && !l.contains(['[', ']']))
        .collect();
    FrontMatter {
        title,
        date,
        authors,
        tags: super::tags::normalize_all(&tags),
        source: markdown::field_text(fields, "source"),
        url: markdown::field_text(fields, "url"),
        id: markdown::field_text(fields, "id"),
        aliases: markdown::field_list(fields, "aliases", false),
        related,
        extra: markdown::extra_properties(fields),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_ending_in_forbidden_characters_writes_the_same_bytes_twice() {
        let front = FrontMatter::default();
        let written = render_note(&front, "text\n\u{0}\u{0}");
        let parsed = markdown::split(&written).unwrap();
        assert_eq!(render_note(&front, parsed.body), written);
    }

    #[test]
    fn a_property_name_yaml_cannot_read_back_is_not_kept() {
        let long = "k".repeat(300);
        let text = format!("---\ntitle: t\nstatus: ok\n\"{long}\": 1\n---\nbody\n");
        let parsed = markdown::split(&text).unwrap();
        let front = read(&parsed.fields, "n", parsed.body);
        assert_eq!(front.extra, [("status".to_string(), "\"ok\"".to_string())]);
        assert!(markdown::split(&render_note(&front, parsed.body)).is_ok());
    }

    #[test]
    fn related_entries_that_are_no_note_name_are_dropped() {
        let text = "---\nrelated: [\"[]]|[ba\", \"[[c]]\", \"[[d|label]]\"]\n---\nbody\n";
        let parsed = markdown::split(text).unwrap();
        let front = read(&parsed.fields, "n", parsed.body);
        assert_eq!(front.related, ["c", "d"]);
        let written = render_note(&front, parsed.body);
        let again = markdown::split(&written).unwrap();
        assert_eq!(
            render_note(&read(&again.fields, "n", again.body), again.body),
            written
        );
    }

    #[test]
    fn a_heading_with_no_words_is_no_title() {
        let parsed = markdown::split("---\ntags: []\n---\n# \u{1}\n").unwrap();
        let front = read(&parsed.fields, "name", parsed.body);
        assert_eq!(front.title, "name");
    }

    #[test]
    fn a_title_reads_back_as_written() {
        for title in ["a&gt;", "a &amp;amp; b", "Tags like <b> stay"] {
            let front = FrontMatter {
                title: title.into(),
                ..FrontMatter::default()
            };
            let written = render_note(&front, "body");
            let parsed = markdown::split(&written).unwrap();
            let again = read(&parsed.fields, "n", parsed.body);
            assert_eq!(again.title, title);
            let rewritten = render_note(&again, parsed.body);
            let parsed = markdown::split(&rewritten).unwrap();
            assert_eq!(read(&parsed.fields, "n", parsed.body).title, again.title);
        }
    }

    fn sample() -> FrontMatter {
        FrontMatter {
            title: "Colons: \"quotes\" # and \\ too".into(),
            date: dates::parse("2023-07-18T10:19:19Z"),
            authors: vec!["Ada".into()],
            tags: vec!["rust".into(), "null".into()],
            source: Some("Feed: A".into()),
            url: Some("https://a.io/x?y=1#z".into()),
            id: Some("0042".into()),
            aliases: vec!["Colons".into()],
            related: vec!["other-note".into()],
            extra: vec![
                ("status".into(), "\"draft: yes\"".into()),
                ("created".into(), "2024-01-02".into()),
                ("weight".into(), "3".into()),
                ("cssclasses".into(), "[\"wide\",\"dark\"]".into()),
            ],
        }
    }

    #[test]
    fn front_matter_round_trips_through_a_yaml_parser() {
        let note = render_note(&sample(), "Body");
        let parsed = markdown::split(&note).unwrap();
        let front = read(&parsed.fields, "x", parsed.body);
        assert_eq!(front, sample());
        assert_eq!(parsed.body.trim(), "Body");
    }

    #[test]
    fn newlines_in_text_stay_inside_the_quotes() {
        let front = FrontMatter {
            title: "two\nlines: yes".into(),
            ..sample()
        };
        let note = render_note(&front, "");
        let parsed = markdown::split(&note).unwrap();
        assert_eq!(parsed.fields["title"], "two\nlines: yes");
    }

    #[test]
    fn characters_no_text_may_hold_are_not_written_and_templater_finds_nothing() {
        let front = FrontMatter {
            title: "Bell\u{7} odd\u{FFFE} <% tp.file.title %> <\u{1}%".into(),
            authors: vec!["Ada\u{FFFF}".into()],
            extra: vec![("status".into(), "\"<%* x %>\u{FFFE}\"".into())],
            ..sample()
        };
        let note = render_note(&front, "Body\u{FFFE} <\u{2060}% kept\u{0}");
        assert!(!note.chars().any(text::is_forbidden_char), "{note:?}");
        assert!(!note.contains("<%"), "{note}");
        let parsed = markdown::split(&note).unwrap();
        let read_back = read(&parsed.fields, "x", parsed.body);
        assert_eq!(read_back.title, "Bell odd <% tp.file.title %> <%");
        assert_eq!(read_back.authors, ["Ada"]);
        assert_eq!(parsed.fields["status"], "<%* x %>");
    }

    #[test]
    fn text_stays_text_and_dates_stay_bare() {
        let note = render_note(&sample(), "");
        assert!(note.contains("\ndate: 2023-07-18T10:19:19\n"), "{note}");
        assert!(note.contains("  - \"null\"\n"), "{note}");
        assert!(note.contains("id: \"0042\"\n"), "{note}");
        assert!(note.contains("  - \"[[other-note]]\"\n"), "{note}");
    }
}
