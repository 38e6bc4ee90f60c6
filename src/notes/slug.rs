//! File names for notes: ASCII slugs that are the same on every run, safe on
//! Linux, macOS and Windows, and unique across the vault (case-folded).

use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// Longest slug, in bytes: leaves room for a suffix and `.md` within the
/// 255-byte file-name limit of every common file system, and keeps URLs short.
const MAX_SLUG: usize = 80;

/// Names Windows reserves whatever the extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Lowercase ASCII letters, digits and single hyphens; never empty, never a
/// path (no `/`, `\` or `..` can survive).
pub fn slugify(title: &str) -> String {
    let ascii = as_ascii(title);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_string();
    if slug.len() > MAX_SLUG {
        let cut = slug[..MAX_SLUG]
            .rfind('-')
            .filter(|&i| i > MAX_SLUG / 2)
            .unwrap_or(MAX_SLUG);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        slug.push_str("note");
    }
    if RESERVED.contains(&slug.as_str()) {
        slug.push_str("-note");
    }
    slug
}

/// `text` composed (NFC) and transliterated to ASCII. NFC leaves ASCII as
/// it is, and most names are ASCII: each build slugs every note's.
fn as_ascii(text: &str) -> String {
    if text.is_ascii() {
        return deunicode::deunicode(text);
    }
    let normalized: String = text.nfc().collect();
    deunicode::deunicode(&normalized)
}

/// Longest kept file name, in bytes, before `.md`.
const MAX_NAME: usize = 120;

/// A file name a person chose (an Obsidian note's, a Jekyll post's slug),
/// kept as it is where that is safe: letters of any script, spaces and case
/// stay, so `[[My Note]]` links keep resolving. Removed: path separators,
/// characters Windows or Obsidian links cannot hold (`\ / : * ? " < > | # ^
/// [ ]`), control characters, leading dots and trailing dots and spaces.
/// `None` when nothing usable is left.
pub fn safe_name(name: &str) -> Option<String> {
    let normalized: String = name.nfc().collect();
    let mut out = String::with_capacity(normalized.len());
    for c in normalized.chars() {
        let banned = c.is_control() || "\\/:*?\"<>|#^[]".contains(c);
        if banned {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let mut name = out
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.len() > MAX_NAME {
        let mut cut = MAX_NAME;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
        name = name.trim_end_matches(['.', ' ']).to_string();
    }
    if name.is_empty() {
        return None;
    }
    let stem = name.split('.').next().unwrap_or(&name).to_ascii_lowercase();
    if RESERVED.contains(&stem.as_str()) {
        name.push_str("-note");
    }
    Some(name)
}

/// Hands out names no other note has, compared case-insensitively.
#[derive(Debug, Default)]
pub struct NameRegistry {
    taken: HashSet<String>,
}

impl NameRegistry {
    /// Marks an existing name as used.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_lowercase());
    }

    /// `base`, or `base-2`, `base-3`… whichever is free first.
    pub fn claim(&mut self, base: &str) -> String {
        let mut candidate = base.to_string();
        let mut n = 2;
        while !self.taken.insert(candidate.to_lowercase()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ascii_name_is_read_as_its_normalized_form() {
        // Every ASCII character, and names as people write them.
        let every: String = (0u8..128).map(char::from).collect();
        for name in [every.as_str(), "My Note (draft) #2", "CON", "a--b__c", ""] {
            let normalized: String = name.nfc().collect();
            assert_eq!(
                as_ascii(name),
                deunicode::deunicode(&normalized),
                "{name:?}"
            );
        }
        assert_eq!(as_ascii("Cafe\u{301} \u{00e9}t\u{00e9}"), "Cafe ete");
    }

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(
            slugify("Hello, World! Rust & WASM"),
            "hello-world-rust-wasm"
        );
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("CON"), "con-note");
        assert_eq!(slugify("🥳"), "partying-face");
        assert_eq!(slugify("???"), "note");
        assert!(slugify(&"long words ".repeat(40)).len() <= MAX_SLUG);
    }

    #[test]
    fn chosen_names_are_kept_where_safe() {
        assert_eq!(safe_name("My Note").as_deref(), Some("My Note"));
        assert_eq!(safe_name("Über café").as_deref(), Some("Über café"));
        assert_eq!(safe_name("a/b:c?d").as_deref(), Some("a b c d"));
        assert_eq!(safe_name("../../etc/passwd").as_deref(), Some("etc passwd"));
        assert_eq!(safe_name("nul").as_deref(), Some("nul-note"));
        assert_eq!(
            safe_name("Com1.backup").as_deref(),
            Some("Com1.backup-note")
        );
        assert_eq!(safe_name("  ...  "), None);
        assert!(safe_name(&"é".repeat(200)).unwrap().len() <= MAX_NAME);
        assert_eq!(safe_name("Cafe\u{301}"), safe_name("Caf\u{e9}"));
    }

    #[test]
    fn composed_and_decomposed_titles_agree() {
        assert_eq!(slugify("Caf\u{e9}"), slugify("Cafe\u{301}"));
    }

    #[test]
    fn names_are_unique_case_insensitively() {
        let mut names = NameRegistry::default();
        names.reserve("Intro");
        assert_eq!(names.claim("intro"), "intro-2");
        assert_eq!(names.claim("intro"), "intro-3");
    }
}
