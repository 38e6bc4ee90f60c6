//! Mojibake repair. This module owns undoing one wrong decode: UTF-8 text
//! that was once read as Mac Roman (`It‚Äôs`, `caf√©`, `ü•≥` for `🥳`) or
//! as Windows-1252 (`itâ€™s`, `cafÃ©`), as old blog exports and feeds often
//! carry it. It must never change correct text: a sequence is only replaced
//! when its bytes in the suspected encoding are valid UTF-8 that decodes to
//! something plausible, and anything in doubt is left alone. No I/O.

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};

/// The high half (0x80–0xFF) of a single-byte encoding, char → byte.
struct ByteTable {
    /// Sorted by char, for binary search.
    to_byte: Vec<(char, u8)>,
}

impl ByteTable {
    fn new(encoding: &'static Encoding) -> ByteTable {
        let mut to_byte: Vec<(char, u8)> = (0x80..=0xFFu8)
            .filter_map(|byte| {
                let input = [byte];
                let (text, had_errors) = encoding.decode_without_bom_handling(&input);
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !had_errors && c != '\u{FFFD}' => Some((c, byte)),
                    _ => None,
                }
            })
            .collect();
        to_byte.sort_unstable();
        ByteTable { to_byte }
    }

    /// The byte `c` is in this encoding; `None` for ASCII and for chars it
    /// cannot encode. (Going through `Encoding::encode` would turn those into
    /// `&#NNNN;` instead of telling us.)
    fn byte(&self, c: char) -> Option<u8> {
        if c.is_ascii() {
            return None;
        }
        self.to_byte
            .binary_search_by_key(&c, |&(ch, _)| ch)
            .ok()
            .map(|i| self.to_byte[i].1)
    }
}

static MAC_ROMAN: LazyLock<ByteTable> = LazyLock::new(|| ByteTable::new(MACINTOSH));
static WINDOWS: LazyLock<ByteTable> = LazyLock::new(|| ByteTable::new(WINDOWS_1252));

/// Restores text that was UTF-8 decoded once as Mac Roman or Windows-1252.
/// Returns the input borrowed when there is nothing to repair.
pub fn repair(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    // `text[copied..]` is not yet in `out`.
    let mut copied = 0;
    let mut rest_start = 0;
    while let Some(offset) = text[rest_start..].find(|c: char| !c.is_ascii()) {
        let start = rest_start + offset;
        let end = text[start..]
            .find(|c: char| c.is_ascii())
            .map_or(text.len(), |i| start + i);
        let run = &text[start..end];
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if let Some(fixed) = repair_run(run, before, after) {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..start]);
            out.push_str(&fixed);
            copied = end;
        }
        rest_start = end;
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    }
}

/// A run of non-ASCII chars, repaired under whichever encoding explains more
/// of its chars (then: fewer unusual results; then Windows-1252, the commoner
/// culprit); `None` if neither explains any of it.
fn repair_run(run: &str, before: Option<char>, after: Option<char>) -> Option<String> {
    let windows = decode_run(run, &WINDOWS, before, after);
    let mac = decode_run(run, &MAC_ROMAN, before, after);
    let best = match (windows, mac) {
        (Some(w), Some(m)) => {
            if m.fixed > w.fixed || (m.fixed == w.fixed && m.unusual < w.unusual) {
                m
            } else {
                w
            }
        }
        (w, m) => w.or(m)?,
    };
    Some(best.text)
}

struct Decoded {
    text: String,
    /// Chars of the run explained as parts of restored UTF-8 sequences.
    fixed: usize,
    /// Restored chars outside the common ranges (kept only in context).
    unusual: usize,
}

/// Re-reads `run` as the bytes of `table`'s encoding, sequence by sequence:
/// each byte run that is valid, plausible UTF-8 is decoded, every other char
/// stays as it was.
fn decode_run(
    run: &str,
    table: &ByteTable,
    before: Option<char>,
    after: Option<char>,
) -> Option<Decoded> {
    let chars: Vec<char> = run.chars().collect();
    let bytes: Vec<Option<u8>> = chars.iter().map(|&c| table.byte(c)).collect();
    // First pass: where valid UTF-8 sequences are, as (start, len, char).
    let mut found: Vec<(usize, usize, char)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let len = bytes[i].map_or(0, utf8_len);
        if len > 0
            && let Some(c) = sequence(&bytes, i, len, None)
        {
            found.push((i, len, c));
            i += len;
            continue;
        }
        // A 4-byte emoji whose lead byte F0 was lost: in Mac Roman F0 is the
        // Apple logo (U+F8FF), which many fonts and converters drop.
        if bytes[i].is_some_and(|b| (0x90..=0xBF).contains(&b))
            && let Some(c) = sequence(&bytes, i, 3, Some(0xF0))
            && ('\u{1F000}'..='\u{1FAFF}').contains(&c)
        {
            found.push((i, 3, c));
            i += 3;
            continue;
        }
        i += 1;
    }
    if found.is_empty() {
        return None;
    }
    // Second pass: keep the plausible ones. A neighbour that is itself part
    // of a sequence is mojibake too, so it does not count as context.
    let mut in_sequence = vec![false; chars.len()];
    for &(start, len, _) in &found {
        in_sequence[start..start + len].fill(true);
    }
    let context = |index: Option<usize>, outside: Option<char>| match index {
        None => outside,
        Some(i) if in_sequence[i] => None,
        Some(i) => chars.get(i).copied(),
    };
    let mut text = String::with_capacity(run.len());
    let mut fixed = 0;
    let mut unusual = 0;
    let mut next = 0;
    for (start, len, c) in found {
        let before = context(start.checked_sub(1), before);
        let end = start + len;
        let after = context((end < chars.len()).then_some(end), after);
        let lead_lost = bytes[start].is_some_and(|b| b < 0xC0);
        let keep = if lead_lost {
            emoji_plausible(&chars[start..end], before, after)
        } else {
            plausible(c, before, after)
        };
        if !keep {
            continue;
        }
        text.extend(&chars[next..start]);
        text.push(c);
        fixed += len;
        unusual += usize::from(!is_common(c));
        next = end;
    }
    text.extend(&chars[next..]);
    (fixed > 0).then_some(Decoded {
        text,
        fixed,
        unusual,
    })
}

/// The length of the UTF-8 sequence `lead` starts, 0 if it starts none.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// The char encoded by `len` bytes at `start` (after `prefix`, if any), if
/// they are all encodable and form exactly one valid UTF-8 char.
fn sequence(bytes: &[Option<u8>], start: usize, len: usize, prefix: Option<u8>) -> Option<char> {
    let slice = bytes.get(start..start + len)?;
    let mut buf = [0u8; 5];
    let mut n = 0;
    for byte in prefix
        .into_iter()
        .chain(slice.iter().copied().map(Option::unwrap_or_default))
    {
        *buf.get_mut(n)? = byte;
        n += 1;
    }
    if slice.contains(&None) {
        return None;
    }
    let decoded = std::str::from_utf8(&buf[..n]).ok()?;
    let mut chars = decoded.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Ranges real text is full of and correct text rarely mistakes for
/// mojibake: Latin-1 and Latin Extended-A letters, punctuation, symbols,
/// CJK, Hangul, emoji.
fn is_common(c: char) -> bool {
    matches!(c,
        '\u{A0}'..='\u{17F}'
        | '\u{2000}'..='\u{2BFF}'
        | '\u{3000}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{1F000}'..='\u{1FAFF}')
}

/// Whether a restored char is believable where it stands. Common chars
/// always are. Letters of other scripts (Greek, Cyrillic, Hebrew, Arabic)
/// only away from letters and digits: correct text such as `—à` would
/// otherwise re-read as a Cyrillic letter glued to a word. Anything else
/// (Armenian, IPA, Latin Extended-B, combining marks) is what correct text
/// like `l’été` or `«École»` turns into when re-read, never a repair.
fn plausible(c: char, before: Option<char>, after: Option<char>) -> bool {
    if c.is_control()
        || ('\u{300}'..='\u{36F}').contains(&c)
        || ('\u{E000}'..='\u{F8FF}').contains(&c)
        || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
        || (c as u32) & 0xFFFE == 0xFFFE
    {
        return false;
    }
    if is_common(c) {
        return true;
    }
    let other_script = matches!(c,
        '\u{218}'..='\u{21B}' // Romanian ș ț
        | '\u{386}'..='\u{3FF}' // Greek letters
        | '\u{400}'..='\u{482}' | '\u{48A}'..='\u{4FF}' // Cyrillic letters
        | '\u{5D0}'..='\u{5EA}' // Hebrew letters
        | '\u{620}'..='\u{64A}' | '\u{660}'..='\u{669}'); // Arabic letters, digits
    let touches_word = |n: Option<char>| n.is_some_and(char::is_alphanumeric);
    other_script && !(touches_word(before) || touches_word(after))
}

/// An emoji rebuilt without its lead byte came from three chars; three
/// letters glued to a word are more likely a real word (Turkish `üçüncü`).
fn emoji_plausible(chars: &[char], before: Option<char>, after: Option<char>) -> bool {
    chars.iter().any(|c| !c.is_alphabetic())
        || !(before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_roman_mojibake_is_repaired() {
        assert_eq!(repair("It‚Äôs here"), "It’s here");
        assert_eq!(repair("caf√©"), "café");
        assert_eq!(repair("a‚Äêb"), "a‐b");
        assert_eq!(repair("‚ÄúQuoted‚Äù ‚Äî yes‚Ä¶"), "“Quoted” — yes…");
    }

    #[test]
    fn windows_1252_mojibake_is_repaired() {
        assert_eq!(repair("itâ€™s"), "it’s");
        assert_eq!(repair("cafÃ©"), "café");
        assert_eq!(repair("â€œhiâ€\u{9d} â€“ Ã¼ber"), "“hi” – über");
        assert_eq!(repair("ÐŸÑ€Ð¸Ð²ÐµÑ‚"), "Привет");
    }

    #[test]
    fn emoji_that_lost_its_lead_byte_is_rebuilt() {
        assert_eq!(repair("done ü•≥ now"), "done 🥳 now");
        assert_eq!(repair("with logo \u{F8FF}ü•≥"), "with logo 🥳");
        assert_eq!(repair("ðŸ¥³"), "🥳");
    }

    #[test]
    fn correct_text_is_left_alone() {
        for text in [
            "Ünïcödé",
            "日本語",
            "’",
            "naïve café",
            "Ærøskøbing",
            "€5",
            "🥳 🎉 👍🏽",
            "l’été et «École» et “Élan” — à jamais",
            "L’ÉTÉ, parti—à jamais, A–É",
            "Straße“ and „Äpfel“",
            "üçüncü",
            "São Paulo, Ça va, ¡Órale!",
            "© ® ™ ½ ° ±",
            "CAFÉ’S “CAFÉ”",
            "plain ascii",
            "10\u{a0}à 12",
            "Tëst ÀÉÎÕÜ",
        ] {
            assert_eq!(repair(text), text, "{text} was changed");
            assert!(
                matches!(repair(text), Cow::Borrowed(_)),
                "{text} was copied"
            );
        }
    }

    #[test]
    fn mixed_text_fixes_only_the_mojibake() {
        assert_eq!(
            repair("Ünïcödé — it‚Äôs fine, 日本語 too"),
            "Ünïcödé — it’s fine, 日本語 too"
        );
    }

    #[test]
    fn pure_ascii_is_borrowed() {
        assert!(matches!(repair("hello"), Cow::Borrowed("hello")));
        assert!(matches!(repair(""), Cow::Borrowed("")));
    }
}
