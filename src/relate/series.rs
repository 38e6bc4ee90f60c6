//! Series: notes whose titles say they belong together ("… [1/2]" and
//! "… [2/2]", "Day 12: …" and "Day 13: …", "ctrl+r #04: …"). A series is
//! found from titles alone, so parts that share few words still find each
//! other; the date boost then puts the nearest parts first.

use super::*;

/// A title's series key, if it has one: the words before a `:` when they
/// hold a number and are few ("Day 222", "ctrl+r #04", "Part 3"), else the
/// whole title when it holds a number ("10 lessons learned [1/2]"), in
/// both cases with the numbers and punctuation taken out.
pub(super) fn series_key(title: &str) -> Option<String> {
    let head = title
        .split_once(':')
        .map(|(head, _)| head)
        .filter(|head| head.split_whitespace().count() <= MAX_SERIES_HEAD_WORDS);
    let marked = head.filter(|h| h.bytes().any(|b| b.is_ascii_digit()));
    let source = match marked {
        Some(head) => head,
        None if title.bytes().any(|b| b.is_ascii_digit()) => title,
        None => return None,
    };
    let mut key = String::new();
    let mut buf = String::new();
    tokenize(source, &mut buf, |token, _| {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(token);
    });
    // "part" and similar words are what differs between parts, like the
    // numbers; a key of nothing but those is no series.
    (!key.is_empty()).then_some(key)
}

/// Per document, the other documents of its series (each series of at most
/// `MAX_SERIES` notes; a bigger group is a naming habit, not a series).
pub(super) fn series(docs: &[RelateDoc<'_>]) -> Vec<Vec<u32>> {
    let keys: Vec<Option<String>> = docs.par_iter().map(|d| series_key(d.title)).collect();
    let mut groups: FastMap<&str, Vec<u32>> = FastMap::default();
    for (d, key) in keys.iter().enumerate() {
        if let Some(key) = key {
            groups.entry(key.as_str()).or_default().push(d as u32);
        }
    }
    let mut out = vec![Vec::new(); docs.len()];
    for members in groups.values() {
        if members.len() < 2 || members.len() > MAX_SERIES {
            continue;
        }
        for &d in members {
            if let Some(slot) = out.get_mut(d as usize) {
                *slot = members.iter().copied().filter(|&m| m != d).collect();
            }
        }
    }
    out
}
