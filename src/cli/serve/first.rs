//! A saved note's page first: before the rebuild, the page of each note
//! whose text changed is made from what the last build kept and written,
//! so the tab showing it reloads at once (see `render::note_page_now`).
//! The rebuild then brings every other page, and this one if it must.

use std::path::{Path, PathBuf};

use super::super::fs;
use super::super::ledger::Ledger;
use super::super::publish::{self, Outcome};
use crate::notes::{self, VaultFile};
use crate::render::{self, Memo};

/// More notes saved at once than this, and the rebuild is all there is.
const MOST_NOTES: usize = 4;

/// Where a quick page can be made and written.
pub struct Site<'a> {
    /// The content folder, as file events name it.
    pub content: &'a Path,
    pub output: &'a Path,
}

/// Writes the pages of the notes among `changed` that a quick page can
/// be made for, when every change is to a note (a stylesheet, template or
/// setting changes more than one page); returns the pages written.
pub fn note_pages(
    changed: &[PathBuf],
    site: &Site<'_>,
    memo: &mut Memo,
    ledger: &mut Ledger,
) -> Vec<String> {
    let mut notes: Vec<&PathBuf> = changed.iter().collect();
    notes.sort();
    notes.dedup();
    let all_notes = notes.iter().all(|p| {
        p.starts_with(site.content) && p.extension().is_some_and(|e| e == "md") && p.is_file()
    });
    if !all_notes || notes.len() > MOST_NOTES {
        return Vec::new();
    }
    let mut written = Vec::new();
    for path in notes {
        let Some(note) = read_note(path, site.content) else {
            continue;
        };
        // Whatever goes wrong here, the rebuild that follows says.
        let Some(Ok(page)) = render::note_page_now(memo, &note) else {
            continue;
        };
        if let Ok(Outcome::Written) = publish::publish_now(site.output, ledger, &page) {
            written.push(page.path);
        }
    }
    written
}

/// The note in the file at `path`, as a build reads it.
fn read_note(path: &Path, content: &Path) -> Option<crate::model::Note> {
    let text = std::fs::read_to_string(path).ok()?;
    let file = VaultFile {
        path: fs::slash_path(path.strip_prefix(content).ok()?),
        text,
    };
    Some(notes::read_file(file, false).note)
}
