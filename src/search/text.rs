//! Words as search sees them: runs of letters and digits (what Rust's
//! `char::is_alphanumeric` keeps), lowercased, compatibility-decomposed and
//! stripped of combining marks, so "Café", "CAFE" and "café" are one word.
//! search.js does the same steps with `\p{Alphabetic}\p{N}`, `toLowerCase`,
//! `normalize('NFKD')` and `\p{M}`; the two must agree.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longer runs are hashes, URLs or base64, not words anyone types.
pub const MAX_WORD_CHARS: usize = 40;

/// What a byte is to the word splitter.
#[derive(Clone, Copy, PartialEq)]
enum Byte {
    /// Not part of a word.
    Apart,
    /// A lowercase ASCII letter or a digit: part of a word as it is.
    Folded,
    /// An uppercase ASCII letter: part of a word that must be folded.
    Upper,
    /// Where a non-ASCII char begins (or continues): decoded to learn.
    Wide,
}

/// Each byte's [`Byte`], looked up once per byte of the text.
const BYTES: [Byte; 256] = {
    let mut table = [Byte::Apart; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'a'..=b'z' | b'0'..=b'9' => Byte::Folded,
            b'A'..=b'Z' => Byte::Upper,
            0x80..=0xff => Byte::Wide,
            _ => Byte::Apart,
        };
        b += 1;
    }
    table
};

/// Calls `f` with each word of `text`, folded: borrowed from `text` when
/// it is folded already (most words are), so a caller can keep it.
pub fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(Cow<'t, str>)) {
    let mut at = 0;
    while let Some(from) = word_start(text, at) {
        let (end, folded) = word_end(text, from);
        word(&text[from..end], folded, &mut f);
        at = end;
    }
}

/// Where the next word begins, from `at` (a char boundary) on. Byte by
/// byte while the text is ASCII; a char is decoded only where a byte says
/// one begins.
fn word_start(text: &str, mut at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    while let Some(&byte) = bytes.get(at) {
        match BYTES[usize::from(byte)] {
            Byte::Apart => at += 1,
            Byte::Wide => {
                let c = text.get(at..)?.chars().next()?;
                if c.is_alphanumeric() {
                    return Some(at);
                }
                at += c.len_utf8();
            }
            Byte::Folded | Byte::Upper => return Some(at),
        }
    }
    None
}

/// Where the word that begins at `from` ends, and whether it is folded
/// already (lowercase ASCII letters and digits only).
fn word_end(text: &str, from: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut at = from;
    let mut folded = true;
    while let Some(&byte) = bytes.get(at) {
        match BYTES[usize::from(byte)] {
            Byte::Folded => at += 1,
            Byte::Upper => {
                folded = false;
                at += 1;
            }
            Byte::Wide => match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) if c.is_alphanumeric() => {
                    folded = false;
                    at += c.len_utf8();
                }
                _ => break,
            },
            Byte::Apart => break,
        }
    }
    (at, folded)
}

/// `raw` is a run of letters and digits; `folded` when it is all lowercase
/// ASCII letters and digits already.
fn word<'t>(raw: &'t str, folded: bool, f: &mut impl FnMut(Cow<'t, str>)) {
    if folded {
        if raw.len() <= MAX_WORD_CHARS {
            f(Cow::Borrowed(raw));
        }
        return;
    }
    if raw.len() > MAX_WORD_CHARS && raw.chars().count() > MAX_WORD_CHARS {
        return;
    }
    let folded = fold(raw);
    if !folded.is_empty() {
        f(folded);
    }
}

/// The folded words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |w| out.push(w.into_owned()));
    out
}

/// Lowercase, no diacritics, compatibility forms decomposed ("ﬁ" → "fi").
/// Most words are lowercase ASCII already and are borrowed as they are.
pub fn fold(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Cow::Borrowed(word);
    }
    if word.is_ascii() {
        return Cow::Owned(word.to_ascii_lowercase());
    }
    Cow::Owned(
        word.to_lowercase()
            .nfkd()
            .filter(|&c| !is_combining_mark(c))
            .collect(),
    )
}

/// The order search.js compares strings in (UTF-16 code units), so a
/// binary search in the browser agrees with the order shards are cut in.
pub fn js_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_diacritics_fold_to_one_word() {
        assert_eq!(
            words("Café-au-LAIT, naïve Ångström ﬁle C++ 2024!"),
            [
                "cafe", "au", "lait", "naive", "angstrom", "file", "c", "2024"
            ]
        );
    }

    #[test]
    fn words_are_the_runs_of_letters_and_digits_in_any_script() {
        let text = "日本語のテキスト、Ελληνικά—русский١٢٣ x\u{301}y ab\u{00a0}cd é \
                    ÀBc x1Y abcÉ Ab-cD_e ﬁX";
        let by_chars: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| fold(w).into_owned())
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(words(text), by_chars);
        assert_eq!(words("ελληνικά"), ["ελληνικα"]);
        assert_eq!(words(&"a".repeat(MAX_WORD_CHARS + 1)), Vec::<String>::new());
        assert_eq!(words(&"A".repeat(MAX_WORD_CHARS + 1)), Vec::<String>::new());
        assert_eq!(
            words(&"a".repeat(MAX_WORD_CHARS)),
            ["a".repeat(MAX_WORD_CHARS)]
        );
    }

    #[test]
    fn strings_sort_as_javascript_compares_them() {
        // U+FF21 is above U+D800 (a surrogate) as a code point, below it in UTF-16.
        assert!("\u{ff21}" < "\u{1f600}");
        assert!(js_cmp("\u{ff21}", "\u{1f600}").is_gt());
    }
}
