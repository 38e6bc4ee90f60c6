//! Fetching bytes over HTTP, politely: conditional GETs so unchanged feeds
//! cost a 304, redirects followed and permanent moves reported, bounded
//! time and size for every response, retries only for transient failures,
//! and a limit on requests in flight overall and per host. This module
//! parses no feed and touches no file system: bytes in, bytes out; the
//! caller decides what to store. [`discover`] finds feed links in a web
//! page, [`assets`] names and rewrites a note's downloaded images.

pub mod assets;
mod attempt;
pub mod discover;
mod parallel;
mod retry_after;
pub mod state;
mod url;

use std::fmt;
use std::thread;
use std::time::Duration;

pub use parallel::fetch_all;
pub use url::is_http;

/// How politely, how long and how much to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// At most this many requests in flight overall (the worker threads of
    /// [`fetch_all`]).
    pub max_connections: usize,
    /// At most this many requests in flight to one host.
    pub per_host: usize,
    /// Budget for DNS, TCP and TLS setup.
    pub connect_timeout: Duration,
    /// Budget for a whole response, headers and body, redirects included.
    pub total_timeout: Duration,
    /// A body (after decompression) larger than this is an error.
    pub max_bytes: u64,
    /// Extra attempts after a transient failure (connect error, timeout,
    /// broken connection, 5xx, 429).
    pub retries: u32,
    /// First backoff; each further retry waits four times longer.
    pub retry_base_delay: Duration,
    /// The longest `Retry-After` we wait for; a server asking for more is
    /// reported, not waited for.
    pub max_retry_after: Duration,
    /// Sent with every request, so site owners know who is asking.
    pub user_agent: String,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            max_connections: 8,
            per_host: 2,
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_bytes: 20_000_000,
            retries: 2,
            retry_base_delay: Duration::from_millis(250),
            max_retry_after: Duration::from_secs(30),
            user_agent: format!(
                "lore/{} (+https://github.com/lore)",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

/// One GET, with what we remember of the last answer so the server can say
/// "not modified".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    /// The `ETag` of the last response, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` of the last response, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Request {
    /// An unconditional GET.
    pub fn new(url: impl Into<String>) -> Request {
        Request {
            url: url.into(),
            ..Request::default()
        }
    }
}

/// A successful (2xx) response, its body complete and decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub bytes: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Where the body came from, after redirects.
    pub final_url: String,
    /// The `Content-Type` header as sent, parameters included.
    pub content_type: Option<String>,
    /// Set when a 301/308 was followed: the new permanent URL, to store in
    /// place of the old one. When a temporary redirect follows permanent
    /// ones, this is where the permanent part of the chain ended.
    pub moved_permanently: Option<String>,
}

/// What became of one request. Failure is a value, not an `Err`: in a batch
/// one failed URL is one line in a report, never the end of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Fetched(Response),
    /// 304: what we have is current.
    NotModified,
    Failed(FetchError),
}

/// Why a fetch failed, worded for the person who configured the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {code} {reason}")]
    Status { code: u16, reason: String },
    #[error("HTTP {code}: the server asks to wait {}, longer than the {} allowed", Seconds(*wait), Seconds(*limit))]
    Throttled {
        code: u16,
        wait: Duration,
        limit: Duration,
    },
    #[error("response larger than {}", Bytes(*limit))]
    TooLarge { limit: u64 },
    #[error("timed out after {}", Seconds(*after))]
    Timeout { after: Duration },
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("network error: {0}")]
    Network(String),
    #[error("TLS failed: {0}")]
    Tls(String),
    #[error("malformed HTTP response: {0}")]
    Protocol(String),
    #[error("cannot decompress the response: {0}")]
    Decode(String),
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    #[error("more than {limit} redirects")]
    TooManyRedirects { limit: usize },
    #[error("HTTP {code} redirect without a usable Location ({location:?})")]
    BadRedirect { code: u16, location: Option<String> },
    #[error("not an image (content type {0})")]
    NotAnImage(String),
}

impl FetchError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { code, .. } => *code == 429 || (500..=599).contains(code),
            // A server too slow to answer within the whole-response
            // timeout (stalled, or a byte a second) will be as slow again:
            // asking again would only multiply the wait.
            FetchError::Timeout { .. } => false,
            FetchError::Connect(_) | FetchError::Network(_) => true,
            _ => false,
        }
    }
}

/// Shows a duration the way a person reads it: "30 s", "1.5 s", "250 ms".
struct Seconds(Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        if millis < 1000 {
            write!(f, "{millis} ms")
        } else if millis.is_multiple_of(1000) {
            write!(f, "{} s", millis / 1000)
        } else {
            write!(f, "{:.1} s", self.0.as_secs_f64())
        }
    }
}

/// Shows a size in decimal units: "20 MB", "1.5 kB", "300 bytes".
struct Bytes(u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Bytes(n) = *self;
        let (unit, name) = match n {
            1_000_000.. => (1_000_000, "MB"),
            1_000.. => (1_000, "kB"),
            _ => return write!(f, "{n} bytes"),
        };
        if n.is_multiple_of(unit) {
            write!(f, "{} {name}", n / unit)
        } else {
            // Precision is not the point here; the order of magnitude is.
            let value = n as f64 / unit as f64;
            write!(f, "{value:.1} {name}")
        }
    }
}

/// The HTTP agent and the rules it follows; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    config: FetchConfig,
}

impl Client {
    pub fn new(config: FetchConfig) -> Client {
        let agent = ureq::Agent::config_builder()
            // Statuses are answers to interpret (304, 404, 429), not errors.
            .http_status_as_error(false)
            // Redirects are followed in `attempt`, which has to see each
            // hop to know whether the move was permanent.
            .max_redirects(0)
            .user_agent(config.user_agent.as_str())
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.total_timeout))
            .max_idle_connections(config.max_connections.max(1))
            .max_idle_connections_per_host(config.per_host.max(1))
            .build()
            .new_agent();
        Client { agent, config }
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new(FetchConfig::default())
    }
}

/// One GET: conditional headers from `request`, up to five redirects,
/// 304 as [`Outcome::NotModified`], and transient failures retried with
/// backoff or after the server's `Retry-After`. A timeout is not retried,
/// so a slow server holds the calling thread for one `total_timeout`.
pub fn fetch_one(client: &Client, request: &Request) -> Outcome {
    let config = client.config();
    let mut retry = 0;
    loop {
        let failure = match attempt::get(client, request) {
            Ok(Some(response)) => return Outcome::Fetched(response),
            Ok(None) => return Outcome::NotModified,
            Err(failure) => failure,
        };
        if !failure.error.is_transient() || retry >= config.retries {
            return Outcome::Failed(failure.error);
        }
        let wait = match failure.retry_after {
            Some(wait) if wait > config.max_retry_after => {
                let code = match failure.error {
                    FetchError::Status { code, .. } => code,
                    _ => 0,
                };
                return Outcome::Failed(FetchError::Throttled {
                    code,
                    wait,
                    limit: config.max_retry_after,
                });
            }
            Some(wait) => wait,
            None => backoff(config.retry_base_delay, retry),
        };
        thread::sleep(wait);
        retry += 1;
    }
}

/// `base`, then four times longer for each retry already made.
fn backoff(base: Duration, retries_made: u32) -> Duration {
    base.saturating_mul(4u32.saturating_pow(retries_made))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_four_times_longer_each_retry() {
        let base = Duration::from_millis(250);
        assert_eq!(backoff(base, 0), Duration::from_millis(250));
        assert_eq!(backoff(base, 1), Duration::from_secs(1));
        assert_eq!(backoff(base, 2), Duration::from_secs(4));
    }

    #[test]
    fn errors_read_as_advice() {
        let too_large = FetchError::TooLarge { limit: 20_000_000 };
        assert_eq!(too_large.to_string(), "response larger than 20 MB");
        let timeout = FetchError::Timeout {
            after: Duration::from_secs(30),
        };
        assert_eq!(timeout.to_string(), "timed out after 30 s");
        let status = FetchError::Status {
            code: 404,
            reason: "Not Found".into(),
        };
        assert_eq!(status.to_string(), "HTTP 404 Not Found");
        assert_eq!(Bytes(1_500).to_string(), "1.5 kB");
        assert_eq!(Seconds(Duration::from_millis(1_500)).to_string(), "1.5 s");
    }

    #[test]
    fn only_transient_errors_are_retried() {
        let status = |code| FetchError::Status {
            code,
            reason: String::new(),
        };
        assert!(status(503).is_transient());
        assert!(status(429).is_transient());
        assert!(!status(404).is_transient());
        assert!(!FetchError::TooLarge { limit: 1 }.is_transient());
        assert!(FetchError::Connect("refused".into()).is_transient());
    }
}
