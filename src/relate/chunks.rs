//! Phase 1: term counts per chunk of documents, with chunk-local
//! vocabularies merged afterwards into global ids.

use super::*;

/// Term counts of a run of documents, with ids local to the chunk.
#[derive(Default)]
pub(super) struct Chunk {
    /// Local term id → term (text terms, `#tag`, `@author`).
    pub(super) terms: Vec<Box<str>>,
    /// Local term id → number of the chunk's documents using it.
    pub(super) df: Vec<u32>,
    /// Per document, the end of its entries in `text`.
    pub(super) text_ends: Vec<usize>,
    /// Per document and term, varints: `local_term << 1 | in_title`, the
    /// body count, then the title count if `in_title`. The biggest buffer of
    /// the whole stage, hence the packing (about 3 to 4 bytes a term).
    pub(super) text: Vec<u8>,
    /// Per document, the end of its entries in `special`.
    pub(super) special_ends: Vec<usize>,
    /// (local term, tag or author factor).
    pub(super) special: Vec<(u32, f32)>,
    /// Per document, how many body tokens (not stop words) it has: the
    /// length passing mentions are measured against, and what tells a stub.
    pub(super) body_lens: Vec<u32>,
}

impl Chunk {
    /// Each document's counts, in order.
    pub(super) fn docs(&self) -> impl Iterator<Item = Counts<'_>> {
        fn starts(ends: &[usize]) -> impl Iterator<Item = usize> + '_ {
            std::iter::once(0).chain(ends.iter().copied())
        }
        starts(&self.text_ends)
            .zip(&self.text_ends)
            .zip(starts(&self.special_ends).zip(&self.special_ends))
            .zip(&self.body_lens)
            .map(
                |(((text_start, &text_end), (special_start, &special_end)), &len)| Counts {
                    text: self.text.get(text_start..text_end).unwrap_or_default(),
                    special: self
                        .special
                        .get(special_start..special_end)
                        .unwrap_or_default(),
                    len,
                },
            )
    }
}

/// Where a token was read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Title,
    Body,
    /// A heading's words, read a second time on top of the body: a note's
    /// headings say what it is about ("Browser tools MCP", "Generalists are
    /// back"), the rest of the body also what it passes by. They count twice
    /// as a body word, and not towards the body's length.
    Heading,
}

pub(super) struct ChunkBuilder {
    /// Raw lowercase token → its slot in `tf`: local term id + 1, or
    /// `STOP_SLOT` for a stop word.
    pub(super) raw: RawTable,
    /// Term → local term id.
    pub(super) terms: FastMap<Box<str>, u32>,
    /// Slot → (body, title) counts in the current document. `STOP_SLOT`
    /// counts stop words and is never read: a stop word takes the same path
    /// as a term, with no branch to mispredict (about a third of the tokens
    /// of prose are stop words, in no pattern a predictor can learn).
    pub(super) tf: Vec<[u32; 2]>,
    /// Slots of the terms of the current document, in order of first
    /// occurrence: the first `n_touched` (written without a branch, as a
    /// term is new to a document in no predictable pattern either).
    pub(super) touched: Vec<u32>,
    pub(super) n_touched: usize,
    /// Body tokens of the current document so far.
    pub(super) body_len: u32,
    pub(super) out: Chunk,
}

/// The `tf` slot of stop words. Its counts start at 1, so it never looks
/// new to a document and never enters `touched`.
const STOP_SLOT: u32 = 0;

impl ChunkBuilder {
    pub(super) fn new() -> Self {
        ChunkBuilder {
            raw: RawTable::new(),
            terms: FastMap::default(),
            tf: vec![[1, 1]],
            touched: Vec::new(),
            n_touched: 0,
            body_len: 0,
            out: Chunk::default(),
        }
    }

    pub(super) fn intern(&mut self, term: String) -> u32 {
        if let Some(&id) = self.terms.get(term.as_str()) {
            return id;
        }
        let id = self.out.df.len() as u32;
        self.terms.insert(term.into_boxed_str(), id);
        self.out.df.push(0);
        self.tf.push([0, 0]);
        id
    }

    #[inline]
    pub(super) fn add_token(&mut self, token: &str, head: u128, field: Field) {
        let key = token.as_bytes();
        let hash = hash_token(head, key);
        let slot = match self.raw.get(key, head, hash) {
            Some(slot) => slot,
            None => {
                let slot = if is_stop_word(token) {
                    STOP_SLOT
                } else {
                    self.intern(stem(token)) + 1
                };
                self.raw.insert(key, head, hash, slot);
                slot
            }
        };
        let Some(tf) = self.tf.get_mut(slot as usize) else {
            return;
        };
        let new = *tf == [0, 0];
        let [body, title] = tf;
        let count = if field == Field::Title { title } else { body };
        *count = count.saturating_add(1);
        self.body_len += u32::from(field == Field::Body && slot != STOP_SLOT);
        if self.n_touched == self.touched.len() {
            self.touched.push(0);
        }
        if let Some(at) = self.touched.get_mut(self.n_touched) {
            *at = slot;
        }
        self.n_touched += usize::from(new);
    }

    pub(super) fn end_text(&mut self) {
        let touched = self.touched.get(..self.n_touched).unwrap_or_default();
        for &slot in touched {
            let Some(tf) = self.tf.get_mut(slot as usize) else {
                continue;
            };
            let [body, title] = std::mem::take(tf);
            let term = slot - 1;
            if let Some(df) = self.out.df.get_mut(term as usize) {
                *df += 1;
            }
            let text = &mut self.out.text;
            put_varint(text, u64::from(term) << 1 | u64::from(title > 0));
            put_varint(text, u64::from(body));
            if title > 0 {
                put_varint(text, u64::from(title));
            }
        }
        self.n_touched = 0;
        self.out.text_ends.push(self.out.text.len());
        self.out.body_lens.push(std::mem::take(&mut self.body_len));
    }

    pub(super) fn add_specials(&mut self, prefix: char, values: &[String], factor: f32) {
        if factor <= 0.0 {
            return;
        }
        let doc_start = self.out.special_ends.last().copied().unwrap_or(0);
        for value in values.iter().take(MAX_SPECIALS) {
            let Some(key) = special_key(prefix, value) else {
                continue;
            };
            let id = self.intern(key);
            let seen = self
                .out
                .special
                .get(doc_start..)
                .is_some_and(|s| s.iter().any(|&(t, _)| t == id));
            if !seen {
                if let Some(df) = self.out.df.get_mut(id as usize) {
                    *df += 1;
                }
                self.out.special.push((id, factor));
            }
        }
    }
}

pub(super) fn build_chunk(docs: &[RelateDoc<'_>], weights: &Weights) -> Chunk {
    let mut b = ChunkBuilder::new();
    let mut buf = String::new();
    for doc in docs {
        tokenize(doc.title, &mut buf, |t, h| b.add_token(t, h, Field::Title));
        tokenize(doc.body, &mut buf, |t, h| b.add_token(t, h, Field::Body));
        for heading in headings(doc.body) {
            tokenize(heading, &mut buf, |t, h| b.add_token(t, h, Field::Heading));
        }
        b.end_text();
        b.add_specials('#', doc.tags, weights.tag);
        b.add_specials('@', doc.authors, weights.author);
        b.out.special_ends.push(b.out.special.len());
    }
    let mut terms = vec![Box::<str>::default(); b.out.df.len()];
    for (term, id) in b.terms {
        if let Some(slot) = terms.get_mut(id as usize) {
            *slot = term;
        }
    }
    b.out.terms = terms;
    b.out
}

/// The text of a markdown body's ATX headings (`## Setup` → ` Setup`),
/// outside fenced code (where `# …` is a shell or Python comment) and
/// indented code. Found from the body's `#`, `` ` `` and `~` bytes (one
/// memchr scan), not line by line: this reads every body of the knowledge
/// base once more.
pub(super) fn headings(body: &str) -> impl Iterator<Item = &str> {
    let bytes = body.as_bytes();
    let mut in_fence = false;
    memchr::memchr3_iter(b'#', b'`', b'~', bytes).filter_map(move |at| {
        line_start(bytes, at)?;
        let rest = body.get(at..)?;
        if !rest.starts_with('#') {
            if rest.starts_with("```") || rest.starts_with("~~~") {
                in_fence = !in_fence;
            }
            return None;
        }
        if in_fence {
            return None;
        }
        let text = rest
            .find('\n')
            .and_then(|end| rest.get(..end))
            .unwrap_or(rest);
        let words = text.trim_start_matches('#');
        let level = text.len() - words.len();
        ((1..=6).contains(&level) && (words.is_empty() || words.starts_with([' ', '\t'])))
            .then_some(words)
    })
}

/// The start of the line holding `at` if at most three spaces come before
/// `at` on it (where markdown lets a heading or a fence begin).
fn line_start(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    while i > 0 && at - i < 3 && bytes.get(i - 1) == Some(&b' ') {
        i -= 1;
    }
    (i == 0 || bytes.get(i - 1) == Some(&b'\n')).then_some(i)
}

/// Global document frequencies and, per chunk, local id → global id. Global
/// ids follow the first occurrence of each term in the document sequence.
pub(super) fn merge_vocabularies(chunks: &[Chunk]) -> (Vec<u32>, Vec<Vec<u32>>) {
    let capacity = chunks.iter().map(|c| c.terms.len()).max().unwrap_or(0);
    let mut global: FastMap<&str, u32> =
        HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default());
    let mut df: Vec<u32> = Vec::with_capacity(capacity);
    let remaps = chunks
        .iter()
        .map(|chunk| {
            chunk
                .terms
                .iter()
                .zip(&chunk.df)
                .map(|(term, &local_df)| {
                    let id = *global.entry(term).or_insert_with(|| {
                        df.push(0);
                        (df.len() - 1) as u32
                    });
                    if let Some(d) = df.get_mut(id as usize) {
                        *d = d.saturating_add(local_df);
                    }
                    id
                })
                .collect()
        })
        .collect();
    (df, remaps)
}
