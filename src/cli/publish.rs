//! Writing the site (or an exported vault) into a folder a person may
//! share with lore, as files arrive: render hands over pages while it
//! makes them, so the site is never held whole in memory.
//!
//! Safety is the ledger's (see [`ledger`]): lore overwrites or removes only
//! files whose bytes it can prove it wrote. Before a batch of files is
//! written, their paths and hashes are appended to the ledger's journal
//! and synced; at the end the ledger is rewritten with what is now on disk
//! and the journal goes. A run stopped at any moment leaves every file it
//! wrote recorded in the journal, which the next run reads.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use rayon::prelude::*;

pub use super::ledger::Outcome;
use super::ledger::{self, Journal, Ledger, Stamp};
use crate::model::Diagnostic;
use crate::render::{OutputFile, Sink, SinkError};

/// Files kept before they are written together: one journal sync each.
const BATCH_FILES: usize = 512;
const BATCH_BYTES: usize = 16 << 20;

/// One file to publish: bytes in memory, or a file of the content folder
/// copied as it is.
pub enum Publish {
    Bytes(String, Vec<u8>),
    Copy(String, PathBuf),
    /// A file written only where the person has none of their own (theirs
    /// wins, silently).
    Default(String, Vec<u8>),
}

impl Publish {
    fn rel(&self) -> &str {
        match self {
            Publish::Bytes(rel, _) | Publish::Default(rel, _) | Publish::Copy(rel, _) => rel,
        }
    }

    fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Publish::Bytes(_, bytes) | Publish::Default(_, bytes) => {
                Ok(std::borrow::Cow::Borrowed(bytes))
            }
            Publish::Copy(_, from) => fs::read(from)
                .map(std::borrow::Cow::Owned)
                .with_context(|| format!("reading {}", from.display())),
        }
    }

    fn size(&self) -> usize {
        match self {
            Publish::Bytes(_, bytes) | Publish::Default(_, bytes) => bytes.len(),
            Publish::Copy(..) => 0,
        }
    }
}

/// What publishing into a folder did.
#[derive(Debug, Default)]
pub struct Published {
    pub written: usize,
    /// What was written with new bytes or removed, relative to the folder.
    pub changed: Vec<String>,
    /// Files in the way that lore did not write, or that changed since.
    pub refused: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// The folder's ledger as the run left it.
    pub ledger: Ledger,
    /// What of `changed` was already told when the pages were made.
    pub told: Vec<String>,
}

/// Told what the pages changed once they are on disk, before the rest of
/// the site (`lore serve`); says whether it passed that on.
pub type PagesMade = std::sync::Arc<dyn Fn(&[String]) -> bool + Send + Sync>;

/// Writes `files` into `dir` and removes what an earlier run of lore wrote
/// there that this one no longer has.
pub fn publish(dir: &Path, files: Vec<Publish>) -> Result<Published> {
    let publisher = Publisher::open(dir, None)?;
    publisher.add(files)?;
    publisher.finish()
}

/// Writes one file into `dir` at once, between runs (`lore serve`'s quick
/// page): journaled first like any batch, so that the next run knows the
/// bytes as lore's; `ledger` (what is on disk, as the last run left it)
/// learns them too. A file lore did not write is refused, as ever.
pub fn publish_now(dir: &Path, ledger: &mut Ledger, file: &OutputFile) -> Result<Outcome> {
    let hash = ledger::hash(&file.bytes);
    Journal::open(dir)?.record(std::iter::once((file.path.as_str(), &hash)))?;
    let (outcome, _) = ledger::put(dir, &file.path, (&file.bytes, &hash), ledger)?;
    if outcome != Outcome::Refused {
        ledger
            .journal
            .entry(file.path.clone())
            .or_default()
            .push(hash);
    }
    Ok(outcome)
}

/// A folder being published into, file batch by file batch.
pub struct Publisher {
    dir: PathBuf,
    /// The ledger as this run found it, with the journal of a stopped run.
    before: Ledger,
    legacy: bool,
    journal: Mutex<Journal>,
    waiting: Mutex<Batch>,
    done: Mutex<Done>,
    pages_made: Option<PagesMade>,
}

#[derive(Default)]
struct Batch {
    files: Vec<Publish>,
    bytes: usize,
}

#[derive(Default)]
struct Done {
    /// What is on disk as lore wrote it: every path this run published,
    /// but those a person's file stood in the way of.
    after: Ledger,
    folders: HashSet<PathBuf>,
    published: Published,
}

impl Publisher {
    /// Starts publishing into `dir`, creating it. `known` is its ledger
    /// as the last run (of this process) left it, with what was written
    /// since: then that run's leftovers are known to be none.
    pub fn open(dir: &Path, known: Option<Ledger>) -> Result<Self> {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let legacy = ledger::has_legacy_marker(dir);
        let (before, problem) = match known {
            Some(ledger) => (ledger, None),
            None => {
                super::fs::remove_leftover_temporaries(dir);
                ledger::read(dir)
            }
        };
        let journal = Journal::open(dir)?;
        Ok(Publisher {
            dir: dir.to_path_buf(),
            before,
            legacy,
            journal: Mutex::new(journal),
            waiting: Mutex::new(Batch::default()),
            done: Mutex::new(Done {
                published: Published {
                    diagnostics: problem.into_iter().collect(),
                    ..Published::default()
                },
                ..Done::default()
            }),
            pages_made: None,
        })
    }

    /// Calls `tell` with what the pages changed once they are on disk.
    pub fn telling(mut self, tell: Option<PagesMade>) -> Self {
        self.pages_made = tell;
        self
    }

    /// Takes files to publish; they are written once enough are waiting.
    pub fn add(&self, files: Vec<Publish>) -> Result<()> {
        let full = {
            let mut waiting = lock(&self.waiting);
            waiting.bytes += files.iter().map(Publish::size).sum::<usize>();
            waiting.files.extend(files);
            (waiting.files.len() >= BATCH_FILES || waiting.bytes >= BATCH_BYTES)
                .then(|| std::mem::take(&mut *waiting))
        };
        match full {
            Some(batch) => self.write(batch.files),
            None => Ok(()),
        }
    }

    /// Journals then writes one batch; the files are dropped once on disk.
    fn write(&self, files: Vec<Publish>) -> Result<()> {
        let hashes: Vec<String> = files
            .par_iter()
            .map(|file| file.bytes().map(|bytes| ledger::hash(&bytes)))
            .collect::<Result<_>>()?;
        lock(&self.journal).record(files.iter().map(Publish::rel).zip(&hashes))?;
        let folders: Vec<PathBuf> = {
            let mut done = lock(&self.done);
            files
                .iter()
                .filter_map(|f| Path::new(f.rel()).parent().map(|p| self.dir.join(p)))
                .filter(|folder| done.folders.insert(folder.clone()))
                .collect()
        };
        for folder in folders {
            fs::create_dir_all(&folder)
                .with_context(|| format!("creating {}", folder.display()))?;
        }
        let outcomes: Vec<(Outcome, Option<Stamp>)> = files
            .par_iter()
            .zip(&hashes)
            .map(|(file, hash)| {
                ledger::put(&self.dir, file.rel(), (&file.bytes()?, hash), &self.before)
            })
            .collect::<Result<_>>()?;
        let mut done = lock(&self.done);
        for ((file, hash), (outcome, stamp)) in files.iter().zip(hashes).zip(outcomes) {
            let rel = file.rel().to_string();
            if let Some(stamp) = stamp
                && outcome != Outcome::Refused
            {
                done.after.stamps.insert(rel.clone(), stamp);
            }
            match outcome {
                Outcome::Refused if matches!(file, Publish::Default(..)) => {}
                Outcome::Refused => done.published.refused.push(rel),
                Outcome::Written => {
                    done.published.written += 1;
                    done.published.changed.push(rel.clone());
                    done.after.files.insert(rel, hash);
                }
                Outcome::Unchanged => {
                    done.after.files.insert(rel, hash);
                }
            }
        }
        Ok(())
    }

    /// Writes what is still waiting, removes what this run no longer has,
    /// and leaves the ledger saying what is on disk now.
    pub fn finish(self) -> Result<Published> {
        let rest = std::mem::take(&mut *lock(&self.waiting));
        self.write(rest.files)?;
        let done = self.done.into_inner().unwrap_or_else(|e| e.into_inner());
        let Done {
            after,
            mut published,
            ..
        } = done;
        // A path refused stays too: it is not lore's, so never removed.
        let keep: HashSet<&str> = after.files.keys().map(String::as_str).collect();
        published
            .changed
            .extend(ledger::remove_stale(&self.dir, &self.before, &keep)?);
        published.changed.sort();
        ledger::write(&self.dir, &after)?;
        published.ledger = after;
        self.journal
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .remove()?;
        if !published.refused.is_empty() {
            published.refused.sort();
            let mut diagnostic = refused_diagnostic(&self.dir, &published.refused);
            if self.legacy {
                diagnostic.message.push_str(
                    ". This folder was written by an older lore, which kept no record of its \
                     files: move away what you added to it, delete it, and build again",
                );
            }
            published.diagnostics.push(diagnostic);
        }
        Ok(published)
    }
}

/// Render's pages go straight to disk.
impl Sink for Publisher {
    fn put(&self, files: Vec<OutputFile>) -> Result<(), SinkError> {
        self.add(
            files
                .into_iter()
                .map(|f| Publish::Bytes(f.path, f.bytes))
                .collect(),
        )
        .map_err(|e| SinkError(format!("{e:#}")))
    }

    /// Writes what waits, and tells what changed so far.
    fn pages_made(&self) -> Result<(), SinkError> {
        let Some(tell) = &self.pages_made else {
            return Ok(());
        };
        let rest = std::mem::take(&mut *lock(&self.waiting));
        self.write(rest.files)
            .map_err(|e| SinkError(format!("{e:#}")))?;
        let mut done = lock(&self.done);
        let Published { changed, told, .. } = &mut done.published;
        if tell(changed) {
            told.clone_from(changed);
        }
        Ok(())
    }

    /// A file the ledger records with the size and time it still has.
    fn unchanged(&self, path: &str) -> bool {
        let (Some(hash), Some(&known)) =
            (self.before.files.get(path), self.before.stamps.get(path))
        else {
            return false;
        };
        let Ok(on_disk) = super::fs::safe_join(&self.dir, path) else {
            return false;
        };
        if ledger::stamp(&on_disk) != Some(known) {
            return false;
        }
        let mut done = lock(&self.done);
        done.after.files.insert(path.to_string(), hash.clone());
        done.after.stamps.insert(path.to_string(), known);
        true
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One error for every file lore left alone, naming the first few.
fn refused_diagnostic(dir: &Path, refused: &[String]) -> Diagnostic {
    const SHOWN: usize = 5;
    let mut names = refused
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if refused.len() > SHOWN {
        names.push_str(&format!(" and {} more", refused.len() - SHOWN));
    }
    Diagnostic::error(
        dir.display().to_string(),
        None,
        format!(
            "{} file(s) here were not written by lore, or were changed since: {names}. They are \
             left alone and lore's version is not written; move them away, or write to another \
             folder",
            refused.len()
        ),
    )
}
