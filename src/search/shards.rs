//! Term shards: every word and stem, sorted, cut into scripts of about
//! `SHARD_BYTES`. A word the notes contain names its stem (when the stem
//! differs); a stem carries its notes: the `INLINE` best inline (enough
//! for a first page of a one-word query), and when there are more, all of
//! them in a tail, loaded only when a query needs them. Tails of stems
//! next to each other (so those a prefix expands to) share a file
//! `p/<n>.js`, deflated, of about `TAIL_BYTES` before deflating: a file
//! per stem would be most of the index's files.

use rayon::prelude::*;

use super::SearchFile;
use super::encode::{base64, deflate64, js_string, js_strings, write_ids, write_varint};
use super::score::Scored;
use super::text::js_cmp;

/// Raw bytes after which a shard is closed (about 10 KB gzipped).
const SHARD_BYTES: usize = 20_000;
/// Notes listed inline per stem, best first.
pub const INLINE: usize = 32;
/// Bytes of tails (varint ids and one-byte impacts) after which a tail
/// file is closed: about 17 KB deflated, the size of one long tail at
/// 10,000 notes.
const TAIL_BYTES: usize = 48_000;

/// One key of the term dictionary.
struct Key<'a> {
    text: &'a str,
    /// The stem a word files under, when it is another key.
    redirect: Option<u32>,
    /// The stem this key is, if it is one.
    stem: Option<u32>,
}

/// The shard files, the tail files and the first key of every shard.
pub fn write(scored: &Scored) -> (Vec<SearchFile>, Vec<String>) {
    let keys = keys(scored);
    let (tails, tail_of) = tails(scored);
    let inline: Vec<Vec<u8>> = (0..scored.stems.len())
        .into_par_iter()
        .map(|stem| inline(scored, stem, tail_of[stem]))
        .collect();
    let mut files = Vec::new();
    let mut firsts = Vec::new();
    let mut chunk = Chunk::default();
    for key in &keys {
        if chunk.bytes() >= SHARD_BYTES {
            files.push(chunk.finish(firsts.len() - 1));
            chunk = Chunk::default();
        }
        if chunk.keys.is_empty() {
            firsts.push(key.text.to_owned());
        }
        chunk.add(key, scored, &inline);
    }
    if !chunk.keys.is_empty() || firsts.is_empty() {
        if firsts.is_empty() {
            firsts.push(String::new());
        }
        files.push(chunk.finish(firsts.len() - 1));
    }
    drop(inline);
    files.par_extend(
        tails
            .into_par_iter()
            .enumerate()
            .map(|(n, bytes)| SearchFile {
                path: format!("p/{n}.js"),
                bytes: format!("lore._p({n},\"{}\");\n", deflate64(&bytes)).into_bytes(),
            }),
    );
    (files, firsts)
}

/// The tail files' bytes (per stem with more than `INLINE` notes: the
/// stem, its note count, all its ids as gaps and their impacts) and, per
/// stem, the number of the file its tail is in (`NO_TAIL` if none).
fn tails(scored: &Scored) -> (Vec<Vec<u8>>, Vec<u32>) {
    let each: Vec<Option<Vec<u8>>> = (0..scored.stems.len())
        .into_par_iter()
        .map(|stem| {
            let (ids, impacts) = scored.postings(stem);
            (ids.len() > INLINE).then(|| {
                let mut bytes = Vec::with_capacity(ids.len() * 3 + 8);
                write_varint(&mut bytes, stem as u32);
                write_varint(&mut bytes, ids.len() as u32);
                write_ids(&mut bytes, ids.iter().copied());
                bytes.extend_from_slice(impacts);
                bytes
            })
        })
        .collect();
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut tail_of = vec![NO_TAIL; each.len()];
    for (stem, bytes) in each.into_iter().enumerate() {
        let Some(bytes) = bytes else { continue };
        match files.last_mut() {
            Some(last) if last.len() < TAIL_BYTES => last.extend_from_slice(&bytes),
            _ => files.push(bytes),
        }
        tail_of[stem] = (files.len() - 1) as u32;
    }
    (files, tail_of)
}

/// A stem whose notes are all inline.
const NO_TAIL: u32 = u32::MAX;

/// What a stem's key carries in its shard: `df`, the stem's id, the file
/// of its tail if it has one, and its `INLINE` best notes as ascending id
/// gaps and their impacts.
fn inline(scored: &Scored, stem: usize, tail: u32) -> Vec<u8> {
    let (ids, impacts) = scored.postings(stem);
    let mut best: Vec<usize> = (0..ids.len()).collect();
    if best.len() > INLINE {
        // Best first, earlier first among equals: a total order, so the
        // `INLINE` best are the same as after a full sort, in linear time.
        best.select_nth_unstable_by(INLINE - 1, |&a, &b| {
            impacts[b].cmp(&impacts[a]).then(a.cmp(&b))
        });
        best.truncate(INLINE);
        best.sort_unstable();
    }
    let mut bytes = Vec::with_capacity(8 + best.len() * 3);
    write_varint(&mut bytes, ids.len() as u32);
    write_varint(&mut bytes, stem as u32);
    if tail != NO_TAIL {
        write_varint(&mut bytes, tail);
    }
    write_ids(&mut bytes, best.iter().map(|&i| ids[i]));
    bytes.extend(best.iter().map(|&i| impacts[i]));
    bytes
}

/// Words and stems merged into one sorted list.
fn keys(scored: &Scored) -> Vec<Key<'_>> {
    let mut keys = Vec::with_capacity(scored.words.len() + scored.stems.len() / 4);
    let (mut w, mut s) = (0, 0);
    while w < scored.words.len() || s < scored.stems.len() {
        let word = scored.words.get(w).map(|x| &**x);
        let stem = scored.stems.get(s).map(|x| &**x);
        let order = match (word, stem) {
            (Some(a), Some(b)) => js_cmp(a, b),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let text = if order.is_gt() { stem } else { word }.unwrap_or_default();
        let mut key = Key {
            text,
            redirect: None,
            stem: None,
        };
        if order.is_le() {
            let target = scored.stem_of[w];
            if &*scored.stems[target as usize] != text {
                key.redirect = Some(target);
            }
            w += 1;
        }
        if order.is_ge() {
            key.stem = Some(s as u32);
            s += 1;
        }
        keys.push(key);
    }
    keys
}

#[derive(Default)]
struct Chunk {
    keys: Vec<String>,
    redirects: Vec<String>,
    bytes: Vec<u8>,
    text_bytes: usize,
}

impl Chunk {
    fn bytes(&self) -> usize {
        self.text_bytes + self.bytes.len() * 4 / 3
    }

    /// Per key: 0 if it has no notes of its own, else its stem's
    /// [`inline`] bytes. A word filed under another stem has `[stem, df]`
    /// in the redirects.
    fn add(&mut self, key: &Key<'_>, scored: &Scored, inline: &[Vec<u8>]) {
        self.text_bytes += key.text.len() + 3;
        self.keys.push(key.text.to_owned());
        match key.redirect {
            Some(target) => {
                let df = scored.postings(target as usize).0.len();
                let stem = &*scored.stems[target as usize];
                let r = format!("[{},{df}]", js_string(stem));
                self.text_bytes += r.len() + 1;
                self.redirects.push(r);
            }
            None => {
                self.text_bytes += 2;
                self.redirects.push("0".into());
            }
        }
        match key.stem {
            Some(stem) => self.bytes.extend_from_slice(&inline[stem as usize]),
            None => self.bytes.push(0),
        }
    }

    fn finish(self, n: usize) -> SearchFile {
        let script = format!(
            "lore._t({n},{},[{}],\"{}\");\n",
            js_strings(&self.keys),
            self.redirects.join(","),
            base64(&self.bytes)
        );
        SearchFile {
            path: format!("t/{n}.js"),
            bytes: script.into_bytes(),
        }
    }
}
