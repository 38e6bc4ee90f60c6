//! Notes: turns ingested items into the vault's notes and merges them with
//! the notes already in `content/`. It owns front matter, file names, tags,
//! and the rule that a note a person edited is never overwritten. No file
//! system access: the vault arrives as text and leaves as text.

pub mod frontmatter;
pub mod links;
pub mod slug;
pub mod state;
pub mod tags;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::ingest::markdown;
use crate::model::{Diagnostic, FrontMatter, Item, Note, Ownership};
pub use state::{State, hash};

/// A markdown file as it is in `content/` now.
#[derive(Debug, Clone)]
pub struct VaultFile {
    /// Path inside `content/`, `/`-separated.
    pub path: String,
    pub text: String,
}

/// A vault file as read, before anyone asks whose it is: the note its
/// text makes, the text's [`hash`], and a warning when its front matter
/// could not be read (the note is then its whole text, and the person's).
/// `lore serve` keeps these between builds for the files that did not
/// change.
#[derive(Debug, Clone)]
pub struct OnDisk {
    pub note: Note,
    pub hash: String,
    pub diagnostic: Option<Diagnostic>,
    /// The text itself, kept only when asked (`--restore` may set it aside).
    pub text: Option<String>,
}

/// Reads one vault file.
pub fn read_file(file: VaultFile, keep_text: bool) -> OnDisk {
    let hash = hash(&file.text);
    let (note, diagnostic) = read_note(&file);
    OnDisk {
        note,
        hash,
        diagnostic,
        text: keep_text.then_some(file.text),
    }
}

/// How the merge went, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MergeStats {
    pub from_sources: usize,
    pub kept_edits: usize,
    /// Edited notes whose source changed: the new version was set aside.
    pub conflicts: usize,
    pub undated: usize,
}

/// The upstream version of a note the user edited, set aside for the user
/// to compare: lore never merges text on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Path of the user's note inside `content/`.
    pub path: String,
    /// The note as the source has it now.
    pub text: String,
    /// Its source hash, to remember that it was reported.
    pub source_hash: String,
}

/// The vault after the merge: every note, in path order.
#[derive(Debug, Default)]
pub struct Merged {
    pub notes: Vec<Note>,
    /// Hash ([`hash`]) of each note file as it was on disk, by path: the
    /// texts themselves need not be held while the site is built.
    pub on_disk: HashMap<String, String>,
    pub stats: MergeStats,
    /// Paths of the notes made or updated from an item in this merge.
    pub from_items: std::collections::HashSet<String>,
    pub conflicts: Vec<Conflict>,
    /// Notes `--restore` took back from their source although lore had no
    /// record of them: (path, the text that was on disk), to keep.
    pub set_aside: Vec<(String, String)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Merges fresh items into the existing vault.
///
/// An item whose id matches an existing note updates that note in place
/// (same path), unless the note was edited by a person since lore wrote it:
/// then the person's version stays. A note lore wrote that is now missing
/// from disk was deleted by the user and is not brought back unless
/// `restore` is set.
pub fn merge(items: Vec<Item>, files: Vec<VaultFile>, state: &State, restore: bool) -> Merged {
    // Each file's text goes once it is read, so the vault is never held
    // twice (as files and as notes); `--restore` may set aside the text of
    // a note lore has no record of, so those are kept.
    let read = files
        .into_par_iter()
        .map(|f| {
            let keep = restore && !state.notes.contains_key(&f.path);
            read_file(f, keep)
        })
        .collect();
    merge_read(items, read, state, restore)
}

/// [`merge`], of files already read ([`read_file`], with their text kept
/// when `restore` is set).
pub fn merge_read(items: Vec<Item>, files: Vec<OnDisk>, state: &State, restore: bool) -> Merged {
    let mut merged = Merged::default();
    let mut unrecorded: HashMap<String, String> = HashMap::new();
    for file in files {
        let mut note = file.note;
        note.ownership = match state.notes.get(&note.path) {
            Some(written) if written.is_lores(&file.hash) && file.diagnostic.is_none() => {
                Ownership::Lore
            }
            _ => Ownership::User,
        };
        merged.diagnostics.extend(file.diagnostic);
        if let Some(text) = file.text
            && restore
            && !state.notes.contains_key(&note.path)
        {
            unrecorded.insert(note.path.clone(), text);
        }
        merged.on_disk.insert(note.path.clone(), file.hash);
        merged.notes.push(note);
    }

    let mut names = slug::NameRegistry::default();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, note) in merged.notes.iter().enumerate() {
        names.reserve(note.name());
        if let Some(id) = &note.front.id {
            by_id.entry(id.clone()).or_insert(i);
        }
    }
    let deleted: HashMap<&str, &str> = state
        .notes
        .iter()
        // A note a stopped run recorded but never wrote was not deleted.
        .filter(|(path, written)| !merged.on_disk.contains_key(*path) && !written.never_written())
        .map(|(path, written)| (written.id.as_str(), path.as_str()))
        .collect();

    let mut seen_ids = std::collections::HashSet::new();
    for item in items {
        if !seen_ids.insert(item.id.clone()) {
            continue;
        }
        merged.stats.from_sources += 1;
        if item.date.is_none() {
            merged.stats.undated += 1;
        }
        if let Some(&i) = by_id.get(&item.id) {
            let note = &mut merged.notes[i];
            if note.ownership == Ownership::User && !state.notes.contains_key(&note.path) {
                // No record (the state was lost): a note that is exactly
                // what the item makes is lore's, and rewriting it can lose
                // nothing. With --restore any other is taken back from its
                // source too, the text on disk kept aside first.
                if is_items_version(note, &item) {
                    note.ownership = Ownership::Lore;
                } else if restore && let Some(text) = unrecorded.remove(&note.path) {
                    merged.set_aside.push((note.path.clone(), text));
                    note.ownership = Ownership::Lore;
                }
            }
            match note.ownership {
                Ownership::Lore => {
                    let (front, body) = note_parts(&item, note.name());
                    (note.front, note.body) = (front, body.into());
                    merged.from_items.insert(note.path.clone());
                }
                Ownership::User => {
                    merged.stats.kept_edits += 1;
                    if let Some(conflict) = upstream_change(note, &item, state) {
                        merged.stats.conflicts += 1;
                        merged.diagnostics.push(Diagnostic::warning(
                            &note.path,
                            Some(item.title.clone()),
                            format!(
                                "you edited this note and its source changed since; your version \
                                 is kept and the new one is in {CONFLICTS_DIR}/{}",
                                note.path
                            ),
                        ));
                        merged.conflicts.push(conflict);
                    }
                }
            }
            continue;
        }
        if let Some(path) = deleted.get(item.id.as_str()).filter(|_| !restore) {
            merged.diagnostics.push(Diagnostic::warning(
                *path,
                Some(item.title.clone()),
                "you deleted this note; it stays deleted (run with --restore to bring it back)",
            ));
            continue;
        }
        let name = match deleted.get(item.id.as_str()) {
            Some(path) => path
                .trim_end_matches(".md")
                .rsplit('/')
                .next()
                .unwrap_or(path)
                .to_string(),
            None => names.claim(
                &item
                    .name
                    .as_deref()
                    .and_then(slug::safe_name)
                    .unwrap_or_else(|| slug::slugify(&item.title)),
            ),
        };
        let (front, body) = note_parts(&item, &name);
        by_id.insert(item.id.clone(), merged.notes.len());
        let path = format!("{name}.md");
        merged.from_items.insert(path.clone());
        merged.notes.push(Note {
            path,
            front,
            body: body.into(),
            ownership: Ownership::Lore,
        });
    }
    merged.notes.sort_by(|a, b| a.path.cmp(&b.path));
    merged
}

/// Where `--restore` keeps the text of a note it took back from its source
/// when lore had no record of writing it.
pub const KEPT_DIR: &str = ".lore/kept";

/// Where upstream versions of edited notes are set aside, beside
/// config.toml (a hidden folder, so Obsidian does not index it).
pub const CONFLICTS_DIR: &str = ".lore/conflicts";

/// The hash of a note as its source gives it: related notes left out.
pub fn source_hash(note: &Note) -> String {
    let front = FrontMatter {
        related: Vec::new(),
        ..note.front.clone()
    };
    hash(&frontmatter::render_note(&front, &note.body))
}

/// The item's version of a note the user edited, if the source changed
/// since lore last wrote the note and this change was not reported yet.
/// Without a recorded source hash (a state from an older lore) there is
/// nothing to compare with, so nothing is reported.
fn upstream_change(note: &Note, item: &Item, state: &State) -> Option<Conflict> {
    let written = state.notes.get(&note.path)?;
    let (front, body) = note_parts(item, note.name());
    let upstream = Note {
        path: note.path.clone(),
        front,
        body: body.into(),
        ownership: Ownership::Lore,
    };
    let source_hash = source_hash(&upstream);
    let already_known = written.source.as_deref().is_none_or(|s| s == source_hash)
        || written.conflict.as_deref() == Some(source_hash.as_str());
    (!already_known).then(|| Conflict {
        path: note.path.clone(),
        text: note_text(&upstream),
        source_hash,
    })
}

/// Whether `note` says exactly what `item` makes of it (related notes
/// aside, which change as the vault grows).
fn is_items_version(note: &Note, item: &Item) -> bool {
    let (front, body) = note_parts(item, note.name());
    let made = Note {
        front,
        body: body.into(),
        ..note.clone()
    };
    source_hash(note) == source_hash(&made)
}

/// Front matter and body of the note an item becomes.
fn note_parts(item: &Item, name: &str) -> (FrontMatter, String) {
    let aliases = if item.title != name {
        vec![item.title.clone()]
    } else {
        Vec::new()
    };
    let front = FrontMatter {
        title: item.title.clone(),
        date: item.date,
        authors: item.authors.clone(),
        tags: tags::normalize_all(&item.tags),
        source: Some(item.source.clone()),
        url: item.url.clone(),
        id: Some(item.id.clone()),
        aliases,
        related: Vec::new(),
        extra: item.extra.clone(),
    };
    (front, item.body.trim().to_string())
}

/// Reads one vault file, as the person's until the merge knows better.
/// Unreadable front matter makes its whole text the body, with a warning.
fn read_note(file: &VaultFile) -> (Note, Option<Diagnostic>) {
    let name = file
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&file.path)
        .trim_end_matches(".md");
    let (front, body, diagnostic) = match markdown::split(&file.text) {
        Ok(parsed) => (
            frontmatter::read(&parsed.fields, name, parsed.body),
            parsed.body.to_string(),
            None,
        ),
        Err(e) => {
            let front = frontmatter::read(&serde_json::Map::new(), name, &file.text);
            (
                front,
                file.text.clone(),
                Some(Diagnostic::warning(&file.path, None, e.to_string())),
            )
        }
    };
    (
        Note {
            path: file.path.clone(),
            front,
            body: body.into(),
            ownership: Ownership::User,
        },
        diagnostic,
    )
}

/// The bytes lore writes for a note it owns.
pub fn note_text(note: &Note) -> String {
    frontmatter::render_note(&note.front, &note.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, title: &str, body: &str) -> Item {
        Item {
            id: id.into(),
            title: title.into(),
            body: body.into(),
            source: "Feed".into(),
            ..Item::default()
        }
    }

    #[test]
    fn same_title_gets_distinct_names() {
        let merged = merge(
            vec![item("a", "Hello", "x"), item("b", "Hello", "y")],
            Vec::new(),
            &State::default(),
            false,
        );
        let paths: Vec<&str> = merged.notes.iter().map(|n| n.path.as_str()).collect();
        assert_eq!(paths, ["hello-2.md", "hello.md"]);
    }

    #[test]
    fn an_edited_note_is_kept() {
        let first = merge(
            vec![item("a", "Hello", "original")],
            Vec::new(),
            &State::default(),
            false,
        );
        let text = note_text(&first.notes[0]);
        let mut state = State::default();
        state.record("hello.md", "a", &text, &source_hash(&first.notes[0]));
        let edited = text.replace("original", "my edit");
        let files = vec![VaultFile {
            path: "hello.md".into(),
            text: edited,
        }];
        let second = merge(
            vec![item("a", "Hello", "upstream change")],
            files,
            &state,
            false,
        );
        assert_eq!(second.notes[0].ownership, Ownership::User);
        assert!(second.notes[0].body.contains("my edit"));
        assert_eq!(second.stats.kept_edits, 1);
    }

    #[test]
    fn an_unedited_note_follows_upstream() {
        let first = merge(
            vec![item("a", "Hello", "original")],
            Vec::new(),
            &State::default(),
            false,
        );
        let text = note_text(&first.notes[0]);
        let mut state = State::default();
        state.record("hello.md", "a", &text, &source_hash(&first.notes[0]));
        let files = vec![VaultFile {
            path: "hello.md".into(),
            text,
        }];
        let second = merge(
            vec![item("a", "Hello", "upstream change")],
            files,
            &state,
            false,
        );
        assert_eq!(&*second.notes[0].body, "upstream change");
    }

    #[test]
    fn without_a_record_only_the_items_own_version_is_adopted() {
        let first = merge(
            vec![item("a", "Hello", "original")],
            Vec::new(),
            &State::default(),
            false,
        );
        let text = note_text(&first.notes[0]);
        let files = |text: String| {
            vec![VaultFile {
                path: "hello.md".into(),
                text,
            }]
        };
        // The state is lost: the untouched note is still lore's...
        let again = merge(
            vec![item("a", "Hello", "original")],
            files(text.clone()),
            &State::default(),
            false,
        );
        assert_eq!(again.notes[0].ownership, Ownership::Lore);
        // ...and one a person changed is still theirs.
        let edited = merge(
            vec![item("a", "Hello", "original")],
            files(text.replace("original", "mine")),
            &State::default(),
            false,
        );
        assert_eq!(edited.notes[0].ownership, Ownership::User);
    }

    #[test]
    fn restore_takes_back_unrecorded_notes_and_keeps_what_was_there() {
        let first = merge(
            vec![item("a", "Hello", "v1")],
            Vec::new(),
            &State::default(),
            false,
        );
        let text = note_text(&first.notes[0]);
        let files = vec![VaultFile {
            path: "hello.md".into(),
            text: text.clone(),
        }];
        let restored = merge(
            vec![item("a", "Hello", "v2")],
            files,
            &State::default(),
            true,
        );
        assert_eq!(&*restored.notes[0].body, "v2");
        assert_eq!(restored.set_aside, [("hello.md".to_string(), text)]);
    }

    #[test]
    fn a_note_a_stopped_run_never_wrote_is_not_taken_as_deleted() {
        let mut state = State::default();
        state.record("hello.md", "a", "text", "source");
        let state = state.writing([("hello.md", None)]);
        let merged = merge(vec![item("a", "Hello", "x")], Vec::new(), &state, false);
        assert_eq!(
            merged.notes.len(),
            1,
            "the note is written, not held as deleted"
        );
    }

    #[test]
    fn a_deleted_note_stays_deleted_unless_restored() {
        let mut state = State::default();
        state.record("hello.md", "a", "whatever", "whatever");
        let kept_deleted = merge(vec![item("a", "Hello", "x")], Vec::new(), &state, false);
        assert!(kept_deleted.notes.is_empty());
        let restored = merge(vec![item("a", "Hello", "x")], Vec::new(), &state, true);
        assert_eq!(restored.notes[0].path, "hello.md");
    }
}
