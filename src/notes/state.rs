//! What lore remembers between runs about the notes it wrote: for each
//! path, the item id, a hash of the exact bytes written and a hash of what
//! the source said. A file whose bytes no longer match was edited by a
//! person; a source whose hash changed under such a file is a conflict.
//! Serialised as JSON by the CLI edge into `.lore/state.json`.
//!
//! A run records what it is about to write before it writes it (see
//! [`State::writing`]): a note carries the hash it had and the hash it will
//! have until the run ends, so a run killed between two notes leaves every
//! note owned by whoever owned it, and the next run finishes the job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Format version of the state file.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// Note path → what lore last wrote there.
    pub notes: BTreeMap<String, Written>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Written {
    pub id: String,
    /// Hash of the bytes lore wrote.
    pub hash: String,
    /// Hash of the note as the source gave it, related notes left out (they
    /// change as the vault grows; the source did not change for that).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Source hash of the upstream version last set aside as a conflict,
    /// so that one change is reported once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// Set while a run is writing this note: what the file was before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
}

/// A note a run was about to write when this state was saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// Hash of the file lore owned there before; `None` when there was no
    /// file (a missing file then means "not written yet", not "deleted").
    pub before: Option<String>,
}

impl Written {
    /// Whether a file with these bytes' hash is what lore wrote (or, in a
    /// run that was cut short, what it had written before).
    pub fn is_lores(&self, file_hash: &str) -> bool {
        self.hash == file_hash
            || self
                .pending
                .as_ref()
                .is_some_and(|p| p.before.as_deref() == Some(file_hash))
    }

    /// Whether the note was recorded but never reached the disk: a run was
    /// stopped before writing it.
    pub fn never_written(&self) -> bool {
        self.pending.as_ref().is_some_and(|p| p.before.is_none())
    }
}

impl State {
    /// Remembers that lore wrote `text` for item `id` at `path`, from a
    /// source version whose hash is `source`.
    pub fn record(&mut self, path: &str, id: &str, text: &str, source: &str) {
        self.version = STATE_VERSION;
        self.notes.insert(
            path.to_string(),
            Written {
                id: id.to_string(),
                hash: hash(text),
                source: Some(source.to_string()),
                conflict: None,
                pending: None,
            },
        );
    }

    /// The state to save before writing notes: this (final) state, with
    /// each note about to be written also accepting the bytes it has on
    /// disk now (`before`: path and hash of the current file, `None` when
    /// there is none), so that whatever a stop leaves on disk is recognised
    /// as lore's by the next run.
    pub fn writing<'a>(
        &self,
        before: impl IntoIterator<Item = (&'a str, Option<String>)>,
    ) -> State {
        let mut state = self.clone();
        for (path, before) in before {
            if let Some(written) = state.notes.get_mut(path) {
                written.pending = Some(Pending { before });
            }
        }
        state
    }

    /// Remembers that the upstream version with `source` hash was set aside
    /// for the note at `path`.
    pub fn mark_conflict(&mut self, path: &str, source: &str) {
        if let Some(written) = self.notes.get_mut(path) {
            written.conflict = Some(source.to_string());
        }
    }
}

/// The hash the state keeps of a note's bytes.
pub fn hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_writing_both_versions_are_lores() {
        let mut before = State::default();
        before.record("a.md", "a", "old text", "s1");
        let mut after = before.clone();
        after.record("a.md", "a", "new text", "s2");
        after.record("b.md", "b", "brand new", "s3");
        let writing = after.writing([("a.md", Some(hash("old text"))), ("b.md", None)]);
        let a = &writing.notes["a.md"];
        assert!(a.is_lores(&hash("old text")) && a.is_lores(&hash("new text")));
        assert!(!a.is_lores(&hash("a person's text")));
        assert!(writing.notes["b.md"].never_written());
        assert!(!after.notes["a.md"].is_lores(&hash("old text")));
    }
}
