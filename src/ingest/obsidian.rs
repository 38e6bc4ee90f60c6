//! Markdown from third parties (llms.txt dumps) as Obsidian would read it:
//! code blocks that plugins run (`dataviewjs`, `templater`…) become plain
//! text blocks, and `%%` comments and `==` highlights in prose are escaped
//! so they show as the characters the author wrote. Code is left exactly as
//! it is. The user's own markdown (an Obsidian vault) never comes here.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

/// Fenced-code languages that Obsidian plugins execute or render as queries;
/// from a feed they are just text.
const ACTIVE_LANGUAGES: &[&str] = &[
    "dataview",
    "dataviewjs",
    "datacore",
    "datacorejs",
    "datacorejsx",
    "datacorets",
    "datacoretsx",
    "templater",
    "js-engine",
    "js-engine-debug",
    "query",
    "tasks",
    "button",
    "meta-bind",
    "meta-bind-button",
    "meta-bind-embed",
    "meta-bind-js-view",
    "tracker",
    "chart",
    "excalidraw",
    "kanban",
    "contextual-query",
];

/// True for a fenced-code language a plugin would execute or query with.
pub fn is_active_language(lang: &str) -> bool {
    let lang = lang.trim().to_ascii_lowercase();
    ACTIVE_LANGUAGES.contains(&lang.as_str()) || lang.starts_with("run-")
}

/// The markdown with what Obsidian would run or reinterpret made inert.
pub fn neutralise(markdown: &str) -> String {
    if !markdown.contains("```")
        && !markdown.contains("~~~")
        && !markdown.contains("%%")
        && !markdown.contains("==")
    {
        return markdown.to_string();
    }
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut copied_to = 0;
    let mut in_code = false;
    for (event, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                in_code = true;
                let lang = info.split_whitespace().next().unwrap_or("");
                if !is_active_language(lang) {
                    continue;
                }
                let fence_line_end = markdown[range.start..]
                    .find('\n')
                    .map_or(range.end, |i| range.start + i);
                let fence_line = &markdown[range.start..fence_line_end];
                if let Some(at) = fence_line.find(lang) {
                    out.push_str(&markdown[copied_to..range.start + at]);
                    out.push_str("text");
                    copied_to = range.start + at + lang.len();
                }
            }
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code = false,
            Event::Text(_) if !in_code => {
                let text = &markdown[range.clone()];
                if text.contains("%%") || text.contains("==") {
                    out.push_str(&markdown[copied_to..range.start]);
                    out.push_str(&text.replace("%%", "\\%\\%").replace("==", "\\=\\="));
                    copied_to = range.end;
                }
            }
            _ => {}
        }
    }
    out.push_str(&markdown[copied_to..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_blocks_and_obsidian_marks_are_made_inert() {
        let md = "Text with %%hidden%% and ==marked==.\n\n```dataviewjs\ndv.list()\n```\n\n```rust\nif a == b {}\n```\n";
        assert_eq!(
            neutralise(md),
            "Text with \\%\\%hidden\\%\\% and \\=\\=marked\\=\\=.\n\n```text\ndv.list()\n```\n\n```rust\nif a == b {}\n```\n"
        );
        assert_eq!(neutralise("plain words"), "plain words");
    }
}
