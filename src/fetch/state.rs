//! What lore remembers about each fetched source between runs: validators
//! for conditional GET (ETag, Last-Modified), when it was last tried and
//! last fetched, how many items it gave, the last error. Serialised by the
//! CLI edge to `.lore/fetch.json`; a missing or corrupt file only costs a
//! full refetch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const FETCH_STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FetchState {
    pub version: u32,
    /// Source URL (as in config.toml or the OPML list) → its record.
    pub sources: BTreeMap<String, SourceRecord>,
    /// Image URL → the file in `content/assets/` it was downloaded to.
    #[serde(default)]
    pub assets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceRecord {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// RFC 3339 time of the last attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<String>,
    /// RFC 3339 time of the last fetch that got the feed (200 or 304).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_success: Option<String>,
    /// "fetched", "not modified" or "failed".
    pub status: String,
    /// Items the feed held the last time it was read.
    pub items: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Failures in a row.
    pub failures: u32,
    /// Where a permanent redirect pointed; config.toml is updated to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

impl SourceRecord {
    /// The feed was got (`status` "fetched" or "not modified") at `now`.
    pub fn succeeded(&mut self, status: &str, now: &str) {
        self.status = status.to_string();
        self.last_success = Some(now.to_string());
        self.last_error = None;
        self.failures = 0;
    }

    /// The attempt failed with `message`.
    pub fn failed(&mut self, message: String) {
        self.status = "failed".to_string();
        self.last_error = Some(message);
        self.failures += 1;
    }
}

impl FetchState {
    /// The record of `url`, created empty when there is none.
    pub fn record(&mut self, url: &str) -> &mut SourceRecord {
        self.version = FETCH_STATE_VERSION;
        self.sources.entry(url.to_string()).or_default()
    }
}
