//! The serde model of `config.toml`: every key, its default and its
//! validation, built from a `&str`. It may not read files or know about notes.

use serde::Deserialize;

/// The whole knowledge-base configuration. Every key is optional: a folder
/// holding nothing but `content/` builds with these defaults.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title, shown in the header and the feeds.
    pub title: String,
    /// One line under the title, on the home page and in the feeds.
    pub description: String,
    /// The site's author: the feeds name them for notes that name none
    /// (the title when empty).
    pub author: String,
    /// Absolute URL the site is published at (e.g. `https://me.github.io/kb/`).
    /// Only the feeds, the sitemap, canonical links and og:url use it: every link
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
    /// How many notes a page of a list holds: the home page, a tag's,
    /// author's or source's page (the archive holds ten times as many).
    /// 0: every list on one page.
    pub paginate_by: usize,
    /// How many notes each home page lists; `paginate_by` when unset (the
    /// key from before lists were paginated).
    pub recent: Option<usize>,
    /// How many notes the site's feeds hold (0: no site feed).
    pub feed_entries: usize,
    /// How many notes the feed of each tag, author and source holds (0:
    /// none).
    pub term_feed_entries: usize,
    pub related: RelatedConfig,
    pub search: SearchConfig,
    pub fetch: FetchSettings,
    pub sources: Vec<SourceConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Knowledge base".into(),
            description: String::new(),
            author: String::new(),
            base_url: String::new(),
            language: "en".into(),
            theme: "default".into(),
            content_dir: "content".into(),
            output_dir: "public".into(),
            paginate_by: 100,
            recent: None,
            feed_entries: 30,
            term_feed_entries: 10,
            related: RelatedConfig::default(),
            search: SearchConfig::default(),
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

/// `[search]`: how much a word counts in each field of a note (BM25F), and
/// BM25's saturation `k1` and length normalisation `b`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    pub title: f32,
    pub aliases: f32,
    pub tags: f32,
    pub authors: f32,
    pub headings: f32,
    pub body: f32,
    pub k1: f32,
    pub b: f32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            title: 3.0,
            aliases: 3.0,
            tags: 2.0,
            authors: 2.0,
            headings: 1.5,
            body: 1.0,
            k1: 1.2,
            b: 0.75,
        }
    }
}

impl SearchConfig {
    fn check(&self) -> Result<(), ConfigError> {
        let s = self;
        for (name, value) in [
            ("title", s.title),
            ("aliases", s.aliases),
            ("tags", s.tags),
            ("authors", s.authors),
            ("headings", s.headings),
            ("body", s.body),
            ("k1", s.k1),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ConfigError::SearchWeight(name, ""));
            }
        }
        if !(0.0..=1.0).contains(&s.b) {
            return Err(ConfigError::SearchWeight("b", " and at most 1"));
        }
        Ok(())
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
    /// Retries of a transient failure (connection error, 5xx, 429), with
    /// backoff; a timeout is not retried.
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
    #[error("line {line}: {message}")]
    Toml { line: usize, message: String },
    #[error("line {line}: there is no key `{key}`{}{}", in_table(.table), did_you_mean(.suggestion))]
    UnknownKey {
        line: usize,
        key: String,
        table: Option<String>,
        suggestion: Option<String>,
    },
    #[error("source #{index} needs exactly one of `path` or `url`")]
    SourceLocation { index: usize },
    #[error("[fetch] connections and per_host must be at least 1")]
    NoConnections,
    #[error(
        "base_url `{0}` is not an absolute web address; write it as the site will be \
         published, e.g. https://me.github.io/my-kb/"
    )]
    BaseUrl(String),
    #[error("[search] {0} must be a number of at least 0{1}")]
    SearchWeight(&'static str, &'static str),
}

fn in_table(table: &Option<String>) -> String {
    table
        .as_ref()
        .map(|t| format!(" in [{t}]"))
        .unwrap_or_default()
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

impl Config {
    /// Parses and validates `config.toml` text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        for (i, source) in config.sources.iter().enumerate() {
            if source.path.is_some() == source.url.is_some() {
                return Err(ConfigError::SourceLocation { index: i + 1 });
            }
        }
        if config.fetch.connections == 0 || config.fetch.per_host == 0 {
            return Err(ConfigError::NoConnections);
        }
        config.check_base_url()?;
        config.search.check()?;
        Ok(config)
    }

    /// `base_url` is empty or an absolute http(s) address with a host.
    pub fn check_base_url(&self) -> Result<(), ConfigError> {
        let url = self.base_url.trim();
        if url.is_empty() {
            return Ok(());
        }
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
        let valid = host.is_some_and(|h| {
            !h.is_empty()
                && !h.starts_with(':')
                && h.chars()
                    .all(|c| c.is_alphanumeric() || "-.:[]_".contains(c))
        }) && !url.chars().any(char::is_whitespace);
        if valid {
            Ok(())
        } else {
            Err(ConfigError::BaseUrl(url.to_string()))
        }
    }

    /// How many notes each home page lists.
    pub fn home_page_size(&self) -> usize {
        self.recent.unwrap_or(self.paginate_by)
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

/// A TOML or schema error with its line, and for a misspelt key the key
/// it was probably meant to be.
fn toml_error(text: &str, error: &toml::de::Error) -> ConfigError {
    let line = error.span().map_or(1, |span| {
        text[..span.start.min(text.len())].matches('\n').count() + 1
    });
    let message = error.message();
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once('`')
    {
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let suggestion = known
            .iter()
            .map(|k| (edit_distance(key, k), *k))
            .filter(|(d, k)| *d <= 2.max(k.len() / 3))
            .min()
            .map(|(_, k)| k.to_string());
        return ConfigError::UnknownKey {
            line,
            key: key.to_string(),
            table: table_at(text, error.span().map_or(0, |s| s.start)),
            suggestion,
        };
    }
    ConfigError::Toml {
        line,
        message: message.trim().to_string(),
    }
}

/// The `[table]` header in force at byte `at`, if any.
fn table_at(text: &str, at: usize) -> Option<String> {
    text[..at.min(text.len())]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(['[', ']']).to_string())
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
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
    fn an_unknown_key_names_its_line_and_the_likely_key() {
        let err = Config::parse("title = \"x\"\n\n[related]\nmaxx = 3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 4: there is no key `maxx` in [related]; did you mean `max`?"
        );
        let err = Config::parse("zzzzzz = 1").unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn search_weights_are_read_and_checked() {
        let config = Config::parse("[search]\ntitle = 5.0\nbody = 0.5\n").unwrap();
        assert_eq!((config.search.title, config.search.body), (5.0, 0.5));
        assert_eq!(config.search.tags, 2.0, "the others keep their defaults");
        let err = Config::parse("[search]\nb = 2\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "[search] b must be a number of at least 0 and at most 1"
        );
        let err = Config::parse("[search]\nheadings = -1\n")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "[search] headings must be a number of at least 0");
    }

    #[test]
    fn base_url_must_be_a_web_address() {
        for bad in ["notaurl", "https://", "ftp://a.io/", "https://a b.io/"] {
            let text = format!("base_url = \"{bad}\"");
            assert!(Config::parse(&text).is_err(), "{bad} was accepted");
        }
        assert!(Config::parse("base_url = \"http://localhost:8080/kb/\"").is_ok());
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
