//! What lore remembers between runs about the notes it wrote: for each
//! path, the item id and a hash of the exact bytes written. A file whose
//! bytes no longer match was edited by a person. Serialised as JSON by the
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
    pub hash: String,
}

impl State {
    /// Remembers that lore wrote `text` for item `id` at `path`.
    pub fn record(&mut self, path: &str, id: &str, text: &str) {
        self.version = STATE_VERSION;
        self.notes.insert(
            path.to_string(),
            Written {
                id: id.to_string(),
                hash: hash(text),
            },
        );
    }
}

/// The hash the state keeps of a note's bytes.
pub fn hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
}
