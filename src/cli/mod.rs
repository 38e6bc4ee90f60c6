//! The CLI edge: parses arguments, reads everything the pipeline needs from
//! disk (and, through `fetch`, the network), runs it, writes what it
//! returns, and reports. The only module that touches the file system and
//! the only user of `anyhow`.

/// `eprintln!` that never panics: a closed stderr (`lore build 2>&1 |
/// true`) must not stop a run that is writing files.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that never panics when stdout is closed (`lore … | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod add;
pub mod args;
mod build;
mod check;
mod fs;
mod init;
mod ledger;
mod lock;
mod places;
mod publish;
mod pull;
mod related;
mod report;
mod serve;
mod sources;
mod vault;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::config::Config;
use crate::ingest::SourceOptions;
use args::{Cli, Command};
use build::{BuildFlags, SourceSpec};

/// Runs one command; errors that stop the run come back as `Err`.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Init { dir } => init::run(&dir.unwrap_or_else(|| PathBuf::from("."))),
        Command::Add {
            sources,
            name,
            author,
            tags,
            config,
        } => add::run(
            &sources,
            &add::AddOptions { name, author, tags },
            &config,
            quiet,
        ),
        Command::Sources { config } => sources::run(&config),
        Command::Related { note, config } => related::run(&note, &config),
        Command::Vault {
            out,
            obsidian,
            offline,
            common,
        } => vault::run(&common, &out, obsidian, !offline, quiet),
        Command::Pull { assets, common } => build::run(
            &common,
            None,
            BuildFlags {
                fetch: true,
                assets,
                quiet,
                ..BuildFlags::default()
            },
        ),
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
            let specs = sources
                .iter()
                .map(|s| SourceSpec::from_argument(s, options.clone()))
                .collect::<Result<_>>()?;
            build::run(
                &common,
                Some(specs),
                BuildFlags {
                    fetch: true,
                    quiet,
                    ..BuildFlags::default()
                },
            )
        }
        Command::Build {
            offline,
            base_url,
            output,
            common,
        } => build::run(
            &common,
            None,
            BuildFlags {
                render: true,
                fetch: !offline,
                base_url,
                output,
                quiet,
                ..BuildFlags::default()
            },
        ),
        Command::Serve(args) => serve::run(&args),
        Command::Check {
            external,
            base_url,
            common,
        } => build::run(
            &common,
            None,
            BuildFlags {
                render: true,
                base_url,
                quiet,
                check: Some(external),
                ..BuildFlags::default()
            },
        ),
    }
}

/// Loads the knowledge base's config.toml, or the defaults for a folder
/// that holds only notes; anywhere else there is nothing to build.
pub(crate) fn load_knowledge_base(path: &Path) -> Result<(Config, PathBuf)> {
    let (config, root) = load_config(path)?;
    if !path.is_file() && !root.join(&config.content_dir).is_dir() {
        anyhow::bail!(
            "no knowledge base in {}: there is no {} and no {}/ folder; run `lore init` to make              one, or pass --config PATH",
            std::path::absolute(&root).unwrap_or(root.clone()).display(),
            path.file_name()
                .map_or("config.toml".into(), |n| n.to_string_lossy()),
            config.content_dir
        );
    }
    Ok((config, root))
}

/// Loads config.toml, or the defaults when there is none.
pub(crate) fn load_config(path: &Path) -> Result<(Config, PathBuf)> {
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let config = match fs::read_optional(path)? {
        Some(text) => {
            Config::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => Config::default(),
    };
    Ok((config, root))
}
