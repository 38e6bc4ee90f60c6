//! Link previews: the title, date and summary of every note, cut into
//! small shards (`previews/<k>.js`, classic scripts, so they load from
//! `file://`) that `static/preview.js` fetches when a link to a note is
//! hovered or focused. A note's shard is a hash of its page's URL, so the
//! script finds it with no index; a shard holds about [`PER_SHARD`] notes,
//! so a hover costs a few kilobytes at any size of knowledge base.

use std::collections::BTreeMap;

use super::OutputFile;

/// Notes per shard, on average.
const PER_SHARD: usize = 64;

/// One note as its preview shows it.
pub struct Preview<'a> {
    /// Site-relative URL of its page (`notes/x.html`).
    pub url: &'a str,
    pub title: &'a str,
    /// As pages show it ("3 May 2024"), or empty.
    pub date: String,
    pub summary: &'a str,
}

/// How many shards `notes` previews make (at least one).
pub fn shard_count(notes: usize) -> usize {
    notes.div_ceil(PER_SHARD).max(1)
}

/// The shard of a page: FNV-1a (32 bits) of its URL's UTF-8 bytes, as
/// `preview.js` computes it.
pub fn shard_of(url: &str, shards: usize) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in url.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % shards.max(1)
}

/// Every shard file. Each sets `window.LORE_PREVIEWS[k]` to an object of
/// URL → `[title, date, summary]`; the JSON cannot close a script element.
pub fn files(previews: &[Preview<'_>]) -> Vec<OutputFile> {
    let shards = shard_count(previews.len());
    let mut grouped: Vec<BTreeMap<&str, [&str; 3]>> = vec![BTreeMap::new(); shards];
    for p in previews {
        grouped[shard_of(p.url, shards)].insert(p.url, [p.title, &p.date, p.summary]);
    }
    grouped
        .into_iter()
        .enumerate()
        .map(|(k, notes)| {
            let json = super::script_safe_json(&serde_json::json!(notes));
            OutputFile {
                path: format!("previews/{k}.js"),
                bytes: format!("(window.LORE_PREVIEWS=window.LORE_PREVIEWS||{{}})[{k}]={json};\n")
                    .into_bytes(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a_as_the_script_computes_it() {
        // FNV-1a 32 of "a" is 0xe40c292c.
        assert_eq!(shard_of("a", usize::MAX), 0xe40c_292c);
        assert_eq!(shard_of("notes/x.html", 1), 0);
    }

    #[test]
    fn every_note_is_in_the_shard_its_url_names_and_nothing_closes_the_script() {
        let previews: Vec<Preview<'_>> = (0..200)
            .map(|_| Preview {
                url: "",
                title: "</script><script>alert(1)</script>",
                date: String::new(),
                summary: "s",
            })
            .collect();
        let urls: Vec<String> = (0..200).map(|i| format!("notes/n{i}.html")).collect();
        let previews: Vec<Preview<'_>> = previews
            .into_iter()
            .zip(&urls)
            .map(|(p, url)| Preview { url, ..p })
            .collect();
        let files = files(&previews);
        assert_eq!(files.len(), shard_count(200));
        assert_eq!(files.len(), 4);
        for url in &urls {
            let k = shard_of(url, files.len());
            let text = String::from_utf8(files[k].bytes.clone()).unwrap();
            assert!(text.contains(&format!("\"{url}\":[")), "{url} in shard {k}");
        }
        for f in &files {
            let text = String::from_utf8(f.bytes.clone()).unwrap();
            assert!(!text.contains("</script"), "{text}");
        }
    }
}
