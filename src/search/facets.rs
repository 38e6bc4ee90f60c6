//! Filters: every tag, author, source and year with its note count
//! (`f/values.js`, loaded when filters are first asked for), and per value
//! the ascending ids of its notes, packed into chunks by facet
//! (`f/<facet>-<n>.js`), so a selected value costs one small script.

use std::collections::BTreeMap;

use super::encode::{base64, js_string, write_ids};
use super::{SearchDoc, SearchFile};

/// Raw bytes after which a chunk of value lists is closed.
const CHUNK_BYTES: usize = 16_000;
pub const FACETS: [&str; 4] = ["tags", "authors", "sources", "years"];

pub fn write(docs: &[&SearchDoc<'_>]) -> Vec<SearchFile> {
    let mut files = Vec::new();
    let mut dictionary = Vec::new();
    for facet in FACETS {
        let mut by_value: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut values: Vec<&str> = Vec::new();
        for (id, d) in docs.iter().enumerate() {
            values.clear();
            match facet {
                "tags" => values.extend(d.tags.iter().map(String::as_str)),
                "authors" => values.extend(d.authors.iter().map(String::as_str)),
                "sources" => values.extend(d.source),
                _ => values.extend(d.date.iter().filter_map(|x| x.get(..4))),
            }
            values.sort_unstable();
            values.dedup();
            for &v in &values {
                by_value.entry(v).or_default().push(id as u32);
            }
        }
        let mut values: Vec<(&str, Vec<u32>)> = by_value.into_iter().collect();
        // Most common first; years newest first.
        if facet == "years" {
            values.reverse();
        } else {
            values.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
        }
        let mut entries = Vec::new();
        let mut chunk: Vec<String> = Vec::new();
        let mut chunk_start = 0;
        let mut chunk_bytes = 0;
        let mut n = 0;
        for (i, (name, ids)) in values.iter().enumerate() {
            if chunk_bytes >= CHUNK_BYTES {
                files.push(list_file(facet, n, chunk_start, &chunk));
                chunk.clear();
                chunk_bytes = 0;
                chunk_start = i;
                n += 1;
            }
            let mut bytes = Vec::new();
            write_ids(&mut bytes, ids.iter().copied());
            let encoded = base64(&bytes);
            chunk_bytes += encoded.len() + 3;
            chunk.push(encoded);
            entries.push(format!("[{},{},{n}]", js_string(name), ids.len()));
        }
        if !chunk.is_empty() {
            files.push(list_file(facet, n, chunk_start, &chunk));
        }
        dictionary.push(format!("{facet}:[{}]", entries.join(",")));
    }
    files.push(SearchFile {
        path: "f/values.js".into(),
        bytes: format!("lore._f({{{}}});\n", dictionary.join(",\n")).into_bytes(),
    });
    files
}

fn list_file(facet: &str, n: usize, start: usize, lists: &[String]) -> SearchFile {
    let quoted: Vec<String> = lists.iter().map(|l| format!("\"{l}\"")).collect();
    SearchFile {
        path: format!("f/{facet}-{n}.js"),
        bytes: format!("lore._l(\"{facet}\",{n},{start},[{}]);\n", quoted.join(",")).into_bytes(),
    }
}
