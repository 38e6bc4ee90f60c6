//! Which files make the site, and their changes as rebuilds. Editors save
//! in bursts (a temporary file, a rename, a backup removed), so events are
//! gathered for a moment and what is not the site's is dropped: lore's own
//! folders, hidden files, editors' scratch files.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::Wake;
use crate::cli::build::{Location, listed_sources};
use crate::config::Config;

/// How long a burst of saves may last and still be one rebuild.
const SETTLE: Duration = Duration::from_millis(30);

/// What a knowledge base's site is made of.
#[derive(Clone)]
pub struct Watched {
    /// Folders watched with everything below them.
    folders: Vec<PathBuf>,
    /// Single files (config.toml, a feed file); their folders are watched,
    /// not them: an editor that saves by rename replaces the file a watch
    /// would be on.
    files: Vec<PathBuf>,
    /// Below these, nothing is the site's input (the site, `.lore/`).
    ignored: Vec<PathBuf>,
}

impl Watched {
    pub fn of(config: &Config, config_path: &Path, root: &Path, output_dir: &Path) -> Watched {
        let mut paths = vec![
            config_path.to_path_buf(),
            root.join(&config.content_dir),
            root.join("themes"),
        ];
        for source in listed_sources(config, root) {
            if let Location::Path(path) = source.location {
                paths.push(path);
            }
        }
        let absolute = |p: &Path| p.canonicalize().unwrap_or(p.to_path_buf());
        let (folders, files) = paths
            .iter()
            .filter(|p| p.exists())
            .map(|p| absolute(p))
            .partition(|p| p.is_dir());
        let ignored = [output_dir, &root.join(".lore")]
            .into_iter()
            .map(absolute)
            .collect();
        Watched {
            folders,
            files,
            ignored,
        }
    }

    /// Whether changes at `path` are seen.
    pub fn covers(&self, path: &Path) -> bool {
        self.folders.iter().any(|folder| path.starts_with(folder))
    }

    /// What to ask the system to watch.
    fn watches(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut list: Vec<(PathBuf, RecursiveMode)> = self
            .folders
            .iter()
            .map(|f| (f.clone(), RecursiveMode::Recursive))
            .collect();
        for file in &self.files {
            let folder = file.parent().unwrap_or(file).to_path_buf();
            if !list.iter().any(|(f, _)| *f == folder) {
                list.push((folder, RecursiveMode::NonRecursive));
            }
        }
        list
    }

    /// Whether a change to `path` can change the site.
    fn matters(&self, path: &Path) -> bool {
        if self.ignored.iter().any(|dir| path.starts_with(dir)) {
            return false;
        }
        if self.files.iter().any(|file| file == path) {
            return true;
        }
        let Some(folder) = self.folders.iter().find(|f| path.starts_with(f)) else {
            return false;
        };
        let below = path.strip_prefix(folder).unwrap_or(path);
        let hidden = below
            .components()
            .any(|part| part.as_os_str().to_string_lossy().starts_with('.'));
        // Scratch names are files' (a folder `drafts.bak` is the site's).
        let scratch = below
            .file_name()
            .is_some_and(|name| is_scratch(&name.to_string_lossy()));
        !hidden && !scratch
    }
}

/// Files editors write beside the one being saved.
fn is_scratch(name: &str) -> bool {
    name == "4913"
        || name.ends_with('~')
        || [".swp", ".swx", ".tmp", ".bak", ".crswap"]
            .iter()
            .any(|end| name.ends_with(end))
}

/// Starts watching; changes that matter arrive on `wake` until the
/// returned watcher is dropped.
pub fn start(
    watched: &Watched,
    wake: Sender<Wake>,
) -> Result<Debouncer<RecommendedWatcher, RecommendedCache>> {
    let filter = watched.clone();
    let mut debouncer = new_debouncer(SETTLE, None, move |result: DebounceEventResult| {
        let mut paths = Vec::new();
        let mut first = None;
        // When the system lost events, anything may have changed: each
        // folder is said to have, and a rebuild looks at all of it.
        let lost = match &result {
            Ok(events) => events.iter().any(|e| e.need_rescan()),
            Err(_) => true,
        };
        if lost {
            paths.extend(filter.folders.iter().cloned());
            first = Some(std::time::Instant::now());
        }
        for event in result.unwrap_or_default() {
            if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
                continue;
            }
            let changed: Vec<PathBuf> = event
                .paths
                .iter()
                .filter(|p| filter.matters(p))
                .cloned()
                .collect();
            if !changed.is_empty() {
                first = Some(first.map_or(event.time, |t: std::time::Instant| t.min(event.time)));
                paths.extend(changed);
            }
        }
        if let Some(first) = first {
            let _ = wake.send(Wake::Changed(paths, first));
        }
    })
    .context("starting to watch for changes")?;
    for (path, mode) in watched.watches() {
        debouncer
            .watch(&path, mode)
            .with_context(|| format!("watching {}", path.display()))?;
    }
    Ok(debouncer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sites_inputs_matter() {
        let watched = Watched {
            folders: vec![PathBuf::from("/kb/content")],
            files: vec![PathBuf::from("/kb/config.toml")],
            ignored: vec![PathBuf::from("/kb/public"), PathBuf::from("/kb/.lore")],
        };
        assert!(watched.matters(Path::new("/kb/content/a.md")));
        assert!(watched.matters(Path::new("/kb/config.toml")));
        assert!(!watched.matters(Path::new("/kb/public/a.html")));
        assert!(!watched.matters(Path::new("/kb/.lore/state.json")));
        assert!(!watched.matters(Path::new("/kb/content/.obsidian/workspace.json")));
        assert!(!watched.matters(Path::new("/kb/content/.a.md.swp")));
        assert!(!watched.matters(Path::new("/kb/content/4913")));
        assert!(!watched.matters(Path::new("/kb/content/a.md~")));
        // A folder named like a backup holds notes all the same.
        assert!(watched.matters(Path::new("/kb/content/drafts.bak/a.md")));
        assert!(!watched.matters(Path::new("/elsewhere/a.md")));
        assert!(!watched.matters(Path::new("/kb/README.md")));
    }
}
