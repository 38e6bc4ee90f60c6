//! One note's words, counted per field. Runs inside render's parallel pass
//! over notes, so a note's plain text is counted and dropped at once.

use rustc_hash::FxHashMap as HashMap;

use std::borrow::Cow;

use std::sync::{Arc, PoisonError, RwLock};

use super::encode::{read_varint, write_varint};
use super::text::for_each_word;

/// The fields a word can be found in, in the order of [`FIELDS`].
pub const FIELD_COUNT: usize = 6;
/// Field names, as `[search]` in config.toml and the manifest call them.
pub const FIELDS: [&str; FIELD_COUNT] = ["title", "aliases", "tags", "authors", "headings", "body"];

/// What of a note is searchable.
pub struct Fields<'a> {
    pub title: &'a str,
    pub aliases: &'a [String],
    pub tags: &'a [String],
    pub authors: &'a [String],
    /// The note's markdown, for its headings.
    pub markdown: &'a str,
    /// The body as plain text (prose and code).
    pub body: &'a str,
}

/// Every word the notes hold, numbered once for the whole build and shared
/// by the threads of the markdown pass, so that a note keeps its words as
/// numbers: about two bytes a word instead of nine, which at 100,000 notes
/// is some 200 MB less held until the index is made. `lore serve` keeps it
/// from build to build, with the passes whose numbers it gave.
#[derive(Debug, Default)]
pub struct Vocabulary {
    number: RwLock<HashMap<Box<str>, u32>>,
}

impl Vocabulary {
    /// The number of each word, in their order; a new word takes the next.
    /// Most words are known after the first notes: a read lock finds them.
    fn numbers(&self, words: &[&str]) -> Vec<u32> {
        let mut numbers = vec![0; words.len()];
        let mut new = Vec::new();
        {
            let known = self.number.read().unwrap_or_else(PoisonError::into_inner);
            for (i, w) in words.iter().enumerate() {
                match known.get(*w) {
                    Some(&n) => numbers[i] = n,
                    None => new.push(i),
                }
            }
        }
        if !new.is_empty() {
            let mut known = self.number.write().unwrap_or_else(PoisonError::into_inner);
            for i in new {
                let next = known.len() as u32;
                numbers[i] = *known.entry(Box::from(words[i])).or_insert(next);
            }
        }
        numbers
    }

    /// Every word, at its number.
    pub fn words(&self) -> Vec<Box<str>> {
        let known = self.number.read().unwrap_or_else(PoisonError::into_inner);
        let mut words = vec![Box::<str>::default(); known.len()];
        for (word, &n) in known.iter() {
            words[n as usize] = word.clone();
        }
        words
    }
}

/// A note's words (folded, not stemmed yet) by their number in the
/// [`Vocabulary`], with their count in each field, and the length of each
/// field in words. Packed, because a build holds one per note at once: per
/// word in the order of their numbers, the gap from the last number, a byte
/// saying which fields have it and those counts, as varints.
#[derive(Debug, Default, Clone)]
pub struct Analyzed {
    /// Shared: `lore serve` keeps them from build to build.
    packed: Arc<[u8]>,
    pub lengths: [u32; FIELD_COUNT],
}

impl Analyzed {
    /// Each word's number with its count per field, in number order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, [u32; FIELD_COUNT])> {
        let bytes = &self.packed;
        let mut at = 0;
        let mut number = 0u32;
        std::iter::from_fn(move || {
            if at >= bytes.len() {
                return None;
            }
            number += read_varint(bytes, &mut at);
            let mask = bytes.get(at).copied().unwrap_or(0);
            at += 1;
            let mut c = [0u32; FIELD_COUNT];
            for (field, slot) in c.iter_mut().enumerate() {
                if mask & (1 << field) != 0 {
                    *slot = read_varint(bytes, &mut at);
                }
            }
            Some((number, c))
        })
    }
}

/// Counts the words of every field of a note.
pub fn analyze<'a>(fields: &Fields<'a>, vocabulary: &Vocabulary) -> Analyzed {
    // Keyed by the words as the fields hold them where they are folded
    // already: no copy of each. Room for about one distinct word in 16
    // bytes of prose, made once, not grown step by step.
    let mut counts: HashMap<Cow<'_, str>, [u16; FIELD_COUNT]> =
        HashMap::with_capacity_and_hasher(fields.body.len() / 16, Default::default());
    let mut lengths = [0u32; FIELD_COUNT];
    let mut add = |field: usize, text: &'a str| {
        for_each_word(text, |w| {
            lengths[field] += 1;
            // One hash per word, found or new.
            let c = counts.entry(w).or_insert([0; FIELD_COUNT]);
            c[field] = c[field].saturating_add(1);
        });
    };
    add(0, fields.title);
    for (field, list) in [(1, fields.aliases), (2, fields.tags), (3, fields.authors)] {
        for value in list {
            add(field, value);
        }
    }
    for heading in headings(fields.markdown) {
        add(4, heading);
    }
    add(5, fields.body);
    let words: Vec<&str> = counts.keys().map(|w| &**w).collect();
    let numbers = vocabulary.numbers(&words);
    let mut numbered: Vec<(u32, &[u16; FIELD_COUNT])> =
        numbers.into_iter().zip(counts.values()).collect();
    numbered.sort_unstable_by_key(|&(n, _)| n);
    let mut packed = Vec::with_capacity(numbered.len() * 4);
    let mut last = 0;
    for (number, c) in numbered {
        write_varint(&mut packed, number - last);
        last = number;
        let mask = c
            .iter()
            .enumerate()
            .fold(0u8, |m, (f, &n)| if n > 0 { m | 1 << f } else { m });
        packed.push(mask);
        for &n in c.iter().filter(|&&n| n > 0) {
            write_varint(&mut packed, u32::from(n));
        }
    }
    Analyzed {
        packed: packed.into(),
        lengths,
    }
}

/// The text of the ATX headings (`## Title`) of a markdown body, outside
/// fenced code. A line scan, not a parse: render already parsed the body
/// once, and a heading missed here is still found in the body field.
pub fn headings(markdown: &str) -> impl Iterator<Item = &str> {
    let mut fence: Option<&str> = None;
    markdown.lines().filter_map(move |line| {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                match fence {
                    None => fence = Some(marker),
                    Some(open) if open == marker => fence = None,
                    Some(_) => {}
                }
                return None;
            }
        }
        if fence.is_some() || line.len() - trimmed.len() > 3 {
            return None;
        }
        let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
        let rest = &trimmed[hashes..];
        if (1..=6).contains(&hashes) && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
            Some(rest.trim().trim_end_matches('#').trim_end())
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_in_the_fields_they_appear_in() {
        let md = "## Kafka Streams\n\n```\n# not a heading\n```\n#hashtag\nbody";
        let vocabulary = Vocabulary::default();
        let a = analyze(
            &Fields {
                title: "Event logs",
                aliases: &["Kafka".into()],
                tags: &["stream-processing".into()],
                authors: &["Ann Lee".into()],
                markdown: md,
                body: "Kafka keeps logs. logs!",
            },
            &vocabulary,
        );
        let words = vocabulary.words();
        let get = |w: &str| {
            a.iter()
                .find(|&(x, _)| &*words[x as usize] == w)
                .map(|(_, c)| c)
        };
        assert_eq!(get("kafka"), Some([0, 1, 0, 0, 1, 1]));
        assert_eq!(get("logs"), Some([1, 0, 0, 0, 0, 2]));
        assert_eq!(get("processing"), Some([0, 0, 1, 0, 0, 0]));
        assert_eq!(get("lee"), Some([0, 0, 0, 1, 0, 0]));
        assert_eq!(get("not"), None, "a comment in a code block is no heading");
        assert_eq!(a.lengths, [2, 1, 2, 2, 2, 4]);
    }

    #[test]
    fn notes_share_the_numbers_of_their_words() {
        let vocabulary = Vocabulary::default();
        let fields = |body| Fields {
            title: "",
            aliases: &[],
            tags: &[],
            authors: &[],
            markdown: "",
            body,
        };
        let a = analyze(&fields("kafka logs"), &vocabulary);
        let b = analyze(&fields("logs streams"), &vocabulary);
        let words = vocabulary.words();
        let named = |x: &Analyzed| -> Vec<String> {
            let mut w: Vec<String> = x
                .iter()
                .map(|(n, _)| words[n as usize].to_string())
                .collect();
            w.sort();
            w
        };
        assert_eq!(named(&a), ["kafka", "logs"]);
        assert_eq!(named(&b), ["logs", "streams"]);
        assert_eq!(words.len(), 3, "a word two notes share is numbered once");
    }
}
