//! Themes and template engines. The default theme is compiled into the
//! binary; a theme folder overrides it file by file. Templates use
//! minijinja unless the theme's `theme.toml` says `engine = "tera"`; both
//! engines get the very same serialisable view structs, so a theme is one
//! contract in two syntaxes.

use std::collections::BTreeMap;

use serde::Serialize;

/// Mermaid 11 (MIT, see `static/mermaid.LICENSE`), 3.5 MB: copied to a
/// site only when one of its pages draws a diagram.
pub const MERMAID_SCRIPT: &str = "mermaid.min.js";

/// Template and static files of a theme.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (`note.html`) → source.
    pub templates: BTreeMap<String, String>,
    /// Path under `static/` → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// The `theme.toml` text, if any.
    pub manifest: Option<String>,
}

macro_rules! builtin_files {
    ($($name:literal),*) => { [$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*] };
}

/// The theme compiled into the binary.
pub fn builtin() -> Theme {
    let templates = builtin_files!(
        "base.html",
        "macros.html",
        "note.html",
        "index.html",
        "list.html",
        "term.html",
        "archive.html",
        "graph.html",
        "404.html"
    );
    let statics = [
        (
            "style.css",
            include_str!("../../themes/default/static/style.css"),
        ),
        (
            "search.js",
            include_str!("../../themes/default/static/search.js"),
        ),
        (
            "preview.js",
            include_str!("../../themes/default/static/preview.js"),
        ),
        (
            "search-ui.js",
            include_str!("../../themes/default/static/search-ui.js"),
        ),
        (
            "favicon.svg",
            include_str!("../../themes/default/static/favicon.svg"),
        ),
        (
            "note.js",
            include_str!("../../themes/default/static/note.js"),
        ),
        (
            MERMAID_SCRIPT,
            include_str!("../../themes/default/static/mermaid.min.js"),
        ),
    ];
    Theme {
        templates: templates
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect(),
        statics: statics
            .iter()
            .map(|(n, s)| (n.to_string(), s.as_bytes().to_vec()))
            .collect(),
        manifest: Some(include_str!("../../themes/default/theme.toml").to_string()),
    }
}

impl Theme {
    /// This theme with `overrides` laid on top, file by file. A theme in
    /// another template language cannot borrow our templates: it keeps only
    /// its own (and our static files).
    pub fn overlay(mut self, overrides: Theme) -> Theme {
        if overrides.manifest.is_some() && overrides.engine_name() != self.engine_name() {
            self.templates.clear();
        }
        self.templates.extend(overrides.templates);
        self.statics.extend(overrides.statics);
        if overrides.manifest.is_some() {
            self.manifest = overrides.manifest;
        }
        self
    }

    fn engine_name(&self) -> String {
        let manifest: Option<toml::Table> = self
            .manifest
            .as_deref()
            .and_then(|m| toml::from_str(m).ok());
        manifest
            .and_then(|m| m.get("engine").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or_else(|| "minijinja".into())
    }
}

/// A template that failed, with the engine's own location details.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("theme.toml names engine \"{0}\"; lore knows \"minijinja\" and \"tera\"")]
    UnknownEngine(String),
}

/// A ready template engine, built once per build.
pub enum Engine {
    MiniJinja(Box<minijinja::Environment<'static>>),
    Tera(Box<tera::Tera>),
}

impl Engine {
    /// Compiles every template of the theme.
    pub fn new(theme: &Theme) -> Result<Engine, TemplateError> {
        match theme.engine_name().as_str() {
            "minijinja" => {
                let mut env = minijinja::Environment::new();
                env.set_auto_escape_callback(|name| {
                    if name.ends_with(".html") || name.ends_with(".xml") {
                        minijinja::AutoEscape::Html
                    } else {
                        minijinja::AutoEscape::None
                    }
                });
                env.add_function("url", url_function);
                env.add_function("ext", ext_function);
                for (name, source) in &theme.templates {
                    env.add_template_owned(name.clone(), source.clone())
                        .map_err(|e| error(name, &e))?;
                }
                Ok(Engine::MiniJinja(Box::new(env)))
            }
            "tera" => {
                let mut tera = tera::Tera::default();
                tera.add_raw_templates(
                    theme
                        .templates
                        .iter()
                        .map(|(n, s)| (n.as_str(), s.as_str())),
                )
                .map_err(|e| error("(theme)", &e))?;
                Ok(Engine::Tera(Box::new(tera)))
            }
            other => Err(TemplateError::UnknownEngine(other.to_string())),
        }
    }

    /// Renders `name` with a serialisable context.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, TemplateError> {
        match self {
            Engine::MiniJinja(env) => {
                let template = env.get_template(name).map_err(|e| error(name, &e))?;
                template
                    .render(minijinja::Value::from(minijinja::value::Serde(context)))
                    .map_err(|e| error(name, &e))
            }
            Engine::Tera(tera) => {
                let context =
                    tera::Context::from_serialize(context).map_err(|e| error(name, &e))?;
                tera.render(name, &context).map_err(|e| error(name, &e))
            }
        }
    }
}

/// `url(path)`: a site-relative URL made relative to the current page by
/// prefixing `root`, escaped for an attribute. A Rust function rather than a
/// template macro: term pages call it tens of thousands of times.
fn url_function(state: &minijinja::State<'_, '_>, path: &str) -> minijinja::Value {
    let root = state
        .lookup("root")
        .map(|r| r.to_string())
        .unwrap_or_default();
    minijinja::Value::from_safe_string(attribute_escape(&format!("{root}{path}")))
}

/// `ext(url)`: an external URL escaped for an attribute.
fn ext_function(url: &str) -> minijinja::Value {
    minijinja::Value::from_safe_string(attribute_escape(url))
}

/// Escapes `&`, `"`, `<` and `>`; unlike autoescaping it leaves `/` alone,
/// so URLs stay readable in the HTML.
fn attribute_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Flattens an engine error and its causes into one message.
fn error(name: &str, e: &dyn std::error::Error) -> TemplateError {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    TemplateError::Template {
        name: name.to_string(),
        message,
    }
}
