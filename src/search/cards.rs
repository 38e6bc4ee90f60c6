//! What a result shows, loaded only for the results on screen: chunks of
//! `CARDS` consecutive notes (`c/<n>.js`, deflated), each note's card (url,
//! title, date, source, tags, authors) with the start of its text for
//! excerpts, and exact titles by hash (`h/<bucket>.js`) so a query equal to
//! a title can put that note first without loading every title (and URLs
//! by hash, `u/<bucket>.js`, to find a note's card by its page). A card's
//! summary is the start of its text, so the browser derives it ([`summary`],
//! as `search.js` does); only a note whose summary is not (its text was cut
//! inside the summary's last word) carries it.

use rayon::prelude::*;

use super::encode::{deflate64, js_strings, push_js_string};
use super::text::words;
use super::{SearchDoc, SearchFile};

/// Notes per chunk. A first query's 10 results load up to 10 chunks: 32
/// notes of card and text deflate to about 6 KB, which is what a result
/// costs; fewer notes a chunk would mean more files (a third of a file per
/// note at 4 a chunk, more than all the index's other files at 16).
pub const CARDS: usize = 32;
/// Characters of a note's text kept for excerpts: the summary and the
/// sentence or so after it. Every character costs 32 in a first query's
/// download; an excerpt around a word past them is the summary instead.
const TEXT_CHARS: usize = 300;
/// Bytes of a summary, at most, before its `…`.
pub const SUMMARY_BYTES: usize = 220;
/// Notes per bucket of title hashes, on average: a query loads one.
const PER_BUCKET: usize = 512;
/// Notes per bucket of URL hashes.
const URLS_PER_BUCKET: usize = 1024;

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
/// one's cards. A chunk is the JSON array of its notes' rows, deflated.
fn chunk_files(docs: &[&SearchDoc<'_>], first: usize) -> (Vec<SearchFile>, Vec<blake3::Hash>) {
    docs.par_chunks(CARDS)
        .enumerate()
        .map(|(n, chunk)| {
            let n = first + n;
            let mut cards = blake3::Hasher::new();
            let size: usize = chunk.iter().map(|d| d.text.len() + 400).sum();
            let mut rows = Vec::with_capacity(size);
            rows.push(b'[');
            for (i, d) in chunk.iter().enumerate() {
                rows.extend_from_slice(if i == 0 { b"[" } else { b",\n[" });
                let card = rows.len();
                for s in [
                    d.url,
                    d.title,
                    d.date.as_deref().unwrap_or(""),
                    d.source.unwrap_or(""),
                ] {
                    push_js_string(&mut rows, s);
                    rows.push(b',');
                }
                rows.extend_from_slice(js_strings(d.tags).as_bytes());
                rows.push(b',');
                rows.extend_from_slice(js_strings(d.authors).as_bytes());
                cards.update(&rows[card..]);
                rows.push(b',');
                push_js_string(&mut rows, &d.text);
                if summary(&d.text) != d.summary {
                    rows.push(b',');
                    push_js_string(&mut rows, d.summary);
                }
                rows.push(b']');
            }
            rows.push(b']');
            let file = SearchFile {
                path: format!("c/{n}.js"),
                bytes: format!("lore._c({n},\"{}\");\n", deflate64(&rows)).into_bytes(),
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

/// The start of a note's prose that excerpts are cut from, ended at a word
/// and with `…` if there is more, so an excerpt reaching its end says so.
pub fn excerpt_text(mut prose: String) -> String {
    if let Some((end, _)) = prose.char_indices().nth(TEXT_CHARS) {
        let end = prose[..end].rfind(char::is_whitespace).unwrap_or(end);
        prose.truncate(end);
        prose.push('…');
    }
    prose.shrink_to_fit();
    prose
}

/// Buckets of (hash, doc id): every title and alias, folded (`h/`, which
/// every query loads one of), and apart, every URL (`u/`, for `lore.card`
/// alone); with the number of buckets of each.
pub fn titles(docs: &[&SearchDoc<'_>]) -> (Vec<SearchFile>, usize, usize) {
    let titles = docs.len().div_ceil(PER_BUCKET).max(1);
    let mut lists: Vec<Vec<(u32, usize)>> = vec![Vec::new(); titles];
    for (id, d) in docs.iter().enumerate() {
        for name in std::iter::once(d.title).chain(d.aliases.iter().map(String::as_str)) {
            let h = title_hash(&words(name).join(" "));
            lists[h as usize % titles].push((h, id));
        }
    }
    let mut files = bucket_files("h", lists);
    let urls = docs.len().div_ceil(URLS_PER_BUCKET).max(1);
    let mut lists: Vec<Vec<(u32, usize)>> = vec![Vec::new(); urls];
    for (id, d) in docs.iter().enumerate() {
        let h = title_hash(&format!("url:{}", d.url));
        lists[h as usize % urls].push((h, id));
    }
    files.extend(bucket_files("u", lists));
    (files, titles, urls)
}

/// `<dir>/<bucket>.js`, each calling `lore._<dir>` with its sorted pairs.
fn bucket_files(dir: &str, lists: Vec<Vec<(u32, usize)>>) -> Vec<SearchFile> {
    lists
        .into_iter()
        .enumerate()
        .map(|(b, mut list)| {
            list.sort_unstable();
            list.dedup();
            let flat: Vec<String> = list.iter().map(|(h, id)| format!("{h},{id}")).collect();
            SearchFile {
                path: format!("{dir}/{b}.js"),
                bytes: format!("lore._{dir}({b},[{}]);\n", flat.join(",")).into_bytes(),
            }
        })
        .collect()
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

    /// The rows of a chunk file, inflated.
    pub fn rows(file: &SearchFile) -> Vec<Vec<serde_json::Value>> {
        let text = std::str::from_utf8(&file.bytes).unwrap();
        let b64 = &text[text.find('"').unwrap() + 1..text.rfind('"').unwrap()];
        serde_json::from_slice(&super::super::encode::inflate64(b64)).unwrap()
    }

    #[test]
    fn chunks_hold_32_notes_and_a_summary_only_where_the_text_cannot_give_it() {
        let long = "word ".repeat(100);
        let cut = summary(&long);
        let mut docs = vec![
            doc("a.html", "Short text.", "Short text."),
            doc("b.html", &cut, &long),
            // Its text was cut inside a word its summary ends before.
            doc("c.html", "Cut…", "Cut"),
        ];
        docs.extend((docs.len()..=CARDS).map(|_| doc("d.html", "", "")));
        let files: Vec<SearchFile> = parts(&docs).into_iter().flatten().collect();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["c/0.js", "c/1.js"]);
        assert!(files[0].bytes.starts_with(b"lore._c(0,\""));
        let rows = rows(&files[0]);
        assert_eq!(rows.len(), CARDS);
        assert_eq!(
            rows[..4].iter().map(Vec::len).collect::<Vec<_>>(),
            [7, 7, 8, 7]
        );
        assert_eq!(rows[1][0], "b.html");
        assert_eq!(rows[1][6], long.as_str());
        assert_eq!(rows[2][7], "Cut…");
        assert_eq!(self::rows(&files[1])[0][0], "d.html");
        assert!(cut.ends_with('…') && cut.len() <= SUMMARY_BYTES + '…'.len_utf8());
    }

    #[test]
    fn the_text_kept_for_excerpts_is_the_start_of_a_note_ended_at_a_word() {
        let prose = "alpha beta ".repeat(100);
        let kept = excerpt_text(prose.clone());
        let start = kept.strip_suffix('…').unwrap();
        assert!(
            prose.starts_with(start) && start.ends_with("beta"),
            "{kept}"
        );
        assert!(start.len() <= TEXT_CHARS && start.len() > TEXT_CHARS - 12);
        assert_eq!(summary(&kept), summary(&prose), "the summary is in it");
        assert_eq!(excerpt_text("short".into()), "short");
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
