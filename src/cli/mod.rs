//! The CLI edge: parses arguments, reads everything the pipeline needs from
//! disk, runs it, writes what it returns, and reports. The only module that
//! touches the file system and the only user of `anyhow`.

mod add;
pub mod args;
mod fs;
mod init;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::ingest::SourceOptions;
use crate::pipeline::{self, BuildInput, LoadedSource};
use crate::render::templates;
use args::{Cli, Command, CommonArgs};

/// Runs one command; errors that stop the run come back as `Err`.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init { dir } => init::run(&dir.unwrap_or_else(|| PathBuf::from("."))),
        Command::Import {
            sources,
            author,
            tags,
            common,
        } => {
            let options = SourceOptions {
                name: None,
                author,
                tags,
            };
            let cli_sources = sources.into_iter().map(|p| (p, options.clone())).collect();
            build(
                &common,
                Some(cli_sources),
                BuildFlags {
                    quiet: cli.quiet,
                    ..BuildFlags::default()
                },
            )
        }
        Command::Build {
            base_url,
            output,
            timings,
            common,
        } => build(
            &common,
            None,
            BuildFlags {
                render: true,
                base_url,
                output,
                timings,
                quiet: cli.quiet,
            },
        ),
    }
}

#[derive(Default)]
struct BuildFlags {
    render: bool,
    base_url: Option<String>,
    output: Option<PathBuf>,
    timings: bool,
    quiet: bool,
}

/// Loads config.toml, or the defaults when there is none.
fn load_config(path: &Path) -> Result<(Config, PathBuf)> {
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let config = match fs::read_optional(path)? {
        Some(text) => Config::parse(&text).with_context(|| format!("in {}", path.display()))?,
        None => Config::default(),
    };
    Ok((config, root))
}

fn build(
    common: &CommonArgs,
    cli_sources: Option<Vec<(PathBuf, SourceOptions)>>,
    flags: BuildFlags,
) -> Result<ExitCode> {
    let started = Instant::now();
    let (mut config, root) = load_config(&common.config)?;
    if let Some(url) = flags.base_url {
        config.base_url = url;
    }
    let mut diagnostics = Vec::new();
    let source_list: Vec<(PathBuf, String, SourceOptions)> = match cli_sources {
        Some(list) => list
            .into_iter()
            .map(|(p, o)| (p.clone(), p.display().to_string(), o))
            .collect(),
        None => configured_sources(&config, &root, &mut diagnostics),
    };
    let source_list = with_subscriptions(source_list, &mut diagnostics);
    let source_count = source_list.len();
    let spinner = report::spinner("reading", flags.quiet);
    let sources: Vec<LoadedSource> = source_list
        .into_iter()
        .map(|(path, shown, options)| {
            let (files, problems) = fs::read_source(&path, &shown);
            diagnostics.extend(problems);
            LoadedSource { files, options }
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
    spinner.set_message("building");
    let highlight_cache = if flags.render {
        fs::read_highlight_cache(&root)
    } else {
        Default::default()
    };
    let read_time = started.elapsed();
    let ingested = pipeline::ingest(&sources);
    drop(sources);
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
    if flags.timings {
        print_timings(
            &out.timings,
            out.notes_total,
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(report::exit_code(errors))
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

/// The sources with, after each OPML list, the feeds it names. A feed given
/// as a path (or `file:` URL) is read relative to the list; one given as a
/// web address needs fetching.
fn with_subscriptions(
    sources: Vec<(PathBuf, String, SourceOptions)>,
    diagnostics: &mut Vec<crate::model::Diagnostic>,
) -> Vec<(PathBuf, String, SourceOptions)> {
    let mut out = Vec::with_capacity(sources.len());
    for (path, shown, options) in sources {
        let subscriptions = opml_subscriptions(&path, &shown);
        out.push((path.clone(), shown.clone(), options.clone()));
        for subscription in subscriptions {
            let address = subscription.address.trim();
            if address.starts_with("http://") || address.starts_with("https://") {
                diagnostics.push(crate::model::Diagnostic::warning(
                    &shown,
                    subscription.title.clone(),
                    format!("{address}: fetching feeds by URL is not supported yet; skipped"),
                ));
                continue;
            }
            let local = address.strip_prefix("file://").unwrap_or(address);
            let feed_path = path.parent().unwrap_or(Path::new(".")).join(local);
            let feed_shown = format!(
                "{}/{local}",
                Path::new(&shown)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .display()
            );
            let feed_shown = feed_shown.trim_start_matches('/').to_string();
            let feed_options = SourceOptions {
                name: options.name.clone().or(subscription.title.clone()),
                ..options.clone()
            };
            out.push((feed_path, feed_shown, feed_options));
        }
    }
    out
}

/// The feeds listed in `path`, when it is an OPML file (told by content).
fn opml_subscriptions(path: &Path, shown: &str) -> Vec<crate::ingest::opml::Subscription> {
    let is_opml = fs::read_head(path, 4096)
        .is_some_and(|head| crate::ingest::sniff(&head) == crate::ingest::Format::Opml);
    match fs::read_file(path).filter(|_| is_opml) {
        Some(bytes) => {
            let file = crate::ingest::SourceFile {
                origin: shown,
                bytes: &bytes,
            };
            crate::ingest::opml::read(&file).0
        }
        None => Vec::new(),
    }
}

/// The `[[sources]]` of config.toml as paths; URL sources need `lore pull`.
fn configured_sources(
    config: &Config,
    root: &Path,
    diagnostics: &mut Vec<crate::model::Diagnostic>,
) -> Vec<(PathBuf, String, SourceOptions)> {
    let mut list = Vec::new();
    for source in &config.sources {
        let options = SourceOptions {
            name: source.name.clone(),
            author: source.author.clone(),
            tags: source.tags.clone(),
        };
        match (&source.path, &source.url) {
            (Some(path), _) => list.push((root.join(path), path.clone(), options)),
            (None, Some(url)) => diagnostics.push(crate::model::Diagnostic::warning(
                url,
                None,
                "fetching feeds by URL is not supported yet; skipped",
            )),
            (None, None) => {}
        }
    }
    list
}
