//! `lore sources`: every source in config.toml (and every feed an OPML list
//! names) with its last fetch, status, item count and last error, from
//! `.lore/fetch.json`. Reads only; fetches nothing.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::build::{Location, SourceSpec};
use super::{fs, load_knowledge_base};
use crate::fetch::state::SourceRecord;

pub fn run(config_path: &Path) -> Result<ExitCode> {
    let (config, root) = load_knowledge_base(config_path)?;
    let (state, problem) = fs::read_fetch_state(&root);
    if let Some(problem) = problem {
        say!("{problem}");
    }
    let specs = super::build::listed_sources(&config, &root);
    if specs.is_empty() {
        out!("no sources; add one with `lore add URL` or a [[sources]] entry in config.toml");
        return Ok(ExitCode::SUCCESS);
    }
    out!(
        "{:<48} {:<13} {:>6}  {:<20}  last error",
        "source",
        "status",
        "items",
        "last fetch"
    );
    for spec in &specs {
        out!("{}", row(spec, state.sources.get(&spec.shown)));
    }
    Ok(ExitCode::SUCCESS)
}

fn row(spec: &SourceSpec, record: Option<&SourceRecord>) -> String {
    let shown = match &spec.options.name {
        Some(name) => format!("{} ({name})", spec.shown),
        None => spec.shown.clone(),
    };
    let (status, items, fetched, error) = match (&spec.location, record) {
        (Location::Path(_), _) => (
            "local file".to_string(),
            "-".to_string(),
            "-".to_string(),
            String::new(),
        ),
        (Location::Url(_), None) => ("not fetched".into(), "-".into(), "-".into(), String::new()),
        (Location::Url(_), Some(r)) => (
            r.status.clone(),
            r.items.to_string(),
            r.last_attempt.clone().unwrap_or_else(|| "-".into()),
            r.last_error.clone().unwrap_or_default(),
        ),
    };
    format!("{shown:<48} {status:<13} {items:>6}  {fetched:<20}  {error}")
}
