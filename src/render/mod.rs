//! Render: the vault becomes a static site. Every note page, the home page,
//! tag, author and source indexes, the feeds, the sitemap, llms.txt, the search
//! index and the theme's static files, as in-memory [`OutputFile`]s. Pages
//! render in parallel with rayon over immutable inputs; nothing here writes
//! files or re-parses front matter.

pub mod check;
mod dates;
mod feeds;
pub mod graph;
mod headings;
pub mod highlight;
pub mod images;
mod lists;
mod llms;
pub mod markdown;
mod memo;
mod obsidian;
mod packed;
mod paginate;
mod previews;
mod quick;
mod sink;
pub mod svg;
mod taxonomy;
pub mod templates;
mod views;
mod xml;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDateTime;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::model::{Diagnostic, Note};
use crate::search;
pub use highlight::HighlightCache;
use highlight::Highlighter;
use lists::heading_of;
pub use memo::Memo;
use packed::Packed;
pub use quick::note_page_now;
pub use sink::{Collect, Sink, SinkError};
use taxonomy::Taxonomy;
use templates::{Engine, TemplateError, Theme};
use views::*;

/// One file of the site, path relative to the output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The rendered site.
#[derive(Debug, Default)]
pub struct Site {
    /// Pages made: rendered, or under `lore serve` kept as they were.
    pub pages: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Highlighted code of this build, to pass to the next one.
    pub highlight_cache: HighlightCache,
    /// The markdown pass of this build, when the caller keeps one.
    pub memo: Option<Memo>,
    /// Time of each step, for `--timings`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// The links of each note as its page holds them, with their lines.
    pub note_links: Vec<NoteLinks>,
}

/// A note's links and images, for `lore check` to trace a broken one back.
#[derive(Debug, Clone, Default)]
pub struct NoteLinks {
    /// Path inside `content/`.
    pub note: String,
    /// Its page, site-relative.
    pub page: String,
    /// (target as the page holds it, line of the note's body).
    pub refs: Vec<(String, usize)>,
    /// (link that names no note, line of the note's body).
    pub missing: Vec<(String, usize)>,
}

/// Note pages rendered before they go to the sink together.
const PAGES_PER_PUT: usize = 32;

/// Where pages go as they are made, a few at a time.
type Emit<'e> = dyn Fn(Vec<OutputFile>) -> Result<(), RenderError> + Sync + 'e;

/// Why rendering stopped.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("writing the site: {0}")]
    Sink(#[from] SinkError),
}

/// Shared, read-only state of one render.
struct Ctx<'a> {
    config: &'a Config,
    notes: &'a [Note],
    engine: &'a Engine,
    site: SiteView<'a>,
    /// What pages are made of besides the notes and settings.
    frame: &'a Frame,
    /// Where files go; asked whether a page can stay as it is.
    sink: &'a dyn Sink,
    /// What each page was given the last time (`lore serve` only).
    seen: Option<&'a SeenPages>,
    /// Pages made, rendered again or not.
    pages: &'a AtomicUsize,
    /// Each note's summary as a hash, made the first time a list that
    /// shows it is hashed (`lore serve`): a note is in five lists or so.
    summary_hashes: Vec<OnceLock<blake3::Hash>>,
}

/// What a [`Ctx`] is given besides its frame: the same for every `Ctx`
/// of one render (the frame changes between them: the HTML is let go).
#[derive(Clone, Copy)]
struct Given<'a> {
    config: &'a Config,
    notes: &'a [Note],
    engine: &'a Engine,
    sink: &'a dyn Sink,
    seen: Option<&'a SeenPages>,
    pages: &'a AtomicUsize,
}

/// A note in a list: its [`Summary`] is made when the page is rendered;
/// when the page's view is hashed, the summary counts by its own hash,
/// made once a build.
struct Listed<'c, 'a> {
    ctx: &'c Ctx<'a>,
    note: usize,
}

impl Serialize for Listed<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let summary = || self.ctx.summary(self.note);
        let hash = || match self.ctx.summary_hashes.get(self.note) {
            Some(hash) => *hash.get_or_init(|| memo::hash_of(&summary())),
            None => memo::hash_of(&summary()),
        };
        memo::costly_part(serializer, || memo::Digest(hash()), summary)
    }
}

/// What one build's pages are made of, worked out from all the notes:
/// owned, so that `lore serve` can keep it and make an edited note's page
/// again at once (see [`quick`]).
#[derive(Debug, Default)]
struct Frame {
    base_url: String,
    generator: String,
    urls: Vec<String>,
    /// What the markdown pass made of each note (shared with the memo
    /// under `lore serve`); its HTML and search words are taken out (see
    /// [`parts_of`]).
    passes: Vec<Arc<memo::Pass>>,
    /// Each note's HTML, let go once its page is made.
    html: Vec<Packed>,
    /// Whether that HTML is compressed (see [`packed::UNPACKED_BUDGET`]).
    compress: bool,
    /// Each note's date as `YYYY-MM-DD` and as shown, made once: every
    /// list, related list and backlink shows it.
    dates: Vec<(Option<String>, Option<String>)>,
    tags: Taxonomy,
    authors: Taxonomy,
    sources: Taxonomy,
    backlinks: Vec<Vec<usize>>,
    related: Vec<Vec<usize>>,
    /// The notes each links to (distinct, not itself).
    forward: Vec<Vec<usize>>,
    /// The theme has an archive template (a theme in another template
    /// language may not).
    archive: bool,
    /// The theme has a graph page template.
    graph: bool,
    /// Numbers the words of every note's search terms.
    vocabulary: Arc<search::Vocabulary>,
}

impl<'a> Ctx<'a> {
    fn new(given: Given<'a>, frame: &'a Frame) -> Ctx<'a> {
        let Given {
            config,
            notes,
            engine,
            sink,
            seen,
            pages,
        } = given;
        Ctx {
            config,
            notes,
            engine,
            site: site_view(config, notes.len()),
            frame,
            sink,
            seen,
            pages,
            summary_hashes: match seen {
                Some(_) => (0..notes.len()).map(|_| OnceLock::new()).collect(),
                None => Vec::new(),
            },
        }
    }

    /// Note `i` as a list shows it.
    fn listed(&self, note: usize) -> Listed<'_, 'a> {
        Listed { ctx: self, note }
    }
}

impl std::ops::Deref for Ctx<'_> {
    type Target = Frame;

    fn deref(&self) -> &Frame {
        self.frame
    }
}

/// What each page's template was given: last build's, and this one's.
struct SeenPages {
    before: HashMap<String, blake3::Hash>,
    now: std::sync::Mutex<HashMap<String, blake3::Hash>>,
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The files of `content/` other than notes, that pages may show.
pub struct ContentFiles<'a> {
    /// Content-relative paths; the site gets a copy of each.
    pub attachments: &'a HashSet<String>,
    /// Width and height of the images among them, when known.
    pub image_sizes: &'a HashMap<String, (u32, u32)>,
}

/// What a build carries over from the one before.
#[derive(Debug, Default)]
pub struct Previous {
    /// Highlighted code, by code block.
    pub highlight: Arc<HighlightCache>,
    /// The markdown pass of each note (`lore serve` keeps one; with
    /// `None` none is kept, as a one-off build needs none).
    pub memo: Option<Memo>,
}

/// Renders the whole site, giving each file to `sink` as it is made.
/// `markdown` is each note's body, taken out of `notes`: each is let go
/// once rendered, so the bodies and their HTML are never all held at once
/// (but under `lore serve`, whose memo keeps each to compare it with the
/// next build's).
pub fn render(
    notes: &[Note],
    markdown: Vec<Arc<str>>,
    files: &ContentFiles<'_>,
    config: &Config,
    theme: &Theme,
    previous: Previous,
    sink: &dyn Sink,
) -> Result<Site, RenderError> {
    let mut timings = Vec::new();
    let clock = std::time::Instant::now();
    let engine = Engine::new(theme)?;
    let mut previous_memo = previous.memo;
    let highlighter = match previous_memo.as_mut().and_then(|m| m.kept.take()) {
        Some(kept) => {
            let quick::Kept {
                highlighter,
                notes,
                frame,
                ..
            } = *kept;
            // The rest of what the last build kept goes while this one
            // works: not on its way.
            rayon::spawn(move || drop((notes, frame)));
            highlighter.recached(previous.highlight)
        }
        None => Highlighter::with_cache(previous.highlight),
    };
    let urls = taxonomy::note_urls(notes);
    let by_url = url_index(&urls);
    let (attachments, image_sizes) = (files.attachments, files.image_sizes);
    // Where links lead: made once, read by the markdown pass, kept by the
    // memo (`lore serve`).
    let world = memo::World::of(&urls, notes, attachments, image_sizes);
    let attachments_by_name = markdown::by_file_name(attachments);
    let links = markdown::Links {
        urls: &world.names,
        paths: &world.paths,
        own: true,
        root: "../",
        attachments,
        note_dir: "",
        attachments_by_name: &attachments_by_name,
        image_sizes,
    };
    // One parallel pass per note: HTML, then its summary and search terms,
    // so the plain text never has to be kept for the whole site at once.
    // llms-full.txt holds the markdown of every note with a web address.
    let order = newest_first(notes);
    let web_pages = !config.base_url().is_empty();
    let (llms_full, llms_left_out) = llms::fitting(
        &order,
        |i| web_pages || llms::original_url(&notes[i]).is_some(),
        |i| markdown[i].len(),
    );
    let theme_hash = memo::theme(theme);
    let mut memo = previous_memo.map(|memo| memo.valid_in(&world, theme_hash));
    // The passes a memo gives back hold the numbers of its vocabulary.
    let vocabulary = memo
        .as_ref()
        .map(|m| m.vocabulary.clone())
        .unwrap_or_default();
    // Each note's pass, its markdown if llms-full.txt holds it (else let go
    // now, but by the memo) and its memo entry (`lore serve`).
    type Rendered = (Arc<memo::Pass>, Option<Arc<str>>, Option<Arc<memo::Entry>>);
    // Below the budget a note's HTML is held as it is: LZ4 would save
    // memory no one is short of.
    let compress = markdown.iter().map(|m| m.len()).sum::<usize>() > packed::UNPACKED_BUDGET;
    let rendered: Vec<Rendered> = notes
        .par_iter()
        .zip(markdown.into_par_iter())
        .enumerate()
        .map(|(i, (n, source))| {
            let full = llms_full[i];
            if let Some(done) = memo.as_ref().and_then(|m| m.get(n, &source)) {
                // The same text as the memo's: this copy goes.
                let text = full.then(|| done.markdown.clone());
                return (done.pass.clone(), text, Some(done.clone()));
            }
            let pass = Arc::new(markdown_pass(
                n,
                &source,
                (&links, &highlighter),
                (&vocabulary, compress),
            ));
            let entry = memo
                .as_ref()
                .map(|_| Arc::new(memo::Entry::of(n, source.clone(), pass.clone())));
            (pass, full.then_some(source), entry)
        })
        .collect();
    highlighter.forget_lines();
    let passes: Option<HashMap<String, Arc<memo::Entry>>> = memo.as_ref().map(|_| {
        notes
            .iter()
            .zip(&rendered)
            .filter_map(|(n, (_, _, entry))| Some((n.path.clone(), entry.clone()?)))
            .collect()
    });
    // The passes not reused go now; the rest live on in `passes`.
    if let Some(memo) = memo.as_mut() {
        memo.passes.clear();
    }
    let seen = memo.as_mut().map(|m| SeenPages {
        before: std::mem::take(&mut m.pages),
        now: Default::default(),
    });
    let memo_keeps = memo.is_some();
    type Split = (Vec<Packed>, (Vec<Terms>, (Vec<Highlighted>, Split2)));
    type Split2 = (Vec<Arc<memo::Pass>>, Vec<Option<Arc<str>>>);
    let (html, (terms, (highlighted, (passes_now, full_text)))): Split = rendered
        .into_par_iter()
        .map(|(mut pass, text, _)| {
            let parts = parts_of(&mut pass, memo_keeps);
            (parts.html, (parts.terms, (parts.highlighted, (pass, text))))
        })
        .unzip();
    let highlight_cache: HighlightCache = highlighted.into_iter().flatten().collect();
    timings.push(("markdown", clock.elapsed()));
    let clock = std::time::Instant::now();
    let mut diagnostics = Vec::new();
    let mut backlinks = vec![Vec::new(); notes.len()];
    let mut forward = vec![Vec::new(); notes.len()];
    for (i, pass) in passes_now.iter().enumerate() {
        let body = &pass.body;
        forward[i] = link_targets(&body.links, &by_url, i);
        for &j in &forward[i] {
            backlinks[j].push(i);
        }
        for image in &body.missing_images {
            diagnostics.push(Diagnostic::warning(
                &notes[i].path,
                None,
                format!("image \"{image}\" is not in the content folder"),
            ));
        }
        for broken in &body.broken {
            diagnostics.push(Diagnostic::warning(
                &notes[i].path,
                None,
                format!("link to \"{broken}\" points to no note"),
            ));
        }
    }
    // Each part of the frame below reads only the notes: made side by side.
    let (((tags, authors, sources), dates), related) = rayon::join(
        || rayon::join(|| taxonomies(notes, &order), || dates(notes)),
        || related_notes(notes),
    );
    let mut frame = Frame {
        base_url: config.base_url(),
        generator: format!("lore {}", env!("CARGO_PKG_VERSION")),
        urls,
        passes: passes_now,
        html,
        compress,
        dates,
        tags,
        authors,
        sources,
        backlinks,
        related,
        forward,
        archive: theme.templates.contains_key("archive.html"),
        graph: theme.templates.contains_key("graph.html"),
        vocabulary: vocabulary.clone(),
    };
    let made = AtomicUsize::new(0);
    let given = Given {
        config,
        notes,
        engine: &engine,
        sink,
        seen: seen.as_ref(),
        pages: &made,
    };
    // Each note's HTML goes to its page's job and goes once the page is
    // made, so the pages' memory takes the place of what they are made
    // from; the frame keeps the few notes the feeds carry.
    let in_feeds: HashSet<usize> = feed_notes(notes, &order, config).collect();
    let html_of: Vec<(usize, Mutex<Packed>)> = frame
        .html
        .iter_mut()
        .enumerate()
        .map(|(i, html)| {
            let mine = if in_feeds.contains(&i) {
                html.clone()
            } else {
                std::mem::take(html)
            };
            (i, Mutex::new(mine))
        })
        .collect();
    let ctx = Ctx::new(given, &frame);
    timings.push(("links + taxonomies", clock.elapsed()));
    let emit = |files: Vec<OutputFile>| -> Result<(), RenderError> { Ok(sink.put(files)?) };
    // Pages are timed with their writing, which overlaps rendering.
    let make_pages = {
        let (ctx, emit, order) = (&ctx, &emit, &order);
        move || -> Result<std::time::Duration, RenderError> {
            let clock = std::time::Instant::now();
            ctx.site_pages(html_of, order, emit)?;
            sink.pages_made()?;
            Ok(clock.elapsed())
        }
    };
    // The index consumes the search terms. Its chunks of cards and text
    // are written as they are made, within "search index"; the rest of it
    // is timed on its own, as "search written".
    let make_index = || -> Result<_, RenderError> {
        let clock = std::time::Instant::now();
        let index = ctx.search_index(terms, &order)?;
        Ok((index, clock.elapsed()))
    };
    // After the index: its files, the previews, llms.txt and the feeds,
    // each step timed on its own.
    let after_index = {
        let (ctx, order) = (&ctx, &order);
        move |(index, index_time)| -> Result<[(&'static str, std::time::Duration); 3], RenderError> {
            let clock = std::time::Instant::now();
            sink.put(index)?;
            let written = clock.elapsed();
            sink.put(ctx.preview_files())?;
            sink.put(ctx.llms_files(order, &full_text, llms_left_out).into())?;
            drop(full_text);
            let clock = std::time::Instant::now();
            ctx.feeds(order, sink)?;
            Ok([
                ("search index", index_time),
                ("search written", written),
                ("feeds", clock.elapsed()),
            ])
        }
    };
    // A one-off build of a site whose HTML is held as it is (see
    // `packed::UNPACKED_BUDGET`) makes its search index, and what follows
    // it, while its pages are made: each fills the moments the other
    // leaves a core idle. A larger site makes its pages first, so that
    // their HTML is let go before the index's scoring takes its memory; so
    // does `lore serve`, whose tabs reload once the pages are made, before
    // the index.
    let (pages_time, rest) = if frame.compress || memo_keeps {
        let pages_time = make_pages()?;
        (pages_time, after_index(make_index()?)?)
    } else {
        let (pages_time, rest) = rayon::join(make_pages, || after_index(make_index()?));
        (pages_time?, rest?)
    };
    let pages = made.load(Ordering::Relaxed);
    timings.push(("pages", pages_time));
    timings.extend(rest);
    let mut files = Vec::new();
    // A sitemap must hold absolute URLs: without a base URL there is none.
    if !ctx.base_url.is_empty() {
        let entries = ctx.sitemap_entries(&order);
        for (path, text) in xml::sitemaps(&entries, &ctx.base_url, xml::SITEMAP_URLS) {
            files.push(OutputFile {
                path,
                bytes: text.into_bytes(),
            });
        }
    }
    files.push(OutputFile {
        path: "robots.txt".into(),
        bytes: xml::robots(&ctx.base_url).into_bytes(),
    });
    files.push(OutputFile {
        path: "static/highlight.css".into(),
        bytes: highlight::stylesheet().into_bytes(),
    });
    files.push(OutputFile {
        path: ".nojekyll".into(),
        bytes: Vec::new(),
    });
    // Mermaid's script is large: a site ships it only if a page draws a diagram.
    let draws_diagrams = ctx.passes.iter().any(|p| p.body.mermaid);
    files.extend(
        theme
            .statics
            .iter()
            .filter(|(path, _)| draws_diagrams || path.as_str() != templates::MERMAID_SCRIPT)
            .map(|(path, bytes)| OutputFile {
                path: format!("static/{path}"),
                bytes: bytes.clone(),
            }),
    );
    sink.put(files)?;
    let note_links = ctx
        .passes
        .iter()
        .enumerate()
        .map(|(i, pass)| NoteLinks {
            note: notes[i].path.clone(),
            page: ctx.urls[i].clone(),
            refs: pass.body.refs.clone(),
            missing: pass.body.missing.clone(),
        })
        .collect();
    let pages_now = seen.map(|seen| seen.now.into_inner().unwrap_or_else(|e| e.into_inner()));
    let memo = passes.map(|passes| {
        let vocabulary = frame.vocabulary.clone();
        let kept = quick::Kept::of(
            (config, notes),
            frame,
            (engine, highlighter.recached(Default::default())),
            attachments,
            image_sizes,
        );
        let mut memo = Memo::of(
            (world, theme_hash),
            passes,
            pages_now.unwrap_or_default(),
            Some(kept),
        );
        memo.vocabulary = vocabulary;
        memo
    });
    Ok(Site {
        memo,
        pages,
        diagnostics,
        highlight_cache,
        timings,
        note_links,
    })
}

fn site_view(config: &Config, notes: usize) -> SiteView<'_> {
    SiteView {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        previews: previews::shard_count(notes),
    }
}

/// One note through the markdown pass: HTML, summary, search words and
/// the text excerpts are cut from.
fn markdown_pass(
    n: &Note,
    source: &str,
    (links, highlighter): (&markdown::Links<'_>, &Highlighter),
    (vocabulary, compress): (&search::Vocabulary, bool),
) -> memo::Pass {
    let note_links = markdown::Links {
        note_dir: n.path.rsplit_once('/').map_or("", |(dir, _)| dir),
        // A note from a source keeps what ingest made inert.
        own: n.front.source.is_none(),
        ..*links
    };
    let mut body = markdown::render(source, &note_links, highlighter);
    // Held until the note's page renders: no room to spare.
    let html = Packed::new(std::mem::take(&mut body.html), compress);
    let prose = std::mem::take(&mut body.prose);
    let summary = search::summary(&prose);
    let words = search::analyze(
        &search::Fields {
            title: &n.front.title,
            aliases: &n.front.aliases,
            tags: &n.front.tags,
            authors: &n.front.authors,
            markdown: source,
            body: &std::mem::take(&mut body.text),
        },
        vocabulary,
    );
    memo::Pass {
        body,
        html,
        summary,
        words,
        excerpt: search::excerpt_text(prose).into(),
    }
}

/// A note's search words and the text its excerpts are cut from.
type Terms = (search::Analyzed, Arc<str>);

/// A note's highlighted code blocks, by cache key.
type Highlighted = Vec<(String, String)>;

/// What goes its own way from a note's pass.
struct Parts {
    /// Until the note's page is made.
    html: Packed,
    /// Until the search index is made.
    terms: Terms,
    /// Into the highlight cache.
    highlighted: Highlighted,
}

/// The parts of a pass that go their own way: moved out of it in a build
/// that keeps no memo (so that each is let go when its step is done),
/// shared or copied when the memo keeps the pass whole for the next build.
fn parts_of(pass: &mut Arc<memo::Pass>, memo_keeps: bool) -> Parts {
    if !memo_keeps && let Some(own) = Arc::get_mut(pass) {
        return Parts {
            html: std::mem::take(&mut own.html),
            terms: (
                std::mem::take(&mut own.words),
                std::mem::take(&mut own.excerpt),
            ),
            highlighted: std::mem::take(&mut own.body.highlighted),
        };
    }
    Parts {
        html: pass.html.clone(),
        terms: (pass.words.clone(), pass.excerpt.clone()),
        highlighted: pass.body.highlighted.clone(),
    }
}

/// Each page URL's note.
fn url_index(urls: &[String]) -> HashMap<&str, usize> {
    urls.iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i))
        .collect()
}

/// The notes note `me`'s links lead to: each once, in link order, never
/// itself.
fn link_targets(links: &[String], by_url: &HashMap<&str, usize>, me: usize) -> Vec<usize> {
    let mut seen = HashSet::new();
    links
        .iter()
        .filter_map(|target| by_url.get(target.as_str()).copied())
        .filter(|&j| j != me && seen.insert(j))
        .collect()
}

/// The notes the site's feeds carry in full, newest first.
fn feed_notes<'o>(
    notes: &'o [Note],
    order: &'o [usize],
    config: &Config,
) -> impl Iterator<Item = usize> + 'o {
    order
        .iter()
        .copied()
        .filter(|&i| notes[i].front.date.is_some())
        .take(config.feed_entries)
}

/// Indices of notes, newest first; undated notes last, then by path.
fn newest_first(notes: &[Note]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..notes.len()).collect();
    order.sort_by(|&a, &b| {
        notes[b]
            .front
            .date
            .cmp(&notes[a].front.date)
            .then_with(|| notes[a].path.cmp(&notes[b].path))
    });
    order
}

/// The notes' tags, authors and sources, made side by side.
fn taxonomies(notes: &[Note], order: &[usize]) -> (Taxonomy, Taxonomy, Taxonomy) {
    let (tags, (authors, sources)) = rayon::join(
        || {
            taxonomy::build("tags", notes, order, |n| {
                n.front.tags.iter().map(String::as_str).collect()
            })
        },
        || {
            rayon::join(
                || {
                    taxonomy::build("authors", notes, order, |n| {
                        n.front.authors.iter().map(String::as_str).collect()
                    })
                },
                || {
                    taxonomy::build("sources", notes, order, |n| {
                        n.front.source.iter().map(String::as_str).collect()
                    })
                },
            )
        },
    );
    (tags, authors, sources)
}

/// The notes each note's `related` list names (by name, in any case).
fn related_notes(notes: &[Note]) -> Vec<Vec<usize>> {
    let by_name: HashMap<String, usize> = notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name().to_lowercase(), i))
        .collect();
    notes
        .par_iter()
        .map(|n| {
            n.front
                .related
                .iter()
                .filter_map(|name| by_name.get(&name.to_lowercase()).copied())
                .collect()
        })
        .collect()
}

/// Each note's date as `YYYY-MM-DD` and as shown.
fn dates(notes: &[Note]) -> Vec<(Option<String>, Option<String>)> {
    notes
        .par_iter()
        .map(|n| dates::shown(n.front.date))
        .collect()
}

impl<'a> Ctx<'a> {
    /// Renders a template into a page at `path`, `depth` folders deep.
    fn page<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        title: &str,
        kind: &'static str,
        head: Head,
        body: T,
    ) -> Result<Option<OutputFile>, TemplateError> {
        self.pages.fetch_add(1, Ordering::Relaxed);
        let path = if path.is_empty() {
            template.to_string()
        } else {
            path.to_string()
        };
        let depth = path.matches('/').count();
        // GitHub Pages serves 404.html at any depth: only an absolute base works there.
        let root = if kind == "404" && !self.base_url.is_empty() {
            self.base_url.clone()
        } else {
            "../".repeat(depth)
        };
        let canonical = (!self.base_url.is_empty() && kind != "404")
            .then(|| format!("{}{path}", self.base_url));
        // Without a base URL, 404.html finds the site's folder when it loads.
        let find_root = kind == "404" && self.base_url.is_empty();
        let site_root_url = (!self.base_url.is_empty()).then_some(self.base_url.as_str());
        let context = Context {
            site: &self.site,
            root: &root,
            page: PageView {
                title,
                canonical,
                kind,
                find_root,
                feeds: head.feeds,
                description: views::clip_description(
                    if kind == "index" && !self.config.description.is_empty() {
                        &self.config.description
                    } else {
                        &head.description
                    },
                ),
                image: head.image,
                json_ld: head.json_ld,
                prev: head.prev,
                next: head.next,
            },
            generator: &self.generator,
            site_root_url,
            body,
        };
        // A page given what it was last time, still on disk as written then,
        // is not rendered again (`lore serve`).
        let view = self
            .seen
            .as_ref()
            .and_then(|_| memo::view(template, &context));
        if let (Some(seen), Some(view)) = (&self.seen, view) {
            let same = seen.before.get(&path) == Some(&view) && self.sink.unchanged(&path);
            lock(&seen.now).insert(path.clone(), view);
            if same {
                return Ok(None);
            }
        }
        let html = self.engine.render(template, &context)?;
        Ok(Some(OutputFile {
            path,
            bytes: html.into_bytes(),
        }))
    }

    fn terms_of(&self, taxonomy: &'a Taxonomy, note: usize) -> Vec<LinkView<'a>> {
        taxonomy.by_note[note]
            .iter()
            .map(|&t| LinkView {
                name: &taxonomy.terms[t].name,
                url: &taxonomy.terms[t].url,
            })
            .collect()
    }

    fn note_ref(&self, i: usize) -> NoteRef<'_> {
        NoteRef {
            title: &self.notes[i].front.title,
            url: &self.urls[i],
            date: self.dates[i].0.clone(),
        }
    }

    fn summary(&'a self, i: usize) -> Summary<'a> {
        let (date, date_display) = self.dates[i].clone();
        Summary {
            title: &self.notes[i].front.title,
            url: &self.urls[i],
            date,
            date_display,
            summary: &self.passes[i].summary,
            tags: self.terms_of(&self.tags, i),
            authors: self.terms_of(&self.authors, i),
        }
    }

    /// Note `i`'s page, with its HTML (held apart from the frame, see
    /// [`render`]).
    fn note_page(&self, i: usize, html: &Packed) -> Result<Option<OutputFile>, TemplateError> {
        let note = &self.notes[i];
        let image = self.image_url(i);
        let (date, date_display) = self.dates[i].clone();
        let view = NoteView {
            title: &note.front.title,
            date,
            date_display,
            authors: self.terms_of(&self.authors, i),
            tags: self.terms_of(&self.tags, i),
            source: self.terms_of(&self.sources, i).into_iter().next(),
            original_url: note
                .front
                .url
                .as_deref()
                .filter(|u| !markdown::is_unsafe_url(u)),
            content: packed::Html(html),
            related: self.related[i].iter().map(|&j| self.note_ref(j)).collect(),
            backlinks: self.backlinks[i]
                .iter()
                .map(|&j| self.note_ref(j))
                .collect(),
            toc: &self.passes[i].body.toc,
            mermaid: self.passes[i].body.mermaid,
            graph: self.local_graph(i),
            graph_page: self.graph.then_some(graph::GRAPH_PAGE),
        };
        #[derive(Serialize)]
        struct Body<'v> {
            note: NoteView<'v>,
        }
        self.page(
            "note.html",
            &self.urls[i],
            &note.front.title,
            "note",
            Head {
                feeds: self.feed_links(None),
                description: if self.passes[i].summary.is_empty() {
                    note.front.title.clone()
                } else {
                    self.passes[i].summary.clone()
                },
                json_ld: Some(self.json_ld(i, image.clone())),
                image,
                prev: None,
                next: None,
            },
            Body { note: view },
        )
    }

    /// Every page but the search index's and the feeds: the notes' (each
    /// note's HTML let go once its page is made), the lists, the graph and
    /// 404.html.
    fn site_pages(
        &self,
        html_of: Vec<(usize, Mutex<Packed>)>,
        order: &[usize],
        emit: &(dyn Fn(Vec<OutputFile>) -> Result<(), RenderError> + Sync),
    ) -> Result<(), RenderError> {
        // The parts below read only the frame: made side by side, so that
        // a part made on one core (a list of every term, the graph's
        // layout) never leaves the other idle. The graph goes first, as the
        // longest of them.
        let note_pages = || -> Result<(), RenderError> {
            lists::in_parts(
                &html_of,
                |(i, html)| self.note_page(*i, &std::mem::take(&mut *lock(html))),
                emit,
            )?;
            drop(html_of);
            Ok(())
        };
        let taxonomy_pages = || -> Result<(), RenderError> {
            [&self.tags, &self.authors, &self.sources]
                .par_iter()
                .try_for_each(|taxonomy| {
                    emit(self.list_pages(taxonomy)?)?;
                    taxonomy
                        .terms
                        .par_iter()
                        .try_for_each(|t| emit(self.term_pages(taxonomy, t)?))
                })
        };
        let site_wide = || -> Result<(), RenderError> {
            if self.graph {
                emit(self.graph_page()?.into_iter().collect())?;
            }
            self.index_pages(order, emit)?;
            if self.archive {
                self.archive_pages(order, emit)?;
            }
            let not_found = self.page(
                "404.html",
                "",
                "Not found",
                "404",
                Head {
                    description: "There is no page at this address.".into(),
                    ..Head::feeds(self.feed_links(None))
                },
                (),
            )?;
            emit(not_found.into_iter().collect())
        };
        let (notes, (site, taxonomies)) =
            rayon::join(note_pages, || rayon::join(site_wide, taxonomy_pages));
        notes.and(site).and(taxonomies)
    }

    /// The search index: the chunks of cards and text go to the sink as
    /// they are made, the rest is returned.
    fn search_index(
        &self,
        terms: Vec<(search::Analyzed, std::sync::Arc<str>)>,
        order: &[usize],
    ) -> Result<Vec<OutputFile>, SinkError> {
        let docs: Vec<search::SearchDoc<'_>> = terms
            .into_iter()
            .enumerate()
            .map(|(i, (words, text))| {
                let front = &self.notes[i].front;
                search::SearchDoc {
                    url: &self.urls[i],
                    title: &front.title,
                    date: self.dates[i].0.clone(),
                    source: front.source.as_deref(),
                    tags: &front.tags,
                    authors: &front.authors,
                    aliases: &front.aliases,
                    summary: &self.passes[i].summary,
                    text,
                    words,
                }
            })
            .collect();
        let settings = search::Settings::new(&self.config.search, &self.config.language);
        let in_site = |files: Vec<search::SearchFile>| -> Vec<OutputFile> {
            files
                .into_iter()
                .map(|f| OutputFile {
                    path: format!("search/{}", f.path),
                    bytes: f.bytes,
                })
                .collect()
        };
        let rest = search::build(docs, order, (&settings, &self.vocabulary), &mut |chunks| {
            self.sink.put(in_site(chunks))
        })?;
        Ok(in_site(rest))
    }

    /// The shards of link previews: each note's title, date and summary.
    fn preview_files(&self) -> Vec<OutputFile> {
        let previews: Vec<previews::Preview<'_>> = (0..self.notes.len())
            .map(|i| previews::Preview {
                url: &self.urls[i],
                title: &self.notes[i].front.title,
                date: self.dates[i].1.clone().unwrap_or_default(),
                summary: &self.passes[i].summary,
            })
            .collect();
        previews::files(&previews)
    }

    /// `llms.txt` and `llms-full.txt`, newest notes first; `full_text` is
    /// the markdown of the notes llms-full.txt holds.
    fn llms_files(
        &self,
        order: &[usize],
        full_text: &[Option<Arc<str>>],
        left_out: usize,
    ) -> [OutputFile; 2] {
        let notes: Vec<llms::LlmsNote<'_>> = order
            .iter()
            .map(|&i| {
                let note = &self.notes[i];
                let page = format!("{}{}", self.base_url, self.urls[i]);
                let original = llms::original_url(note);
                llms::LlmsNote {
                    title: &note.front.title,
                    url: original.map_or_else(|| page.clone(), str::to_string),
                    page,
                    date: note.front.date,
                    summary: &self.passes[i].summary,
                    body: full_text[i].as_deref(),
                }
            })
            .collect();
        let (title, description) = (&self.config.title, &self.config.description);
        [
            OutputFile {
                path: "llms.txt".into(),
                bytes: llms::index(title, description, &notes).into_bytes(),
            },
            OutputFile {
                path: "llms-full.txt".into(),
                bytes: llms::full(title, description, &notes, left_out).into_bytes(),
            },
        ]
    }

    /// The site's feed in every format with full notes, then each term's
    /// feed of summaries, given to `sink` as they are made.
    fn feeds(&self, order: &[usize], sink: &dyn Sink) -> Result<(), SinkError> {
        let author = if self.config.author.trim().is_empty() {
            &self.config.title
        } else {
            &self.config.author
        };
        let site = feeds::Site {
            base_url: &self.base_url,
            language: &self.config.language,
            author,
            generator: &self.generator,
        };
        let put = |feed: &feeds::Feed<'_>| {
            sink.put(
                feeds::render(feed, &site)
                    .into_iter()
                    .map(|(path, text)| OutputFile {
                        path,
                        bytes: text.into_bytes(),
                    })
                    .collect(),
            )
        };
        if self.config.feed_entries > 0 {
            // The site's feeds sit at the root: links are rewritten for it.
            let prefix = feeds::prefix(&self.base_url, 0);
            let html: Vec<String> = feed_notes(self.notes, order, self.config)
                .map(|i| feeds::absolute_links(&self.html[i].unpack(), &self.urls[i], &prefix))
                .collect();
            let mut entries = self.entries(order, self.config.feed_entries, author);
            for (entry, html) in entries.iter_mut().zip(&html) {
                entry.html = html;
            }
            put(&feeds::Feed {
                title: self.config.title.clone(),
                description: &self.config.description,
                page: "index.html",
                files: feeds::files("index.html", &feeds::SITE_FORMATS),
                entries,
            })?;
        }
        for taxonomy in [&self.tags, &self.authors, &self.sources] {
            let singular = heading_of(taxonomy.dir)
                .trim_end_matches('s')
                .to_lowercase();
            taxonomy.terms.par_iter().try_for_each(|term| {
                if !self.has_feed(term) {
                    return Ok(());
                }
                put(&feeds::Feed {
                    title: format!("{}: {singular} {}", self.config.title, term.name),
                    description: &self.config.description,
                    page: &term.url,
                    files: feeds::files(&term.url, &feeds::TERM_FORMATS),
                    entries: self.entries(&term.notes, self.config.term_feed_entries, author),
                })
            })?;
        }
        Ok(())
    }

    /// The absolute URL of a note's picture: a web address as it is, a
    /// file of `content/` under the base URL (none without one).
    fn image_url(&self, i: usize) -> Option<String> {
        let image = image_property(&self.notes[i])?;
        let lower = image.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return Some(image);
        }
        if self.base_url.is_empty() || image.contains("..") || image.contains(':') {
            return None;
        }
        Some(format!(
            "{}{}",
            self.base_url,
            image.trim_start_matches('/')
        ))
    }

    /// schema.org JSON-LD of a note page.
    fn json_ld(&self, i: usize, image: Option<String>) -> JsonLd<'_> {
        let front = &self.notes[i].front;
        JsonLd {
            title: &front.title,
            date: front.date,
            authors: &front.authors,
            url: (!self.base_url.is_empty()).then(|| format!("{}{}", self.base_url, self.urls[i])),
            image,
        }
    }

    /// Whether a term has a feed: term feeds are on and it has a dated note.
    fn has_feed(&self, term: &taxonomy::Term) -> bool {
        self.config.term_feed_entries > 0
            && term
                .notes
                .iter()
                .any(|&i| self.notes[i].front.date.is_some())
    }

    /// The newest `max` dated notes of `order`, as feed entries of
    /// summaries (the caller may add their HTML).
    fn entries<'h>(
        &'h self,
        order: &[usize],
        max: usize,
        author: &'h str,
    ) -> Vec<feeds::Entry<'h>> {
        order
            .iter()
            .filter_map(|&i| Some((i, self.notes[i].front.date?)))
            .take(max)
            .map(|(i, date)| {
                let note = &self.notes[i];
                let mut authors: Vec<&str> = note
                    .front
                    .authors
                    .iter()
                    .map(String::as_str)
                    .filter(|a| !a.trim().is_empty())
                    .collect();
                if authors.is_empty() {
                    authors.push(author);
                }
                feeds::Entry {
                    title: &note.front.title,
                    path: &self.urls[i],
                    published: date,
                    updated: date,
                    summary: &self.passes[i].summary,
                    html: "",
                    authors,
                    tags: &note.front.tags,
                    image: None,
                }
            })
            .collect()
    }

    /// The `<link rel="alternate">`s of a page: its term's feeds, then the site's.
    fn feed_links(&self, term: Option<(&str, &taxonomy::Term)>) -> Vec<FeedLink> {
        let mut links = Vec::new();
        if let Some((kind, term)) = term
            && self.has_feed(term)
        {
            for (format, path) in feeds::files(&term.url, &feeds::TERM_FORMATS) {
                links.push(FeedLink {
                    title: format!(
                        "{}: {kind} {} ({})",
                        self.config.title,
                        term.name,
                        format.name()
                    ),
                    name: format.name(),
                    site: false,
                    kind: format.mime(),
                    url: path,
                });
            }
        }
        if self.config.feed_entries > 0 {
            for (format, path) in feeds::files("index.html", &feeds::SITE_FORMATS) {
                links.push(FeedLink {
                    title: format!("{} ({})", self.config.title, format.name()),
                    name: format.name(),
                    site: true,
                    kind: format.mime(),
                    url: path,
                });
            }
        }
        links
    }

    /// Every page with the date its content last changed: a note's date,
    /// the newest of the notes a list shows (every page of a paginated
    /// list).
    fn sitemap_entries(&self, order: &[usize]) -> Vec<(String, Option<NaiveDateTime>)> {
        let newest = |notes: &mut dyn Iterator<Item = usize>| {
            notes.filter_map(|i| self.notes[i].front.date).max()
        };
        let all = newest(&mut (0..self.notes.len()));
        let mut entries = Vec::new();
        if self.graph {
            entries.push((graph::GRAPH_PAGE.to_string(), all));
        }
        let mut list = |first: &str, count: usize, per_page: usize, date| {
            for n in 1..=paginate::page_count(count, per_page) {
                entries.push((paginate::page_url(first, n), date));
            }
        };
        list("index.html", order.len(), self.config.home_page_size(), all);
        if self.archive {
            let per_page = self.config.paginate_by * lists::ARCHIVE_FACTOR;
            list(lists::ARCHIVE, order.len(), per_page, all);
        }
        for taxonomy in [&self.tags, &self.authors, &self.sources] {
            let first = format!("{}/index.html", taxonomy.dir);
            list(&first, taxonomy.terms.len(), lists::TERMS_PER_PAGE, all);
            for t in &taxonomy.terms {
                let date = newest(&mut t.notes.iter().copied());
                list(&t.url, t.notes.len(), self.config.paginate_by, date);
            }
        }
        entries.extend(
            self.urls
                .iter()
                .zip(self.notes)
                .map(|(url, n)| (url.clone(), n.front.date)),
        );
        entries
    }
}

/// What a page's `<head>` says about it beyond its title.
struct Head<'a> {
    feeds: Vec<FeedLink>,
    /// Empty: the site's description.
    description: String,
    /// Absolute URL of the page's picture.
    image: Option<String>,
    json_ld: Option<JsonLd<'a>>,
    /// Neighbour pages of a paginated list.
    prev: Option<String>,
    next: Option<String>,
}

impl Head<'_> {
    fn feeds(feeds: Vec<FeedLink>) -> Self {
        Head {
            feeds,
            description: String::new(),
            image: None,
            json_ld: None,
            prev: None,
            next: None,
        }
    }
}

/// JSON as a `<script>` holds it: nothing in it can close the element.
fn script_safe_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A note's `image` property as its text: `"https://…"` unquoted.
fn image_property(note: &Note) -> Option<String> {
    let (_, raw) = note.front.extra.iter().find(|(k, _)| k == "image")?;
    let text = raw.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .map(|t| t.replace("\\\"", "\"").replace("\\\\", "\\"))
        .unwrap_or_else(|| text.trim_matches('\'').to_string());
    (!text.is_empty()).then_some(text)
}
