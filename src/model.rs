//! The shared vocabulary every stage speaks: an ingested [`Item`], a vault
//! [`Note`] with its [`FrontMatter`], and the [`Diagnostic`] that bad input
//! turns into. Plain data only: this module depends on no other module and
//! exposes no third-party parser types.

use chrono::NaiveDateTime;

/// One post read from a source, before it becomes a note.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    /// Identity: the guid, else the link, else a hash of title and date.
    pub id: String,
    pub title: String,
    /// Publication time in UTC; `None` when the source gives none.
    pub date: Option<NaiveDateTime>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    /// The original post's address.
    pub url: Option<String>,
    /// The feed or collection title the item came from.
    pub source: String,
    /// The body as markdown, already sanitised.
    pub body: String,
    /// The note name the source chose (a markdown file's name or `slug`);
    /// `None` lets lore name the note after its title.
    pub name: Option<String>,
    /// Properties lore does not interpret, kept as the source had them:
    /// (key, value as YAML text).
    pub extra: Vec<(String, String)>,
}

/// The properties lore writes at the top of every note it manages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrontMatter {
    pub title: String,
    pub date: Option<NaiveDateTime>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub id: Option<String>,
    pub aliases: Vec<String>,
    /// Note names (file stems) of related notes, most related first.
    pub related: Vec<String>,
    /// Properties lore does not interpret: (key, value as YAML text),
    /// written after lore's own.
    pub extra: Vec<(String, String)>,
}

/// Who owns a note's file, which decides whether lore may rewrite it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// Written by lore and untouched since: lore may rewrite it.
    Lore,
    /// Written or edited by a person: lore reads it and never rewrites it.
    User,
}

/// One markdown file of the vault.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Path inside `content/`, `/`-separated, ending in `.md`.
    pub path: String,
    pub front: FrontMatter,
    /// Markdown body without front matter; shared, not copied, by what
    /// keeps it from one build to the next (`lore serve`).
    pub body: std::sync::Arc<str>,
    pub ownership: Ownership,
}

impl Note {
    /// The note's name as Obsidian sees it: the file name without `.md`.
    pub fn name(&self) -> &str {
        let file = self.path.rsplit('/').next().unwrap_or(&self.path);
        file.strip_suffix(".md").unwrap_or(file)
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem with the input, reported to the user; never a reason to stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The source file, URL or note path the problem is in.
    pub source: String,
    /// The item inside the source (title or id), where there is one.
    pub item: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn warning(
        source: impl Into<String>,
        item: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            source: source.into(),
            item,
            message: message.into(),
        }
    }

    pub fn error(
        source: impl Into<String>,
        item: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            source: source.into(),
            item,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}", self.source)?;
        if let Some(item) = &self.item {
            write!(f, ": item \"{item}\"")?;
        }
        write!(f, ": {}", self.message)
    }
}
