//! What lore wrote into a folder it may share with a person (the site in
//! `public/` or `docs/`, a vault exported with `lore vault --out`): every
//! file's path and the hash of the bytes lore wrote, kept in the folder as
//! `.lore-ledger.json`. lore overwrites or deletes a file there only when
//! its bytes still hash to what the ledger says lore wrote, so a person's
//! own `about.html`, or a page they edited, is never touched.
//!
//! Writing is two-phase, like the notes' state: before a run writes a
//! file, its new hash is appended to the journal (`.lore-ledger.journal`),
//! which the ledger also accepts; after the run, the ledger holds only
//! what is on disk and the journal goes. A run stopped halfway leaves every
//! file provably lore's or provably not.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::model::Diagnostic;

/// The ledger's file name inside the folder it describes.
pub const LEDGER_FILE: &str = ".lore-ledger.json";
/// The hashes a run is writing, one `hash path` line each, until it ends.
pub const JOURNAL_FILE: &str = ".lore-ledger.journal";
/// The marker older versions of lore left in a site folder; it proves
/// nothing about the files beside it.
const LEGACY_MARKER: &str = ".lore-site";
const LEGACY_MARKER_TEXT: &[u8] = b"written by lore; files here are rebuilt on every build\n";

/// Path (relative, `/`-separated) → hash of the bytes lore wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub files: BTreeMap<String, String>,
    /// What lore 0.1 wrote while a run wrote: the hashes it was about to
    /// write (a journal does that job now).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub writing: BTreeMap<String, String>,
    /// The journal of a run that stopped: every hash it may have written.
    #[serde(skip)]
    pub journal: HashMap<String, Vec<String>>,
    /// Size and modification time of each file when it last held the
    /// bytes `files` records: a file that still shows them is not read to
    /// be compared again (rsync's quick check).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stamps: BTreeMap<String, Stamp>,
}

/// A file's size and modification time (seconds, nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(u64, i64, u32);

/// The stamp of the file at `path`, if it is there.
pub fn stamp(path: &Path) -> Option<Stamp> {
    stamp_of(&fs::metadata(path).ok()?)
}

/// The stamp of a file, from its metadata.
fn stamp_of(meta: &fs::Metadata) -> Option<Stamp> {
    let since = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(Stamp(
        meta.len(),
        i64::try_from(since.as_secs()).ok()?,
        since.subsec_nanos(),
    ))
}

impl Ledger {
    /// Whether a file at `path` whose bytes hash to `hash` is lore's.
    pub fn is_lores(&self, path: &str, hash: &str) -> bool {
        self.files.get(path).is_some_and(|h| h == hash)
            || self.writing.get(path).is_some_and(|h| h == hash)
            || self
                .journal
                .get(path)
                .is_some_and(|hashes| hashes.iter().any(|h| h == hash))
    }

    /// Every path the ledger knows, written or being written.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        let mut extra: Vec<&String> = self
            .writing
            .keys()
            .chain(self.journal.keys())
            .filter(|path| !self.files.contains_key(*path))
            .collect();
        extra.sort();
        extra.dedup();
        self.files.keys().chain(extra)
    }
}

/// The journal a run appends to before it writes, kept open.
pub struct Journal {
    path: PathBuf,
    file: fs::File,
}

impl Journal {
    /// Opens the journal of `dir` for appending: what a stopped run left in
    /// it stays until a run ends cleanly.
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(JOURNAL_FILE);
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(Journal { path, file })
    }

    /// Records (path, hash) pairs on the disk before the files are written.
    pub fn record<'a>(
        &mut self,
        entries: impl Iterator<Item = (&'a str, &'a String)>,
    ) -> Result<()> {
        let mut text = String::new();
        for (path, hash) in entries {
            // A path never holds a newline: lore makes them from slugs and
            // file names, and a line that is not two fields is skipped.
            text.push_str(hash);
            text.push(' ');
            text.push_str(path);
            text.push('\n');
        }
        if text.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("writing {}", self.path.display()))
    }

    /// Removes the journal once the ledger holds what it recorded.
    pub fn remove(self) -> Result<()> {
        fs::remove_file(&self.path).with_context(|| format!("removing {}", self.path.display()))
    }
}

/// The journal a stopped run left in `dir`, if any.
fn read_journal(dir: &Path) -> HashMap<String, Vec<String>> {
    let mut journal: HashMap<String, Vec<String>> = HashMap::new();
    let Ok(text) = fs::read_to_string(dir.join(JOURNAL_FILE)) else {
        return journal;
    };
    for line in text.lines() {
        if let Some((hash, path)) = line.split_once(' ')
            && !path.is_empty()
        {
            journal
                .entry(path.to_string())
                .or_default()
                .push(hash.to_string());
        }
    }
    journal
}

/// The hash the ledger keeps of a file's bytes.
pub fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_string()
}

/// The ledger of `dir`; a missing one is empty, a corrupt one is empty
/// with a warning (it only costs refusing to overwrite files).
pub fn read(dir: &Path) -> (Ledger, Option<Diagnostic>) {
    let (mut ledger, problem): (Ledger, _) =
        super::fs::read_json(&dir.join(LEDGER_FILE), "files already here are left alone");
    ledger.journal = read_journal(dir);
    (ledger, problem)
}

/// Whether `dir` holds the marker of a lore older than the ledger.
pub fn has_legacy_marker(dir: &Path) -> bool {
    fs::read(dir.join(LEGACY_MARKER)).is_ok_and(|b| b == LEGACY_MARKER_TEXT)
}

/// Saves the ledger durably (it is the proof of what lore may overwrite),
/// and removes the marker older versions left, once a ledger replaces it.
pub fn write(dir: &Path, ledger: &Ledger) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(ledger).context("serialising the ledger")?;
    super::fs::write_durably(&dir.join(LEDGER_FILE), &bytes)?;
    let legacy = dir.join(LEGACY_MARKER);
    if fs::read(&legacy).is_ok_and(|b| b == LEGACY_MARKER_TEXT) {
        fs::remove_file(&legacy).with_context(|| format!("removing {}", legacy.display()))?;
    }
    Ok(())
}

/// What writing one file into a ledgered folder did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The bytes were already there.
    Unchanged,
    Written,
    /// A file lore did not write (or one changed since) is in the way.
    Refused,
}

/// Writes `bytes` (whose [`hash`] is `new`) at `dir/rel` unless a file
/// lore cannot prove it wrote is there; the write goes through a temporary
/// file and a rename, so a stop or a full disk never leaves a cut file.
/// Returns what it did and the file's stamp after.
pub fn put(
    dir: &Path,
    rel: &str,
    (bytes, new): (&[u8], &str),
    ledger: &Ledger,
) -> Result<(Outcome, Option<Stamp>)> {
    let path = super::fs::safe_join(dir, rel)?;
    if ledger.files.get(rel).is_some_and(|h| h == new)
        && let Some(&known) = ledger.stamps.get(rel)
        && stamp(&path) == Some(known)
    {
        return Ok((Outcome::Unchanged, Some(known)));
    }
    // A path lore has not written is most often free: made at once, and
    // never over a file that is there (that one is compared below).
    if !ledger.files.contains_key(rel) {
        match super::fs::create_whole(&path, bytes) {
            Ok(Some(meta)) => return Ok((Outcome::Written, stamp_of(&meta))),
            Ok(None) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("writing {}", path.display())),
        }
    }
    match fs::read(&path) {
        Ok(old) if old == bytes => return Ok((Outcome::Unchanged, stamp(&path))),
        Ok(old) if !ledger.is_lores(rel, &hash(&old)) => return Ok((Outcome::Refused, None)),
        Ok(_) => super::fs::write_atomically(&path, bytes)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            super::fs::write_new_atomically(&path, bytes)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            return Ok((Outcome::Refused, None));
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    Ok((Outcome::Written, stamp(&path)))
}

/// Removes the files the ledger lists that are no longer in `keep`, when
/// their bytes are still lore's (a file changed since is left alone), and
/// the folders this empties; returns how many files it removed.
pub fn remove_stale(
    dir: &Path,
    ledger: &Ledger,
    keep: &std::collections::HashSet<&str>,
) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for rel in ledger.paths() {
        if keep.contains(rel.as_str()) {
            continue;
        }
        let Ok(path) = super::fs::safe_join(dir, rel) else {
            continue;
        };
        let Ok(bytes) = fs::read(&path) else {
            continue;
        };
        if !ledger.is_lores(rel, &hash(&bytes)) {
            continue;
        }
        fs::remove_file(&path).with_context(|| format!("removing stale {}", path.display()))?;
        removed.push(rel.to_string());
        let mut parent = path.parent();
        while let Some(folder) = parent.filter(|p| *p != dir && p.starts_with(dir)) {
            // Fails, as it should, while the folder holds anything.
            if fs::remove_dir(folder).is_err() {
                break;
            }
            parent = folder.parent();
        }
    }
    Ok(removed)
}
