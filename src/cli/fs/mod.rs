//! Every file-system call lore makes: reading config, sources, the vault,
//! the theme and the state; writing notes and the site atomically. Each
//! error names its path. Nothing here interprets content beyond bytes.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use walkdir::WalkDir;

use crate::fetch::state::FetchState;
use crate::model::Diagnostic;
use crate::notes::State;
use crate::render::templates::Theme;

mod vault;
mod whole;
pub use vault::{Folder, VaultCache, read_content, read_vault_notes};
pub use whole::create_whole;

/// Where lore keeps what it remembers between runs, next to config.toml.
pub const STATE_FILE: &str = ".lore/state.json";

/// Reads a file that may be absent.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Reads a source: a file, or every file below a folder (hidden folders
/// such as `.obsidian` and `.git` skipped). Unreadable paths become
/// diagnostics, not failures.
pub fn read_source(path: &Path, shown_as: &str) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
    if path.is_dir() {
        let mut files = Vec::new();
        let mut diagnostics = Vec::new();
        for entry in walk_visible(path) {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_text_source(entry.path()) => {
                    let rel = entry.path().strip_prefix(path).unwrap_or(entry.path());
                    let origin = format!("{}/{}", shown_as.trim_end_matches('/'), slash_path(rel));
                    match fs::read(entry.path()) {
                        Ok(bytes) => files.push((origin, bytes)),
                        Err(e) => diagnostics.push(Diagnostic::error(
                            origin,
                            None,
                            format!("cannot read: {e}"),
                        )),
                    }
                }
                Ok(_) => {}
                Err(e) => diagnostics.push(Diagnostic::error(
                    shown_as,
                    None,
                    format!("cannot walk folder: {e}"),
                )),
            }
        }
        return (files, diagnostics);
    }
    match fs::read(path) {
        Ok(bytes) => (vec![(shown_as.to_string(), bytes)], Vec::new()),
        Err(e) => (
            Vec::new(),
            vec![Diagnostic::error(
                shown_as,
                None,
                format!("cannot read: {e}"),
            )],
        ),
    }
}

/// Extensions of files in `content/` that the site publishes beside the
/// notes: what a note can show or link to.
const ATTACHMENT_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "ico", "pdf", "mp3", "m4a", "ogg",
    "wav", "mp4", "webm", "mov",
];

/// What the content folder holds, found in one walk (at 10,000 notes a
/// walk is 15 to 20 ms, and a build needs all three).
#[derive(Debug, Default)]
pub struct ContentFiles {
    /// The note files, in path order.
    pub notes: Vec<PathBuf>,
    /// The attachments (images, PDFs, audio, video), content-relative
    /// with `/`.
    pub attachments: Vec<String>,
    /// Temporary files a stopped run of lore left.
    pub leftovers: Vec<PathBuf>,
}

/// Walks the content folder; hidden files and folders are skipped, but
/// for lore's own temporaries.
pub fn walk_content(content: &Path) -> Result<ContentFiles> {
    let mut found = ContentFiles::default();
    if !content.exists() {
        return Ok(found);
    }
    // Unsorted, then sorted once below: walkdir's sort parses both names
    // of every comparison, a measurable share of the read at 100,000
    // notes. A path's order is component by component, which is the order
    // a walk sorted by file name visits them in.
    let walk = WalkDir::new(content)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_type().is_dir() || !is_hidden(e.file_name()));
    for entry in walk {
        let entry = entry.with_context(|| format!("reading {}", content.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        match kind_of(entry.path()) {
            Some(Found::Note) => found.notes.push(entry.into_path()),
            Some(Found::Attachment) => {
                if let Ok(rel) = entry.path().strip_prefix(content) {
                    found.attachments.push(slash_path(rel));
                }
            }
            Some(Found::Leftover) => found.leftovers.push(entry.into_path()),
            None => {}
        }
    }
    found.notes.sort_unstable();
    found.leftovers.sort_unstable();
    found
        .attachments
        .sort_unstable_by(|a, b| Path::new(a).cmp(Path::new(b)));
    Ok(found)
}

/// What a file in the content folder is to a build, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Note,
    Attachment,
    Leftover,
}

fn kind_of(path: &Path) -> Option<Found> {
    let name = path.file_name()?;
    if is_hidden(name) {
        return is_temporary_name(name).then_some(Found::Leftover);
    }
    let extension = path
        .extension()
        .and_then(|x| x.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if extension == "md" {
        Some(Found::Note)
    } else if ATTACHMENT_EXTENSIONS.contains(&extension.as_str()) {
        Some(Found::Attachment)
    } else {
        None
    }
}

/// The first `limit` bytes of a file, or `None` for a folder or an
/// unreadable file (reading it as a source reports why).
pub fn read_head(path: &Path, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    if !path.is_file() {
        return None;
    }
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut head))
        .ok()?;
    Some(head)
}

/// A whole file, or `None` when it cannot be read.
pub fn read_file(path: &Path) -> Option<Vec<u8>> {
    fs::read(path).ok()
}

/// Every entry below `dir` in name order, hidden folders (`.obsidian`,
/// `.git`, `.lore`) left out.
fn walk_visible(dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') || n == "node_modules")
}

/// Inside folders, skip files that are plainly not documents (images,
/// archives…). The format of what remains is sniffed from its content.
fn is_text_source(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    !matches!(
        ext.as_str(),
        "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "webp"
            | "avif"
            | "svg"
            | "ico"
            | "bmp"
            | "pdf"
            | "zip"
            | "gz"
            | "mp3"
            | "mp4"
            | "woff"
            | "woff2"
            | "ttf"
            | "css"
            | "js"
            | "scss"
            | "lock"
            | "toml"
            | "yml"
            | "yaml"
    )
}

/// A relative path with `/` between its parts, whatever the platform.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The state file; a missing one is empty, a corrupt one is empty with a
/// warning (it only costs treating existing notes as the user's).
pub fn read_state(root: &Path) -> (State, Option<Diagnostic>) {
    read_json(
        &root.join(STATE_FILE),
        "starting afresh: notes that are exactly what their source makes of them are lore's again",
    )
}

/// Where fetch validators and outcomes are kept, next to config.toml.
pub const FETCH_STATE_FILE: &str = ".lore/fetch.json";

pub fn read_fetch_state(root: &Path) -> (FetchState, Option<Diagnostic>) {
    read_json(&root.join(FETCH_STATE_FILE), "starting afresh")
}

pub fn write_fetch_state(root: &Path, state: &FetchState) -> Result<()> {
    let text = serde_json::to_string_pretty(state).context("serialising fetch state")?;
    write_if_changed(&root.join(FETCH_STATE_FILE), text.as_bytes()).map(|_| ())
}

/// A JSON record; missing means empty, corrupt means empty and a warning
/// that says what that costs.
pub(super) fn read_json<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
    if_corrupt: &str,
) -> (T, Option<Diagnostic>) {
    match fs::read(path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(value) => (value, None),
            Err(e) => (
                T::default(),
                Some(Diagnostic::warning(
                    path.display().to_string(),
                    None,
                    format!("{} is corrupt ({e}); {if_corrupt}", path.display()),
                )),
            ),
        },
        Err(_) => (T::default(), None),
    }
}

/// Saves the state durably: it is the proof of which notes lore wrote.
pub fn write_state(root: &Path, state: &State) -> Result<()> {
    let text = serde_json::to_string_pretty(state).context("serialising state")?;
    let path = root.join(STATE_FILE);
    if fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    write_durably(&path, text.as_bytes())
}

/// Where highlighted code is cached between builds.
const HIGHLIGHT_CACHE: &str = ".lore/cache/highlight.json";

/// The highlight cache; anything unreadable is simply an empty cache.
pub fn read_highlight_cache(root: &Path) -> crate::render::HighlightCache {
    fs::read(root.join(HIGHLIGHT_CACHE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

pub fn write_highlight_cache(root: &Path, cache: &crate::render::HighlightCache) -> Result<()> {
    let sorted: std::collections::BTreeMap<&String, &String> = cache.iter().collect();
    let bytes = serde_json::to_vec(&sorted).context("serialising the highlight cache")?;
    write_if_changed(&root.join(HIGHLIGHT_CACHE), &bytes).map(|_| ())
}

/// Theme files under `themes/<name>/` that override the built-in theme.
pub fn read_theme(dir: &Path) -> Result<Theme> {
    let mut theme = Theme::default();
    if !dir.exists() {
        return Ok(theme);
    }
    theme.manifest = read_optional(&dir.join("theme.toml"))?;
    for (sub, is_template) in [("templates", true), ("static", false)] {
        let base = dir.join(sub);
        if !base.exists() {
            continue;
        }
        for entry in WalkDir::new(&base).sort_by_file_name() {
            let entry = entry.with_context(|| format!("reading {}", base.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = slash_path(entry.path().strip_prefix(&base).unwrap_or(entry.path()));
            let bytes = fs::read(entry.path())
                .with_context(|| format!("reading {}", entry.path().display()))?;
            if is_template {
                theme
                    .templates
                    .insert(rel, String::from_utf8_lossy(&bytes).into_owned());
            } else {
                theme.statics.insert(rel, bytes);
            }
        }
    }
    Ok(theme)
}

/// Joins a generated relative path under `dir`, refusing anything that
/// could climb out of it.
pub fn safe_join(dir: &Path, rel: &str) -> Result<PathBuf> {
    let rel_path = Path::new(rel);
    if rel_path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        anyhow::bail!("refusing to write outside {}: {rel}", dir.display());
    }
    Ok(dir.join(rel_path))
}

/// Writes through a temporary file and a rename, so a crash never leaves
/// a half-written file. Skips the write when the bytes are already there,
/// so unchanged files keep their modification time. Returns whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if let Ok(meta) = fs::metadata(path)
        && meta.len() == bytes.len() as u64
        && fs::read(path).is_ok_and(|old| old == bytes)
    {
        return Ok(false);
    }
    write_atomically(path, bytes)?;
    Ok(true)
}

/// Prefix of lore's temporary files, so a later run can tell its own
/// leftovers from anything else.
const TEMP_PREFIX: &str = ".lore-";

/// Writes through a temporary file in the same folder and a rename: the
/// file is either as it was or complete, never cut (a full disk fails the
/// write and the temporary file goes).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes, permissions_of(path))
}

/// [`write_atomically`] for a file the caller just found absent: it gets
/// the permissions of a new file without a look at the path, and its
/// folder is made only if it is missing. A site's thousands of new pages
/// save two system calls each.
pub fn write_new_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes, None)
}

/// `bytes` at `path` through a temporary file with `permissions`.
fn replace(path: &Path, bytes: &[u8], permissions: Option<fs::Permissions>) -> Result<()> {
    let temp = temporary_file(path, bytes, permissions)?;
    temp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The permissions of the file at `path`, if there is one.
fn permissions_of(path: &Path) -> Option<fs::Permissions> {
    fs::metadata(path).ok().map(|m| m.permissions())
}

/// Like [`write_atomically`], and on the disk before it returns: for the
/// records (state, ledger) that prove which files lore wrote.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = temporary_file(path, bytes, permissions_of(path))?;
    temp.as_file()
        .sync_all()
        .with_context(|| format!("writing {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    if let Some(dir) = path.parent()
        && let Ok(folder) = fs::File::open(dir)
    {
        // The rename itself reaches the disk with the folder.
        let _ = folder.sync_all();
    }
    Ok(())
}

/// A temporary file beside `path` holding `bytes`, with the permissions
/// of the file it replaces (`permissions`), else those of a new file.
fn temporary_file(
    path: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    // A temporary file is private (0600); the note it becomes is not.
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    if let Some(permissions) = permissions.or_else(default_permissions) {
        builder.permissions(permissions);
    }
    let made = match builder.tempfile_in(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // The folder is missing: made once, then the file.
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            builder.tempfile_in(dir)
        }
        made => made,
    };
    let mut temp =
        made.with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    temp.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(temp)
}

/// What a new file gets on Unix: read-write for its owner, readable by
/// others, as an editor would create it.
fn default_permissions() -> Option<fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Removes the temporary files a run that was stopped left behind below
/// `dir` (`.lore-` and six letters or digits, the names lore gives them).
/// Only one lore runs at a time in a knowledge base, so none is in use.
pub fn remove_leftover_temporaries(dir: &Path) {
    let leftovers = WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_type().is_dir() || !is_hidden(e.file_name()))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && is_temporary_name(e.file_name()));
    for entry in leftovers {
        let _ = fs::remove_file(entry.path());
    }
}

/// Removes what [`walk_content`] found a stopped run left.
pub fn remove_leftovers(found: &ContentFiles) {
    for path in &found.leftovers {
        let _ = fs::remove_file(path);
    }
}

fn is_temporary_name(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .and_then(|n| n.strip_prefix(TEMP_PREFIX))
        .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    fn mode(path: &Path) -> Result<u32> {
        Ok(fs::metadata(path)?.permissions().mode() & 0o777)
    }

    #[test]
    fn a_new_page_lands_in_the_folders_made_for_it_as_an_editor_would_make_it() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("notes/deep/page.html");
        write_new_atomically(&path, b"page")?;
        assert_eq!(fs::read(&path)?, b"page");
        let folder = dir.path().join("notes/deep");
        assert_eq!(fs::read_dir(&folder)?.count(), 1, "no temporary file left");
        // Not the temporary file's 0600: what a new 0644 file gets here.
        let editor = folder.join("editor.txt");
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&editor)?;
        assert_eq!(mode(&path)?, mode(&editor)?);
        Ok(())
    }

    #[test]
    fn a_file_written_again_keeps_its_permissions() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("note.md");
        fs::write(&path, "old")?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640))?;
        write_atomically(&path, b"new")?;
        assert_eq!(fs::read_to_string(&path)?, "new");
        assert_eq!(mode(&path)?, 0o640);
        Ok(())
    }
}
