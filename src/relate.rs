//! Stub: replaced by the related-notes scorer.

/// What relate needs to know about one note.
pub struct RelateDoc<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub tags: &'a [String],
    pub authors: &'a [String],
    pub date: Option<i64>,
}

/// Weights and limits.
#[derive(Debug, Clone)]
pub struct RelateConfig {
    pub max_related: usize,
    pub title_weight: f32,
    pub tag_weight: f32,
    pub author_weight: f32,
    pub min_score: f32,
}

impl Default for RelateConfig {
    fn default() -> Self {
        RelateConfig {
            max_related: 5,
            title_weight: 3.0,
            tag_weight: 1.0,
            author_weight: 0.5,
            min_score: 0.05,
        }
    }
}

/// For each doc, its related docs as (index, score), best first.
pub fn related(docs: &[RelateDoc<'_>], _config: &RelateConfig) -> Vec<Vec<(u32, f32)>> {
    docs.iter().map(|_| Vec::new()).collect()
}
