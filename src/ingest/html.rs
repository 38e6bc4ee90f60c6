//! Stub: replaced by the HTML → markdown converter.

/// Converts untrusted feed HTML into safe markdown.
pub fn html_to_markdown(html: &str, _base: Option<&str>) -> String {
    htmd::convert(html).unwrap_or_default()
}
