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
