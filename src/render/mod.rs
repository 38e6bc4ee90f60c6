//! Render: the vault becomes a static site. Every note page, the home page,
//! tag, author and source indexes, the feeds, the sitemap, llms.txt, the search
//! index and the theme's static files, as in-memory [`OutputFile`]s. Pages
//! render in parallel with rayon over immutable inputs; nothing here writes
//! files or re-parses front matter.

pub mod check;
mod feeds;
pub mod graph;
mod headings;
pub mod highlight;
pub mod images;
mod lists;
mod llms;
pub mod markdown;
mod obsidian;
mod paginate;
mod previews;
pub mod svg;
mod taxonomy;
pub mod templates;
mod views;
mod xml;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::model::{Diagnostic, Note};
use crate::search;
pub use highlight::HighlightCache;
use highlight::Highlighter;
use lists::heading_of;
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
    pub files: Vec<OutputFile>,
    pub pages: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Highlighted code of this build, to pass to the next one.
    pub highlight_cache: HighlightCache,
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

/// Shared, read-only state of one render.
struct Ctx<'a> {
    config: &'a Config,
    notes: &'a [Note],
    engine: Engine,
    site: SiteView<'a>,
    base_url: String,
    generator: String,
    urls: Vec<String>,
    bodies: Vec<markdown::Rendered>,
    summaries: Vec<String>,
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
}

/// Renders the whole site.
pub fn render(
    notes: &[Note],
    attachments: &HashSet<String>,
    image_sizes: &HashMap<String, (u32, u32)>,
    config: &Config,
    theme: &Theme,
    cache: HighlightCache,
) -> Result<Site, TemplateError> {
    let mut timings = Vec::new();
    let clock = std::time::Instant::now();
    let engine = Engine::new(theme)?;
    let highlighter = Highlighter::with_cache(cache);
    let urls = taxonomy::note_urls(notes);
    let by_name: HashMap<String, usize> = notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name().to_lowercase(), i))
        .collect();
    let by_url: HashMap<&str, usize> = urls
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i))
        .collect();
    let (url_by_name, url_by_path) = markdown::note_paths(
        notes
            .iter()
            .zip(&urls)
            .map(|(n, u)| (n.path.as_str(), u.as_str())),
    );
    let attachments_by_name = markdown::by_file_name(attachments);
    let links = markdown::Links {
        urls: &url_by_name,
        paths: &url_by_path,
        own: true,
        root: "../",
        attachments,
        note_dir: "",
        attachments_by_name: &attachments_by_name,
        image_sizes,
    };
    // One parallel pass per note: HTML, then its summary and search terms,
    // so the plain text never has to be kept for the whole site at once.
    let rendered: Vec<(markdown::Rendered, String, (search::Analyzed, String))> = notes
        .par_iter()
        .map(|n| {
            let note_links = markdown::Links {
                note_dir: n.path.rsplit_once('/').map_or("", |(dir, _)| dir),
                // A note from a source keeps what ingest made inert.
                own: n.front.source.is_none(),
                ..links
            };
            let mut body = markdown::render(&n.body, &note_links, &highlighter);
            let prose = std::mem::take(&mut body.prose);
            let summary = search::summary(&prose);
            let words = search::analyze(&search::Fields {
                title: &n.front.title,
                aliases: &n.front.aliases,
                tags: &n.front.tags,
                authors: &n.front.authors,
                markdown: &n.body,
                body: &std::mem::take(&mut body.text),
            });
            (body, summary, (words, search::excerpt_text(prose)))
        })
        .collect();
    let mut bodies = Vec::with_capacity(notes.len());
    let mut summaries = Vec::with_capacity(notes.len());
    let mut terms = Vec::with_capacity(notes.len());
    for (body, summary, analyzed) in rendered {
        bodies.push(body);
        summaries.push(summary);
        terms.push(analyzed);
    }

    let highlight_cache: HighlightCache = bodies
        .iter()
        .flat_map(|b| b.highlighted.iter().cloned())
        .collect();
    timings.push(("markdown", clock.elapsed()));
    let clock = std::time::Instant::now();
    let mut diagnostics = Vec::new();
    let mut backlinks = vec![Vec::new(); notes.len()];
    let mut forward = vec![Vec::new(); notes.len()];
    for (i, body) in bodies.iter().enumerate() {
        for target in &body.links {
            if let Some(&j) = by_url.get(target.as_str())
                && j != i
                && backlinks[j].last() != Some(&i)
            {
                backlinks[j].push(i);
                forward[i].push(j);
            }
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
    let related = notes
        .iter()
        .map(|n| {
            n.front
                .related
                .iter()
                .filter_map(|name| by_name.get(&name.to_lowercase()).copied())
                .collect()
        })
        .collect();
    let order = newest_first(notes);
    let ctx = Ctx {
        config,
        notes,
        engine,
        site: SiteView {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            previews: previews::shard_count(notes.len()),
        },
        base_url: config.base_url(),
        generator: format!("lore {}", env!("CARGO_PKG_VERSION")),
        urls,
        bodies,
        summaries,
        tags: taxonomy::build("tags", notes, &order, |n| {
            n.front.tags.iter().map(String::as_str).collect()
        }),
        authors: taxonomy::build("authors", notes, &order, |n| {
            n.front.authors.iter().map(String::as_str).collect()
        }),
        sources: taxonomy::build("sources", notes, &order, |n| {
            n.front.source.iter().map(String::as_str).collect()
        }),
        backlinks,
        related,
        forward,
        archive: theme.templates.contains_key("archive.html"),
        graph: theme.templates.contains_key("graph.html"),
    };
    timings.push(("links + taxonomies", clock.elapsed()));
    // The index first: it consumes the search terms, which are larger than
    // the pages' text and need not live while pages render.
    let clock = std::time::Instant::now();
    let index = ctx.search_index(terms, &order);
    timings.push(("search index", clock.elapsed()));
    let clock = std::time::Instant::now();
    let mut files: Vec<OutputFile> = (0..notes.len())
        .into_par_iter()
        .map(|i| ctx.note_page(i))
        .collect::<Result<_, _>>()?;
    for taxonomy in [&ctx.tags, &ctx.authors, &ctx.sources] {
        files.extend(ctx.list_pages(taxonomy)?);
        let pages: Vec<Vec<OutputFile>> = taxonomy
            .terms
            .par_iter()
            .map(|t| ctx.term_pages(taxonomy, t))
            .collect::<Result<_, _>>()?;
        files.extend(pages.into_iter().flatten());
    }
    files.extend(ctx.index_pages(&order)?);
    if ctx.archive {
        files.extend(ctx.archive_pages(&order)?);
    }
    if ctx.graph {
        files.push(ctx.graph_page()?);
    }
    files.push(ctx.page(
        "404.html",
        "",
        "Not found",
        "404",
        Head {
            description: "There is no page at this address.".into(),
            ..Head::feeds(ctx.feed_links(None))
        },
        (),
    )?);
    let pages = files.len();
    timings.push(("pages", clock.elapsed()));
    files.extend(index);
    files.extend(ctx.preview_files());
    files.extend(ctx.llms_files(&order));
    let clock = std::time::Instant::now();
    files.extend(ctx.feeds(&order));
    timings.push(("feeds", clock.elapsed()));
    // A sitemap must hold absolute URLs: without a base URL there is none.
    if !ctx.base_url.is_empty() {
        files.push(OutputFile {
            path: "sitemap.xml".into(),
            bytes: xml::sitemap(&ctx.sitemap_entries(&order), &ctx.base_url).into_bytes(),
        });
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
    let draws_diagrams = ctx.bodies.iter().any(|b| b.mermaid);
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
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let note_links = ctx
        .bodies
        .iter()
        .enumerate()
        .map(|(i, body)| NoteLinks {
            note: notes[i].path.clone(),
            page: ctx.urls[i].clone(),
            refs: body.refs.clone(),
            missing: body.missing.clone(),
        })
        .collect();
    Ok(Site {
        files,
        pages,
        diagnostics,
        highlight_cache,
        timings,
        note_links,
    })
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

fn display_date(note: &Note) -> (Option<String>, Option<String>) {
    let date = note.front.date;
    (
        date.map(|d| d.format("%Y-%m-%d").to_string()),
        date.map(|d| d.format("%-d %B %Y").to_string()),
    )
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
    ) -> Result<OutputFile, TemplateError> {
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
                description: if kind == "index" && !self.config.description.is_empty() {
                    self.config.description.clone()
                } else {
                    head.description
                },
                image: head.image,
                json_ld: head.json_ld,
                prev: head.prev,
                next: head.next,
            },
            generator: &self.generator,
            site_root_url,
            body,
        };
        let html = self.engine.render(template, &context)?;
        Ok(OutputFile {
            path,
            bytes: html.into_bytes(),
        })
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
            date: display_date(&self.notes[i]).0,
        }
    }

    fn summary(&'a self, i: usize) -> Summary<'a> {
        let (date, date_display) = display_date(&self.notes[i]);
        Summary {
            title: &self.notes[i].front.title,
            url: &self.urls[i],
            date,
            date_display,
            summary: &self.summaries[i],
            tags: self.terms_of(&self.tags, i),
            authors: self.terms_of(&self.authors, i),
        }
    }

    fn note_page(&self, i: usize) -> Result<OutputFile, TemplateError> {
        let note = &self.notes[i];
        let image = self.image_url(i);
        let (date, date_display) = display_date(note);
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
            content: &self.bodies[i].html,
            related: self.related[i].iter().map(|&j| self.note_ref(j)).collect(),
            backlinks: self.backlinks[i]
                .iter()
                .map(|&j| self.note_ref(j))
                .collect(),
            toc: &self.bodies[i].toc,
            mermaid: self.bodies[i].mermaid,
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
                description: if self.summaries[i].is_empty() {
                    note.front.title.clone()
                } else {
                    self.summaries[i].clone()
                },
                json_ld: Some(self.json_ld(i, image.as_deref())),
                image,
                prev: None,
                next: None,
            },
            Body { note: view },
        )
    }

    fn search_index(
        &self,
        terms: Vec<(search::Analyzed, String)>,
        order: &[usize],
    ) -> Vec<OutputFile> {
        let docs: Vec<search::SearchDoc<'_>> = terms
            .into_iter()
            .enumerate()
            .map(|(i, (words, text))| {
                let front = &self.notes[i].front;
                search::SearchDoc {
                    url: &self.urls[i],
                    title: &front.title,
                    date: display_date(&self.notes[i]).0,
                    source: front.source.as_deref(),
                    tags: &front.tags,
                    authors: &front.authors,
                    aliases: &front.aliases,
                    summary: &self.summaries[i],
                    text,
                    words,
                }
            })
            .collect();
        let settings = search::Settings::new(&self.config.search, &self.config.language);
        search::build(docs, order, &settings)
            .into_iter()
            .map(|f| OutputFile {
                path: format!("search/{}", f.path),
                bytes: f.bytes,
            })
            .collect()
    }

    /// The shards of link previews: each note's title, date and summary.
    fn preview_files(&self) -> Vec<OutputFile> {
        let previews: Vec<previews::Preview<'_>> = (0..self.notes.len())
            .map(|i| previews::Preview {
                url: &self.urls[i],
                title: &self.notes[i].front.title,
                date: display_date(&self.notes[i]).1.unwrap_or_default(),
                summary: &self.summaries[i],
            })
            .collect();
        previews::files(&previews)
    }

    /// `llms.txt` and `llms-full.txt`, newest notes first.
    fn llms_files(&self, order: &[usize]) -> [OutputFile; 2] {
        let notes: Vec<llms::LlmsNote<'_>> = order
            .iter()
            .map(|&i| {
                let note = &self.notes[i];
                let page = format!("{}{}", self.base_url, self.urls[i]);
                let original = note
                    .front
                    .url
                    .as_deref()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
                llms::LlmsNote {
                    title: &note.front.title,
                    url: original.map_or_else(|| page.clone(), str::to_string),
                    page,
                    date: note.front.date,
                    summary: &self.summaries[i],
                    body: &note.body,
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
                bytes: llms::full(title, description, &notes).into_bytes(),
            },
        ]
    }

    /// The site's feed and each term's, every one in three formats.
    fn feeds(&self, order: &[usize]) -> Vec<OutputFile> {
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
        // Each note's HTML with its links rewritten once per feed depth (the
        // site's feeds sit at the root, a term's one folder down), not
        // once per feed it is in.
        let dated: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| self.notes[i].front.date.is_some())
            .collect();
        let mut wanted = vec![false; self.notes.len()];
        for &i in dated.iter().take(self.config.feed_entries) {
            wanted[i] = true;
        }
        if self.config.term_feed_entries > 0 {
            for taxonomy in [&self.tags, &self.authors, &self.sources] {
                for term in &taxonomy.terms {
                    let dated = term
                        .notes
                        .iter()
                        .filter(|&&i| self.notes[i].front.date.is_some());
                    for &i in dated.take(self.config.term_feed_entries) {
                        wanted[i] = true;
                    }
                }
            }
        }
        let depths = if self.base_url.is_empty() { 2 } else { 1 };
        let html: Vec<Vec<String>> = (0..depths)
            .map(|depth| {
                let prefix = feeds::prefix(&self.base_url, depth);
                (0..self.notes.len())
                    .into_par_iter()
                    .map(|i| {
                        if wanted[i] {
                            feeds::absolute_links(&self.bodies[i].html, &self.urls[i], &prefix)
                        } else {
                            String::new()
                        }
                    })
                    .collect()
            })
            .collect();
        let html_at = |depth: usize| &html[depth.min(depths - 1)];
        let mut list = Vec::new();
        if self.config.feed_entries > 0 {
            list.push(feeds::Feed {
                title: self.config.title.clone(),
                description: &self.config.description,
                page: "index.html",
                files: feeds::paths("index.html"),
                entries: self.entries(order, self.config.feed_entries, author, html_at(0)),
            });
        }
        for taxonomy in [&self.tags, &self.authors, &self.sources] {
            for term in &taxonomy.terms {
                if !self.has_feed(term) {
                    continue;
                }
                let singular = heading_of(taxonomy.dir)
                    .trim_end_matches('s')
                    .to_lowercase();
                list.push(feeds::Feed {
                    title: format!("{}: {singular} {}", self.config.title, term.name),
                    description: &self.config.description,
                    page: &term.url,
                    files: feeds::paths(&term.url),
                    entries: self.entries(
                        &term.notes,
                        self.config.term_feed_entries,
                        author,
                        html_at(1),
                    ),
                });
            }
        }
        list.par_iter()
            .flat_map_iter(|feed| {
                let texts = feeds::render(feed, &site);
                feed.files
                    .clone()
                    .into_iter()
                    .zip(texts)
                    .map(|(path, text)| OutputFile {
                        path,
                        bytes: text.into_bytes(),
                    })
            })
            .collect()
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
    fn json_ld(&self, i: usize, image: Option<&str>) -> String {
        let note = &self.notes[i];
        let mut data = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": note.front.title,
            "description": self.summaries[i],
        });
        if let Some(date) = note.front.date {
            let stamp = date.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            data["datePublished"] = stamp.clone().into();
            data["dateModified"] = stamp.into();
        }
        if !note.front.authors.is_empty() {
            data["author"] = note
                .front
                .authors
                .iter()
                .map(|a| serde_json::json!({"@type": "Person", "name": a}))
                .collect();
        }
        if !note.front.tags.is_empty() {
            data["keywords"] = note.front.tags.join(", ").into();
        }
        if !self.base_url.is_empty() {
            let url = format!("{}{}", self.base_url, self.urls[i]);
            data["url"] = url.clone().into();
            data["mainEntityOfPage"] = url.into();
        }
        if let Some(image) = image {
            data["image"] = image.into();
        }
        script_safe_json(&data)
    }

    /// Whether a term has a feed: term feeds are on and it has a dated note.
    fn has_feed(&self, term: &taxonomy::Term) -> bool {
        self.config.term_feed_entries > 0
            && term
                .notes
                .iter()
                .any(|&i| self.notes[i].front.date.is_some())
    }

    /// The newest `max` dated notes of `order`, as feed entries.
    fn entries<'h>(
        &'h self,
        order: &[usize],
        max: usize,
        author: &'h str,
        html: &'h [String],
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
                    summary: &self.summaries[i],
                    html: &html[i],
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
            for (k, path) in feeds::paths(&term.url).into_iter().enumerate() {
                links.push(FeedLink {
                    title: format!(
                        "{}: {kind} {} ({})",
                        self.config.title,
                        term.name,
                        feeds::NAMES[k]
                    ),
                    name: feeds::NAMES[k],
                    site: false,
                    kind: feeds::TYPES[k],
                    url: path,
                });
            }
        }
        if self.config.feed_entries > 0 {
            for (k, path) in feeds::paths("index.html").into_iter().enumerate() {
                links.push(FeedLink {
                    title: format!("{} ({})", self.config.title, feeds::NAMES[k]),
                    name: feeds::NAMES[k],
                    site: true,
                    kind: feeds::TYPES[k],
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
struct Head {
    feeds: Vec<FeedLink>,
    /// Empty: the site's description.
    description: String,
    /// Absolute URL of the page's picture.
    image: Option<String>,
    /// JSON-LD, already safe inside `<script>`.
    json_ld: Option<String>,
    /// Neighbour pages of a paginated list.
    prev: Option<String>,
    next: Option<String>,
}

impl Head {
    fn feeds(feeds: Vec<FeedLink>) -> Head {
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
