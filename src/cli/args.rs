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
    /// Subscribe: add feeds (URLs, web pages, OPML lists, files) to config.toml.
    Add {
        /// A feed URL, a web page URL (its feed is found), an OPML file
        /// (every feed it lists), or a local file or folder.
        #[arg(required = true)]
        sources: Vec<String>,
        /// Name for the notes' `source` (default: the feed's title).
        #[arg(long)]
        name: Option<String>,
        /// Author for items that name none.
        #[arg(long)]
        author: Option<String>,
        /// Tag to add to every note of this source (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Path to config.toml (default: ./config.toml; created if missing).
        #[arg(long, short, default_value = "config.toml")]
        config: PathBuf,
    },
    /// Fetch every source with a URL (only what changed) and import it into content/.
    Pull {
        /// Also download the images notes use into content/assets/.
        #[arg(long)]
        assets: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// List the sources with their last fetch, status, item count and last error.
    Sources {
        /// Path to config.toml (default: ./config.toml).
        #[arg(long, short, default_value = "config.toml")]
        config: PathBuf,
    },
    /// Import the sources and write the vault alone (notes and their images) to a folder.
    Vault {
        /// Folder to write the vault to.
        #[arg(long)]
        out: PathBuf,
        /// Also write a minimal .obsidian/ (links as [[wikilinks]], attachments in assets/).
        #[arg(long)]
        obsidian: bool,
        /// Do not fetch: use the feeds as the last pull left them.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Show a note's related notes with their scores and the terms they share.
    Related {
        /// The note: its name (file name without .md), its title or an alias.
        note: String,
        /// Path to config.toml (default: ./config.toml).
        #[arg(long, short, default_value = "config.toml")]
        config: PathBuf,
    },
    /// Import files, folders or feed URLs into notes in content/, without building the site.
    Import {
        /// Feed files or URLs, llms.txt dumps, markdown folders or OPML lists.
        #[arg(required = true)]
        sources: Vec<String>,
        /// Author for items that name none.
        #[arg(long)]
        author: Option<String>,
        /// Tag to add to every imported note (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Pull the sources in config.toml, import them, relate the notes and render public/.
    Build {
        /// Do not fetch: use the feeds as the last pull left them.
        #[arg(long)]
        offline: bool,
        /// Absolute URL the site will live at, for what must be absolute: the
        /// sitemap, feed ids, canonical links, og:url (e.g.
        /// https://me.github.io/my-kb/).
        #[arg(long)]
        base_url: Option<String>,
        /// Folder to write the site to (default: output_dir from config.toml).
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Build, serve the site on this machine, and rebuild and reload the
    /// browser on every change to config.toml, content/, themes/ or a local
    /// source. The site on disk is what `lore build --offline` writes.
    Serve(ServeArgs),
    /// Check the site as `lore build` would write it: every internal link,
    /// #fragment and image must resolve. Broken ones are listed with the note
    /// and line; exit code 2 when there is any. No note or site file is written.
    Check {
        /// Also check web links: at most `[fetch] connections` at once and
        /// `per_host` per server; a working link is remembered for a week
        /// (.lore/cache/links.json).
        #[arg(long)]
        external: bool,
        /// Absolute URL the site will live at (links that start with it are
        /// checked as the site's own).
        #[arg(long)]
        base_url: Option<String>,
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
    /// Print the time of each stage and peak memory.
    #[arg(long)]
    pub timings: bool,
}

/// `lore serve`'s flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on.
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on (0.0.0.0 to reach it from other devices).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Serve the site under this path, as GitHub Pages serves a project
    /// site (e.g. /my-kb/); default: the path of base_url.
    #[arg(long)]
    pub base_path: Option<String>,
    /// Open the site in the default web browser.
    #[arg(long)]
    pub open: bool,
    /// Fetch the sources with a URL before the first build (serving never
    /// fetches otherwise).
    #[arg(long)]
    pub pull: bool,
    /// Folder to write the site to (default: output_dir from config.toml).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}
