//! Groups notes by tag, author and source, and gives every note and every
//! term a unique, stable page URL.

use std::collections::{BTreeMap, HashMap};

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
    // Each spelling is lowercased once, not at each of its notes.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut by_lowercase: HashMap<String, usize> = HashMap::new();
    let mut by_spelling: HashMap<&str, usize> = HashMap::new();
    // `order` is newest-first, so each term's list comes out newest-first.
    for &i in order {
        for term in terms_of(&notes[i]) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            let group = *by_spelling.entry(term).or_insert_with(|| {
                *by_lowercase.entry(term.to_lowercase()).or_insert_with(|| {
                    groups.push((term.to_string(), Vec::new()));
                    groups.len() - 1
                })
            });
            let members = &mut groups[group].1;
            if members.last() != Some(&i) {
                members.push(i);
            }
        }
    }
    // In name order, case-insensitive.
    let grouped: BTreeMap<String, usize> = by_lowercase.into_iter().collect();
    let mut groups: Vec<Option<(String, Vec<usize>)>> = groups.into_iter().map(Some).collect();
    let mut names = NameRegistry::default();
    names.reserve("index");
    let mut by_note = vec![Vec::new(); notes.len()];
    let terms = grouped
        .into_values()
        .filter_map(|group| groups[group].take())
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
