//! The vault's note files read, and what `lore serve` keeps of them from
//! one build to the next: what each file parsed to, and which files the
//! content folder holds, kept true by the file events serve is told of.
//! With both, a rebuild neither walks the folder nor looks at every file
//! (at 10,000 notes those were 20 to 45 ms and 45 ms of each rebuild).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use rayon::prelude::*;

use super::{ContentFiles, Found, is_hidden, kind_of, slash_path, walk_content};
use crate::notes::{self, OnDisk, VaultFile};

/// The vault as `lore serve`'s last build read it: per file, its size and
/// modification time then, and what it made; and the folder's listing.
/// A file that no file event has named since is not looked at again. After
/// events were lost, or when one named a folder, the folder is walked and
/// each file's stamp is compared instead.
#[derive(Debug, Default)]
pub struct VaultCache {
    files: HashMap<String, (Stamp, Arc<OnDisk>)>,
    listing: Option<Listing>,
    /// The folder file events are seen for: the listing is trusted only
    /// for it, and only while it is the same folder (not one moved or put
    /// in its place, whose events a watch on the old one never sees).
    watched: Option<Folder>,
}

/// A folder by its canonical path and its identity on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    path: PathBuf,
    identity: (u64, u64),
}

impl Folder {
    /// The folder at `path` as it is now; `None` where its identity cannot
    /// be told (then nothing is trusted).
    pub fn of(path: &Path) -> Option<Folder> {
        Some(Folder {
            path: path.canonicalize().ok()?,
            identity: identity(path)?,
        })
    }
}

#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &Path) -> Option<(u64, u64)> {
    None
}

/// What tells that a file may have changed without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

/// The notes and attachments of a content folder, by path inside it. A
/// path's order is the walk's: both go by name, part by part.
#[derive(Debug)]
struct Listing {
    /// The folder as the build named it.
    content: PathBuf,
    files: BTreeMap<PathBuf, Found>,
}

impl VaultCache {
    /// A file event named `path`, in or below the `content` folder (as the
    /// watcher names it): the file is read again next time, and the listing
    /// follows it, or goes if it cannot.
    pub fn changed(&mut self, content: &Path, path: &Path) {
        if content.starts_with(path) && content != path {
            // A folder above the content folder: anything in it may have.
            self.listing = None;
            return;
        }
        let Ok(inside) = path.strip_prefix(content) else {
            return;
        };
        self.forget(&slash_path(inside));
        let followed = self
            .listing
            .as_mut()
            .is_some_and(|listing| listing.follow(inside, path));
        if !followed {
            self.listing = None;
        }
    }

    /// An empty cache for the content folder whose file events
    /// [`VaultCache::changed`] will be told of, or `None`: then every build
    /// walks the folder and looks at every file.
    pub fn watching(folder: Option<Folder>) -> VaultCache {
        VaultCache {
            watched: folder,
            ..VaultCache::default()
        }
    }

    /// Whether the listing can stand for a walk of `content`.
    fn trusts(&self, content: &Path) -> bool {
        let Some(listing) = &self.listing else {
            return false;
        };
        listing.content == content
            && self
                .watched
                .as_ref()
                .is_some_and(|w| Folder::of(content).as_ref() == Some(w))
    }

    /// Reads the file at `path` (inside `content/`, `/`-separated) again
    /// next time. A change within the file system's clock tick that keeps
    /// the size leaves the stamp as it was: only an event tells of it.
    fn forget(&mut self, path: &str) {
        self.files.remove(path);
    }
}

impl Listing {
    fn of(content: &Path, found: &ContentFiles) -> Listing {
        let notes = found
            .notes
            .iter()
            .filter_map(|p| p.strip_prefix(content).ok())
            .map(|p| (p.to_path_buf(), Found::Note));
        let attachments = found
            .attachments
            .iter()
            .map(|a| (PathBuf::from(a), Found::Attachment));
        Listing {
            content: content.to_path_buf(),
            files: notes.chain(attachments).collect(),
        }
    }

    /// What a walk of the folder would find now.
    fn found(&self) -> ContentFiles {
        let mut found = ContentFiles::default();
        for (path, kind) in &self.files {
            match kind {
                Found::Note => found.notes.push(self.content.join(path)),
                Found::Attachment => found.attachments.push(slash_path(path)),
                Found::Leftover => {}
            }
        }
        found
    }

    /// Takes in a change at `inside` (the file at `path`); false when only
    /// a walk can tell what changed: a folder came, went or moved.
    fn follow(&mut self, inside: &Path, path: &Path) -> bool {
        let mut parents = inside.parent().into_iter().flat_map(Path::components);
        if parents.any(|part| is_hidden(part.as_os_str())) {
            // A walk does not look in hidden folders.
            return true;
        }
        if below_a_link(inside, path) {
            // Nor does it follow links to folders, which a watch may.
            return true;
        }
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => false,
            // Another name of a file listed (a rename that changed only
            // letter case, on a file system blind to case): only a walk
            // tells which name the folder holds.
            Ok(meta) if meta.is_file() && self.has_twin(inside) => false,
            Ok(meta) if meta.is_file() => {
                match kind_of(inside) {
                    Some(kind @ (Found::Note | Found::Attachment)) => {
                        self.files.insert(inside.to_path_buf(), kind);
                    }
                    _ => {
                        self.files.remove(inside);
                    }
                }
                true
            }
            Ok(_) => {
                self.files.remove(inside);
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let below = self
                    .files
                    .range::<Path, _>((Bound::Excluded(inside), Bound::Unbounded))
                    .next()
                    .is_some_and(|(listed, _)| listed.starts_with(inside));
                self.files.remove(inside);
                !below
            }
            Err(_) => false,
        }
    }

    /// Whether a file beside `inside` has its name in another case.
    fn has_twin(&self, inside: &Path) -> bool {
        let (Some(parent), Some(name)) = (inside.parent(), inside.file_name()) else {
            return false;
        };
        let name = name.to_string_lossy();
        let same = |other: &str| {
            other.len() == name.len() && other.eq_ignore_ascii_case(&name)
                || !name.is_ascii() && other.to_lowercase() == name.to_lowercase()
        };
        self.files.keys().any(|listed| {
            listed != inside
                && listed.parent() == Some(parent)
                && listed
                    .file_name()
                    .is_some_and(|n| same(&n.to_string_lossy()))
        })
    }
}

/// Whether a folder between the content folder and `path` (which is
/// `inside` it) is a symbolic link.
fn below_a_link(inside: &Path, path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .take(inside.components().count().saturating_sub(1))
        .any(|folder| fs::symlink_metadata(folder).is_ok_and(|m| m.file_type().is_symlink()))
}

/// The content folder's files, and its notes read ([`notes::read_file`]).
/// `keep_text` says which files' text to keep (`--restore`). With a cache,
/// only files new or changed since are read, and while the cache's
/// listing holds, the folder is not walked.
pub fn read_content(
    content: &Path,
    keep_text: &(dyn Fn(&str) -> bool + Sync),
    mut cache: Option<&mut VaultCache>,
) -> Result<(ContentFiles, Vec<OnDisk>)> {
    let listed = cache
        .as_ref()
        .filter(|c| c.trusts(content))
        .and_then(|c| c.listing.as_ref())
        .map(Listing::found);
    let trusted = listed.is_some();
    let found = match listed {
        Some(found) => found,
        None => walk_content(content)?,
    };
    let notes = read_notes(
        content,
        &found.notes,
        keep_text,
        cache.as_deref_mut(),
        trusted,
    )?;
    if let Some(cache) = cache
        && !trusted
    {
        cache.listing = Some(Listing::of(content, &found));
    }
    Ok((found, notes))
}

/// The note files at `paths` (in `content`, from [`walk_content`]), read;
/// with a cache, only those new or changed since.
pub fn read_vault_notes(
    content: &Path,
    paths: Vec<PathBuf>,
    keep_text: &(dyn Fn(&str) -> bool + Sync),
    cache: Option<&mut VaultCache>,
) -> Result<Vec<OnDisk>> {
    read_notes(content, &paths, keep_text, cache, false)
}

/// Readers of note files per core, when there are [`MANY_FILES`] or more
/// (see [`read_notes`]).
const READERS_PER_CORE: usize = 4;
const MANY_FILES: usize = 256;

/// `trusted`: the cache's files are as they were unless an event named
/// them, so their stamps need no look.
fn read_notes(
    content: &Path,
    paths: &[PathBuf],
    keep_text: &(dyn Fn(&str) -> bool + Sync),
    cache: Option<&mut VaultCache>,
    trusted: bool,
) -> Result<Vec<OnDisk>> {
    let before = cache.as_ref().map(|c| &c.files);
    // A file gone since the listing was taken (made and removed between
    // two batches of events) is left out, and the listing goes.
    let gone = |e: std::io::Error, path: &Path| match e.kind() {
        std::io::ErrorKind::NotFound if trusted => Ok(None),
        _ => Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
    };
    let read_one = |path: &PathBuf| -> Result<Option<ReadFile>> {
        let rel = slash_path(path.strip_prefix(content).unwrap_or(path));
        let known = before.and_then(|files| files.get(&rel));
        let usable = |done: &OnDisk| done.text.is_some() || !keep_text(&rel);
        if trusted
            && let Some((stamp, done)) = known
            && usable(done)
        {
            return Ok(Some((rel, Some(*stamp), done.clone())));
        }
        // Without a cache, nothing compares stamps: no look at them.
        let stamp = match before.map(|_| stamp_of(path)) {
            Some(Ok(stamp)) => Some(stamp),
            Some(Err(e)) => return gone(e, path),
            None => None,
        };
        if let (Some((was, done)), Some(now)) = (known, stamp)
            && *was == now
            && usable(done)
        {
            return Ok(Some((rel, stamp, done.clone())));
        }
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return gone(e, path),
        };
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let keep = keep_text(&rel);
        let file = VaultFile {
            path: rel.clone(),
            text,
        };
        Ok(Some((rel, stamp, Arc::new(notes::read_file(file, keep)))))
    };
    let read_all = || paths.par_iter().map(read_one).collect::<Result<Vec<_>>>();
    // A file not in the page cache keeps its reader waiting on the disk:
    // more readers than cores keep the disk busy meanwhile (100,000 notes
    // not in the cache: 8.2 -> 4.1-5.1 s). A few files, or a served vault's
    // rebuild (files known but those an event named), are not worth
    // starting them.
    let readers = (!trusted && paths.len() >= MANY_FILES)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(rayon::current_num_threads() * READERS_PER_CORE)
                .build()
                .ok()
        })
        .flatten();
    let read = match readers {
        Some(readers) => readers.install(read_all)?,
        None => read_all()?,
    };
    let whole = read.len();
    let read: Vec<_> = read.into_iter().flatten().collect();
    let vanished = read.len() < whole;
    let Some(cache) = cache else {
        // Nothing keeps them: no copy.
        return Ok(read
            .into_par_iter()
            .map(|(_, _, done)| Arc::unwrap_or_clone(done))
            .collect());
    };
    let notes = read
        .par_iter()
        .map(|(_, _, done)| (**done).clone())
        .collect();
    cache.files = read
        .into_iter()
        .filter_map(|(rel, stamp, done)| Some((rel, (stamp?, done))))
        .collect();
    if vanished {
        cache.listing = None;
    }
    Ok(notes)
}

/// A note file's path in the folder, its stamp (with a cache) and what
/// it made.
type ReadFile = (String, Option<Stamp>, Arc<OnDisk>);

fn stamp_of(path: &Path) -> std::io::Result<Stamp> {
    let meta = fs::metadata(path)?;
    Ok(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    fn titles(notes: &[OnDisk]) -> Vec<(String, String)> {
        notes
            .iter()
            .map(|n| (n.note.path.clone(), n.note.front.title.clone()))
            .collect()
    }

    #[test]
    fn a_served_vault_is_read_again_where_it_changed_and_only_there() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let content = dir.path();
        let write = |name: &str, title: &str| {
            fs::write(
                content.join(name),
                format!("---\ntitle: {title}\n---\nBody.\n"),
            )
        };
        write("a.md", "Alpha")?;
        write("b.md", "Bravo")?;
        let mut cache = VaultCache::default();
        let keep = |_: &str| false;
        let read_all = |cache: Option<&mut VaultCache>| {
            read_vault_notes(content, walk_content(content)?.notes, &keep, cache)
        };
        read_all(Some(&mut cache))?;

        // A new file, a removed one, an edit that changes the size.
        write("c.md", "Charlie")?;
        fs::remove_file(content.join("b.md"))?;
        write("a.md", "Alpha two")?;
        let read = read_all(Some(&mut cache))?;
        assert_eq!(
            titles(&read),
            [
                ("a.md".into(), "Alpha two".into()),
                ("c.md".into(), "Charlie".into())
            ]
        );

        // An edit of the same size within the same clock tick looks
        // unchanged to the stamp; the file event that named it says.
        let modified = fs::metadata(content.join("a.md"))?.modified()?;
        write("a.md", "Alpha six")?;
        fs::File::options()
            .write(true)
            .open(content.join("a.md"))?
            .set_modified(modified)?;
        let stale = read_all(Some(&mut cache))?;
        assert_eq!(stale[0].note.front.title, "Alpha two");
        cache.forget("a.md");
        let read = read_all(Some(&mut cache))?;
        assert_eq!(read[0].note.front.title, "Alpha six");
        // What a build without a cache reads is the same.
        assert_eq!(
            titles(&read),
            titles(&read_vault_notes(
                content,
                walk_content(content)?.notes,
                &keep,
                None
            )?)
        );
        Ok(())
    }

    #[test]
    fn the_listing_file_events_keep_is_what_a_walk_finds() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let content = dir.path();
        let write = |rel: &str| -> Result<PathBuf> {
            let path = content.join(rel);
            fs::create_dir_all(path.parent().unwrap_or(content))?;
            fs::write(&path, "---\ntitle: T\n---\nBody.\n")?;
            Ok(path)
        };
        write("a.md")?;
        write("sub/b.md")?;
        let mut cache = VaultCache::default();
        let keep = |_: &str| false;
        read_content(content, &keep, Some(&mut cache))?;
        let listed = |cache: &VaultCache| {
            let found = cache
                .listing
                .as_ref()
                .map(Listing::found)
                .unwrap_or_default();
            (found.notes, found.attachments)
        };
        // Files the walk takes, and files it leaves (hidden folders,
        // node_modules, what is neither a note nor an attachment).
        for rel in [
            "c.md",
            "sub/pic.PNG",
            "a.md.swp",
            ".obsidian/x.md",
            "node_modules/y.md",
            "sub/notes.txt",
        ] {
            let path = write(rel)?;
            cache.changed(content, &path);
        }
        fs::remove_file(content.join("a.md"))?;
        cache.changed(content, &content.join("a.md"));
        let walked = walk_content(content)?;
        assert_eq!(listed(&cache), (walked.notes, walked.attachments));
        // A folder that goes takes its notes: only a walk can tell which.
        fs::remove_dir_all(content.join("sub"))?;
        cache.changed(content, &content.join("sub"));
        assert!(cache.listing.is_none());
        let (found, notes) = read_content(content, &keep, Some(&mut cache))?;
        assert_eq!(found.notes, [content.join("c.md")]);
        assert_eq!(notes.len(), 1);
        Ok(())
    }

    #[test]
    fn a_watched_vault_is_read_from_its_events_and_walked_when_they_cannot_tell() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let content = dir.path().join("content");
        let write = |rel: &str, title: &str| -> Result<PathBuf> {
            let path = content.join(rel);
            fs::create_dir_all(path.parent().unwrap_or(&content))?;
            fs::write(&path, format!("---\ntitle: {title}\n---\nBody.\n"))?;
            Ok(path)
        };
        write("a.md", "Alpha")?;
        write("b.md", "Bravo")?;
        let mut cache = VaultCache::watching(Folder::of(&content));
        let keep = |_: &str| false;
        let titles = |notes: &[OnDisk]| -> Vec<String> {
            notes.iter().map(|n| n.note.front.title.clone()).collect()
        };
        let first = read_content(&content, &keep, Some(&mut cache))?.1;

        // Nothing is looked at but what an event named: an edit no event
        // told of is not seen, and an unchanged note is the one read before.
        write("a.md", "Alpha two, unannounced")?;
        let path = write("b.md", "Bravo two")?;
        cache.changed(&content, &path);
        let (_, read) = read_content(&content, &keep, Some(&mut cache))?;
        assert_eq!(titles(&read), ["Alpha", "Bravo two"]);
        assert!(Arc::ptr_eq(&read[0].note.body, &first[0].note.body));

        // A file an event named that is gone by the build (made and removed
        // between two batches of events) is left out, and the next walks.
        let brief = write("brief.md", "Brief")?;
        cache.changed(&content, &brief);
        fs::remove_file(&brief)?;
        let (_, read) = read_content(&content, &keep, Some(&mut cache))?;
        assert_eq!(titles(&read), ["Alpha", "Bravo two"]);
        assert!(cache.listing.is_none());
        read_content(&content, &keep, Some(&mut cache))?;

        // Notes reached through a link to a folder are not the walk's.
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir_all(&elsewhere)?;
        fs::write(elsewhere.join("x.md"), "---\ntitle: X\n---\nBody.\n")?;
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&elsewhere, content.join("link"))?;
            cache.changed(&content, &content.join("link/x.md"));
            assert!(cache.listing.is_some());
            let (found, _) = read_content(&content, &keep, Some(&mut cache))?;
            assert_eq!(found.notes, walk_content(&content)?.notes);
        }

        // A name differing from a listed one only in case: a walk says.
        let twin = write("A.md", "Twin")?;
        cache.changed(&content, &twin);
        assert!(cache.listing.is_none());
        read_content(&content, &keep, Some(&mut cache))?;

        // A folder put in the content folder's place is not the one watched.
        fs::rename(&content, dir.path().join("old"))?;
        write("c.md", "Charlie")?;
        let (found, _) = read_content(&content, &keep, Some(&mut cache))?;
        assert_eq!(found.notes, [content.join("c.md")]);
        write("d.md", "Delta")?;
        let (found, _) = read_content(&content, &keep, Some(&mut cache))?;
        assert_eq!(found.notes.len(), 2, "walked again, not trusted");
        Ok(())
    }
}
