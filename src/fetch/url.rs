//! The URL arithmetic the fetcher needs and nothing more: resolving a
//! reference against a base (RFC 3986 §5.2), telling http(s) URLs apart,
//! naming the host a request goes to, and escaping what a request line
//! cannot carry. lore has no `url` dependency; what this leaves out (IDNA,
//! IPv6 zone ids) ureq rejects as an invalid URL, which is reported.

/// A URL split into its five RFC 3986 components (Appendix B). The path is
/// always present, possibly empty.
#[derive(Debug, PartialEq, Eq)]
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(url: &str) -> Parts<'_> {
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let (scheme, rest) = match rest.find(':') {
        Some(colon) if is_scheme(&rest[..colon]) => (Some(&rest[..colon]), &rest[colon + 1..]),
        _ => (None, rest),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            (Some(&after[..end]), &after[end..])
        }
        None => (None, rest),
    };
    Parts {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Resolves `reference` (an href, a Location header) against the absolute
/// URL `base`. Surrounding whitespace and embedded tabs and newlines are
/// dropped first, as browsers do. `None` when the base has no scheme.
pub(super) fn resolve(base: &str, reference: &str) -> Option<String> {
    let reference: String = reference
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let base = split(base.trim());
    let base_scheme = base.scheme?;
    let r = split(&reference);

    let (scheme, authority, path, query);
    if let Some(ref_scheme) = r.scheme {
        scheme = ref_scheme.to_string();
        authority = r.authority;
        path = remove_dot_segments(r.path);
        query = r.query;
    } else {
        scheme = base_scheme.to_string();
        if r.authority.is_some() {
            authority = r.authority;
            path = remove_dot_segments(r.path);
            query = r.query;
        } else {
            authority = base.authority;
            if r.path.is_empty() {
                path = base.path.to_string();
                query = r.query.or(base.query);
            } else {
                path = if r.path.starts_with('/') {
                    remove_dot_segments(r.path)
                } else {
                    remove_dot_segments(&merge(&base, r.path))
                };
                query = r.query;
            }
        }
    }

    let mut out = scheme.to_ascii_lowercase();
    out.push(':');
    if let Some(authority) = authority {
        out.push_str("//");
        out.push_str(authority);
    }
    // An http URL always has a path; "http://example.com" means "/".
    if path.is_empty() && authority.is_some() && is_http_scheme(&scheme) {
        out.push('/');
    }
    out.push_str(&path);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = r.fragment {
        out.push('#');
        out.push_str(fragment);
    }
    Some(out)
}

/// RFC 3986 §5.2.3.
fn merge(base: &Parts<'_>, reference_path: &str) -> String {
    if base.authority.is_some() && base.path.is_empty() {
        return format!("/{reference_path}");
    }
    match base.path.rfind('/') {
        Some(slash) => format!("{}{reference_path}", &base.path[..=slash]),
        None => reference_path.to_string(),
    }
}

/// RFC 3986 §5.2.4: drops `.` and `..` segments.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut output: Vec<&str> = Vec::new();
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") || input == "/.." {
            input = if input == "/.." { "/" } else { &input[3..] };
            output.pop();
        } else if input == "." || input == ".." {
            input = "";
        } else {
            // Move the first segment, with its leading slash, to the output.
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            output.push(&input[..end]);
            input = &input[end..];
        }
    }
    output.concat()
}

fn is_http_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// Whether `url` is an absolute http or https URL with a host.
pub fn is_http(url: &str) -> bool {
    let parts = split(url.trim());
    parts.scheme.is_some_and(is_http_scheme) && parts.authority.is_some_and(|a| !host(a).is_empty())
}

/// The host and port a request to `url` goes to, lowercased, without any
/// user info: the key for the per-host limit. `None` for non-http URLs.
pub(super) fn host_key(url: &str) -> Option<String> {
    if !is_http(url) {
        return None;
    }
    split(url.trim())
        .authority
        .map(|a| host(a).to_ascii_lowercase())
}

fn host(authority: &str) -> &str {
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// The URL as it can go on a request line: without its fragment, with
/// spaces, non-ASCII and the other characters that `http::Uri` refuses
/// percent-encoded. Feeds are full of image URLs with raw spaces or
/// accents, which browsers quietly encode the same way.
pub(super) fn request_target(url: &str) -> Option<String> {
    let url = url.trim();
    if !is_http(url) {
        return None;
    }
    let without_fragment = url.split_once('#').map_or(url, |(rest, _)| rest);
    let mut out = String::with_capacity(without_fragment.len());
    for byte in without_fragment.bytes() {
        if byte.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of RFC 3986 §5.4, normal and abnormal.
    #[test]
    fn resolves_the_rfc_examples() {
        let base = "http://a/b/c/d;p?q";
        let cases = [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            (";x", "http://a/b/c/;x"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/../y", "http://a/b/c/y"),
        ];
        for (reference, expected) in cases {
            assert_eq!(
                resolve(base, reference).as_deref(),
                Some(expected),
                "{reference}"
            );
        }
    }

    #[test]
    fn resolves_like_a_browser_for_feeds() {
        assert_eq!(
            resolve("https://example.com", "feed.xml").as_deref(),
            Some("https://example.com/feed.xml")
        );
        assert_eq!(
            resolve("https://example.com/blog/", "  /atom.xml\n").as_deref(),
            Some("https://example.com/atom.xml")
        );
        assert_eq!(
            resolve("HTTPS://example.com/a", "HTTP://other.org").as_deref(),
            Some("http://other.org/")
        );
        assert_eq!(resolve("not a url", "/feed"), None);
    }

    #[test]
    fn knows_http_urls_and_their_hosts() {
        assert!(is_http("https://example.com/x"));
        assert!(is_http("HTTP://example.com"));
        assert!(!is_http("ftp://example.com/x"));
        assert!(!is_http("https:///nohost"));
        assert!(!is_http("/relative"));
        assert_eq!(
            host_key("https://user:pw@Example.COM:8443/x?y").as_deref(),
            Some("example.com:8443")
        );
        assert_eq!(host_key("mailto:a@b"), None);
    }

    #[test]
    fn escapes_what_a_request_line_cannot_carry() {
        assert_eq!(
            request_target("https://example.com/a b/café.png#top").as_deref(),
            Some("https://example.com/a%20b/caf%C3%A9.png")
        );
        assert_eq!(
            request_target("https://example.com/q?a=1&b=%20").as_deref(),
            Some("https://example.com/q?a=1&b=%20")
        );
        assert_eq!(request_target("file:///etc/passwd"), None);
    }
}
