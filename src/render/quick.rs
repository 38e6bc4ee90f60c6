//! `lore serve`'s first answer to a saved note: its page made again at
//! once, with the rest of the site as the last build left it (what Hugo
//! calls fast render). A full rebuild follows and makes every page right,
//! this one included; for an edit of a note's text it seldom changes this
//! page again (only when the note's related notes move).
//!
//! What the last build worked out from all the notes (URLs, taxonomies,
//! links, the compiled templates, the syntax definitions) is kept in the
//! memo; a page is only made this way when the note's properties are as
//! that build saw them, so that every list it is in still holds.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use super::highlight::Highlighter;
use super::markdown::{self, Links};
use super::memo::{self, Memo};
use super::templates::{Engine, TemplateError};
use super::{Collect, Ctx, Frame, Given, OutputFile, link_targets, markdown_pass, url_index};
use crate::config::Config;
use crate::model::Note;

/// What the last build leaves for a quick page (`lore serve` only).
pub(super) struct Kept {
    pub config: Config,
    /// The notes as that build saw them, without their bodies.
    pub notes: Vec<Note>,
    /// Its frame, without the notes' HTML (only the page made needs its own).
    pub frame: Frame,
    pub engine: Engine,
    pub highlighter: Highlighter,
    pub attachments: HashSet<String>,
    pub attachments_by_name: HashMap<String, String>,
    pub image_sizes: HashMap<String, (u32, u32)>,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("notes", &self.notes.len())
            .finish_non_exhaustive()
    }
}

impl Kept {
    /// What a finished build keeps: its notes' HTML is let go, as the
    /// memo's passes hold it (the frame's passes are the memo's).
    pub(super) fn of(
        (config, notes): (&Config, &[Note]),
        mut frame: Frame,
        (engine, highlighter): (Engine, Highlighter),
        attachments: &HashSet<String>,
        image_sizes: &HashMap<String, (u32, u32)>,
    ) -> Kept {
        frame.html.iter_mut().for_each(|h| *h = Default::default());
        Kept {
            config: config.clone(),
            notes: notes
                .iter()
                .map(|n| Note {
                    body: "".into(),
                    ..n.clone()
                })
                .collect(),
            frame,
            engine,
            highlighter,
            attachments: attachments.clone(),
            attachments_by_name: markdown::by_file_name(attachments),
            image_sizes: image_sizes.clone(),
        }
    }
}

/// The page of `note` (read from its file just now) made with what the
/// last build kept; `None` when it cannot be made that way: no build kept
/// anything, the note is new, or a property other lists show changed.
pub fn note_page_now(memo: &mut Memo, note: &Note) -> Option<Result<OutputFile, TemplateError>> {
    let world = memo.world.as_ref()?;
    let kept = memo.kept.as_deref_mut()?;
    let i = kept.notes.iter().position(|n| n.path == note.path)?;
    let before = &kept.notes[i];
    // A person's note without a related list was given the computed one.
    let related_same = note.front.related.is_empty() || note.front.related == before.front.related;
    let mut front = note.front.clone();
    front.related.clone_from(&before.front.related);
    if front != before.front || !related_same {
        return None;
    }
    let links = Links {
        urls: &world.names,
        paths: &world.paths,
        own: true,
        root: "../",
        attachments: &kept.attachments,
        note_dir: "",
        attachments_by_name: &kept.attachments_by_name,
        image_sizes: &kept.image_sizes,
    };
    let pass = markdown_pass(
        note,
        &note.body,
        (&links, &kept.highlighter),
        (&memo.vocabulary, kept.frame.compress),
    );
    let by_url = url_index(&kept.frame.urls);
    kept.frame.forward[i] = link_targets(&pass.body.links, &by_url, i);
    kept.frame.html[i] = pass.html.clone();
    let pass = Arc::new(pass);
    kept.frame.passes[i] = pass.clone();
    // The rebuild that follows finds this note's pass made.
    let entry = memo::Entry::of(note, note.body.clone(), pass);
    memo.passes.insert(note.path.clone(), Arc::new(entry));
    let kept = memo.kept.as_deref()?;
    let collect = Collect::default();
    let made = AtomicUsize::new(0);
    let given = Given {
        config: &kept.config,
        notes: &kept.notes,
        engine: &kept.engine,
        sink: &collect,
        seen: None,
        pages: &made,
    };
    let ctx = Ctx::new(given, &kept.frame);
    ctx.note_page(i, &kept.frame.html[i]).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FrontMatter, Ownership};
    use crate::render::{ContentFiles, Previous, render, templates};

    fn note(path: &str, title: &str, tags: &[&str], body: &str) -> Note {
        Note {
            path: path.into(),
            front: FrontMatter {
                title: title.into(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                ..FrontMatter::default()
            },
            body: body.into(),
            ownership: Ownership::User,
        }
    }

    /// A whole render of `notes`: its files and the memo it leaves.
    fn build(notes: &[Note]) -> (Vec<OutputFile>, Memo) {
        let (attachments, image_sizes) = (HashSet::new(), HashMap::new());
        let sink = Collect::default();
        let site = render(
            notes,
            notes.iter().map(|n| n.body.clone()).collect(),
            &ContentFiles {
                attachments: &attachments,
                image_sizes: &image_sizes,
            },
            &Config::default(),
            &templates::builtin(),
            Previous {
                memo: Some(Memo::default()),
                ..Previous::default()
            },
            &sink,
        )
        .expect("renders");
        (sink.into_files(), site.memo.expect("a memo was asked for"))
    }

    fn page<'f>(files: &'f [OutputFile], path: &str) -> &'f [u8] {
        &files.iter().find(|f| f.path == path).expect(path).bytes
    }

    #[test]
    fn an_edited_notes_page_is_made_at_once_as_a_full_build_makes_it() {
        let notes = vec![
            note("alpha.md", "Alpha", &["greek"], "About [[Beta]].\n"),
            note("beta.md", "Beta", &["greek"], "Second, after [[Alpha]].\n"),
            note("gamma.md", "Gamma", &["letters"], "Alone.\n"),
        ];
        let (_, mut memo) = build(&notes);
        let edited = note(
            "alpha.md",
            "Alpha",
            &["greek"],
            "New words about [[Beta]] and [[Gamma]].\n",
        );
        let quick = note_page_now(&mut memo, &edited)
            .expect("made")
            .expect("renders");
        let mut now = notes.clone();
        now[0] = edited;
        let (full, _) = build(&now);
        assert_eq!(quick.path, "notes/alpha.html");
        let text = String::from_utf8_lossy(&quick.bytes);
        assert!(text.contains("New words") && text.contains("notes/gamma.html"));
        assert!(
            quick.bytes == page(&full, "notes/alpha.html"),
            "the page is what a full build writes, backlinks, tags and new link included"
        );
    }

    #[test]
    fn a_page_whose_place_in_the_site_changed_waits_for_the_rebuild() {
        let notes = vec![note("alpha.md", "Alpha", &["greek"], "Words.\n")];
        let (_, mut memo) = build(&notes);
        let retagged = note("alpha.md", "Alpha", &["latin"], "Words.\n");
        assert!(note_page_now(&mut memo, &retagged).is_none());
        let retitled = note("alpha.md", "Alfa", &["greek"], "Words.\n");
        assert!(note_page_now(&mut memo, &retitled).is_none());
        let new = note("delta.md", "Delta", &["greek"], "Words.\n");
        assert!(note_page_now(&mut memo, &new).is_none());
        assert!(note_page_now(&mut Memo::default(), &notes[0]).is_none());
    }
}
