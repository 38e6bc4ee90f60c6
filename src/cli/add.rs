//! `lore add`: new `[[sources]]` entries appended to config.toml, edited in
//! place with toml_edit so the user's comments, order and formatting stay.
//! A source already listed (same URL or path) is not added twice.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use super::build::{Location, opml_subscriptions, subscription_location};
use super::{fs, load_config, pull, report};
use crate::fetch::{self, Outcome, Request, discover};
use crate::ingest;
use crate::ingest::text::is_web_address;
use crate::model::Diagnostic;

/// What `lore add` was given besides the sources.
pub struct AddOptions {
    pub name: Option<String>,
    pub author: Option<String>,
    pub tags: Vec<String>,
}

/// `lore add`: finds what each argument names and appends it to config.toml.
pub fn run(
    arguments: &[String],
    options: &AddOptions,
    config_path: &Path,
    quiet: bool,
) -> Result<ExitCode> {
    for argument in arguments {
        super::build::location_of(argument)?;
    }
    let (config, root) = load_config(config_path)?;
    let _lock = super::lock::acquire(&root)?;
    let client = pull::client(&config.fetch, config.fetch.max_size_mb);
    let mut diagnostics = Vec::new();
    let mut new = Vec::new();
    for argument in arguments {
        let found = if is_web_address(argument) {
            from_address(&client, argument, &mut diagnostics)
        } else {
            from_path(Path::new(argument), &root, &mut diagnostics)
        };
        new.extend(found.into_iter().map(|mut source| {
            source.name = options.name.clone().or(source.name);
            source.author.clone_from(&options.author);
            source.tags.clone_from(&options.tags);
            source
        }));
    }
    let text = fs::read_optional(config_path)?.unwrap_or_default();
    let (updated, added) = append_sources(&text, &new)?;
    crate::config::Config::parse(&updated)?;
    fs::write_if_changed(config_path, updated.as_bytes())?;
    for (source, added) in new.iter().zip(added) {
        if !quiet {
            let verb = if added { "added" } else { "already there:" };
            say!("{verb} {}", source.location());
        }
    }
    let errors = report::diagnostics(&diagnostics);
    if !quiet {
        say!("lore: run `lore pull` to fetch, or `lore build` to fetch and build");
    }
    Ok(report::exit_code(errors))
}

/// A URL: a feed as it is, a web page by the feed it links to, an OPML
/// list by every feed in it. A URL that cannot be fetched now is added as
/// given, with a warning: it may work at the next pull.
fn from_address(
    client: &fetch::Client,
    url: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<NewSource> {
    let response = match fetch::fetch_one(client, &Request::new(url)) {
        Outcome::Fetched(response) => response,
        Outcome::NotModified => return vec![web_source(url, None)],
        Outcome::Failed(error) => {
            diagnostics.push(Diagnostic::warning(
                url,
                None,
                format!("added without checking: {error}"),
            ));
            return vec![web_source(url, None)];
        }
    };
    let address = response
        .moved_permanently
        .clone()
        .unwrap_or_else(|| url.to_string());
    if discover::looks_like_html(&response.bytes) {
        let feeds = discover::feed_links(&response.bytes, &response.final_url);
        return match feeds.first() {
            Some(feed) => vec![web_source(feed, None)],
            None => {
                diagnostics.push(Diagnostic::error(
                    url,
                    None,
                    "a web page that links to no feed (no <link rel=\"alternate\">); nothing added",
                ));
                Vec::new()
            }
        };
    }
    if ingest::sniff(&response.bytes) == ingest::Format::Opml {
        let file = ingest::SourceFile {
            origin: url,
            bytes: &response.bytes,
        };
        let (subscriptions, problems) = ingest::opml::read(&file);
        diagnostics.extend(problems);
        return subscriptions
            .into_iter()
            .filter(|s| is_web_address(&s.address))
            .map(|s| web_source(&s.address, s.title))
            .collect();
    }
    vec![web_source(&address, None)]
}

/// A local path: an OPML list by every feed in it, anything else as a
/// `path` source relative to config.toml.
fn from_path(path: &Path, root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<NewSource> {
    if !path.exists() {
        diagnostics.push(Diagnostic::error(
            path.display().to_string(),
            None,
            "no such file or folder",
        ));
        return Vec::new();
    }
    let subscriptions = opml_subscriptions(path, &path.display().to_string());
    if subscriptions.is_empty() {
        return vec![NewSource {
            path: Some(relative_to(path, root)),
            ..NewSource::default()
        }];
    }
    let shown = path.display().to_string();
    subscriptions
        .into_iter()
        .filter_map(|s| match subscription_location(path, &shown, &s.address) {
            Ok((Location::Url(url), _)) => Some(web_source(&url, s.title)),
            Ok((Location::Path(feed), _)) => Some(NewSource {
                path: Some(relative_to(&feed, root)),
                name: s.title,
                ..NewSource::default()
            }),
            Err(problem) => {
                diagnostics.push(problem);
                None
            }
        })
        .collect()
}

fn web_source(url: &str, name: Option<String>) -> NewSource {
    NewSource {
        url: Some(url.to_string()),
        name,
        ..NewSource::default()
    }
}

/// `path` as config.toml should name it: relative to the config's folder
/// when it is inside it, else absolute.
fn relative_to(path: &Path, root: &Path) -> String {
    let absolute =
        |p: &Path| -> PathBuf { std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()) };
    let (path_abs, root_abs) = (absolute(path), absolute(root));
    let shown = path_abs
        .strip_prefix(&root_abs)
        .map_or(path_abs.clone(), Path::to_path_buf);
    shown.to_string_lossy().replace('\\', "/")
}

/// One source to add: exactly one of `url` and `path`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewSource {
    pub url: Option<String>,
    pub path: Option<String>,
    pub name: Option<String>,
    pub author: Option<String>,
    pub tags: Vec<String>,
}

impl NewSource {
    /// The URL or path, as the user will see it.
    pub fn location(&self) -> &str {
        self.url.as_deref().or(self.path.as_deref()).unwrap_or("")
    }
}

/// Why config.toml could not be edited.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("config.toml is not valid TOML: {0}")]
    Toml(#[from] toml_edit::TomlError),
    #[error("`sources` in config.toml is not a list of [[sources]] tables")]
    NotTables,
}

/// The config text with `sources` appended, and for each whether it was
/// added (false: already there).
pub fn append_sources(text: &str, sources: &[NewSource]) -> Result<(String, Vec<bool>), AddError> {
    let mut doc: DocumentMut = text.parse()?;
    let entry = doc
        .entry("sources")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    let tables = entry.as_array_of_tables_mut().ok_or(AddError::NotTables)?;
    let mut known: Vec<String> = tables
        .iter()
        .flat_map(|t| [t.get("url"), t.get("path")])
        .flatten()
        .filter_map(|v| v.as_str().map(normalise))
        .collect();
    let mut added = Vec::with_capacity(sources.len());
    for source in sources {
        let location = normalise(source.location());
        if location.is_empty() || known.contains(&location) {
            added.push(false);
            continue;
        }
        known.push(location);
        tables.push(table_for(source));
        added.push(true);
    }
    Ok((doc.to_string(), added))
}

/// The config text with each `[[sources]]` url equal to an old address
/// replaced by its new one, and for each move whether config.toml had it.
pub fn replace_urls(
    text: &str,
    moves: &[(String, String)],
) -> Result<(String, Vec<bool>), AddError> {
    let mut doc: DocumentMut = text.parse()?;
    let mut found = vec![false; moves.len()];
    if let Some(tables) = doc
        .get_mut("sources")
        .and_then(Item::as_array_of_tables_mut)
    {
        for table in tables.iter_mut() {
            let Some(url) = table
                .get("url")
                .and_then(|v| v.as_str())
                .map(str::to_string)
            else {
                continue;
            };
            if let Some(i) = moves.iter().position(|(old, _)| *old == url) {
                // Replace the value only, keeping its comment and spacing.
                if let Some(value) = table.get_mut("url").and_then(Item::as_value_mut) {
                    let decor = value.decor().clone();
                    *value = toml_edit::Value::from(moves[i].1.as_str());
                    *value.decor_mut() = decor;
                }
                found[i] = true;
            }
        }
    }
    Ok((doc.to_string(), found))
}

fn table_for(source: &NewSource) -> Table {
    let mut table = Table::new();
    if let Some(url) = &source.url {
        table.insert("url", value(url.as_str()));
    }
    if let Some(path) = &source.path {
        table.insert("path", value(path.as_str()));
    }
    if let Some(name) = &source.name {
        table.insert("name", value(name.as_str()));
    }
    if let Some(author) = &source.author {
        table.insert("author", value(author.as_str()));
    }
    if !source.tags.is_empty() {
        let tags: Array = source.tags.iter().map(String::as_str).collect();
        table.insert("tags", value(tags));
    }
    table
}

/// Two spellings of one location compare equal: no trailing slash, no `./`.
fn normalise(location: &str) -> String {
    location
        .trim()
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_order_survive_and_duplicates_are_skipped() {
        let text = "# my knowledge base\ntitle = \"KB\" # the title\n\n\
                    [related]\nmax = 3\n\n# the feeds I follow\n[[sources]]\nurl = \"https://a.io/feed.xml\"\n";
        let new = [
            NewSource {
                url: Some("https://b.io/rss".into()),
                name: Some("B".into()),
                tags: vec!["x".into(), "y".into()],
                ..NewSource::default()
            },
            NewSource {
                url: Some("https://a.io/feed.xml/".into()),
                ..NewSource::default()
            },
        ];
        let (out, added) = append_sources(text, &new).unwrap();
        assert_eq!(added, [true, false]);
        assert!(out.starts_with(text), "{out}");
        assert!(
            out.ends_with(
                "\n[[sources]]\nurl = \"https://b.io/rss\"\nname = \"B\"\ntags = [\"x\", \"y\"]\n"
            ),
            "{out}"
        );
        let config = crate::config::Config::parse(&out).unwrap();
        assert_eq!(config.sources.len(), 2);
    }

    #[test]
    fn a_moved_feed_is_rewritten_in_place() {
        let text = "[[sources]]\nurl = \"https://old.io/feed\"  # my feed\nname = \"Old\"\n";
        let moves = [
            (
                "https://old.io/feed".to_string(),
                "https://new.io/feed".to_string(),
            ),
            (
                "https://other.io/x".to_string(),
                "https://other.io/y".to_string(),
            ),
        ];
        let (out, found) = replace_urls(text, &moves).unwrap();
        assert_eq!(found, [true, false]);
        assert_eq!(
            out,
            "[[sources]]\nurl = \"https://new.io/feed\"  # my feed\nname = \"Old\"\n"
        );
    }

    #[test]
    fn an_empty_config_gets_its_first_source() {
        let new = [NewSource {
            path: Some("feeds/x.xml".into()),
            ..NewSource::default()
        }];
        let (out, _) = append_sources("", &new).unwrap();
        assert_eq!(out, "[[sources]]\npath = \"feeds/x.xml\"\n");
    }
}
