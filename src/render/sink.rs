//! Where rendered files go as they are made. Render hands each group of
//! files (a few dozen note pages, a term's pages, the search index) to a
//! [`Sink`] and forgets them, so a build holds what pages are made from,
//! never the whole site. The CLI's sink writes to disk; [`Collect`] keeps
//! the files in memory for `lore check` and tests. Render itself does no
//! I/O: it only calls the sink it is given.

use std::sync::Mutex;

use super::OutputFile;

/// Takes the site's files as render makes them, from any thread.
pub trait Sink: Sync {
    fn put(&self, files: Vec<OutputFile>) -> Result<(), SinkError>;

    /// Whether the file at `path` is still exactly what the previous build
    /// gave this sink; if so it stays as it is and counts as given again.
    /// (A sink that keeps nothing between builds says no.)
    fn unchanged(&self, _path: &str) -> bool {
        false
    }

    /// The note pages and lists are all given; the search index, feeds
    /// and the rest follow. `lore serve` reloads the tabs then: the search
    /// index takes as long again and changes no page.
    fn pages_made(&self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// A sink could not take files (the disk is full, a folder is not
/// writable): the build stops.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// Keeps every file in memory, in the order given.
#[derive(Debug, Default)]
pub struct Collect(Mutex<Vec<OutputFile>>);

impl Collect {
    /// The files taken, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for Collect {
    fn put(&self, files: Vec<OutputFile>) -> Result<(), SinkError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(files);
        Ok(())
    }
}
