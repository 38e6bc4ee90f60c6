//! `lore check`: the site as `lore build` would write it now, rendered in
//! memory (nothing is written) and checked by `render::check`; with
//! `--external`, web links are fetched too, politely (the `[fetch]` limits
//! overall and per host) and remembered in `.lore/cache/links.json`. Every
//! broken link is one line on stdout, `content/<note>:<line>: …`; exit 2
//! when there is any.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::{fs, pull};
use crate::config::FetchSettings;
use crate::fetch::{self, FetchError, Outcome, Request};
use crate::render::check::{self, Broken};
use crate::render::{OutputFile, Site};

/// Where the answers of web links are kept between runs.
const LINK_CACHE: &str = ".lore/cache/links.json";

/// A working link is not asked again for this long (seconds): a week.
const KEEP_WORKING: i64 = 7 * 24 * 3600;

/// The largest body read of a page a link points at: enough to know it is
/// there (a larger one is there too).
const LINK_MAX_MB: u64 = 2;

/// What a web link answered last time.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Answer {
    /// `None` when it worked.
    error: Option<String>,
    /// When it was asked (Unix seconds).
    checked: i64,
}

/// What `lore check` needs from the build it did not write.
pub struct Checked<'a> {
    pub root: &'a Path,
    pub site: &'a Site,
    /// The files the build rendered (kept in memory, not written).
    pub files: &'a [OutputFile],
    pub attachments: &'a [String],
    pub base_url: &'a str,
    pub fetch: &'a FetchSettings,
    /// Each note's text as it is (or would be) on disk, for line numbers.
    pub note_text: &'a dyn Fn(&str) -> Option<String>,
    pub content_dir: &'a str,
}

pub fn run(input: Checked<'_>, external: bool, quiet: bool) -> Result<ExitCode> {
    let attachments: HashSet<String> = input.attachments.iter().cloned().collect();
    let report = check::check(input.files, input.site, &attachments, input.base_url);
    let mut broken = report.broken;
    let mut web_checked = 0;
    if external {
        web_checked = report.external.len();
        broken.extend(check_web(&input, &report.external)?);
    }
    broken.sort();
    let mut offsets = BTreeMap::new();
    for b in &broken {
        out!("{}", describe(b, &input, &mut offsets));
    }
    if !quiet {
        let internal = input
            .files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .count();
        say!(
            "lore check: {internal} pages{}, {} broken link{}",
            if external {
                format!(", {web_checked} web links")
            } else {
                String::new()
            },
            broken.len(),
            if broken.len() == 1 { "" } else { "s" }
        );
    }
    Ok(if broken.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `content/note.md:12: broken link ../x.html (no file x.html in the site)`,
/// or the page when the link is the theme's.
fn describe(b: &Broken, input: &Checked<'_>, offsets: &mut BTreeMap<String, usize>) -> String {
    match (&b.note, b.line) {
        (Some(note), Some(line)) => {
            let offset = *offsets.entry(note.clone()).or_insert_with(|| {
                (input.note_text)(note).map_or(0, |text| front_matter_lines(&text))
            });
            format!(
                "{}/{note}:{}: broken link {} ({})",
                input.content_dir,
                line + offset,
                b.link,
                b.reason
            )
        }
        (Some(note), None) => format!(
            "{}/{note}: broken link {} ({})",
            input.content_dir, b.link, b.reason
        ),
        (None, _) => format!("{}: broken link {} ({})", b.page, b.link, b.reason),
    }
}

/// How many lines the front matter of a note takes, delimiters included.
fn front_matter_lines(text: &str) -> usize {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for fence in ["---", "+++"] {
        if text.starts_with(&format!("{fence}\n")) || text.starts_with(&format!("{fence}\r\n")) {
            for (n, line) in text.lines().enumerate().skip(1) {
                if line.trim_end() == fence {
                    return n + 1;
                }
            }
        }
    }
    0
}

/// Fetches the web links not known to work, politely; remembers answers.
fn check_web(
    input: &Checked<'_>,
    links: &BTreeMap<String, Vec<check::Use>>,
) -> Result<Vec<Broken>> {
    let cache_path = input.root.join(LINK_CACHE);
    let mut cache: BTreeMap<String, Answer> = fs::read_file(&cache_path)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    let ask: Vec<Request> = links
        .keys()
        .filter(|url| {
            !cache
                .get(*url)
                .is_some_and(|a| a.error.is_none() && now - a.checked < KEEP_WORKING)
        })
        .map(|url| Request::new(url.clone()))
        .collect();
    let client = pull::client(input.fetch, LINK_MAX_MB);
    let outcomes = fetch::fetch_all(&client, &ask);
    for (request, outcome) in ask.iter().zip(outcomes) {
        let error = match outcome {
            Outcome::Fetched(_) | Outcome::NotModified => None,
            // The server answered with a page; it is only long.
            Outcome::Failed(FetchError::TooLarge { .. }) => None,
            Outcome::Failed(e) => Some(e.to_string()),
        };
        cache.insert(
            request.url.clone(),
            Answer {
                error,
                checked: now,
            },
        );
    }
    let bytes = serde_json::to_vec_pretty(&cache)?;
    fs::write_atomically(&cache_path, &bytes)?;
    let mut broken = Vec::new();
    for (url, uses) in links {
        let Some(error) = cache.get(url).and_then(|a| a.error.clone()) else {
            continue;
        };
        for usage in uses {
            broken.push(Broken {
                note: usage.note.clone(),
                line: usage.line,
                page: usage.page.clone(),
                link: url.clone(),
                reason: error.clone(),
            });
        }
    }
    Ok(broken)
}
