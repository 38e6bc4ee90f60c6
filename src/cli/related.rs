//! `lore related NOTE`: a note's related notes as the relate stage scores
//! them over the vault as it is on disk, each with its score and the terms
//! that made it related, so a user can see why.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::{fs, load_knowledge_base};
use crate::model::Note;
use crate::pipeline;
use crate::relate;

pub fn run(wanted: &str, config_path: &Path) -> Result<ExitCode> {
    let (config, root) = load_knowledge_base(config_path)?;
    let content = root.join(&config.content_dir);
    let (state, _) = fs::read_state(&root);
    let found = fs::walk_content(&content)?;
    let vault = pipeline::read_vault(
        fs::read_vault_notes(&content, found.notes, &|_| false, None)?,
        &state,
    );
    let Some(target) = find(&vault, wanted) else {
        bail!(
            "no note named {wanted:?} in {} (give its file name, title or an alias)",
            content.display()
        );
    };
    let note = &vault[target];
    out!("{} ({})", note.front.title, note.path);
    let explained = pipeline::explain_related(&vault, &config, target);
    if explained.is_empty() {
        out!(
            "  no related notes (it shares no weighty term, tag or author with another note, \
             or it is too short to tell what it is about)"
        );
    }
    for related in explained {
        let Some(other) = vault.get(related.index as usize) else {
            continue;
        };
        out!(
            "  {:.3}  {}  [[{}]]",
            related.score,
            other.front.title,
            other.name()
        );
        let terms: Vec<String> = related
            .shared
            .iter()
            .map(|(term, share)| format!("{term} {share:.3}"))
            .collect();
        out!("         shared: {}", terms.join(", "));
        out!("         {}", breakdown(&related));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a score is made of: words, tags and authors, a series, less the
/// discount for a note that is close to many notes (the date boost makes up
/// the rest).
fn breakdown(related: &relate::Explained) -> String {
    let mut parts = vec![format!("words {:.3}", related.text)];
    if related.special > 0.0 {
        parts.push(format!("+ tags/authors {:.3}", related.special));
    }
    if related.series > 0.0 {
        parts.push(format!("+ {:.3} as parts of one series", related.series));
    }
    if related.hub > 0.0 {
        parts.push(format!("- {:.3} as it is close to many notes", related.hub));
    }
    parts.join(" ")
}

/// The note a user means: by file name, path, title or alias, ignoring case.
fn find(vault: &[Note], wanted: &str) -> Option<usize> {
    let wanted = wanted.trim().trim_end_matches(".md").to_lowercase();
    let wanted = wanted.rsplit('/').next().unwrap_or(&wanted).to_string();
    let matches = |n: &Note| {
        n.name().to_lowercase() == wanted
            || n.front.title.to_lowercase() == wanted
            || n.front.aliases.iter().any(|a| a.to_lowercase() == wanted)
    };
    vault
        .iter()
        .position(|n| n.name().to_lowercase() == wanted)
        .or_else(|| vault.iter().position(matches))
}
