//! One note's words, counted per field. Runs inside render's parallel pass
//! over notes, so a note's plain text is counted and dropped at once.

use rustc_hash::FxHashMap as HashMap;

use std::sync::Arc;

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

/// A note's words (folded, not stemmed yet) with their count in each
/// field, and the length of each field in words. Packed, because a build
/// holds one per note at once: the words sorted and joined by `\n`, and per
/// word a byte saying which fields have it followed by those counts as
/// varints (about two bytes a word instead of a 40-byte entry).
#[derive(Debug, Default, Clone)]
pub struct Analyzed {
    /// Shared, like the counts: `lore serve` keeps them from build to build.
    words: Arc<str>,
    counts: Arc<[u8]>,
    pub lengths: [u32; FIELD_COUNT],
}

impl Analyzed {
    /// Each word with its count per field, in word order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, [u32; FIELD_COUNT])> {
        let mut at = 0;
        let counts = &self.counts;
        self.words
            .split('\n')
            .filter(|w| !w.is_empty())
            .map(move |w| {
                let mask = counts.get(at).copied().unwrap_or(0);
                at += 1;
                let mut c = [0u32; FIELD_COUNT];
                for (field, slot) in c.iter_mut().enumerate() {
                    if mask & (1 << field) != 0 {
                        *slot = super::encode::read_varint(counts, &mut at);
                    }
                }
                (w, c)
            })
    }
}

/// Counts the words of every field of a note.
pub fn analyze(fields: &Fields<'_>) -> Analyzed {
    let mut counts: HashMap<Box<str>, [u16; FIELD_COUNT]> = HashMap::default();
    let mut lengths = [0u32; FIELD_COUNT];
    let mut add = |field: usize, text: &str| {
        for_each_word(text, |w| {
            lengths[field] += 1;
            match counts.get_mut(w) {
                Some(c) => c[field] = c[field].saturating_add(1),
                None => {
                    let mut c = [0; FIELD_COUNT];
                    c[field] = 1;
                    counts.insert(w.into(), c);
                }
            }
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
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut words = String::with_capacity(sorted.iter().map(|(w, _)| w.len() + 1).sum());
    let mut packed = Vec::with_capacity(sorted.len() * 2);
    for (word, c) in &sorted {
        words.push_str(word);
        words.push('\n');
        let mask = c
            .iter()
            .enumerate()
            .fold(0u8, |m, (f, &n)| if n > 0 { m | 1 << f } else { m });
        packed.push(mask);
        for &n in c.iter().filter(|&&n| n > 0) {
            super::encode::write_varint(&mut packed, u32::from(n));
        }
    }
    Analyzed {
        words: words.into(),
        counts: packed.into(),
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
        let a = analyze(&Fields {
            title: "Event logs",
            aliases: &["Kafka".into()],
            tags: &["stream-processing".into()],
            authors: &["Ann Lee".into()],
            markdown: md,
            body: "Kafka keeps logs. logs!",
        });
        let get = |w: &str| a.iter().find(|(x, _)| *x == w).map(|(_, c)| c);
        assert_eq!(get("kafka"), Some([0, 1, 0, 0, 1, 1]));
        assert_eq!(get("logs"), Some([1, 0, 0, 0, 0, 2]));
        assert_eq!(get("processing"), Some([0, 0, 1, 0, 0, 0]));
        assert_eq!(get("lee"), Some([0, 0, 0, 1, 0, 0]));
        assert_eq!(get("not"), None, "a comment in a code block is no heading");
        assert_eq!(a.lengths, [2, 1, 2, 2, 2, 4]);
    }
}
