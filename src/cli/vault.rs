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
use super::publish::{Publish, publish};
use super::{fs, load_knowledge_base, lock, places, report};

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
    let (config, root) = load_knowledge_base(&common.config)?;
    places::check_export(&root, &config, out)?;
    let code = build::run(
        common,
        None,
        BuildFlags {
            fetch,
            quiet,
            ..BuildFlags::default()
        },
    )?;
    let _lock = lock::acquire(&root)?;
    let content = root.join(&config.content_dir);
    let mut files: Vec<Publish> = Vec::new();
    let found = fs::walk_content(&content)?;
    for path in found.notes {
        let rel = fs::slash_path(path.strip_prefix(&content).unwrap_or(&path));
        files.push(Publish::Copy(rel, path));
    }
    for rel in found.attachments {
        let from = fs::safe_join(&content, &rel)?;
        files.push(Publish::Copy(rel, from));
    }
    if obsidian {
        files.push(Publish::Default(
            ".obsidian/app.json".into(),
            APP_JSON.as_bytes().to_vec(),
        ));
    }
    let published = publish(out, files)?;
    let errors = report::diagnostics(&published.diagnostics);
    if !quiet {
        say!(
            "lore: vault in {} ({} files written)",
            out.display(),
            published.written
        );
    }
    Ok(if errors > 0 {
        report::exit_code(errors)
    } else {
        code
    })
}
