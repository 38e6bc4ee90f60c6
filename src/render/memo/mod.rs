//! What the markdown pass made of each note (HTML, summary, search words,
//! excerpt), kept by `lore serve` from one rebuild to the next: a note
//! whose inputs did not change is not parsed, highlighted or analysed
//! again. Plain data the pipeline takes and gives back; a one-off build
//! keeps none.
//!
//! A note's entry is found by its path, and holds good while everything
//! its pass reads of it is as it was (its properties and its markdown,
//! kept and compared: a comparison costs a tenth of a hash, and nearly
//! every note of a rebuild is unchanged; holding the markdown costs as
//! much memory as the notes' text), and while where its links lead
//! is too: when notes or files are added, removed or renamed
//! ("the world" changes), an entry stays good only if the note's text names
//! none of the names whose target changed (every link names its target),
//! so a new note is rendered with only the notes that mention it.
//!
//! Pages too: each page's path with the hash of everything its template
//! was given. A page given the same again, under the same templates, is
//! not rendered when the folder still holds what was written for it.
//! Here: the memo and what a note's entry holds; `view_hash.rs`: a view as a hash,
//! written out in `compact.rs`'s binary form.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

mod compact;
mod view_hash;

pub(super) use view_hash::{Digest, costly_part, hash_of, view};

use super::markdown::Rendered;
use super::packed::Packed;
use super::quick::Kept;
use crate::model::Note;
use crate::search::Analyzed;

/// The markdown pass's results, by note.
#[derive(Debug, Default)]
pub struct Memo {
    pub(super) world: Option<World>,
    /// By note path; each entry is shared with the build that reuses it.
    pub(super) passes: HashMap<String, Arc<Entry>>,
    /// Lowercased names whose target changed since the passes were made.
    stale: Vec<String>,
    /// Finds them (and their `%20` spellings) in any case without
    /// lowercasing each note first, when they are all ASCII.
    stale_finder: Option<aho_corasick::AhoCorasick>,
    /// The templates the pages were rendered with.
    theme: Option<blake3::Hash>,
    /// Page path → hash of what its template was given.
    pub(super) pages: HashMap<String, blake3::Hash>,
    /// What a note's page is made of, for a quick page (see [`super::quick`]).
    pub(super) kept: Option<Box<Kept>>,
    /// What the relate stage tokenised of each note: not render's, carried
    /// here so that one memo goes from build to build. The pipeline takes
    /// it out before relating and puts it back after rendering.
    pub relate: crate::relate::Memo,
    /// Numbers the search words its passes hold.
    pub(super) vocabulary: Arc<crate::search::Vocabulary>,
}

/// Where links can lead: lowercased note names and paths to pages, the
/// content folder's files and image sizes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct World {
    pub names: HashMap<String, String>,
    pub paths: HashMap<String, String>,
    pub files: HashMap<String, Option<(u32, u32)>>,
}

impl World {
    /// Where the links of `notes`, with page `urls`, lead among them and
    /// the content folder's files.
    pub(super) fn of(
        urls: &[String],
        notes: &[Note],
        attachments: &HashSet<String>,
        image_sizes: &HashMap<String, (u32, u32)>,
    ) -> World {
        let (names, paths) = super::markdown::note_paths(
            notes
                .iter()
                .zip(urls)
                .map(|(n, u)| (n.path.as_str(), u.as_str())),
        );
        World {
            names,
            paths,
            files: attachments
                .iter()
                .map(|a| (a.clone(), image_sizes.get(a).copied()))
                .collect(),
        }
    }
}

/// Past this many changed names, every note is rendered again: looking
/// for each in every note would cost more.
const MOST_STALE: usize = 64;

/// A note's pass and what it was made from.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub reads: Reads,
    /// The markdown it was made from.
    pub markdown: Arc<str>,
    pub pass: Arc<Pass>,
}

impl Entry {
    /// The entry of `note`, whose markdown made `pass`.
    pub(super) fn of(note: &Note, markdown: Arc<str>, pass: Arc<Pass>) -> Entry {
        Entry {
            reads: Reads::of(note),
            markdown,
            pass,
        }
    }
}

/// Everything the markdown pass reads of a note but its markdown and its
/// path (which finds its entry).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reads {
    title: String,
    aliases: Vec<String>,
    tags: Vec<String>,
    authors: Vec<String>,
    /// A person's own note, not a source's (which stays inert).
    own: bool,
}

impl Reads {
    fn of(note: &Note) -> Reads {
        let front = &note.front;
        Reads {
            title: front.title.clone(),
            aliases: front.aliases.clone(),
            tags: front.tags.clone(),
            authors: front.authors.clone(),
            own: front.source.is_none(),
        }
    }

    /// Whether `note` gives the pass what it gave it.
    fn hold_for(&self, note: &Note) -> bool {
        let front = &note.front;
        self.title == front.title
            && self.aliases == front.aliases
            && self.tags == front.tags
            && self.authors == front.authors
            && self.own == front.source.is_none()
    }
}

/// What the markdown pass made of one note.
#[derive(Debug, Clone)]
pub(super) struct Pass {
    /// Without its HTML, which is `html`.
    pub body: Rendered,
    pub html: Packed,
    pub summary: String,
    pub words: Analyzed,
    pub excerpt: std::sync::Arc<str>,
}

impl Memo {
    /// The entries still good in `world` with `theme`: the passes of notes
    /// that name nothing whose target changed, the pages if the theme did
    /// not change.
    pub(super) fn valid_in(mut self, world: &World, theme: blake3::Hash) -> Memo {
        self.stale = match &self.world {
            Some(before) if before == world => Vec::new(),
            Some(before) => changed_names(before, world),
            None => Vec::new(),
        };
        if self.world.is_none() || self.stale.len() > MOST_STALE {
            self.passes.clear();
            self.stale.clear();
        }
        self.stale_finder = finder(&self.stale);
        self.world = None;
        if self.theme != Some(theme) {
            self.theme = Some(theme);
            self.pages.clear();
        }
        self
    }

    /// The entry of `note` with `markdown`, if still good.
    pub(super) fn get(&self, note: &Note, markdown: &Arc<str>) -> Option<&Arc<Entry>> {
        let entry = self.passes.get(&note.path)?;
        // The same text, shared from the file as read, needs no comparing.
        let text = Arc::ptr_eq(&entry.markdown, markdown) || *entry.markdown == **markdown;
        let same = entry.reads.hold_for(note) && text;
        (same && !self.names_stale(markdown)).then_some(entry)
    }

    /// Whether `markdown` names a name whose target changed.
    fn names_stale(&self, markdown: &str) -> bool {
        if self.stale.is_empty() {
            return false;
        }
        if let Some(finder) = &self.stale_finder {
            if finder.is_match(markdown) {
                return true;
            }
            // Two letters lowercase to ASCII (KELVIN SIGN to `k`, DOTTED
            // CAPITAL I to `i` and a dot): a text with either is lowercased.
            // Looked for as bytes: as chars, it cost ten times the finder.
            let bytes = markdown.as_bytes();
            let odd = ["\u{212A}", "\u{0130}"]
                .iter()
                .any(|c| memchr::memmem::find(bytes, c.as_bytes()).is_some());
            if !odd {
                return false;
            }
        }
        let text = markdown.to_lowercase();
        self.stale
            .iter()
            .any(|name| text.contains(name.as_str()) || text.contains(&name.replace(' ', "%20")))
    }

    /// A memo of this build's passes and pages.
    pub(super) fn of(
        (world, theme): (World, blake3::Hash),
        passes: HashMap<String, Arc<Entry>>,
        pages: HashMap<String, blake3::Hash>,
        kept: Option<Kept>,
    ) -> Memo {
        Memo {
            world: Some(world),
            passes,
            stale: Vec::new(),
            stale_finder: None,
            theme: Some(theme),
            pages,
            kept: kept.map(Box::new),
            relate: crate::relate::Memo::default(),
            vocabulary: Default::default(),
        }
    }
}

/// What finds any of `names` (lowercased, ASCII) in a text of any case.
fn finder(names: &[String]) -> Option<aho_corasick::AhoCorasick> {
    if names.is_empty() || !names.iter().all(|n| n.is_ascii()) {
        return None;
    }
    let spellings = names
        .iter()
        .flat_map(|n| [n.clone(), n.replace(' ', "%20")]);
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(spellings)
        .ok()
}

/// The names (last path segment, lowercased) of every key whose target
/// differs between two worlds.
fn changed_names(before: &World, now: &World) -> Vec<String> {
    fn diff<'a, V: PartialEq>(
        a: &'a HashMap<String, V>,
        b: &'a HashMap<String, V>,
    ) -> impl Iterator<Item = &'a String> {
        let gone_or_moved = a
            .iter()
            .filter(|(k, v)| b.get(*k) != Some(*v))
            .map(|(k, _)| k);
        let added = b.keys().filter(|k| !a.contains_key(*k));
        gone_or_moved.chain(added)
    }
    let mut names: Vec<String> = diff(&before.names, &now.names)
        .chain(diff(&before.paths, &now.paths))
        .chain(diff(&before.files, &now.files))
        .map(|key| key.rsplit('/').next().unwrap_or(key).to_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The templates pages are rendered with.
pub(super) fn theme(theme: &super::templates::Theme) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    for (name, source) in &theme.templates {
        field(&mut hasher, name);
        field(&mut hasher, source);
    }
    hasher.finalize()
}

/// A length-prefixed field, so that no two lists hash alike.
fn field(hasher: &mut blake3::Hasher, text: &str) {
    hasher.update(&text.len().to_le_bytes());
    hasher.update(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FrontMatter, Ownership};

    fn note(path: &str, tags: &[&str]) -> Note {
        Note {
            path: path.into(),
            front: FrontMatter {
                title: "T".into(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                ..FrontMatter::default()
            },
            body: "".into(),
            ownership: Ownership::User,
        }
    }

    /// A memo holding one pass, of `note` with `markdown`, made in `world`.
    fn holding(note: &Note, markdown: &str, world: &World) -> Memo {
        let entry = Entry::of(note, markdown.into(), pass().into());
        let passes = [(note.path.clone(), Arc::new(entry))].into();
        let theme = blake3::hash(b"templates");
        Memo::of((world.clone(), theme), passes, HashMap::new(), None)
    }

    #[test]
    fn a_note_is_rendered_again_when_anything_its_page_shows_changes() {
        let a = note("a.md", &["x"]);
        let theme = blake3::hash(b"templates");
        let memo = holding(&a, "body", &World::default()).valid_in(&World::default(), theme);
        let found = |n: &Note, markdown: &str| memo.get(n, &markdown.into()).is_some();
        assert!(found(&a, "body"));
        // Its text, by a byte or by its length.
        assert!(!found(&a, "bodY"));
        assert!(!found(&a, "body "));
        assert!(!found(&a, ""));
        // Its properties, and where it is.
        assert!(!found(&note("a.md", &["y"]), "body"));
        assert!(!found(&note("a.md", &["x", "y"]), "body"));
        let mut retitled = a.clone();
        retitled.front.title = "U".into();
        assert!(!found(&retitled, "body"));
        let mut aliased = a.clone();
        aliased.front.aliases = vec!["b".into()];
        assert!(!found(&aliased, "body"));
        assert!(!found(&note("b/a.md", &["x"]), "body"));
        let mut imported = a.clone();
        imported.front.source = Some("feed".into());
        assert!(!found(&imported, "body"), "a feed note stays inert");
    }

    fn world(names: &[&str]) -> World {
        World {
            names: names
                .iter()
                .map(|n| (n.to_string(), format!("notes/{n}.html")))
                .collect(),
            ..World::default()
        }
    }

    fn pass() -> Pass {
        Pass {
            body: Rendered::default(),
            html: Packed::default(),
            summary: String::new(),
            words: Analyzed::default(),
            excerpt: "".into(),
        }
    }

    #[test]
    fn a_note_is_rendered_again_when_a_name_it_mentions_leads_elsewhere() {
        let theme = blake3::hash(b"templates");
        let before = world(&["alpha", "beta", "my note"]);
        let a = note("a.md", &[]);
        // Whether the pass of `a`, with `text`, made in `before` is still
        // good in `now`.
        let holds = |text: &str, before: &World, now: &World| {
            let memo = holding(&a, text, before);
            memo.valid_in(now, theme).get(&a, &text.into()).is_some()
        };

        // Nothing moved: every pass holds.
        assert!(holds("See [[Beta]].", &before, &before));

        // Beta renamed Gamma, and "my note" removed.
        let after = world(&["alpha", "gamma"]);
        assert!(!holds("See [[Beta]].", &before, &after));
        assert!(!holds("[x](My%20Note.md)", &before, &after));
        assert!(holds("Nothing linked here.", &before, &after));
        // Found in any case, and spelled with letters that lowercase to
        // ASCII (a KELVIN SIGN for the k of "kelvin"): as a full build
        // reads the link.
        assert!(!holds("See [[BETA]].", &before, &after));
        let kelvin = world(&["kelvin"]);
        assert!(!holds("See [[\u{212A}elvin]].", &kelvin, &world(&[])));
        assert!(holds("See [[Celsius]], \u{212A}.", &kelvin, &world(&[])));

        // Many names moved at once: everything is rendered again.
        let many: Vec<String> = (0..=MOST_STALE).map(|k| format!("n{k}")).collect();
        let crowd = world(&many.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(!holds("x", &before, &crowd));
    }

    #[test]
    fn pages_are_rendered_again_when_the_templates_change() {
        let theme = blake3::hash(b"templates");
        let pages: HashMap<String, blake3::Hash> =
            [("notes/a.html".to_string(), blake3::hash(b"view"))].into();
        let w = world(&["a"]);
        let kept =
            Memo::of((w.clone(), theme), HashMap::new(), pages.clone(), None).valid_in(&w, theme);
        assert_eq!(kept.pages.len(), 1);
        let changed = Memo::of((w.clone(), theme), HashMap::new(), pages, None)
            .valid_in(&w, blake3::hash(b"other templates"));
        assert!(changed.pages.is_empty());
    }
}
