//! `lore add`: new `[[sources]]` entries appended to config.toml, edited in
//! place with toml_edit so the user's comments, order and formatting stay.
//! A source already listed (same URL or path) is not added twice.

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

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
            out.ends_with("\n[[sources]]\nurl = \"https://b.io/rss\"\nname = \"B\"\ntags = [\"x\", \"y\"]\n"),
            "{out}"
        );
        let config = crate::config::Config::parse(&out).unwrap();
        assert_eq!(config.sources.len(), 2);
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
