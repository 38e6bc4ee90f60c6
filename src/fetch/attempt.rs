//! One attempt at a GET: the redirect chain followed hop by hop (ureq's own
//! redirects would hide whether a move was permanent), conditional headers,
//! the whole chain and body within one time budget, and the body read with
//! a hard cap on its size. Retrying is the caller's business.

use std::io::{self, Read};
use std::time::{Duration, Instant, SystemTime};

use ureq::http::{self, HeaderValue};

use super::{Client, FetchConfig, FetchError, Request, Response, retry_after, url};

/// Redirects followed before giving up: enough for http→https→www→new path.
const MAX_REDIRECTS: usize = 5;

/// A failed attempt, with the server's `Retry-After` when it sent one.
#[derive(Debug)]
pub(super) struct Failure {
    pub error: FetchError,
    pub retry_after: Option<Duration>,
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

/// The response, or `None` for 304 Not Modified.
pub(super) fn get(client: &Client, request: &Request) -> Result<Option<Response>, Failure> {
    let config = client.config();
    let deadline = Instant::now() + config.total_timeout;
    let mut url = request.url.trim().to_string();
    let mut moved_permanently = None;
    // Whether every hop so far was permanent: a 301 after a 302 moves a URL
    // we were only lent, so it is not reported.
    let mut all_permanent = true;

    for _ in 0..=MAX_REDIRECTS {
        let target = url::request_target(&url).ok_or_else(|| {
            FetchError::InvalidUrl(format!("{url} (not an absolute http or https URL)"))
        })?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timeout(config).into());
        }
        let mut builder = client
            .agent
            .get(&target)
            .config()
            .timeout_global(Some(remaining))
            .build();
        // A validator the server garbled is not worth failing the request.
        if let Some(etag) = valid_header(request.etag.as_deref()) {
            builder = builder.header("If-None-Match", etag);
        }
        if let Some(date) = valid_header(request.last_modified.as_deref()) {
            builder = builder.header("If-Modified-Since", date);
        }
        let response = builder
            .call()
            .map_err(|e| match error_from_ureq(e, config) {
                FetchError::InvalidUrl(why) => FetchError::InvalidUrl(format!("{url} ({why})")),
                other => other,
            })?;
        let status = response.status();
        let code = status.as_u16();
        match code {
            301 | 302 | 303 | 307 | 308 => {
                let location = header(&response, http::header::LOCATION);
                let next = location
                    .as_deref()
                    .and_then(|l| url::resolve(&url, l))
                    .filter(|next| url::is_http(next))
                    .ok_or(FetchError::BadRedirect { code, location })?;
                all_permanent &= code == 301 || code == 308;
                if all_permanent {
                    moved_permanently = Some(next.clone());
                }
                url = next;
            }
            304 => return Ok(None),
            200..=299 => return read_response(response, url, moved_permanently, config).map(Some),
            _ => {
                let retry_after = if code == 429 || code == 503 {
                    header(&response, http::header::RETRY_AFTER)
                        .and_then(|value| retry_after::parse(&value, SystemTime::now()))
                } else {
                    None
                };
                let reason = status.canonical_reason().unwrap_or("").to_string();
                return Err(Failure {
                    error: FetchError::Status { code, reason },
                    retry_after,
                });
            }
        }
    }
    Err(FetchError::TooManyRedirects {
        limit: MAX_REDIRECTS,
    }
    .into())
}

fn read_response(
    response: http::Response<ureq::Body>,
    final_url: String,
    moved_permanently: Option<String>,
    config: &FetchConfig,
) -> Result<Response, Failure> {
    let etag = header(&response, http::header::ETAG);
    let last_modified = header(&response, http::header::LAST_MODIFIED);
    let content_type = header(&response, http::header::CONTENT_TYPE);
    // Content-Length counts compressed bytes, which never decompress to
    // fewer: over the cap here means over the cap after decoding.
    let announced =
        header(&response, http::header::CONTENT_LENGTH).and_then(|n| n.parse::<u64>().ok());
    if announced.is_some_and(|n| n > config.max_bytes) {
        return Err(FetchError::TooLarge {
            limit: config.max_bytes,
        }
        .into());
    }
    let reader = response.into_body().into_reader();
    let bytes = read_capped(reader, config.max_bytes, announced)
        .map_err(|e| error_from_ureq(ureq::Error::from(e), config))?
        .ok_or(FetchError::TooLarge {
            limit: config.max_bytes,
        })?;
    Ok(Response {
        bytes,
        etag,
        last_modified,
        final_url,
        content_type,
        moved_permanently,
    })
}

/// Reads at most `limit` bytes; `None` if there are more. The buffer grows
/// by doubling but never beyond `limit`, so an endless or hostile body
/// costs at most `limit` bytes of memory.
fn read_capped(
    mut reader: impl Read,
    limit: u64,
    announced: Option<u64>,
) -> io::Result<Option<Vec<u8>>> {
    const CHUNK: usize = 64 * 1024;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let first = announced
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(CHUNK)
        .min(limit);
    let mut bytes = Vec::with_capacity(first);
    let mut chunk = vec![0; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(Some(bytes)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let wanted = bytes.len() + n;
        if wanted > limit {
            return Ok(None);
        }
        if wanted > bytes.capacity() {
            let grown = (bytes.capacity() * 2).clamp(wanted, limit);
            bytes.reserve_exact(grown - bytes.len());
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

fn header(response: &http::Response<ureq::Body>, name: http::HeaderName) -> Option<String> {
    let value = response.headers().get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_string())
}

fn valid_header(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty() && HeaderValue::from_str(v).is_ok())
}

fn timeout(config: &FetchConfig) -> FetchError {
    FetchError::Timeout {
        after: config.total_timeout,
    }
}

/// Sorts ureq's errors into the few a user can act on.
fn error_from_ureq(error: ureq::Error, config: &FetchConfig) -> FetchError {
    use ureq::Error as E;
    match error {
        E::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => FetchError::Timeout {
            after: config.connect_timeout,
        },
        E::Timeout(_) => timeout(config),
        E::HostNotFound => FetchError::Connect("host not found".into()),
        E::ConnectionFailed => FetchError::Connect("no address could be reached".into()),
        E::Io(e) => match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => timeout(config),
            io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable => FetchError::Connect(e.to_string()),
            // std reports a failed DNS lookup with no kind of its own, only
            // this wording; if it ever changes the error is still reported,
            // as a network error.
            _ if e.to_string().starts_with("failed to lookup address") => {
                FetchError::Connect(format!("host not found ({e})"))
            }
            _ => FetchError::Network(e.to_string()),
        },
        E::BadUri(uri) => FetchError::InvalidUrl(uri),
        E::Http(e) => FetchError::InvalidUrl(e.to_string()),
        E::Tls(e) => FetchError::Tls(e.to_string()),
        E::Rustls(e) => FetchError::Tls(e.to_string()),
        E::Pem(e) => FetchError::Tls(format!("{e:?}")),
        E::Decompress(kind, e) => FetchError::Decode(format!("{kind}: {e}")),
        E::Protocol(e) => FetchError::Protocol(e.to_string()),
        E::LargeResponseHeader(size, limit) => {
            FetchError::Protocol(format!("headers of {size} bytes, over the {limit} allowed"))
        }
        other => FetchError::Network(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_cap_and_no_further() {
        let body = vec![7u8; 300_000];
        let read = read_capped(&body[..], 300_000, None).ok().flatten();
        assert_eq!(read.as_deref(), Some(&body[..]));
        assert_eq!(read_capped(&body[..], 299_999, None).ok(), Some(None));
    }

    #[test]
    fn never_allocates_past_the_cap() {
        let body = vec![1u8; 100_000];
        let read = read_capped(&body[..], 100_000, Some(1))
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(read.capacity() <= 100_000, "{}", read.capacity());
    }
}
