//! What the markdown pass made of each note (HTML, summary, search words,
//! excerpt), kept by `lore serve` from one rebuild to the next: a note
//! whose inputs did not change is not parsed, highlighted or analysed
//! again. Plain data the pipeline takes and gives back; a one-off build
//! keeps none.
//!
//! A note's entry is keyed by everything its pass reads of it; the whole
//! memo holds only while the notes it may link to stay the same ("the
//! world": every note's path and name, the content folder's files), since
//! a new or renamed note can change where any link leads.
//!
//! Pages too: each page's path with the hash of everything its template
//! was given. A page given the same again, under the same templates, is
//! not rendered when the folder still holds what was written for it.

use std::collections::{HashMap, HashSet};

use super::markdown::Rendered;
use crate::model::Note;
use crate::search::Analyzed;

/// The markdown pass's results, by note.
#[derive(Debug, Default)]
pub struct Memo {
    world: Option<blake3::Hash>,
    passes: HashMap<blake3::Hash, Pass>,
    /// The templates the pages were rendered with.
    theme: Option<blake3::Hash>,
    /// Page path → hash of what its template was given.
    pub(super) pages: HashMap<String, blake3::Hash>,
}

/// What the markdown pass made of one note.
#[derive(Debug, Clone)]
pub(super) struct Pass {
    pub body: Rendered,
    pub summary: String,
    pub words: Analyzed,
    pub excerpt: String,
}

impl Memo {
    /// The entries still good in `world` with `theme`: none of the
    /// passes if the world changed, none of the pages if the theme did.
    pub(super) fn valid_in(mut self, world: blake3::Hash, theme: blake3::Hash) -> Memo {
        if self.world != Some(world) {
            self.world = Some(world);
            self.passes.clear();
        }
        if self.theme != Some(theme) {
            self.theme = Some(theme);
            self.pages.clear();
        }
        self
    }

    pub(super) fn get(&self, key: &blake3::Hash) -> Option<&Pass> {
        self.passes.get(key)
    }

    /// A memo of this build's passes and pages.
    pub(super) fn of(
        (world, theme): (blake3::Hash, blake3::Hash),
        passes: HashMap<blake3::Hash, Pass>,
        pages: HashMap<String, blake3::Hash>,
    ) -> Memo {
        Memo {
            world: Some(world),
            passes,
            theme: Some(theme),
            pages,
        }
    }
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

/// What a page's template is given, as a hash.
pub(super) fn view(template: &str, context: &impl serde::Serialize) -> Option<blake3::Hash> {
    let mut hasher = blake3::Hasher::new();
    field(&mut hasher, template);
    serde_json::to_writer(&mut hasher, context).ok()?;
    Some(hasher.finalize())
}

/// What every note's links may resolve to.
pub(super) fn world(
    notes: &[Note],
    attachments: &HashSet<String>,
    image_sizes: &HashMap<String, (u32, u32)>,
) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    for note in notes {
        field(&mut hasher, &note.path);
        field(&mut hasher, note.name());
    }
    let mut files: Vec<(&String, Option<&(u32, u32)>)> = attachments
        .iter()
        .map(|a| (a, image_sizes.get(a)))
        .collect();
    files.sort();
    for (file, size) in files {
        field(&mut hasher, file);
        if let Some((w, h)) = size {
            hasher.update(&w.to_le_bytes());
            hasher.update(&h.to_le_bytes());
        }
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

    #[test]
    fn every_note_is_rendered_again_when_what_links_reach_changes() {
        let none = HashSet::new();
        let sizes = HashMap::new();
        let two = [note("a.md", &[]), note("b.md", &[])];
        let world_two = world(&two, &none, &sizes);
        let renamed = [note("a.md", &[]), note("c.md", &[])];
        assert_ne!(world(&renamed, &none, &sizes), world_two);
        assert_ne!(world(&two[..1], &none, &sizes), world_two);
        let image: HashSet<String> = ["p.png".to_string()].into();
        let with_image = world(&two, &image, &sizes);
        assert_ne!(with_image, world_two);
        let sized = HashMap::from([("p.png".to_string(), (10, 20))]);
        assert_ne!(world(&two, &image, &sized), with_image);

        let theme = blake3::hash(b"templates");
        let mut memo = Memo::of((world_two, theme), HashMap::new(), HashMap::new());
        memo.passes.insert(
            key(&two[0], ""),
            Pass {
                body: Rendered::default(),
                summary: String::new(),
                words: Analyzed::default(),
                excerpt: String::new(),
            },
        );
        memo.pages
            .insert("notes/a.html".into(), blake3::hash(b"view"));
        let kept = Memo::of((world_two, theme), memo.passes.clone(), memo.pages.clone())
            .valid_in(world_two, theme);
        assert_eq!((kept.passes.len(), kept.pages.len()), (1, 1));
        let new_theme = Memo::of((world_two, theme), memo.passes.clone(), memo.pages.clone())
            .valid_in(world_two, blake3::hash(b"other templates"));
        assert_eq!((new_theme.passes.len(), new_theme.pages.len()), (1, 0));
        let moved = memo.valid_in(with_image, theme);
        assert_eq!((moved.passes.len(), moved.pages.len()), (0, 1));
    }
}
