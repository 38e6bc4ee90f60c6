//! `lore serve`: build, serve the site over HTTP, and on every change to
//! what the site is made of, build again and tell the open tabs. An edge,
//! like `fetch`: the pipeline knows nothing of it. `http.rs` answers
//! requests from the site folder, `live.rs` is the channel to the browsers
//! (and the script it injects into served pages only), `watch.rs` turns
//! file events into rebuilds, `first.rs` writes a saved note's page before
//! the rebuild.

mod first;
mod http;
mod live;
mod watch;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Result;

use super::args::ServeArgs;
use super::build::{self, BuildFlags, Outcome};
use super::publish::PagesMade;
use super::{fs, load_knowledge_base, lock, places};
use crate::model::Severity;
use live::{Hub, Message};

/// What wakes the serving loop.
pub enum Wake {
    /// Files changed, the first of them at this moment.
    Changed(Vec<PathBuf>, Instant),
    /// Ctrl-C.
    Stop,
}

pub fn run(options: &ServeArgs) -> Result<ExitCode> {
    let common = &options.common;
    let (config, root) = load_knowledge_base(&common.config)?;
    let _lock = lock::acquire(&root)?;
    let shown_root = root.canonicalize().unwrap_or(root.clone());
    let output_dir = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));
    places::check_output(&root, &config, &output_dir)?;
    let base_path = normalise_base_path(
        options
            .base_path
            .as_deref()
            .unwrap_or(&path_of_url(&config.base_url())),
    );

    let hub = Arc::new(Hub::default());
    // When the change being built was seen; none for the first build.
    let change_seen = Arc::new(Mutex::new(None::<Instant>));
    let mut flags = BuildFlags {
        pages_made: Some(pages_made(&hub, &change_seen)),
        render: true,
        fetch: options.pull,
        output: Some(output_dir.clone()),
        serving: true,
        ..BuildFlags::default()
    };
    // The port first, so that one in use is said at once; then the watch,
    // so that nothing saved during the first build is missed.
    let server = http::Server::start(&options.bind, options.port, &output_dir, &base_path, &hub)?;
    let (wake, woken) = mpsc::channel();
    let watched = watch::Watched::of(&config, &common.config, &root, &output_dir);
    let content_dir = root.join(&config.content_dir);
    let content_dir = content_dir.canonicalize().unwrap_or(content_dir);
    let _watcher = watch::start(&watched, wake.clone())?;
    // The folder whose events keep the vault's listing true, as it was
    // when the watch began: one moved away and replaced is watched no more.
    let content_watched = watched
        .covers(&content_dir)
        .then(|| fs::Folder::of(&content_dir))
        .flatten();
    // What a build is given when the last carried nothing (the first, or
    // one after a failure).
    let fresh = || build::Carried {
        vault: fs::VaultCache::watching(content_watched.clone()),
        ..build::Carried::default()
    };

    let mut before = None;
    // Each build hands the next what it read and made (`build::Carried`).
    let mut first = build::build_locked(common, None, &flags, config, &root, Some(fresh()));
    flags.fetch = false;
    let mut carried = first.as_mut().ok().and_then(|done| done.carried.take());
    let mut built = match &first {
        Ok(done) => lores_own(done),
        Err(_) => HashMap::new(),
    };
    report_build(first, &hub, &mut before, None);
    // Until here a Ctrl-C ends the process at once, which the two-phase
    // writes make safe; from here it ends the loop between rebuilds.
    ctrlc::set_handler(move || {
        let _ = wake.send(Wake::Stop);
    })?;
    let address = format!("http://{}{base_path}", server.address());
    say!(
        "lore: serving {} at {address} (Ctrl-C stops)",
        output_dir.display()
    );
    if options.open {
        open_in_browser(&address);
    }
    while let Ok(first) = woken.recv() {
        let Wake::Changed(mut paths, mut since) = first else {
            break;
        };
        // Events that queued up while the last build ran join this one.
        let mut stopping = false;
        while let Ok(more) = woken.try_recv() {
            match more {
                Wake::Changed(more, at) => {
                    paths.extend(more);
                    since = since.min(at);
                }
                Wake::Stop => stopping = true,
            }
        }
        if stopping {
            break;
        }
        // Every event counts for what is kept of the vault, lore's own
        // writes too (the cache holds the file as the build read it); it
        // is told after a saved note's page is written first.
        let events = paths.clone();
        let tell_vault = |carried: &mut Option<build::Carried>| {
            if let Some(carried) = carried.as_mut() {
                for path in &events {
                    carried.vault.changed(&content_dir, path);
                }
            }
        };
        // A late event of a save already built, or of lore's own write,
        // finds the file as it was built: no rebuild for it.
        paths.retain(|p| p.is_dir() || built.get(p) != Some(&held(p)));
        if paths.is_empty() {
            tell_vault(&mut carried);
            continue;
        }
        let taken: HashMap<PathBuf, Option<blake3::Hash>> =
            paths.iter().map(|p| (p.clone(), held(p))).collect();
        if let Some((memo, ledger)) = carried
            .as_mut()
            .and_then(|c| Some((&mut c.render, c.site.as_mut()?)))
        {
            let site = first::Site {
                content: &content_dir,
                output: &output_dir,
            };
            let pages = first::note_pages(&paths, &site, memo, ledger);
            if !pages.is_empty() {
                say!(
                    "lore: {} written first, {} ms after the change",
                    pages.join(", "),
                    since.elapsed().as_millis()
                );
                hub.send(Message::Early(pages));
            }
        }
        tell_vault(&mut carried);
        let given = Some(carried.take().unwrap_or_else(fresh));
        *live::lock(&change_seen) = Some(since);
        let mut outcome = load_knowledge_base(&common.config).and_then(|(config, _)| {
            build::build_locked(common, None, &flags, config, &root, given)
        });
        built = taken;
        if let Ok(done) = &mut outcome {
            built.extend(lores_own(done));
            carried = done.carried.take();
        }
        report_build(
            outcome,
            &hub,
            &mut before,
            Some((&paths, &shown_root, since)),
        );
    }
    say!("lore: stopped serving");
    Ok(ExitCode::SUCCESS)
}

/// What tells the tabs, once a rebuild's pages are on disk, to reload
/// the ones that changed, while the search index and feeds are made.
fn pages_made(hub: &Arc<Hub>, change_seen: &Arc<Mutex<Option<Instant>>>) -> PagesMade {
    let (hub, change_seen) = (hub.clone(), change_seen.clone());
    Arc::new(move |changed: &[String]| {
        let Some(since) = *live::lock(&change_seen) else {
            return false;
        };
        if changed.is_empty() {
            return false;
        }
        say!(
            "lore: {} page(s) on disk {} ms after the change",
            changed.len(),
            since.elapsed().as_millis()
        );
        hub.send(Message::Early(changed.to_vec()));
        true
    })
}

/// Prints what a build did and tells the browsers: reload the pages that
/// changed, restyle when only stylesheets did, or show what went wrong
/// (the site on disk stays the last one that built). What is shown is what
/// is new since the last build, errors and warnings alike: the author has
/// just caused it; the first build shows its errors only.
fn report_build(
    outcome: Result<Outcome>,
    hub: &Hub,
    before: &mut Option<HashSet<String>>,
    change: Option<(&[PathBuf], &Path, Instant)>,
) {
    let done = match outcome {
        Ok(done) => done,
        Err(error) => {
            let text = format!("{error:#}");
            say!("lore: the site was not rebuilt: {text}");
            hub.send(Message::Problems(vec![text]));
            return;
        }
    };
    let texts: Vec<(String, Severity)> = done
        .diagnostics
        .iter()
        .map(|d| (d.to_string(), d.severity))
        .collect();
    let is_new = |text: &String| before.as_ref().is_none_or(|seen| !seen.contains(text));
    let mut shown = Vec::new();
    for (text, severity) in texts.iter().filter(|(text, _)| is_new(text)) {
        say!("{text}");
        if before.is_some() || *severity == Severity::Error {
            shown.push(text.clone());
        }
    }
    *before = Some(texts.into_iter().map(|(text, _)| text).collect());
    match change {
        None => say!("{}", done.summary),
        Some((paths, root, since)) => say!(
            "lore: {} changed; {} site file(s) updated {} ms after the change",
            shown_paths(paths, root),
            done.pages_changed.len(),
            since.elapsed().as_millis()
        ),
    }
    // What the tabs were told when the pages were made, they are not
    // told again.
    let told: HashSet<&String> = done.pages_told.iter().collect();
    let rest = done
        .pages_changed
        .iter()
        .filter(|p| !told.contains(p))
        .cloned()
        .collect();
    hub.send(Message::Built(rest));
    if !shown.is_empty() {
        hub.send(Message::Problems(shown));
    }
}

/// The notes a build wrote, as file events name them (absolute), with
/// what it wrote in them, so that the events lore's own writes cause
/// start no rebuild, however many and however late they come.
fn lores_own(done: &Outcome) -> HashMap<PathBuf, Option<blake3::Hash>> {
    done.notes_written
        .iter()
        .map(|p| p.canonicalize().unwrap_or(p.clone()))
        .map(|p| {
            let hash = held(&p);
            (p, hash)
        })
        .collect()
}

/// What the file at `path` holds, as a hash; `None` when there is none.
fn held(path: &Path) -> Option<blake3::Hash> {
    std::fs::read(path).ok().map(|bytes| blake3::hash(&bytes))
}

fn shown_paths(paths: &[PathBuf], root: &Path) -> String {
    let mut names: Vec<String> = paths
        .iter()
        .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
        .collect();
    names.sort();
    names.dedup();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..2].join(", "), n - 2),
    }
}

/// `/repo/` from `https://you.github.io/repo/`; `/` when there is none.
fn path_of_url(url: &str) -> String {
    let Some((_, rest)) = url.split_once("://") else {
        return "/".into();
    };
    match rest.find('/') {
        Some(at) => rest[at..].to_string(),
        None => "/".into(),
    }
}

/// A base path with one slash at each end: `repo` → `/repo/`.
fn normalise_base_path(path: &str) -> String {
    let inner = path.trim().trim_matches('/');
    if inner.is_empty() {
        "/".into()
    } else {
        format!("/{inner}/")
    }
}

/// Asks the system to open `address` in the default browser; a failure is
/// only reported, as the address is printed anyway.
fn open_in_browser(address: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    if let Err(error) = command.arg(address).spawn() {
        say!("lore: could not open a browser ({error}); open {address} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_site_is_served_under_the_path_of_its_base_url() {
        assert_eq!(path_of_url("https://me.github.io/my-kb/"), "/my-kb/");
        assert_eq!(path_of_url("https://kb.example.org"), "/");
        assert_eq!(path_of_url(""), "/");
        assert_eq!(normalise_base_path("my-kb"), "/my-kb/");
        assert_eq!(normalise_base_path("/a/b"), "/a/b/");
        assert_eq!(normalise_base_path("/"), "/");
    }
}
