//! URLs in feed HTML: resolved against the item's base, unsafe schemes
//! dropped, written so markdown keeps them whole.

use super::*;

/// An absolute http(s) URL split into the parts relative references need.
#[derive(Debug, Clone)]
pub(super) struct BaseUrl {
    pub(super) scheme: String,
    pub(super) authority: String,
    pub(super) path: String,
}

impl BaseUrl {
    pub(super) fn parse(raw: &str) -> Option<BaseUrl> {
        let raw = raw.trim();
        let (scheme, rest) = raw.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.is_empty() || authority.contains(|c: char| c.is_whitespace()) {
            return None;
        }
        let after = &rest[authority_end..];
        let path = after.split(['?', '#']).next().unwrap_or("");
        let path = if path.is_empty() { "/" } else { path };
        Some(BaseUrl {
            scheme,
            authority: authority.to_string(),
            path: path.to_string(),
        })
    }
}

/// Resolves `raw` against `base` and keeps it only if it is safe: http(s),
/// `mailto:` for links, fragments and, without a base, relative references.
/// Everything else (`javascript:`, `vbscript:`, `data:`, unknown schemes)
/// gives `None`.
pub(super) fn resolve_url(raw: &str, base: Option<&BaseUrl>, is_link: bool) -> Option<String> {
    // Browsers ignore tabs and newlines anywhere, and controls and spaces at
    // the ends: so must the scheme check.
    let cleaned: Cow<'_, str> = if raw.contains(['\t', '\n', '\r']) {
        raw.chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .into()
    } else {
        raw.into()
    };
    let url = cleaned.trim_matches(|c: char| c <= ' ' || c == '\u{a0}');
    if url.is_empty() || url.contains(|c: char| c.is_control()) {
        return None;
    }
    if url.starts_with('#') {
        return is_link.then(|| url.to_string());
    }
    let scheme_end = url.find([':', '/', '?', '#']);
    if let Some(end) = scheme_end
        && url[end..].starts_with(':')
    {
        let scheme = url[..end].to_ascii_lowercase();
        let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if valid_scheme {
            return match scheme.as_str() {
                "http" | "https" => Some(format!("{scheme}{}", &url[end..])),
                "mailto" if is_link => Some(format!("mailto{}", &url[end..])),
                _ => None,
            };
        }
    }
    if let Some(rest) = url.strip_prefix("//") {
        let scheme = base.map_or("https", |b| b.scheme.as_str());
        return (!rest.is_empty()).then(|| format!("{scheme}://{rest}"));
    }
    let Some(base) = base else {
        return Some(url.to_string());
    };
    let origin = format!("{}://{}", base.scheme, base.authority);
    if url.starts_with('/') {
        return Some(format!("{origin}{}", normalize_path(url)));
    }
    if url.starts_with('?') {
        return Some(format!("{origin}{}{url}", base.path));
    }
    let directory = match base.path.rfind('/') {
        Some(i) => &base.path[..=i],
        None => "/",
    };
    Some(format!(
        "{origin}{}",
        normalize_path(&format!("{directory}{url}"))
    ))
}

/// Removes `.` and `..` segments from the path part of `reference`.
pub(super) fn normalize_path(reference: &str) -> String {
    let split = reference.find(['?', '#']).unwrap_or(reference.len());
    let (path, tail) = reference.split_at(split);
    if !path.contains("/.") {
        return reference.to_string();
    }
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').collect();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {
                if i == last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if i == last {
                    segments.push("");
                }
            }
            other => segments.push(other),
        }
    }
    let mut out = segments.join("/");
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out.push_str(tail);
    out
}

/// A URL as a markdown link destination: characters that would end or
/// confuse it (spaces, brackets, pipes in tables, backslashes) are
/// percent-encoded.
pub(super) fn markdown_url(url: &str) -> String {
    let plain = url.bytes().all(|b| {
        b.is_ascii_graphic()
            && !matches!(
                b,
                b'<' | b'>' | b'"' | b'`' | b'(' | b')' | b'|' | b'\\' | b'{' | b'}' | b'^'
            )
    });
    if plain {
        return url.to_string();
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '<' | '>' | '"' | '`' | '(' | ')' | '|' | '\\' | '{' | '}' | '^' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            c if c.is_whitespace() || c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}
