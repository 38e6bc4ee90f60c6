//! The import and build flow every importing command shares (`import`,
//! `pull`, `build`): which sources, fetched or read from disk, through the
//! pipeline, and what it returns written back atomically.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use super::args::CommonArgs;
use super::{fs, load_config, pull, report};
use crate::config::{AssetMode, Config};
use crate::ingest::text::is_web_address;
use crate::ingest::{self, SourceOptions};
use crate::model::Diagnostic;
use crate::pipeline::{self, BuildInput, LoadedSource};
use crate::render::templates;

#[derive(Default)]
pub struct BuildFlags {
    /// Render the site (`build`), or only write notes.
    pub render: bool,
    /// Fetch sources with a URL first (not with `build --offline`).
    pub fetch: bool,
    /// Download the images notes use (`pull --assets`).
    pub assets: bool,
    pub base_url: Option<String>,
    pub output: Option<PathBuf>,
    pub quiet: bool,
}

/// Where a source is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Path(PathBuf),
    Url(String),
}

/// One source to read, with how it is shown in messages.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    pub location: Location,
    pub shown: String,
    pub options: SourceOptions,
}

impl SourceSpec {
    /// A command-line argument: a URL, or a path from the current folder.
    pub fn from_argument(argument: &str, options: SourceOptions) -> SourceSpec {
        let location = if is_web_address(argument) {
            Location::Url(argument.to_string())
        } else {
            Location::Path(PathBuf::from(argument))
        };
        SourceSpec {
            location,
            shown: argument.to_string(),
            options,
        }
    }
}

/// Imports `cli_sources` (or config.toml's sources), and renders if asked.
pub fn run(
    common: &CommonArgs,
    cli_sources: Option<Vec<SourceSpec>>,
    flags: BuildFlags,
) -> Result<ExitCode> {
    let started = Instant::now();
    let (mut config, root) = load_config(&common.config)?;
    if let Some(url) = flags.base_url.clone() {
        config.base_url = url;
    }
    let mut diagnostics = Vec::new();
    let from_config = cli_sources.is_none();
    let specs = match cli_sources {
        Some(list) => with_subscriptions(list),
        None => listed_sources(&config, &root),
    };
    let source_count = specs.len();
    let spinner = report::spinner("fetching", flags.quiet);

    let (mut fetch_state, problem) = fs::read_fetch_state(&root);
    diagnostics.extend(problem);
    let urls: Vec<String> = unique_urls(&specs);
    if flags.fetch && !urls.is_empty() {
        let moves = pull::fetch_feeds(&root, &config, &urls, &mut fetch_state, &mut diagnostics)?;
        if from_config {
            pull::follow_moves(&common.config, &moves, &mut diagnostics)?;
        }
    }

    spinner.set_message("reading");
    let sources: Vec<LoadedSource> = specs
        .iter()
        .map(|spec| {
            let (files, problems) = load(spec, &root, flags.fetch);
            diagnostics.extend(problems);
            LoadedSource {
                files,
                options: spec.options.clone(),
            }
        })
        .collect();
    let content_dir = root.join(&config.content_dir);
    let vault = fs::read_vault(&content_dir)?;
    let attachments = if flags.render {
        fs::list_attachments(&content_dir)
    } else {
        Vec::new()
    };
    let (state, state_problem) = fs::read_state(&root);
    diagnostics.extend(state_problem);
    let theme = if flags.render {
        let overrides = fs::read_theme(&root.join("themes").join(&config.theme))?;
        templates::builtin().overlay(overrides)
    } else {
        templates::Theme::default()
    };
    let output_dir = flags
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));
    let highlight_cache = if flags.render {
        fs::read_highlight_cache(&root)
    } else {
        Default::default()
    };
    let read_time = started.elapsed();

    spinner.set_message("building");
    let mut ingested = pipeline::ingest(&sources);
    drop(sources);
    for (origin, count) in &ingested.counts {
        if let Some(record) = fetch_state.sources.get_mut(origin) {
            record.items = *count;
        }
    }
    let download = flags.fetch && (flags.assets || config.fetch.assets == AssetMode::Local);
    if download || !fetch_state.assets.is_empty() {
        spinner.set_message("downloading images");
        // Images downloaded before are used on every run, online or not,
        // so notes never flip back to remote links; new downloads happen
        // only when asked for.
        pull::localise_images(
            &mut ingested.items,
            &content_dir,
            &config,
            &mut fetch_state,
            download,
            &mut diagnostics,
        )?;
    }
    if !urls.is_empty() || !fetch_state.assets.is_empty() {
        fs::write_fetch_state(&root, &fetch_state)?;
    }

    let input = BuildInput {
        highlight_cache,
        config,
        ingested,
        vault,
        attachments: attachments.iter().cloned().collect(),
        state,
        theme,
        restore: common.restore,
        render: flags.render,
    };
    let mut out = pipeline::build(input)?;
    spinner.finish_and_clear();

    let write_clock = Instant::now();
    for (path, text) in &out.note_writes {
        fs::write_if_changed(&fs::safe_join(&content_dir, path)?, text.as_bytes())?;
    }
    let conflicts_dir = root.join(crate::notes::CONFLICTS_DIR);
    for (path, text) in &out.conflict_writes {
        fs::write_if_changed(&fs::safe_join(&conflicts_dir, path)?, text.as_bytes())?;
    }
    fs::write_state(&root, &out.state)?;
    let mut pages = 0;
    if let Some(site) = &out.site {
        let bar = report::bar(site.files.len() as u64, "writing", flags.quiet);
        fs::write_site(&output_dir, &site.files, &bar)?;
        fs::copy_attachments(&content_dir, &output_dir, &attachments)?;
        fs::write_highlight_cache(&root, &site.highlight_cache)?;
        bar.finish_and_clear();
        pages = site.pages;
    }
    out.timings.insert(0, ("read", read_time));
    out.timings.push(("write", write_clock.elapsed()));
    diagnostics.append(&mut out.diagnostics);
    let errors = report::diagnostics(&diagnostics);
    if !flags.quiet {
        eprintln!(
            "{}",
            summary(
                source_count,
                &out,
                pages,
                &output_dir,
                flags.render,
                started.elapsed().as_secs_f64()
            )
        );
    }
    if common.timings {
        print_timings(
            &out.timings,
            out.notes_total,
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(report::exit_code(errors))
}

/// The URL sources, each once, in order.
fn unique_urls(specs: &[SourceSpec]) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for spec in specs {
        if let Location::Url(url) = &spec.location
            && !urls.contains(url)
        {
            urls.push(url.clone());
        }
    }
    urls
}

/// A source's files: from disk, or the cached copy of a fetched feed.
fn load(
    spec: &SourceSpec,
    root: &Path,
    fetched: bool,
) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
    match &spec.location {
        Location::Path(path) => fs::read_source(path, &spec.shown),
        Location::Url(url) => match fs::read_file(&pull::cache_path(root, url)) {
            Some(bytes) => (vec![(url.clone(), bytes)], Vec::new()),
            // A failed fetch was reported already.
            None if fetched => (Vec::new(), Vec::new()),
            None => (
                Vec::new(),
                vec![Diagnostic::error(
                    url,
                    None,
                    "not fetched yet; run `lore pull` (or build without --offline)",
                )],
            ),
        },
    }
}

fn summary(
    sources: usize,
    out: &pipeline::BuildOutput,
    pages: usize,
    output: &Path,
    rendered: bool,
    seconds: f64,
) -> String {
    let mut line = format!(
        "lore: {sources} sources, {} notes ({} written, {} unchanged",
        out.notes_total,
        out.note_writes.len(),
        out.notes_unchanged
    );
    if out.merge.kept_edits > 0 {
        line.push_str(&format!(
            ", {} edited by you and kept",
            out.merge.kept_edits
        ));
    }
    if out.merge.conflicts > 0 {
        line.push_str(&format!(
            ", {} changed upstream (see {})",
            out.merge.conflicts,
            crate::notes::CONFLICTS_DIR
        ));
    }
    if out.merge.undated > 0 {
        line.push_str(&format!(", {} undated", out.merge.undated));
    }
    line.push(')');
    if rendered {
        line.push_str(&format!(", {pages} pages in {}", output.display()));
    }
    line.push_str(&format!(" in {seconds:.2}s"));
    line
}

fn print_timings(timings: &[(&str, std::time::Duration)], notes: usize, total: f64) {
    for (stage, time) in timings {
        println!("{stage:>16}: {:>8.3}s", time.as_secs_f64());
    }
    println!(
        "{:>16}: {total:>8.3}s ({:.0} notes/s)",
        "total",
        notes as f64 / total.max(1e-9)
    );
    if let Some(mib) = report::peak_memory_mib() {
        println!("{:>16}: {mib:>8.1} MiB", "peak memory");
    }
}

/// The `[[sources]]` of config.toml, each OPML list followed by the feeds
/// it names.
pub fn listed_sources(config: &Config, root: &Path) -> Vec<SourceSpec> {
    with_subscriptions(configured_sources(config, root))
}

/// The `[[sources]]` of config.toml.
fn configured_sources(config: &Config, root: &Path) -> Vec<SourceSpec> {
    let mut list = Vec::new();
    for source in &config.sources {
        let options = SourceOptions {
            name: source.name.clone(),
            author: source.author.clone(),
            tags: source.tags.clone(),
        };
        let (location, shown) = match (&source.path, &source.url) {
            (Some(path), _) => (Location::Path(root.join(path)), path.clone()),
            (None, Some(url)) => (Location::Url(url.clone()), url.clone()),
            (None, None) => continue,
        };
        list.push(SourceSpec {
            location,
            shown,
            options,
        });
    }
    list
}

/// The sources with, after each OPML list, the feeds it names: a web
/// address is fetched like any URL source; a path (or `file://` URL) is
/// read relative to the list.
fn with_subscriptions(specs: Vec<SourceSpec>) -> Vec<SourceSpec> {
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        let (list_path, subscriptions) = match &spec.location {
            Location::Path(path) => (path.clone(), opml_subscriptions(path, &spec.shown)),
            Location::Url(_) => (PathBuf::new(), Vec::new()),
        };
        let options = spec.options.clone();
        let shown = spec.shown.clone();
        out.push(spec);
        for subscription in subscriptions {
            let address = subscription.address.trim();
            let feed_options = SourceOptions {
                name: options.name.clone().or(subscription.title.clone()),
                ..options.clone()
            };
            if is_web_address(address) {
                out.push(SourceSpec {
                    location: Location::Url(address.to_string()),
                    shown: address.to_string(),
                    options: feed_options,
                });
                continue;
            }
            let local = address.strip_prefix("file://").unwrap_or(address);
            let feed_shown = format!(
                "{}/{local}",
                Path::new(&shown)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .display()
            );
            out.push(SourceSpec {
                location: Location::Path(list_path.parent().unwrap_or(Path::new(".")).join(local)),
                shown: feed_shown.trim_start_matches('/').to_string(),
                options: feed_options,
            });
        }
    }
    out
}

/// The feeds listed in `path`, when it is an OPML file (told by content).
pub fn opml_subscriptions(path: &Path, shown: &str) -> Vec<ingest::opml::Subscription> {
    let is_opml =
        fs::read_head(path, 4096).is_some_and(|head| ingest::sniff(&head) == ingest::Format::Opml);
    match fs::read_file(path).filter(|_| is_opml) {
        Some(bytes) => {
            let file = ingest::SourceFile {
                origin: shown,
                bytes: &bytes,
            };
            ingest::opml::read(&file).0
        }
        None => Vec::new(),
    }
}
