//! The import and build flow every importing command shares (`import`,
//! `pull`, `build`): which sources, fetched or read from disk, through the
//! pipeline, and what it returns written back atomically.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use super::args::CommonArgs;
use super::publish::{Publish, Publisher};
use super::{fs, load_config, lock, places, pull, report};
use crate::config::{AssetMode, Config};
use crate::ingest::text::is_web_address;
use crate::ingest::{self, SourceOptions};
use crate::model::Diagnostic;
use crate::pipeline::{self, BuildInput, LoadedSource};
use crate::render::{self, templates};

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
    /// `lore check` (`Some(external)`): render in memory, check, write nothing.
    pub check: Option<bool>,
    /// `lore serve`: diagnostics and the summary are returned, not printed.
    pub serving: bool,
    /// `lore serve`: told what the pages changed once they are on disk.
    pub pages_made: Option<super::publish::PagesMade>,
}

/// What one run did, for `lore serve` to report and pass on to browsers.
#[derive(Debug, Default)]
pub struct Outcome {
    pub exit: Option<ExitCode>,
    pub diagnostics: Vec<Diagnostic>,
    /// Site files written with new bytes, and removed (site-relative).
    pub pages_changed: Vec<String>,
    /// Those of them already told when the pages were made.
    pub pages_told: Vec<String>,
    /// Notes written into the content folder (their events are lore's own).
    pub notes_written: Vec<PathBuf>,
    pub summary: String,
    /// What to give the next build (when this one was given some).
    pub carried: Option<Carried>,
}

/// What a build of `lore serve` hands the next, so that it redoes only
/// what changed.
#[derive(Debug, Default)]
pub struct Carried {
    /// The vault's files as read.
    pub vault: fs::VaultCache,
    /// What render made of every note's markdown and every page.
    pub render: render::Memo,
    /// The site folder's ledger as the build left it, and the pages
    /// written since (`serve`'s quick pages); the next build need not
    /// read it.
    pub site: Option<super::ledger::Ledger>,
    /// The highlighted code as written to `.lore/`, which the next build
    /// need not read, nor write again when it is the same.
    pub highlight: Option<std::sync::Arc<render::HighlightCache>>,
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
    pub fn from_argument(argument: &str, options: SourceOptions) -> Result<SourceSpec> {
        Ok(SourceSpec {
            location: location_of(argument)?,
            shown: argument.to_string(),
            options,
        })
    }
}

/// What a command-line source names: an http(s) address with a host, or a
/// path. Anything else that looks like an address is a mistake to report,
/// not a file to look for.
pub fn location_of(argument: &str) -> Result<Location> {
    if is_web_address(argument) {
        if !crate::fetch::is_http(argument) {
            anyhow::bail!(
                "`{argument}` is not a complete web address: it needs a host, as in \
                 https://example.org/feed.xml"
            );
        }
        return Ok(Location::Url(argument.trim().to_string()));
    }
    if let Some((scheme, _)) = argument.split_once("://")
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        anyhow::bail!(
            "`{argument}`: lore reads http:// and https:// addresses and local paths, not \
             `{scheme}://` (a typo for https://?)"
        );
    }
    Ok(Location::Path(PathBuf::from(argument)))
}

/// Imports `cli_sources` (or config.toml's sources), and renders if asked.
pub fn run(
    common: &CommonArgs,
    cli_sources: Option<Vec<SourceSpec>>,
    flags: BuildFlags,
) -> Result<ExitCode> {
    let (config, root) = if cli_sources.is_some() {
        // `lore import FILE` makes a knowledge base where it runs.
        load_config(&common.config)?
    } else {
        super::load_knowledge_base(&common.config)?
    };
    let _lock = lock::acquire(&root)?;
    let outcome = build_locked(common, cli_sources, &flags, config, &root, None)?;
    Ok(outcome.exit.unwrap_or(ExitCode::SUCCESS))
}

/// One import and build, by a caller that holds the knowledge base's lock.
pub fn build_locked(
    common: &CommonArgs,
    cli_sources: Option<Vec<SourceSpec>>,
    flags: &BuildFlags,
    mut config: Config,
    root: &Path,
    carried: Option<Carried>,
) -> Result<Outcome> {
    let started = Instant::now();
    let root = root.to_path_buf();
    if let Some(url) = flags.base_url.clone() {
        config.base_url = url;
        config.check_base_url()?;
    }
    let content_dir = root.join(&config.content_dir);
    let output_dir = flags
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));
    if flags.render {
        places::check_output(&root, &config, &output_dir)?;
    }
    fs::remove_leftover_temporaries(&root.join(".lore"));
    let mut diagnostics = Vec::new();
    let from_config = cli_sources.is_none();
    let specs = match cli_sources {
        Some(list) => with_subscriptions(list, &mut diagnostics),
        None => with_subscriptions(configured_sources(&config, &root), &mut diagnostics),
    };
    let source_count = specs.len();
    let spinner = report::spinner("fetching", flags.quiet || flags.serving);

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
    let (state, state_problem) = fs::read_state(&root);
    diagnostics.extend(state_problem);
    let (mut vault_cache, memo, site_ledger, highlight_written) = match carried {
        Some(Carried {
            vault,
            render,
            site,
            highlight,
        }) => (Some(vault), Some(render), site, highlight),
        None => (None, None, None, None),
    };
    let keep_text = |path: &str| common.restore && !state.notes.contains_key(path);
    let (found, vault) = fs::read_content(&content_dir, &keep_text, vault_cache.as_mut())?;
    // What a run that was stopped left behind.
    fs::remove_leftovers(&found);
    let attachments = if flags.render {
        publishable_attachments(&content_dir, found.attachments, &mut diagnostics)
    } else {
        Vec::new()
    };
    let theme = if flags.render {
        templates::builtin().overlay(read_theme(&root, &config.theme)?)
    } else {
        templates::Theme::default()
    };
    let highlight_cache = if flags.render {
        highlight_written
            .clone()
            .unwrap_or_else(|| std::sync::Arc::new(fs::read_highlight_cache(&root)))
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

    let image_sizes = if flags.render {
        image_sizes(&content_dir, &attachments)
    } else {
        Default::default()
    };
    let config_base_url = config.base_url();
    let theme_name = config.theme.clone();
    let fetch_settings = config.fetch.clone();
    let config_content_dir = config.content_dir.clone();
    let input = BuildInput {
        highlight_cache,
        memo,
        config,
        ingested,
        vault,
        attachments: attachments.iter().cloned().collect(),
        image_sizes,
        state,
        theme,
        restore: common.restore,
        render: flags.render,
    };
    // Pages go to disk as they are rendered; `lore check` keeps them.
    let kept = render::Collect::default();
    let publisher = if flags.render && flags.check.is_none() {
        Some(Publisher::open(&output_dir, site_ledger)?.telling(flags.pages_made.clone()))
    } else {
        None
    };
    let sink: &dyn render::Sink = match &publisher {
        Some(publisher) => publisher,
        None => &kept,
    };
    let mut out = pipeline::build(input, sink).map_err(|e| in_theme_file(e, &root, &theme_name))?;
    spinner.finish_and_clear();
    if let (Some(external), Some(site)) = (flags.check, &out.site) {
        let files = kept.into_files();
        let note_text = |note: &str| {
            out.note_writes
                .iter()
                .find(|(path, _)| path == note)
                .map(|(_, text)| text.clone())
                .or_else(|| {
                    let bytes = fs::read_file(&fs::safe_join(&content_dir, note).ok()?)?;
                    Some(String::from_utf8_lossy(&bytes).into_owned())
                })
        };
        let exit = super::check::run(
            super::check::Checked {
                root: &root,
                site,
                files: &files,
                attachments: &attachments,
                base_url: &config_base_url,
                fetch: &fetch_settings,
                note_text: &note_text,
                content_dir: &config_content_dir,
            },
            external,
            flags.quiet,
        )?;
        return Ok(Outcome {
            exit: Some(exit),
            ..Outcome::default()
        });
    }

    let write_clock = Instant::now();
    let kept_dir = root.join(crate::notes::KEPT_DIR);
    for (path, text) in &out.kept_writes {
        fs::write_if_changed(&fs::safe_join(&kept_dir, path)?, text.as_bytes())?;
    }
    if !out.kept_writes.is_empty() {
        diagnostics.push(Diagnostic::warning(
            kept_dir.display().to_string(),
            None,
            format!(
                "--restore took {} note(s) lore had no record of back from their source; what \
                 was in them is kept here",
                out.kept_writes.len()
            ),
        ));
    }
    let conflicts_dir = root.join(crate::notes::CONFLICTS_DIR);
    for (path, text) in &out.conflict_writes {
        fs::write_if_changed(&fs::safe_join(&conflicts_dir, path)?, text.as_bytes())?;
    }
    // Two phases, so that a stop at any moment leaves every note with its
    // owner: first the state that accepts both the old and the new bytes of
    // every note about to be written, then the notes, then the final state.
    if !out.note_writes.is_empty() {
        fs::write_state(&root, &out.state_while_writing)?;
    }
    for (path, text) in &out.note_writes {
        let file = fs::safe_join(&content_dir, path)?;
        fs::write_if_changed(&file, text.as_bytes())?;
        // What the next build finds is the note as written, not as read.
        if let Some(cache) = vault_cache.as_mut() {
            cache.changed(&content_dir, &file);
        }
    }
    fs::write_state(&root, &out.state)?;
    let mut pages = 0;
    let mut pages_changed = Vec::new();
    let mut pages_told = Vec::new();
    let mut ledger_left = None;
    if let (Some(site), Some(publisher)) = (&out.site, publisher) {
        let mut files = Vec::with_capacity(attachments.len());
        for rel in &attachments {
            files.push(Publish::Copy(
                rel.clone(),
                fs::safe_join(&content_dir, rel)?,
            ));
        }
        publisher.add(files)?;
        let published = publisher.finish()?;
        diagnostics.extend(published.diagnostics);
        pages_changed = published.changed;
        pages_told = published.told;
        ledger_left = Some(published.ledger);
        if highlight_written.as_deref() != Some(&site.highlight_cache) {
            fs::write_highlight_cache(&root, &site.highlight_cache)?;
        }
        pages = site.pages;
    }
    out.timings.insert(0, ("read", read_time));
    out.timings.push(("write", write_clock.elapsed()));
    diagnostics.append(&mut out.diagnostics);
    let summary = summary(
        source_count,
        &out,
        pages,
        &output_dir,
        flags.render,
        started.elapsed().as_secs_f64(),
    );
    let notes_written = out
        .note_writes
        .iter()
        .filter_map(|(path, _)| fs::safe_join(&content_dir, path).ok())
        .collect();
    let carried = vault_cache.map(|vault| Carried {
        vault,
        render: out
            .site
            .as_mut()
            .and_then(|site| site.memo.take())
            .unwrap_or_default(),
        site: ledger_left,
        highlight: out
            .site
            .as_mut()
            .map(|site| std::sync::Arc::new(std::mem::take(&mut site.highlight_cache))),
    });
    if common.timings {
        print_timings(
            &out.timings,
            out.notes_total,
            started.elapsed().as_secs_f64(),
        );
    }
    if flags.serving {
        return Ok(Outcome {
            exit: None,
            diagnostics,
            pages_changed,
            pages_told,
            notes_written,
            summary,
            carried,
        });
    }
    let errors = report::diagnostics(&diagnostics);
    if !flags.quiet {
        say!("{summary}");
    }
    if flags.render && !flags.quiet && config_base_url.is_empty() {
        say!(
            "lore: no base_url, so there is no sitemap.xml, canonical link or og:url, and feed \
             ids are not web addresses; set `base_url = \"https://you.github.io/repo/\"` in \
             config.toml or pass --base-url"
        );
    }
    Ok(Outcome {
        exit: Some(report::exit_code(errors)),
        diagnostics,
        pages_changed,
        pages_told,
        notes_written,
        summary,
        carried,
    })
}

/// A template error with the path of the theme's file it is in, so that
/// an editor can go there.
fn in_theme_file(error: pipeline::BuildError, root: &Path, theme: &str) -> anyhow::Error {
    let pipeline::BuildError::Template(templates::TemplateError::Template { name, .. }) = &error
    else {
        return error.into();
    };
    let file = Path::new("themes").join(theme).join("templates").join(name);
    let shown = if root.join(&file).is_file() {
        file.display().to_string()
    } else {
        format!("the built-in theme's {name}")
    };
    anyhow::Error::new(error).context(shown)
}

/// Width and height of each image of `content/`, from its first bytes.
fn image_sizes(
    content_dir: &Path,
    attachments: &[String],
) -> std::collections::HashMap<String, (u32, u32)> {
    use crate::render::images;
    attachments
        .iter()
        .filter_map(|rel| {
            let path = fs::safe_join(content_dir, rel).ok()?;
            let head = fs::read_head(&path, images::HEAD_BYTES)?;
            Some((rel.clone(), images::dimensions(&head)?))
        })
        .collect()
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
        out!("{stage:>16}: {:>8.3}s", time.as_secs_f64());
    }
    out!(
        "{:>16}: {total:>8.3}s ({:.0} notes/s)",
        "total",
        notes as f64 / total.max(1e-9)
    );
    if let Some(mib) = report::peak_memory_mib() {
        out!("{:>16}: {mib:>8.1} MiB", "peak memory");
    }
}

/// The `[[sources]]` of config.toml, each OPML list followed by the feeds
/// it names (problems with those are left to the build to report).
pub fn listed_sources(config: &Config, root: &Path) -> Vec<SourceSpec> {
    with_subscriptions(configured_sources(config, root), &mut Vec::new())
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

/// The sources with, after each OPML list, the feeds it names (see
/// [`subscription_location`] for which ones are read).
fn with_subscriptions(
    specs: Vec<SourceSpec>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<SourceSpec> {
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        let subscriptions = match &spec.location {
            Location::Path(path) => opml_subscriptions(path, &spec.shown)
                .into_iter()
                .filter_map(
                    |s| match subscription_location(path, &spec.shown, &s.address) {
                        Ok(found) => Some((s, found)),
                        Err(problem) => {
                            diagnostics.push(problem);
                            None
                        }
                    },
                )
                .collect(),
            Location::Url(_) => Vec::new(),
        };
        let options = spec.options.clone();
        out.push(spec);
        for (subscription, (location, shown)) in subscriptions {
            out.push(SourceSpec {
                location,
                shown,
                options: SourceOptions {
                    name: options.name.clone().or(subscription.title.clone()),
                    ..options.clone()
                },
            });
        }
    }
    out
}

/// Where a feed named by a subscription list is, with how it is shown. A
/// list is often someone else's file, so it may name only web addresses,
/// or feed files in its own folder (or below): never an absolute path, a
/// `..` step, a link out of the folder, or a file that is not a feed.
pub fn subscription_location(
    list: &Path,
    list_shown: &str,
    address: &str,
) -> Result<(Location, String), Diagnostic> {
    let address = address.trim();
    let refuse = |why: &str| {
        Diagnostic::error(
            list_shown,
            Some(address.to_string()),
            format!(
                "not read: {why}; a subscription list may name web feeds, or feed files in its own folder"
            ),
        )
    };
    if is_web_address(address) {
        return if crate::fetch::is_http(address) {
            Ok((Location::Url(address.to_string()), address.to_string()))
        } else {
            Err(refuse("not a complete web address"))
        };
    }
    let local = match address.strip_prefix("file://") {
        Some(_) => return Err(refuse("a file:// address")),
        None => address,
    };
    let relative = Path::new(local);
    if local.contains("://")
        || relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(refuse("a path outside the list's folder"));
    }
    let folder = list
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let path = folder.join(relative);
    let inside = match (path.canonicalize(), folder.canonicalize()) {
        (Ok(file), Ok(folder)) => file.starts_with(folder),
        _ => return Err(refuse("no such file beside the list")),
    };
    if !inside {
        return Err(refuse("a link to a file outside the list's folder"));
    }
    let is_feed =
        fs::read_head(&path, 4096).is_some_and(|head| ingest::sniff(&head) == ingest::Format::Feed);
    if !is_feed {
        return Err(refuse("not an RSS, Atom or JSON feed"));
    }
    let shown = format!(
        "{}/{local}",
        Path::new(list_shown)
            .parent()
            .unwrap_or(Path::new(""))
            .display()
    );
    Ok((
        Location::Path(path),
        shown.trim_start_matches('/').to_string(),
    ))
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

/// The theme's own files, from `themes/<name>/`. The built-in theme is
/// called `default`; any other name must be a folder there.
fn read_theme(root: &Path, name: &str) -> Result<templates::Theme> {
    let dir = root.join("themes").join(name);
    if name != "default" && !dir.is_dir() {
        anyhow::bail!(
            "theme = \"{name}\" in config.toml: there is no folder {} (the built-in theme is \
             \"default\")",
            dir.display()
        );
    }
    fs::read_theme(&dir)
}

/// The content folder's attachments the site may publish: all but SVG
/// images that could run script, which are reported and left out (a note
/// that shows one then reports it as missing).
fn publishable_attachments(
    content_dir: &Path,
    attachments: Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<String> {
    attachments
        .into_iter()
        .filter(|rel| {
            if !rel.to_ascii_lowercase().ends_with(".svg") {
                return true;
            }
            let bytes = fs::safe_join(content_dir, rel)
                .ok()
                .and_then(|path| fs::read_file(&path))
                .unwrap_or_default();
            match crate::render::svg::check(&bytes) {
                Ok(()) => true,
                Err(why) => {
                    diagnostics.push(Diagnostic::error(
                        format!("{}/{rel}", content_dir.display()),
                        None,
                        format!("not published: this SVG image {why}, which would run in the site"),
                    ));
                    false
                }
            }
        })
        .collect()
}
