//! What lore remembers between runs about the notes it wrote: for each
//! path, the item id, a hash of the exact bytes written and a hash of what
//! the source said. A file whose bytes no longer match was edited by a
//! person; a source whose hash changed under such a file is a conflict. Serialised as JSON by the
//! CLI edge into `.lore/state.json`; a missing or corrupt file only means
//! every existing note is treated as the user's.

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
            },
        );
    }
}

impl State {
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
