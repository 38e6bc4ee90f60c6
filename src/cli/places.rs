//! Where lore may write: an output folder (the site, an exported vault)
//! must be a folder of its own, never the knowledge base itself, its notes,
//! its sources or lore's records. Paths are compared after resolving `..`
//! and symbolic links, so `-o ./content/../content` is caught too.

use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};

use crate::config::Config;

/// Refuses an output folder that would mix lore's files with the user's.
pub fn check_output(root: &Path, config: &Config, output: &Path) -> Result<()> {
    let out = resolved(output);
    let root = resolved(root);
    let shown = output.display();
    if out == root || root.starts_with(&out) {
        bail!(
            "refusing to write to {shown}: it holds the knowledge base itself (config.toml, \
             content/, sources); choose a folder of its own, such as public/ or docs/"
        );
    }
    let content = resolved(&root.join(&config.content_dir));
    if out.starts_with(&content) || content.starts_with(&out) {
        bail!(
            "refusing to write to {shown}: it is or holds the notes folder ({}); choose a folder \
             of its own, such as public/ or docs/",
            config.content_dir
        );
    }
    if out.starts_with(root.join(".lore")) {
        bail!("refusing to write to {shown}: it is lore's own record folder (.lore/)");
    }
    for source in config.sources.iter().filter_map(|s| s.path.as_deref()) {
        let source_path = resolved(&root.join(source));
        if source_path.starts_with(&out) || out.starts_with(&source_path) {
            bail!(
                "refusing to write to {shown}: it is or holds the source {source} listed in \
                 config.toml"
            );
        }
    }
    Ok(())
}

/// Refuses an export folder that is the notes folder or inside it.
pub fn check_export(root: &Path, config: &Config, out: &Path) -> Result<()> {
    let target = resolved(out);
    let content = resolved(&root.join(&config.content_dir));
    if target.starts_with(&content) || target.starts_with(resolved(&root.join(".lore"))) {
        bail!(
            "refusing to write the vault to {}: it is inside the knowledge base's own notes or \
             records; choose a folder outside {}",
            out.display(),
            config.content_dir
        );
    }
    Ok(())
}

/// The absolute path with `.` and `..` resolved and, for the part that
/// exists, symbolic links followed.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut lexical = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    // Follow links in the longest prefix that exists.
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_steps_are_resolved() {
        let base = std::env::temp_dir();
        assert_eq!(
            resolved(&base.join("kb/public/../content/x")),
            resolved(&base.join("kb/content/x"))
        );
    }
}
