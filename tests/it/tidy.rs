//! The architecture's rules, checked: every module says what it owns, only
//! the CLI edge touches the file system, and stages only use stages above
//! them in the pipeline.

use std::path::Path;

/// Modules in pipeline order; each may use only those before it.
const ORDER: &[&str] = &[
    "config", "model", "ingest", "notes", "relate", "search", "render", "pipeline", "fetch", "cli",
];

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    walkdir::WalkDir::new(&src)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some("rs"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

fn module_of(path: &str) -> &str {
    path.split(['/', '.']).next().unwrap_or(path)
}

#[test]
fn every_module_says_what_it_owns() {
    for (path, text) in sources() {
        if path == "main.rs" {
            continue;
        }
        assert!(
            text.trim_start().starts_with("//!"),
            "src/{path} must start with a //! doc saying what it owns"
        );
    }
}

#[test]
fn only_the_cli_edge_touches_the_file_system() {
    for (path, text) in sources() {
        if path.starts_with("cli/") || path == "main.rs" {
            continue;
        }
        for banned in ["std::fs", "walkdir", "std::env::", "File::open"] {
            assert!(
                !text.contains(banned),
                "src/{path} uses {banned}: only src/cli/ may do I/O"
            );
        }
    }
}

#[test]
fn stages_use_only_stages_above_them() {
    for (path, text) in sources() {
        let module = module_of(&path);
        let Some(rank) = ORDER.iter().position(|m| *m == module) else {
            continue;
        };
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("use crate::") || l.contains("crate::"))
        {
            for (other_rank, other) in ORDER.iter().enumerate() {
                let used = line.contains(&format!("crate::{other}::"))
                    || line.contains(&format!("crate::{other};"))
                    || line.contains(&format!("crate::{{{other}"))
                    || line.contains(&format!("crate::{other}}}"));
                let allowed = other_rank <= rank || *other == "model" || *other == "config";
                assert!(
                    !used || allowed,
                    "src/{path} uses {other}, which comes later in the pipeline: {line}"
                );
            }
        }
    }
}
