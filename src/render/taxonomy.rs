//! Groups notes by tag, author and source, and gives every note and every
//! term a unique, stable page URL.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::Note;
use crate::notes::slug::{NameRegistry, slugify};

/// One tag, author or source and the notes that carry it.
#[derive(Debug)]
pub struct Term {
    /// The spelling shown (the first one seen).
    pub name: String,
    /// Site-relative URL of its page.
    pub url: String,
    /// Indices into the notes, newest first.
    pub notes: Vec<usize>,
}

/// A kind of term with its pages under `dir/`.
#[derive(Debug, Default)]
pub struct Taxonomy {
    pub dir: &'static str,
    /// Terms in name order (case-insensitive).
    pub terms: Vec<Term>,
    /// For each note, the indices of its terms.
    pub by_note: Vec<Vec<usize>>,
}

/// Page URL of each note: `notes/<slug>.html`, unique. Slugs are made in
/// parallel, then claimed in note order.
pub fn note_urls(notes: &[Note]) -> Vec<String> {
    let slugs: Vec<String> = notes.par_iter().map(|n| slugify(n.name())).collect();
    let mut names = NameRegistry::default();
    slugs
        .iter()
        .map(|slug| format!("notes/{}.html", names.claim(slug)))
        .collect()
}

/// Builds one taxonomy from a function naming each note's terms.
pub fn build<'n>(
    dir: &'static str,
    notes: &'n [Note],
    order: &[usize],
    terms_of: impl Fn(&'n Note) -> Vec<&'n str>,
) -> Taxonomy {
    let mut grouped: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    // `order` is newest-first, so each term's list comes out newest-first.
    for &i in order {
        for term in terms_of(&notes[i]) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            let entry = grouped
                .entry(term.to_lowercase())
                .or_insert_with(|| (term.to_string(), Vec::new()));
            if entry.1.last() != Some(&i) {
                entry.1.push(i);
            }
        }
    }
    let mut names = NameRegistry::default();
    names.reserve("index");
    let mut by_note = vec![Vec::new(); notes.len()];
    let terms = grouped
        .into_values()
        .enumerate()
        .map(|(t, (name, members))| {
            for &i in &members {
                by_note[i].push(t);
            }
            Term {
                url: format!("{dir}/{}.html", names.claim(&slugify(&name))),
                name,
                notes: members,
            }
        })
        .collect();
    Taxonomy {
        dir,
        terms,
        by_note,
    }
}
