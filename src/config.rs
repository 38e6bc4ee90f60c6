//! The serde model of `config.toml`: every key, its default and its
//! validation, built from a `&str`. It may not read files or know about notes.

use serde::Deserialize;

/// The whole knowledge-base configuration. Every key is optional: a folder
/// holding nothing but `content/` builds with these defaults.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title, shown in the header and the feed.
    pub title: String,
    /// One line under the title and in the feed.
    pub description: String,
    /// Absolute URL the site is published at (e.g. `https://me.github.io/kb/`).
    /// Only the feed, the sitemap and canonical links use it: every link
    /// between pages is relative.
    pub base_url: String,
    /// `lang` of the pages.
    pub language: String,
    /// Theme folder name under `themes/`; the built-in theme fills the gaps.
    pub theme: String,
    /// Where notes live, relative to the config file.
    pub content_dir: String,
    /// Where the site is written, relative to the config file.
    pub output_dir: String,
    /// How many notes the home page and the feed list.
    pub recent: usize,
    pub related: RelatedConfig,
    pub fetch: FetchSettings,
    pub sources: Vec<SourceConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Knowledge base".into(),
            description: String::new(),
            base_url: String::new(),
            language: "en".into(),
            theme: "default".into(),
            content_dir: "content".into(),
            output_dir: "public".into(),
            recent: 30,
            related: RelatedConfig::default(),
            fetch: FetchSettings::default(),
            sources: Vec::new(),
        }
    }
}

/// `[related]`: how related notes are chosen.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RelatedConfig {
    /// How many related notes each note lists (0 turns the stage off).
    pub max: usize,
    /// How much a word in the title counts against one in the body.
    pub title_weight: f32,
    /// How much a shared tag counts (scaled by how rare the tag is).
    pub tag_weight: f32,
    /// How much a shared author counts.
    pub author_weight: f32,
}

impl Default for RelatedConfig {
    fn default() -> Self {
        RelatedConfig {
            max: 5,
            title_weight: 3.0,
            tag_weight: 1.0,
            author_weight: 0.5,
        }
    }
}

/// `[fetch]`: how `lore pull` talks to servers.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Requests in flight at once, over all hosts.
    pub connections: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// Seconds to wait for a connection.
    pub connect_timeout: u64,
    /// Seconds for a whole response, headers and body.
    pub timeout: u64,
    /// Largest feed accepted, in MB.
    pub max_size_mb: u64,
    /// Retries of a transient failure (timeout, 5xx, 429), with backoff.
    pub retries: u32,
    /// `"remote"` keeps images on the web; `"local"` downloads the images
    /// notes use into `content/assets/` (as `lore pull --assets` does).
    pub assets: AssetMode,
    /// Largest image downloaded, in MB.
    pub asset_max_size_mb: u64,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            connections: 8,
            per_host: 2,
            connect_timeout: 10,
            timeout: 30,
            max_size_mb: 20,
            retries: 2,
            assets: AssetMode::Remote,
            asset_max_size_mb: 10,
        }
    }
}

/// Where the images of notes live.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum AssetMode {
    #[default]
    Remote,
    Local,
}

/// One `[[sources]]` entry: a feed, dump or folder of markdown to import.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// A file or folder, relative to the config file.
    pub path: Option<String>,
    /// A feed URL (fetched by `lore pull`).
    pub url: Option<String>,
    /// Overrides the feed's own title as the notes' `source`.
    pub name: Option<String>,
    /// Author for items that name none (the item's and the feed's win).
    pub author: Option<String>,
    /// Tags added to every note from this source.
    pub tags: Vec<String>,
}

/// Why a config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("source #{index} needs exactly one of `path` or `url`")]
    SourceLocation { index: usize },
    #[error("[fetch] connections and per_host must be at least 1")]
    NoConnections,
}

impl Config {
    /// Parses and validates `config.toml` text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)?;
        for (i, source) in config.sources.iter().enumerate() {
            if source.path.is_some() == source.url.is_some() {
                return Err(ConfigError::SourceLocation { index: i + 1 });
            }
        }
        if config.fetch.connections == 0 || config.fetch.per_host == 0 {
            return Err(ConfigError::NoConnections);
        }
        Ok(config)
    }

    /// `base_url` with exactly one trailing slash, or empty.
    pub fn base_url(&self) -> String {
        let trimmed = self.base_url.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            String::new()
        } else {
            format!("{trimmed}/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gets_defaults() {
        let config = Config::parse("").unwrap();
        assert_eq!(config.content_dir, "content");
        assert_eq!(config.related.max, 5);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(Config::parse("titel = \"x\"").is_err());
    }

    #[test]
    fn a_source_needs_a_location() {
        let err = Config::parse("[[sources]]\nname = \"x\"").unwrap_err();
        assert!(err.to_string().contains("source #1"));
    }

    #[test]
    fn base_url_gets_one_slash() {
        let config = Config::parse("base_url = \"https://a.io/kb//\"").unwrap();
        assert_eq!(config.base_url(), "https://a.io/kb/");
    }
}
