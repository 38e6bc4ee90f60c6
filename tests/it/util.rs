//! A knowledge base in a temporary folder, the `lore` binary to run in it,
//! and readers for what it writes (notes' front matter, the site's links).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;

/// The fixtures folder of this test binary.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures")
}

/// A folder of `../shared` (real-world test data kept outside the
/// repository; CI has it beside the clone).
pub fn shared(rel: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    assert!(
        dir.is_dir(),
        "this acceptance test needs ../shared/{rel} beside the repository ({})",
        dir.display()
    );
    dir
}

/// A temporary knowledge base.
pub struct Kb {
    pub dir: tempfile::TempDir,
}

impl Kb {
    pub fn new() -> Kb {
        Kb {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Copies a fixture file into the knowledge base.
    pub fn copy_fixture(&self, fixture: &str, rel: &str) {
        let text = std::fs::read(fixtures().join(fixture)).expect("fixture");
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    /// Runs lore with `args` in the knowledge base folder.
    pub fn lore(&self, args: &[&str]) -> Output {
        cargo_bin_cmd!("lore")
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("running lore")
    }

    /// Runs lore and fails the test unless it exits 0.
    pub fn lore_ok(&self, args: &[&str]) -> String {
        let out = self.lore(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "lore {args:?} failed:\n{stderr}");
        stderr
    }

    /// Every note in content/ as (file name, front matter, body).
    pub fn notes(&self) -> Vec<(String, serde_json::Map<String, serde_json::Value>, String)> {
        let mut notes = Vec::new();
        for entry in walkdir::WalkDir::new(self.path("content")).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().and_then(|e| e.to_str()) != Some("md") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let (front, body) = front_matter(&text);
            notes.push((
                entry.file_name().to_string_lossy().into_owned(),
                front,
                body,
            ));
        }
        notes
    }
}

/// Splits and parses a note's YAML front matter with a real YAML parser.
pub fn front_matter(text: &str) -> (serde_json::Map<String, serde_json::Value>, String) {
    let rest = text
        .strip_prefix("---\n")
        .expect("note starts with front matter");
    let (yaml, body) = rest.split_once("\n---\n").expect("front matter is closed");
    let value: serde_json::Value =
        serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("invalid YAML ({e}):\n{yaml}"));
    match value {
        serde_json::Value::Object(map) => (map, body.to_string()),
        other => panic!("front matter is not a map: {other}"),
    }
}

pub fn text_field<'a>(front: &'a serde_json::Map<String, serde_json::Value>, key: &str) -> &'a str {
    front.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

pub fn list_field(front: &serde_json::Map<String, serde_json::Value>, key: &str) -> Vec<String> {
    front
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// All `.html` files under a folder, relative paths.
pub fn html_files(site: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(site)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some("html"))
        .map(|e| e.path().strip_prefix(site).unwrap().to_path_buf())
        .collect()
}

/// Every `href`/`src` of every page that points inside the site and does
/// not resolve to a file, as "page -> link". Root-absolute links count as
/// broken: they break under a GitHub Pages subpath and from file://.
pub fn broken_links(site: &Path) -> BTreeSet<String> {
    let attr = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let mut broken = BTreeSet::new();
    for page in html_files(site) {
        if page.to_str() == Some("404.html") {
            continue;
        }
        let html = std::fs::read_to_string(site.join(&page)).unwrap();
        for cap in attr.captures_iter(&html) {
            let link = cap[1].replace("&amp;", "&");
            if link.is_empty()
                || link.starts_with('#')
                || link.contains("://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let path = link.split(['#', '?']).next().unwrap_or("");
            let target = site.join(page.parent().unwrap_or(Path::new(""))).join(path);
            if link.starts_with('/') || !target.is_file() {
                broken.insert(format!("{} -> {link}", page.display()));
            }
        }
    }
    broken
}

/// `<script>` tags on a page that are not lore's own: the search and preview scripts,
/// a note page's script and the vendored Mermaid (both from `static/`),
/// the one that finds the site's folder on 404.html, and a note's JSON-LD
/// (data, not code; `json_ld_is_data` checks nothing in it closes the element).
pub fn foreign_scripts(html: &str) -> Vec<String> {
    let tag = regex::Regex::new(r"(?i)<script[^>]*>").unwrap();
    tag.find_iter(html)
        .map(|m| m.as_str().to_string())
        .filter(|t| {
            !t.contains("static/search.js")
                && !t.contains("static/preview.js")
                && !t.contains("static/note.js")
                && !t.contains("static/mermaid.min.js")
                && !t.contains("static/search-ui.js")
                && t != "<script id=\"lore-find-root\">"
                && t != "<script type=\"application/ld+json\">"
        })
        .collect()
}

/// Text as it appears HTML-escaped on a page.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Fails if any page carries a script that is not lore's own search script.
pub fn assert_no_foreign_scripts(site: &Path) {
    for page in html_files(site) {
        let html = std::fs::read_to_string(site.join(&page)).unwrap();
        let scripts = foreign_scripts(&html);
        assert!(scripts.is_empty(), "{}: {scripts:?}", page.display());
    }
}
