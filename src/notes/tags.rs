//! Tags as Obsidian accepts them: no spaces, not all digits, no `#`,
//! letters/digits/`_`/`-`/`/` only, deduplicated case-insensitively.

use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// One tag in Obsidian's rules, or `None` when nothing usable is left.
pub fn normalize(raw: &str) -> Option<String> {
    let nfc: String = raw.nfc().collect();
    let mut tag = String::with_capacity(nfc.len());
    for c in nfc.trim().trim_start_matches('#').chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '/') {
            tag.push(c);
        } else if (c.is_whitespace() || matches!(c, '.' | '&' | '+' | ',' | ':'))
            && !tag.ends_with('-')
            && !tag.is_empty()
        {
            tag.push('-');
        }
    }
    let tag = tag.trim_matches(['-', '/']).to_string();
    if tag.is_empty() {
        return None;
    }
    if tag.chars().all(|c| c.is_ascii_digit()) {
        return Some(format!("y{tag}"));
    }
    Some(tag)
}

/// Normalises and deduplicates a list, keeping the first spelling seen.
pub fn normalize_all<'a>(raw: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut seen = HashSet::new();
    raw.into_iter()
        .filter_map(|t| normalize(t))
        .filter(|t| seen.insert(t.to_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_obsidian_rules() {
        assert_eq!(
            normalize("Machine Learning").as_deref(),
            Some("Machine-Learning")
        );
        assert_eq!(normalize("#rust").as_deref(), Some("rust"));
        assert_eq!(normalize("2023").as_deref(), Some("y2023"));
        assert_eq!(normalize("c++").as_deref(), Some("c"));
        assert_eq!(normalize("  "), None);
        let all = normalize_all(&[
            "Rust".to_string(),
            "rust".to_string(),
            "web dev".to_string(),
        ]);
        assert_eq!(all, ["Rust", "web-dev"]);
    }
}
