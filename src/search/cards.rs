//! What a result shows, loaded only for the results on screen: chunks of
//! `CARDS` consecutive notes (`c/<n>.js`), each note's card (url, title,
//! date, source, tags, authors) with the start of its text for excerpts,
//! and exact titles by hash (`h/<bucket>.js`) so a query equal to a title
//! can put that note first without loading every title. A card's summary
//! is the start of its text, so the browser derives it ([`summary`], as
//! `search.js` does); only a note whose summary is not (its text was cut
//! inside the summary's last word) carries it.

use rayon::prelude::*;

use super::encode::{js_strings, push_js_string};
use super::text::words;
use super::{SearchDoc, SearchFile};

/// Notes per chunk. A first query's 10 results load up to 10 chunks, so
/// a chunk holds little more than the note a result needs; fewer files
/// than one per note keep a build's file creation down.
pub const CARDS: usize = 4;
/// Characters of a note's text kept for excerpts.
const TEXT_CHARS: usize = 2_000;
/// Bytes of a summary, at most, before its `…`.
pub const SUMMARY_BYTES: usize = 220;
/// Titles per hash bucket, on average.
const PER_BUCKET: usize = 128;

/// Chunks made before they are handed on together: the chunks hold most
/// of the index's bytes, which need not all be held at once.
const CHUNKS_PER_EMIT: usize = 1024;

/// Hands the chunk files to `emit` as they are made; returns a hash of
/// everything in them but the excerpt text (for the index's version: a
/// stale excerpt misleads no ranking, and the text is most of the bytes).
pub fn chunks<E>(
    docs: &[&SearchDoc<'_>],
    emit: &mut dyn FnMut(Vec<SearchFile>) -> Result<(), E>,
) -> Result<blake3::Hash, E> {
    let mut all = blake3::Hasher::new();
    for (block, docs) in docs.chunks(CARDS * CHUNKS_PER_EMIT).enumerate() {
        let (files, hashes) = chunk_files(docs, block * CHUNKS_PER_EMIT);
        for h in &hashes {
            all.update(h.as_bytes());
        }
        emit(files)?;
    }
    Ok(all.finalize())
}

/// The chunk files of `docs`, numbered from `first`, with the hash of each
/// one's cards.
fn chunk_files(docs: &[&SearchDoc<'_>], first: usize) -> (Vec<SearchFile>, Vec<blake3::Hash>) {
    docs.par_chunks(CARDS)
        .enumerate()
        .map(|(n, chunk)| {
            let n = first + n;
            let mut cards = blake3::Hasher::new();
            let size: usize = chunk.iter().map(|d| d.text.len() + 400).sum();
            let mut out = Vec::with_capacity(size);
            out.extend_from_slice(format!("lore._c({n},[").as_bytes());
            for (i, d) in chunk.iter().enumerate() {
                out.extend_from_slice(if i == 0 { b"[" } else { b",\n[" });
                let card = out.len();
                for s in [
                    d.url,
                    d.title,
                    d.date.as_deref().unwrap_or(""),
                    d.source.unwrap_or(""),
                ] {
                    push_js_string(&mut out, s);
                    out.push(b',');
                }
                out.extend_from_slice(js_strings(d.tags).as_bytes());
                out.push(b',');
                out.extend_from_slice(js_strings(d.authors).as_bytes());
                cards.update(&out[card..]);
                out.push(b',');
                push_js_string(&mut out, &d.text);
                if summary(&d.text) != d.summary {
                    out.push(b',');
                    push_js_string(&mut out, d.summary);
                }
                out.push(b']');
            }
            out.extend_from_slice(b"]);\n");
            let file = SearchFile {
                path: format!("c/{n}.js"),
                bytes: out,
            };
            (file, cards.finalize())
        })
        .unzip()
}

/// The first sentences of a note's text, cut at a word boundary: what
/// lists and feeds show of a note, and `lore.card`'s summary.
pub fn summary(text: &str) -> String {
    let mut out = String::with_capacity(SUMMARY_BYTES + 3);
    for word in text.split_whitespace() {
        if out.len() + word.len() + 1 > SUMMARY_BYTES {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The start of a note's prose that excerpts are cut from, ended at a word.
pub fn excerpt_text(mut prose: String) -> String {
    if let Some((end, _)) = prose.char_indices().nth(TEXT_CHARS) {
        let end = prose[..end].rfind(char::is_whitespace).unwrap_or(end);
        prose.truncate(end);
    }
    prose.shrink_to_fit();
    prose
}

/// Buckets of (hash, doc id): every title and alias, folded, and every URL.
pub fn titles(docs: &[&SearchDoc<'_>]) -> (Vec<SearchFile>, usize) {
    let buckets = docs.len().div_ceil(PER_BUCKET).max(1);
    let mut lists: Vec<Vec<(u32, usize)>> = vec![Vec::new(); buckets];
    for (id, d) in docs.iter().enumerate() {
        // A page by its URL, for lore.card (no folded title has a colon).
        let h = title_hash(&format!("url:{}", d.url));
        lists[h as usize % buckets].push((h, id));
        for name in std::iter::once(d.title).chain(d.aliases.iter().map(String::as_str)) {
            let h = title_hash(&words(name).join(" "));
            lists[h as usize % buckets].push((h, id));
        }
    }
    let files = lists
        .into_iter()
        .enumerate()
        .map(|(b, mut list)| {
            list.sort_unstable();
            list.dedup();
            let flat: Vec<String> = list.iter().map(|(h, id)| format!("{h},{id}")).collect();
            SearchFile {
                path: format!("h/{b}.js"),
                bytes: format!("lore._h({b},[{}]);\n", flat.join(",")).into_bytes(),
            }
        })
        .collect();
    (files, buckets)
}

/// FNV-1a over UTF-16 code units, as search.js computes it.
pub fn title_hash(folded: &str) -> u32 {
    folded.encode_utf16().fold(0x811c_9dc5u32, |h, unit| {
        (h ^ u32::from(unit)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(url: &'a str, summary: &'a str, text: &str) -> SearchDoc<'a> {
        SearchDoc {
            url,
            title: "T",
            date: None,
            source: None,
            tags: &[],
            authors: &[],
            aliases: &[],
            summary,
            text: text.into(),
            words: Default::default(),
        }
    }

    #[test]
    fn chunks_hold_four_notes_and_a_summary_only_where_the_text_cannot_give_it() {
        let long = "word ".repeat(100);
        let cut = summary(&long);
        let docs = [
            doc("a.html", "Short text.", "Short text."),
            doc("b.html", &cut, &long),
            // Its text was cut inside a word its summary ends before.
            doc("c.html", "Cut…", "Cut"),
            doc("d.html", "", ""),
            doc("e.html", "", ""),
        ];
        let files: Vec<SearchFile> = parts(&docs).into_iter().flatten().collect();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["c/0.js", "c/1.js"]);
        let first = String::from_utf8(files[0].bytes.clone()).unwrap();
        let rows: Vec<Vec<serde_json::Value>> =
            serde_json::from_str(&first["lore._c(0,".len()..first.len() - 3]).unwrap();
        assert_eq!(rows.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 8, 7]);
        assert_eq!(rows[1][6], long.as_str());
        assert_eq!(rows[2][7], "Cut…");
        assert!(cut.ends_with('…') && cut.len() <= SUMMARY_BYTES + '…'.len_utf8());
    }

    /// The chunk files of `docs`, as `chunks` hands them on, part by part.
    fn parts(docs: &[SearchDoc<'_>]) -> Vec<Vec<SearchFile>> {
        let refs: Vec<&SearchDoc<'_>> = docs.iter().collect();
        let mut parts = Vec::new();
        chunks(&refs, &mut |made| {
            parts.push(made);
            Ok::<(), ()>(())
        })
        .unwrap();
        parts
    }

    #[test]
    fn chunks_handed_on_in_parts_are_numbered_on_from_part_to_part() {
        let docs: Vec<SearchDoc<'_>> = (0..CARDS * CHUNKS_PER_EMIT + 1)
            .map(|_| doc("a.html", "", ""))
            .collect();
        let parts = parts(&docs);
        assert_eq!(parts.len(), 2, "one note more than a part holds");
        let last = &parts[1][0];
        assert_eq!(last.path, format!("c/{CHUNKS_PER_EMIT}.js"));
        assert!(
            last.bytes
                .starts_with(format!("lore._c({CHUNKS_PER_EMIT},").as_bytes())
        );
    }
}
