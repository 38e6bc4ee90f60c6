//! Stub: replaced by the llms.txt reader.

#[derive(Debug, Clone, PartialEq)]
pub struct LlmsPost {
    pub title: String,
    pub url: Option<String>,
    pub date: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmsDoc {
    pub name: String,
    pub summary: Option<String>,
    pub posts: Vec<LlmsPost>,
}

pub fn sniff(text: &str) -> bool {
    text.trim_start().starts_with("# ")
}

pub fn parse(text: &str) -> LlmsDoc {
    LlmsDoc {
        name: text
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("# ")
            .to_string(),
        summary: None,
        posts: Vec::new(),
    }
}
