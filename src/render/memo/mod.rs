//! What the markdown pass made of each note (HTML, summary, search words,
//! excerpt), kept by `lore serve` from one rebuild to the next: a note
//! whose inputs did not change is not parsed, highlighted or analysed
//! again. Plain data the pipeline takes and gives back; a one-off build
//! keeps none.
//!
//! A note's entry is keyed by everything its pass reads of it, and by
//! where its links lead: when notes or files are added, removed or renamed
//! ("the world" changes), an entry stays good only if the note's text names
//! none of the names whose target changed (every link names its target),
//! so a new note is rendered with only the notes that mention it.
//!
//! Pages too: each page's path with the hash of everything its template
//! was given. A page given the same again, under the same templates, is
//! not rendered when the folder still holds what was written for it.
//! Here: the memo and a note's key; `view_hash.rs`: a view as a hash,
//! written out in `compact.rs`'s binary form.

use std::collections::HashMap;
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
    /// Shared with the build that reuses them, which copies only what it
    /// changes.
    pub(super) passes: HashMap<blake3::Hash, Arc<Pass>>,
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
}

/// Where links can lead: lowercased note names and paths to pages, the
/// content folder's files and image sizes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct World {
    pub names: HashMap<String, String>,
    pub paths: HashMap<String, String>,
    pub files: HashMap<String, Option<(u32, u32)>>,
}

/// Past this many changed names, every note is rendered again: looking
/// for each in every note would cost more.
const MOST_STALE: usize = 64;

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

    /// The pass of a note with `key` and `markdown`, if still good.
    pub(super) fn get(&self, key: &blake3::Hash, markdown: &str) -> Option<&Arc<Pass>> {
        let pass = self.passes.get(key)?;
        if self.stale.is_empty() {
            return Some(pass);
        }
        // Two letters lowercase to ASCII (KELVIN SIGN to `k`, DOTTED
        // CAPITAL I to `i` and a dot): a text with either is lowercased.
        let named = match &self.stale_finder {
            Some(finder) if !markdown.contains(['\u{212A}', '\u{0130}']) => {
                finder.is_match(markdown)
            }
            _ => {
                let text = markdown.to_lowercase();
                self.stale.iter().any(|name| {
                    text.contains(name.as_str()) || text.contains(&name.replace(' ', "%20"))
                })
            }
        };
        (!named).then_some(pass)
    }

    /// A memo of this build's passes and pages.
    pub(super) fn of(
        (world, theme): (World, blake3::Hash),
        passes: HashMap<blake3::Hash, Arc<Pass>>,
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

/// Everything the markdown pass reads of one note.
pub(super) fn key(note: &Note, markdown: &str) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    field(&mut hasher, &note.path);
    field(&mut hasher, &note.front.title);
    for list in [&note.front.aliases, &note.front.tags, &note.front.authors] {
        hasher.update(&list.len().to_le_bytes());
        for item in list {
            field(&mut hasher, item);
        }
    }
    hasher.update(&[u8::from(note.front.source.is_none())]);
    field(&mut hasher, markdown);
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
            body: String::new(),
            ownership: Ownership::User,
        }
    }

    #[test]
    fn a_note_is_rendered_again_when_anything_its_page_shows_changes() {
        let a = note("a.md", &["x"]);
        let base = key(&a, "body");
        assert_eq!(key(&a, "body"), base);
        assert_ne!(key(&a, "body!"), base);
        assert_ne!(key(&note("a.md", &["y"]), "body"), base);
        assert_ne!(key(&note("b/a.md", &["x"]), "body"), base);
        let mut imported = a.clone();
        imported.front.source = Some("feed".into());
        assert_ne!(key(&imported, "body"), base, "a feed note stays inert");
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
        let (links_beta, links_mine, plain) =
            (blake3::hash(b"1"), blake3::hash(b"2"), blake3::hash(b"3"));
        let passes: HashMap<blake3::Hash, Arc<Pass>> = [
            (links_beta, pass().into()),
            (links_mine, pass().into()),
            (plain, pass().into()),
        ]
        .into();
        let memo = || {
            Memo::of(
                (before.clone(), theme),
                passes.clone(),
                HashMap::new(),
                None,
            )
        };

        // Nothing moved: every pass holds.
        let same = memo().valid_in(&before, theme);
        assert!(same.get(&links_beta, "See [[Beta]].").is_some());

        // Beta renamed Gamma, and "my note" removed.
        let after = world(&["alpha", "gamma"]);
        let moved = memo().valid_in(&after, theme);
        assert!(moved.get(&links_beta, "See [[Beta]].").is_none());
        assert!(moved.get(&links_mine, "[x](My%20Note.md)").is_none());
        assert!(moved.get(&plain, "Nothing linked here.").is_some());
        // Found in any case, and spelled with letters that lowercase to
        // ASCII (a KELVIN SIGN for the k of "kelvin"): as a full build
        // reads the link.
        assert!(moved.get(&links_beta, "See [[BETA]].").is_none());
        let kelvin = world(&["kelvin"]);
        let gone = Memo::of((kelvin, theme), passes.clone(), HashMap::new(), None)
            .valid_in(&world(&[]), theme);
        assert!(gone.get(&plain, "See [[\u{212A}elvin]].").is_none());
        assert!(gone.get(&plain, "See [[Celsius]].").is_some());

        // Many names moved at once: everything is rendered again.
        let many: Vec<String> = (0..=MOST_STALE).map(|k| format!("n{k}")).collect();
        let crowd = world(&many.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(memo().valid_in(&crowd, theme).get(&plain, "x").is_none());
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
