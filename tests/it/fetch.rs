//! The fetcher against a real local HTTP server: caching validators,
//! redirects, retries, time and size limits, compression, and the limits
//! on requests in flight. Time-based assertions keep wide margins: the
//! machine running them may be busy.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::server::{Behaviour, Page, TestServer};
use lore::fetch::assets::{Asset, download_images};
use lore::fetch::{
    Client, FetchConfig, FetchError, Outcome, Request, Response, fetch_all, fetch_one,
};

const RSS: &str = "application/rss+xml";
const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

/// Defaults, but short backoffs so retries do not slow the suite.
fn config() -> FetchConfig {
    FetchConfig {
        retry_base_delay: Duration::from_millis(10),
        ..FetchConfig::default()
    }
}

fn client() -> Client {
    Client::new(config())
}

fn fetched(outcome: Outcome) -> Response {
    match outcome {
        Outcome::Fetched(response) => response,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn failed(outcome: Outcome) -> FetchError {
    match outcome {
        Outcome::Failed(error) => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn first_fetch_returns_the_body_and_its_validators() {
    let page = Page::new("<rss/>", RSS)
        .with_etag("\"v1\"")
        .with_last_modified(DATE);
    let server = TestServer::start([("/feed", Behaviour::Serve(page))]);
    let response = fetched(fetch_one(&client(), &Request::new(server.url("/feed"))));
    assert_eq!(response.bytes, b"<rss/>");
    assert_eq!(response.etag.as_deref(), Some("\"v1\""));
    assert_eq!(response.last_modified.as_deref(), Some(DATE));
    assert_eq!(response.content_type.as_deref(), Some(RSS));
    assert_eq!(response.final_url, server.url("/feed"));
    assert_eq!(response.moved_permanently, None);
}

#[test]
fn a_known_etag_gets_not_modified() {
    let page = Page::new("<rss/>", RSS).with_etag("\"v1\"");
    let server = TestServer::start([("/feed", Behaviour::Serve(page))]);
    let client = client();
    let first = fetched(fetch_one(&client, &Request::new(server.url("/feed"))));
    let again = Request {
        url: server.url("/feed"),
        etag: first.etag,
        last_modified: None,
    };
    assert_eq!(fetch_one(&client, &again), Outcome::NotModified);
    let sent = server.requests();
    assert_eq!(sent[1].header("If-None-Match"), Some("\"v1\""));
}

#[test]
fn a_known_date_gets_not_modified() {
    let page = Page::new("<rss/>", RSS).with_last_modified(DATE);
    let server = TestServer::start([("/feed", Behaviour::Serve(page))]);
    let request = Request {
        url: server.url("/feed"),
        etag: None,
        last_modified: Some(DATE.into()),
    };
    assert_eq!(fetch_one(&client(), &request), Outcome::NotModified);
    assert_eq!(server.requests()[0].header("If-Modified-Since"), Some(DATE));
}

#[test]
fn a_changed_feed_is_fetched_again() {
    let feed = Arc::new(Mutex::new(Page::new("one", RSS).with_etag("\"1\"")));
    let server = TestServer::start([("/feed", Behaviour::Live(Arc::clone(&feed)))]);
    let client = client();
    let first = fetched(fetch_one(&client, &Request::new(server.url("/feed"))));
    *feed.lock().expect("not poisoned") = Page::new("two", RSS).with_etag("\"2\"");
    let request = Request {
        url: server.url("/feed"),
        etag: first.etag,
        last_modified: None,
    };
    let second = fetched(fetch_one(&client, &request));
    assert_eq!(second.bytes, b"two");
    assert_eq!(second.etag.as_deref(), Some("\"2\""));
}

#[test]
fn a_permanent_redirect_reports_the_new_url() {
    let server = TestServer::start([
        ("/old", Behaviour::redirect(301, "/new")),
        ("/moved", Behaviour::redirect(308, "new")),
        ("/new", Behaviour::page("<rss/>", RSS)),
    ]);
    for path in ["/old", "/moved"] {
        let response = fetched(fetch_one(&client(), &Request::new(server.url(path))));
        assert_eq!(response.bytes, b"<rss/>");
        assert_eq!(response.final_url, server.url("/new"));
        assert_eq!(response.moved_permanently, Some(server.url("/new")));
    }
}

#[test]
fn a_temporary_redirect_is_followed_but_not_reported() {
    let server = TestServer::start([
        ("/today", Behaviour::redirect(302, "/new")),
        ("/new", Behaviour::page("<rss/>", RSS)),
    ]);
    let response = fetched(fetch_one(&client(), &Request::new(server.url("/today"))));
    assert_eq!(response.final_url, server.url("/new"));
    assert_eq!(response.moved_permanently, None);
}

#[test]
fn a_permanent_move_ends_where_a_temporary_hop_begins() {
    let server = TestServer::start([
        ("/a", Behaviour::redirect(301, "/b")),
        ("/b", Behaviour::redirect(307, "/c")),
        ("/c", Behaviour::redirect(301, "/d")),
        ("/d", Behaviour::page("<rss/>", RSS)),
    ]);
    let response = fetched(fetch_one(&client(), &Request::new(server.url("/a"))));
    assert_eq!(response.final_url, server.url("/d"));
    assert_eq!(response.moved_permanently, Some(server.url("/b")));
}

#[test]
fn redirect_loops_end() {
    let server = TestServer::start([
        ("/ping", Behaviour::redirect(302, "/pong")),
        ("/pong", Behaviour::redirect(302, "/ping")),
        ("/nowhere", Behaviour::Status(301)),
        ("/ftp", Behaviour::redirect(301, "ftp://example.com/feed")),
    ]);
    let error = failed(fetch_one(&client(), &Request::new(server.url("/ping"))));
    assert_eq!(error, FetchError::TooManyRedirects { limit: 5 });
    assert_eq!(server.hits("/ping") + server.hits("/pong"), 6);
    for path in ["/nowhere", "/ftp"] {
        let error = failed(fetch_one(&client(), &Request::new(server.url(path))));
        assert!(
            matches!(error, FetchError::BadRedirect { code: 301, .. }),
            "{error}"
        );
    }
}

#[test]
fn not_found_is_not_retried() {
    let server = TestServer::start([("/gone", Behaviour::Status(404))]);
    let error = failed(fetch_one(&client(), &Request::new(server.url("/gone"))));
    assert_eq!(
        error,
        FetchError::Status {
            code: 404,
            reason: "Not Found".into()
        }
    );
    assert_eq!(error.to_string(), "HTTP 404 Not Found");
    assert_eq!(server.hits("/gone"), 1);
}

#[test]
fn server_errors_are_retried() {
    let server = TestServer::start([
        (
            "/flaky",
            Behaviour::fail_first(2, 500, Behaviour::page("<rss/>", RSS)),
        ),
        ("/down", Behaviour::Status(503)),
    ]);
    let response = fetched(fetch_one(&client(), &Request::new(server.url("/flaky"))));
    assert_eq!(response.bytes, b"<rss/>");
    assert_eq!(server.hits("/flaky"), 3);

    let error = failed(fetch_one(&client(), &Request::new(server.url("/down"))));
    assert!(
        matches!(error, FetchError::Status { code: 503, .. }),
        "{error}"
    );
    assert_eq!(server.hits("/down"), 3, "two retries, then give up");
}

#[test]
fn retry_after_is_honoured() {
    let then = Behaviour::page("<rss/>", RSS);
    let server = TestServer::start([("/busy", Behaviour::retry_after(1, 429, "1", then))]);
    let started = Instant::now();
    let response = fetched(fetch_one(&client(), &Request::new(server.url("/busy"))));
    assert_eq!(response.bytes, b"<rss/>");
    assert_eq!(server.hits("/busy"), 2);
    // The backoff is 10 ms; only Retry-After explains a wait of a second.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_retry_after_beyond_the_cap_is_reported_not_waited_for() {
    let then = Behaviour::page("<rss/>", RSS);
    let server = TestServer::start([("/busy", Behaviour::retry_after(1, 503, "3600", then))]);
    let started = Instant::now();
    let error = failed(fetch_one(&client(), &Request::new(server.url("/busy"))));
    assert_eq!(
        error,
        FetchError::Throttled {
            code: 503,
            wait: Duration::from_secs(3600),
            limit: Duration::from_secs(30),
        }
    );
    assert_eq!(server.hits("/busy"), 1);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_slow_server_costs_one_timeout_not_one_per_retry() {
    let server = TestServer::start([
        ("/stall", Behaviour::Stall(Duration::from_secs(20))),
        ("/stall-body", Behaviour::StallBody(Duration::from_secs(20))),
        ("/trickle", Behaviour::Trickle(Duration::from_millis(200))),
    ]);
    let client = Client::new(FetchConfig {
        total_timeout: Duration::from_secs(1),
        retries: 2,
        ..config()
    });
    for path in ["/stall", "/stall-body", "/trickle"] {
        let started = Instant::now();
        let error = failed(fetch_one(&client, &Request::new(server.url(path))));
        assert_eq!(
            error,
            FetchError::Timeout {
                after: Duration::from_secs(1)
            },
            "{path}"
        );
        assert_eq!(error.to_string(), "timed out after 1 s");
        assert_eq!(
            server.hits(path),
            1,
            "{path}: a server this slow is not asked again"
        );
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(2), "{path}: {elapsed:?}");
    }
}

#[test]
fn a_body_over_the_cap_is_refused() {
    let server = TestServer::start([
        (
            "/announced",
            Behaviour::Huge {
                bytes: 25_000_000,
                announce_length: true,
            },
        ),
        (
            "/streamed",
            Behaviour::Huge {
                bytes: 25_000_000,
                announce_length: false,
            },
        ),
        (
            "/small",
            Behaviour::Huge {
                bytes: 1_000,
                announce_length: false,
            },
        ),
    ]);
    for path in ["/announced", "/streamed"] {
        let error = failed(fetch_one(&client(), &Request::new(server.url(path))));
        assert_eq!(error, FetchError::TooLarge { limit: 20_000_000 });
        assert_eq!(error.to_string(), "response larger than 20 MB");
        assert_eq!(server.hits(path), 1, "too large is not retried");
    }
    let small = fetched(fetch_one(&client(), &Request::new(server.url("/small"))));
    assert_eq!(small.bytes.len(), 1_000);
}

#[test]
fn gzip_bodies_are_decoded() {
    let body = "<rss>".to_string() + &"<item>same</item>".repeat(1_000) + "</rss>";
    let page = Page::new(body.clone(), RSS).gzipped();
    let server = TestServer::start([("/feed", Behaviour::Serve(page))]);
    let response = fetched(fetch_one(&client(), &Request::new(server.url("/feed"))));
    assert_eq!(response.bytes, body.as_bytes());
    let accepted = server.requests()[0]
        .header("Accept-Encoding")
        .unwrap_or_default()
        .to_string();
    assert!(accepted.contains("gzip"), "{accepted}");
    assert!(accepted.contains("br"), "{accepted}");
}

/// `text` as a brotli stream of one uncompressed meta-block (RFC 7932
/// §9.2), so the test needs no brotli encoder.
fn brotli_stored(text: &[u8]) -> Vec<u8> {
    assert!(!text.is_empty() && text.len() <= 1 << 16);
    // Bits, least significant first: WBITS 16 (0), ISLAST 0, MNIBBLES 4
    // (00), MLEN - 1 (16 bits), ISUNCOMPRESSED 1, then padding to a byte.
    let header = ((text.len() as u32 - 1) << 4) | (1 << 20);
    let mut stream = header.to_le_bytes()[..3].to_vec();
    stream.extend_from_slice(text);
    // An empty last meta-block: ISLAST 1, ISLASTEMPTY 1.
    stream.push(0b11);
    stream
}

#[test]
fn brotli_bodies_are_decoded() {
    let body = b"<rss><channel><title>br</title></channel></rss>";
    let page = Page::new(brotli_stored(body), RSS).encoded_as("br");
    let server = TestServer::start([("/feed", Behaviour::Serve(page))]);
    let response = fetched(fetch_one(&client(), &Request::new(server.url("/feed"))));
    assert_eq!(response.bytes, body);
}

#[test]
fn requests_say_who_is_asking() {
    let server = TestServer::start([("/feed", Behaviour::page("<rss/>", RSS))]);
    fetched(fetch_one(&client(), &Request::new(server.url("/feed"))));
    let agent = server.requests()[0]
        .header("User-Agent")
        .unwrap_or_default()
        .to_string();
    assert!(agent.starts_with("lore/"), "{agent}");
}

#[test]
fn unreachable_and_invalid_urls_fail_cleanly() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let error = failed(fetch_one(
        &client(),
        &Request::new(format!("http://127.0.0.1:{port}/")),
    ));
    assert!(matches!(error, FetchError::Connect(_)), "{error:?}");

    for url in ["", "feed.xml", "ftp://example.com/feed", "http:///feed"] {
        let error = failed(fetch_one(&client(), &Request::new(url)));
        assert!(
            matches!(error, FetchError::InvalidUrl(_)),
            "{url}: {error:?}"
        );
    }
}

#[test]
fn fetch_all_keeps_the_order_of_requests() {
    let server = TestServer::start([
        (
            "/a",
            Behaviour::delayed(Duration::from_millis(300), Behaviour::page("a", RSS)),
        ),
        ("/b", Behaviour::page("b", RSS)),
        ("/missing", Behaviour::Status(404)),
        ("/c", Behaviour::page("c", RSS)),
        (
            "/cached",
            Behaviour::Serve(Page::new("d", RSS).with_etag("\"d\"")),
        ),
    ]);
    let requests = vec![
        Request::new(server.url("/a")),
        Request::new(server.url("/missing")),
        Request::new("not a url"),
        Request::new(server.url("/b")),
        Request {
            url: server.url("/cached"),
            etag: Some("\"d\"".into()),
            last_modified: None,
        },
        Request::new(server.url("/c")),
    ];
    let outcomes = fetch_all(&client(), &requests);
    assert_eq!(outcomes.len(), 6);
    let mut outcomes = outcomes.into_iter();
    let mut next = || outcomes.next().expect("one outcome per request");
    assert_eq!(fetched(next()).bytes, b"a");
    assert!(matches!(
        failed(next()),
        FetchError::Status { code: 404, .. }
    ));
    assert!(matches!(failed(next()), FetchError::InvalidUrl(_)));
    assert_eq!(fetched(next()).bytes, b"b");
    assert_eq!(next(), Outcome::NotModified);
    assert_eq!(fetched(next()).bytes, b"c");
    assert!(fetch_all(&client(), &[]).is_empty());
}

fn slow_routes(count: usize, delay: Duration) -> Vec<(String, Behaviour)> {
    (0..count)
        .map(|i| {
            let page = Behaviour::page(format!("feed {i}"), RSS);
            (format!("/slow/{i}"), Behaviour::delayed(delay, page))
        })
        .collect()
}

#[test]
fn fetch_all_runs_requests_in_parallel() {
    let server = TestServer::start(slow_routes(40, Duration::from_millis(200)));
    let requests: Vec<Request> = (0..40)
        .map(|i| Request::new(server.url(&format!("/slow/{i}"))))
        .collect();
    // One server is one host, so the per-host limit must allow all 8.
    let client = Client::new(FetchConfig {
        max_connections: 8,
        per_host: 8,
        ..config()
    });
    let started = Instant::now();
    let outcomes = fetch_all(&client, &requests);
    let elapsed = started.elapsed();
    for (i, outcome) in outcomes.into_iter().enumerate() {
        assert_eq!(fetched(outcome).bytes, format!("feed {i}").as_bytes());
    }
    // Serially this takes 8 s, with 8 at a time 1 s.
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(server.max_in_flight() <= 8, "{}", server.max_in_flight());
}

#[test]
fn fetch_all_limits_requests_per_host() {
    let server = TestServer::start(slow_routes(10, Duration::from_millis(300)));
    let requests: Vec<Request> = (0..10)
        .map(|i| Request::new(server.url(&format!("/slow/{i}"))))
        .collect();
    let client = Client::new(FetchConfig {
        max_connections: 8,
        per_host: 2,
        ..config()
    });
    let outcomes = fetch_all(&client, &requests);
    assert!(outcomes.iter().all(|o| matches!(o, Outcome::Fetched(_))));
    assert_eq!(server.max_in_flight(), 2);
}

#[test]
fn a_slow_host_does_not_hold_up_the_others() {
    let slow = TestServer::start(slow_routes(5, Duration::from_millis(500)));
    let fast = TestServer::start(slow_routes(5, Duration::ZERO));
    // The slow host's requests come first, so a queue that waited for the
    // head of the line would start the fast host's only after them.
    let requests: Vec<Request> = (0..5)
        .map(|i| Request::new(slow.url(&format!("/slow/{i}"))))
        .chain((0..5).map(|i| Request::new(fast.url(&format!("/slow/{i}")))))
        .collect();
    let client = Client::new(FetchConfig {
        max_connections: 4,
        per_host: 1,
        ..config()
    });
    let outcomes = fetch_all(&client, &requests);
    assert!(outcomes.iter().all(|o| matches!(o, Outcome::Fetched(_))));
    let last_slow_start = slow.requests().iter().map(|r| r.received).max();
    let last_fast_start = fast.requests().iter().map(|r| r.received).max();
    assert!(last_fast_start < last_slow_start);
    assert_eq!(slow.max_in_flight(), 1);
}

#[test]
fn images_are_downloaded_named_and_checked() {
    let png = b"\x89PNG\r\n\x1a\nnot really a png".to_vec();
    let server = TestServer::start([
        ("/pic", Behaviour::page(png.clone(), "image/png")),
        (
            "/login",
            Behaviour::page("<!DOCTYPE html><p>log in", "text/html"),
        ),
        ("/gone.png", Behaviour::Status(404)),
    ]);
    let urls = vec![
        server.url("/pic"),
        server.url("/login"),
        server.url("/gone.png"),
    ];
    let results = download_images(&client(), &urls);
    let hash = blake3::hash(&png).to_hex();
    assert_eq!(
        results[0],
        Ok(Asset {
            url: server.url("/pic"),
            file_name: format!("{}.png", &hash[..16]),
            bytes: png,
        })
    );
    assert_eq!(results[1], Err(FetchError::NotAnImage("text/html".into())));
    assert!(matches!(
        results[2],
        Err(FetchError::Status { code: 404, .. })
    ));
}
