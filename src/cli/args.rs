//! The command line as clap sees it. Doc comments here are the `--help`
//! text. Nothing but clap: no other part of lore is imported here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// lore: feeds in, an Obsidian vault and a searchable static site out.
#[derive(Debug, Parser)]
#[command(name = "lore", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only warnings and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new knowledge base: config.toml, content/ and an example source.
    Init {
        /// Folder to create it in (default: the current folder).
        dir: Option<PathBuf>,
    },
    /// Import files or folders into notes in content/, without building the site.
    Import {
        /// Feed files, llms.txt dumps, markdown folders or OPML lists.
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// Author for items that name none.
        #[arg(long)]
        author: Option<String>,
        /// Tag to add to every imported note (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Import the sources in config.toml, relate the notes and render public/.
    Build {
        /// Absolute URL the site will live at, for the feed, sitemap and
        /// canonical links (e.g. https://me.github.io/my-kb/).
        #[arg(long)]
        base_url: Option<String>,
        /// Folder to write the site to (default: output_dir from config.toml).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print the time of each stage and peak memory.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// Flags every importing command shares.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Path to config.toml (default: ./config.toml; optional).
    #[arg(long, short, default_value = "config.toml")]
    pub config: PathBuf,
    /// Bring back notes you deleted from content/.
    #[arg(long)]
    pub restore: bool,
}
