//! `lore vault --out DIR`: the sources imported as for `lore build`, then
//! the vault alone (notes and their attachments, no site) written to a
//! folder, for users who only want the notes. `--obsidian` adds a minimal
//! `.obsidian/app.json` that sets nothing but how links and attachments are
//! written; an existing one is never touched.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::args::CommonArgs;
use super::build::{self, BuildFlags};
use super::{fs, load_config};

/// Obsidian settings that match the notes lore writes.
const APP_JSON: &str = r#"{
  "newLinkFormat": "shortest",
  "useMarkdownLinks": false,
  "attachmentFolderPath": "assets",
  "alwaysUpdateLinks": true
}
"#;

pub fn run(
    common: &CommonArgs,
    out: &Path,
    obsidian: bool,
    fetch: bool,
    quiet: bool,
) -> Result<ExitCode> {
    let code = build::run(
        common,
        None,
        BuildFlags {
            fetch,
            quiet,
            ..BuildFlags::default()
        },
    )?;
    let (config, root) = load_config(&common.config)?;
    let content = root.join(&config.content_dir);
    let written = fs::export_vault(&content, out)?;
    if obsidian {
        let app = out.join(".obsidian/app.json");
        if !app.exists() {
            fs::write_if_changed(&app, APP_JSON.as_bytes())?;
        }
    }
    if !quiet {
        eprintln!("lore: vault in {} ({written} files written)", out.display());
    }
    Ok(code)
}
