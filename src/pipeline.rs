//! The stage order: ingest → notes → relate → render (with search). Takes
//! loaded inputs and returns outputs, diagnostics and timings; it performs
//! no I/O itself, so the whole build runs the same in tests and on disk.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::ingest::{self, SourceFile, SourceOptions};
use crate::model::{Diagnostic, Item, Note, Ownership};
use crate::notes::{self, MergeStats, OnDisk, State};
use crate::relate::{self, RelateConfig, RelateDoc};
use crate::render::{self, Site, templates::Theme};

/// One configured source, read into memory (a folder gives many files).
#[derive(Debug, Clone)]
pub struct LoadedSource {
    pub files: Vec<(String, Vec<u8>)>,
    pub options: SourceOptions,
}

/// Everything a build needs, already read from disk.
pub struct BuildInput {
    pub config: Config,
    /// The ingest stage's result (see [`ingest`]).
    pub ingested: Ingest,
    pub vault: Vec<OnDisk>,
    /// Files of the content folder other than notes (images…),
    /// content-relative; the site gets a copy of each.
    pub attachments: std::collections::HashSet<String>,
    /// Width and height of the attachments that are images, when known.
    pub image_sizes: std::collections::HashMap<String, (u32, u32)>,
    pub state: State,
    pub theme: Theme,
    /// Bring back notes the user deleted.
    pub restore: bool,
    /// Render the site (false for `lore import`).
    pub render: bool,
    /// Highlighted code from the previous build.
    pub highlight_cache: std::sync::Arc<render::HighlightCache>,
    /// The previous build's markdown pass, kept by `lore serve` (`None`:
    /// keep none).
    pub memo: Option<render::Memo>,
}

/// What a build produced, for the CLI edge to write.
#[derive(Default)]
pub struct BuildOutput {
    /// Note files to write: (path inside content/, text).
    pub note_writes: Vec<(String, String)>,
    pub notes_unchanged: usize,
    pub notes_total: usize,
    pub state: State,
    /// The state to save before writing any note (see [`State::writing`]),
    /// so that a run stopped halfway leaves every note with its owner.
    pub state_while_writing: State,
    pub site: Option<Site>,
    pub merge: MergeStats,
    /// Upstream versions of notes the user edited: (path inside the
    /// conflicts folder, text).
    pub conflict_writes: Vec<(String, String)>,
    /// Texts `--restore` replaced in notes lore had no record of: (path
    /// inside the kept folder, text), written before anything else.
    pub kept_writes: Vec<(String, String)>,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Why a build could not finish at all (bad input never is a reason).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Template(#[from] render::templates::TemplateError),
    #[error("writing the site: {0}")]
    Write(#[from] render::SinkError),
}

impl From<render::RenderError> for BuildError {
    fn from(error: render::RenderError) -> Self {
        match error {
            render::RenderError::Template(e) => BuildError::Template(e),
            render::RenderError::Sink(e) => BuildError::Write(e),
        }
    }
}

/// Runs every stage after ingest; the site's files go to `sink` as they
/// are rendered.
pub fn build(input: BuildInput, sink: &dyn render::Sink) -> Result<BuildOutput, BuildError> {
    let mut out = BuildOutput::default();
    out.timings.push(("ingest", input.ingested.time));
    out.diagnostics.extend(input.ingested.diagnostics);
    let items = input.ingested.items;

    let clock = Instant::now();
    let merged = notes::merge_read(items, input.vault, &input.state, input.restore);
    out.merge = merged.stats;
    out.diagnostics.extend(merged.diagnostics);
    let conflicts = merged.conflicts;
    out.kept_writes = merged.set_aside;
    let mut vault = merged.notes;
    // What the source said, before links to other notes are rewritten:
    // that is what a later change of the source is compared with.
    let source_hashes: Vec<Option<String>> = vault
        .iter()
        .map(|n| {
            let fresh = n.ownership == Ownership::Lore && merged.from_items.contains(&n.path);
            if fresh {
                Some(notes::source_hash(n))
            } else {
                input
                    .state
                    .notes
                    .get(&n.path)
                    .and_then(|w| w.source.clone())
            }
        })
        .collect();
    notes::links::link_notes(&mut vault);
    out.timings.push(("notes", clock.elapsed()));

    let clock = Instant::now();
    let mut memo = input.memo;
    let mut relate_memo = memo.as_mut().map(|m| std::mem::take(&mut m.relate));
    relate_notes(&mut vault, &input.config, relate_memo.as_mut());
    out.timings.push(("relate", clock.elapsed()));

    let clock = Instant::now();
    out.state = input.state;
    for (note, source_hash) in vault.iter().zip(source_hashes) {
        if note.ownership != Ownership::Lore {
            continue;
        }
        let text = notes::note_text(note);
        let source_hash = source_hash.unwrap_or_else(|| notes::source_hash(note));
        out.state.record(
            &note.path,
            note.front.id.as_deref().unwrap_or_default(),
            &text,
            &source_hash,
        );
        if merged.on_disk.get(&note.path) == Some(&notes::hash(&text)) {
            out.notes_unchanged += 1;
        } else {
            out.note_writes.push((note.path.clone(), text));
        }
    }
    for conflict in conflicts {
        out.state
            .mark_conflict(&conflict.path, &conflict.source_hash);
        out.conflict_writes.push((conflict.path, conflict.text));
    }
    out.state_while_writing = out.state.writing(out.note_writes.iter().map(|(path, _)| {
        let before = merged.on_disk.get(path).cloned();
        (path.as_str(), before)
    }));
    out.notes_total = vault.len();
    out.timings.push(("write plan", clock.elapsed()));

    if input.render {
        let clock = Instant::now();
        // The bodies go to render, which lets each go once it is rendered
        // (but what `lore serve` keeps of the vault shares them).
        let markdown = vault
            .iter_mut()
            .map(|n| std::mem::take(&mut n.body))
            .collect();
        let mut site = render::render(
            &vault,
            markdown,
            &render::ContentFiles {
                attachments: &input.attachments,
                image_sizes: &input.image_sizes,
            },
            &input.config,
            &input.theme,
            render::Previous {
                highlight: input.highlight_cache,
                memo,
            },
            sink,
        )?;
        if let (Some(memo), Some(relate)) = (site.memo.as_mut(), relate_memo) {
            memo.relate = relate;
        }
        out.diagnostics.extend(site.diagnostics.iter().cloned());
        out.timings
            .extend(site.timings.iter().map(|(step, time)| (*step, *time)));
        out.timings.push(("render total", clock.elapsed()));
        out.site = Some(site);
    }
    Ok(out)
}

/// What the ingest stage read from all sources.
#[derive(Debug, Default)]
pub struct Ingest {
    pub items: Vec<Item>,
    /// Items each file gave: (origin, count), in source order.
    pub counts: Vec<(String, usize)>,
    pub diagnostics: Vec<Diagnostic>,
    pub time: Duration,
}

/// Ingests every file of every source in parallel, keeping source order.
/// A stage of its own so that the CLI edge can work on the items (download
/// their images) before they become notes.
pub fn ingest(sources: &[LoadedSource]) -> Ingest {
    let clock = Instant::now();
    let results: Vec<(String, ingest::Ingested)> = sources
        .par_iter()
        .flat_map_iter(|source| {
            source
                .files
                .iter()
                .map(move |(origin, bytes)| (source, origin, bytes))
        })
        .map(|(source, origin, bytes)| {
            let ingested = ingest::ingest(&SourceFile { origin, bytes }, &source.options);
            (origin.clone(), ingested)
        })
        .collect();
    let mut out = Ingest::default();
    for (origin, result) in results {
        out.counts.push((origin, result.items.len()));
        out.items.extend(result.items);
        out.diagnostics.extend(result.diagnostics);
    }
    out.time = clock.elapsed();
    out
}

/// Fills `related` of every note lore owns. A note a person owns keeps the
/// list it has; one without any gets the computed list for the site only
/// (its file is never rewritten).
/// With a memo (`lore serve`), only notes changed since it was made are
/// tokenised again.
fn relate_notes(vault: &mut [Note], config: &Config, memo: Option<&mut relate::Memo>) {
    if config.related.max == 0 {
        return;
    }
    let related = relate_all(vault, config, memo);
    let names: Vec<String> = vault.iter().map(|n| n.name().to_string()).collect();
    for (note, list) in vault.iter_mut().zip(related) {
        if note.ownership == Ownership::Lore || note.front.related.is_empty() {
            note.front.related = list
                .into_iter()
                .filter_map(|(j, _)| names.get(j as usize).cloned())
                .collect();
        }
    }
}

/// The relate stage's settings from config.toml.
fn relate_config(config: &Config) -> RelateConfig {
    RelateConfig {
        max_related: config.related.max,
        title_weight: config.related.title_weight,
        tag_weight: config.related.tag_weight,
        author_weight: config.related.author_weight,
        ..RelateConfig::default()
    }
}

fn relate_docs(vault: &[Note]) -> Vec<RelateDoc<'_>> {
    vault
        .iter()
        .map(|n| RelateDoc {
            title: &n.front.title,
            body: &n.body,
            tags: &n.front.tags,
            authors: &n.front.authors,
            date: n.front.date.map(|d| d.and_utc().timestamp()),
        })
        .collect()
}

/// Every note's related notes as (index, score), as `lore build` finds
/// them (with a memo, as `lore serve` does); for benchmarks and tools.
pub fn relate_all(
    vault: &[Note],
    config: &Config,
    memo: Option<&mut relate::Memo>,
) -> Vec<Vec<(u32, f32)>> {
    let (docs, settings) = (relate_docs(vault), relate_config(config));
    match memo {
        Some(memo) => relate::related_with(&docs, &settings, memo),
        None => relate::related(&docs, &settings),
    }
}

/// `lore related`: the notes of `vault` as they are, and why each of
/// `vault[target]`'s related notes is related.
pub fn explain_related(vault: &[Note], config: &Config, target: usize) -> Vec<relate::Explained> {
    relate::explain(&relate_docs(vault), &relate_config(config), target)
}

/// The notes in `content/` as they are on disk, without importing anything.
pub fn read_vault(files: Vec<OnDisk>, state: &State) -> Vec<Note> {
    notes::merge_read(Vec::new(), files, state, false).notes
}
