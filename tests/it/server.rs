//! A small real HTTP/1.1 server for tests, on 127.0.0.1 with a free port:
//! std only, one thread per connection, every response `Connection: close`.
//! Each path has a [`Behaviour`] (a page, a redirect, failures, a stall, a
//! huge or gzipped body, a delay); every request is recorded so tests can
//! count hits, read the headers the client sent, and see how many requests
//! were in flight at once. Dropping the server stops it.

// Each test binary (and the benchmark) uses a different part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;

/// A document the server can serve, with optional validators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub body: Vec<u8>,
    pub content_type: String,
    /// Sent as `ETag`; a request whose `If-None-Match` holds it gets 304.
    pub etag: Option<String>,
    /// Sent as `Last-Modified`; a request whose `If-Modified-Since` equals
    /// it (and that sent no `If-None-Match`) gets 304.
    pub last_modified: Option<String>,
    /// Gzip the body for clients that accept gzip.
    pub gzip: bool,
    /// The body is already encoded this way (`br`…): sent as it is, with
    /// this `Content-Encoding`.
    pub encoded_as: Option<String>,
}

impl Page {
    pub fn new(body: impl Into<Vec<u8>>, content_type: &str) -> Page {
        Page {
            body: body.into(),
            content_type: content_type.to_string(),
            etag: None,
            last_modified: None,
            gzip: false,
            encoded_as: None,
        }
    }

    pub fn with_etag(mut self, etag: &str) -> Page {
        self.etag = Some(etag.to_string());
        self
    }

    pub fn with_last_modified(mut self, date: &str) -> Page {
        self.last_modified = Some(date.to_string());
        self
    }

    pub fn gzipped(mut self) -> Page {
        self.gzip = true;
        self
    }

    pub fn encoded_as(mut self, content_encoding: &str) -> Page {
        self.encoded_as = Some(content_encoding.to_string());
        self
    }
}

/// What the server does for one path.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 200 with the page (or 304 when the client's validator matches).
    Serve(Page),
    /// Like `Serve`, but the test can change the page between requests.
    Live(Arc<Mutex<Page>>),
    /// A redirect (301, 302, 303, 307, 308) to `location` as written: a
    /// path (`/new`) or a full URL.
    Redirect { status: u16, location: String },
    /// An empty response with this status (404, 410, 500…).
    Status(u16),
    /// The first `times` requests get `status` (with `Retry-After` if
    /// given), later ones get `then`.
    FailFirst {
        times: usize,
        status: u16,
        retry_after: Option<String>,
        then: Box<Behaviour>,
    },
    /// Accepts the request, then says nothing for this long before a 200.
    Stall(Duration),
    /// Sends the headers and part of the body, then says nothing for this
    /// long before the rest.
    StallBody(Duration),
    /// Sends the headers, then one byte every `Duration`, for 100 bytes:
    /// never silent long enough for a read timeout.
    Trickle(Duration),
    /// A body of this many bytes, streamed; with `Content-Length` when
    /// `announce_length`, else ended by closing the connection.
    Huge { bytes: u64, announce_length: bool },
    /// Waits, then behaves as `then`; the wait counts as in flight.
    Delay(Duration, Box<Behaviour>),
}

impl Behaviour {
    /// 200 with `body` as `content_type`.
    pub fn page(body: impl Into<Vec<u8>>, content_type: &str) -> Behaviour {
        Behaviour::Serve(Page::new(body, content_type))
    }

    pub fn redirect(status: u16, location: &str) -> Behaviour {
        Behaviour::Redirect {
            status,
            location: location.to_string(),
        }
    }

    pub fn fail_first(times: usize, status: u16, then: Behaviour) -> Behaviour {
        Behaviour::FailFirst {
            times,
            status,
            retry_after: None,
            then: Box::new(then),
        }
    }

    pub fn retry_after(times: usize, status: u16, retry_after: &str, then: Behaviour) -> Behaviour {
        Behaviour::FailFirst {
            times,
            status,
            retry_after: Some(retry_after.to_string()),
            then: Box::new(then),
        }
    }

    pub fn delayed(delay: Duration, then: Behaviour) -> Behaviour {
        Behaviour::Delay(delay, Box::new(then))
    }
}

/// A request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The request target as sent, query included.
    pub target: String,
    /// The path without its query: the route it matched.
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// When the request's headers had all arrived.
    pub received: Instant,
}

impl RecordedRequest {
    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    routes: HashMap<String, Behaviour>,
    log: Mutex<Vec<RecordedRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    stopping: AtomicBool,
}

impl TestServer {
    /// Starts serving `routes` (path → behaviour); unknown paths get 404.
    pub fn start<P: Into<String>>(routes: impl IntoIterator<Item = (P, Behaviour)>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let shared = Arc::new(Shared {
            routes: routes.into_iter().map(|(p, b)| (p.into(), b)).collect(),
            log: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        });
        let accepting = Arc::clone(&shared);
        let acceptor = thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&accepting);
                thread::spawn(move || serve_connection(stream, &shared));
            }
        });
        TestServer {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The full URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// How many requests arrived for `path` (query ignored).
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    /// The most requests that were ever being answered at once, counted
    /// from a request's arrival until its response starts.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(request) = read_request(&stream) else {
        return;
    };
    let hit = {
        let mut log = lock(&shared.log);
        log.push(request.clone());
        log.iter().filter(|r| r.path == request.path).count()
    };
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let behaviour = shared.routes.get(&request.path).cloned();
    let mut out = Responder {
        stream,
        shared,
        started: false,
    };
    match behaviour {
        Some(behaviour) => behave(&behaviour, &request, hit, &mut out),
        None => out.send(404, &[], b"no such route"),
    }
    // A response that never started (the client left) still ends here.
    out.start();
}

/// Writes the response; the first write ends the request's time in flight.
struct Responder<'a> {
    stream: TcpStream,
    shared: &'a Shared,
    started: bool,
}

impl Responder<'_> {
    /// Called before the first byte goes out, so that a client which has
    /// read a whole response never sees its request still counted.
    fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn head(&mut self, status: u16, headers: &[(&str, String)], length: Option<u64>) {
        self.start();
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\nConnection: close\r\n",
            reason(status)
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(length) = length {
            head.push_str(&format!("Content-Length: {length}\r\n"));
        }
        head.push_str("\r\n");
        let _ = self.stream.write_all(head.as_bytes());
    }

    fn send(&mut self, status: u16, headers: &[(&str, String)], body: &[u8]) {
        self.head(status, headers, Some(body.len() as u64));
        let _ = self.stream.write_all(body);
        let _ = self.stream.flush();
    }
}

fn behave(behaviour: &Behaviour, request: &RecordedRequest, hit: usize, out: &mut Responder<'_>) {
    match behaviour {
        Behaviour::Serve(page) => serve_page(page, request, out),
        Behaviour::Live(page) => {
            let page = lock(page).clone();
            serve_page(&page, request, out);
        }
        Behaviour::Redirect { status, location } => {
            out.send(*status, &[("Location", location.clone())], b"");
        }
        Behaviour::Status(status) => out.send(*status, &[], b""),
        Behaviour::FailFirst {
            times,
            status,
            retry_after,
            then,
        } => {
            if hit <= *times {
                let headers: Vec<(&str, String)> = retry_after
                    .iter()
                    .map(|r| ("Retry-After", r.clone()))
                    .collect();
                out.send(*status, &headers, b"");
            } else {
                behave(then, request, hit, out);
            }
        }
        Behaviour::Stall(duration) => {
            idle(out.shared, *duration);
            out.send(200, &[("Content-Type", "text/plain".into())], b"late");
        }
        Behaviour::StallBody(duration) => {
            out.head(200, &[("Content-Type", "text/plain".into())], Some(100));
            let _ = out.stream.write_all(&[b'x'; 10]);
            let _ = out.stream.flush();
            idle(out.shared, *duration);
            let _ = out.stream.write_all(&[b'x'; 90]);
        }
        Behaviour::Trickle(every) => {
            out.head(200, &[("Content-Type", "text/plain".into())], Some(100));
            for _ in 0..100 {
                if out
                    .stream
                    .write_all(b"x")
                    .and_then(|()| out.stream.flush())
                    .is_err()
                {
                    break;
                }
                idle(out.shared, *every);
            }
        }
        Behaviour::Huge {
            bytes,
            announce_length,
        } => {
            let length = announce_length.then_some(*bytes);
            out.head(200, &[("Content-Type", "application/xml".into())], length);
            let chunk = [b'a'; 64 * 1024];
            let mut left = *bytes;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                // The client hangs up once it has seen enough.
                if out.stream.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n as u64;
            }
        }
        Behaviour::Delay(delay, then) => {
            idle(out.shared, *delay);
            behave(then, request, hit, out);
        }
    }
}

fn serve_page(page: &Page, request: &RecordedRequest, out: &mut Responder<'_>) {
    let mut headers: Vec<(&str, String)> = Vec::new();
    if let Some(etag) = &page.etag {
        headers.push(("ETag", etag.clone()));
    }
    if let Some(date) = &page.last_modified {
        headers.push(("Last-Modified", date.clone()));
    }
    if not_modified(page, request) {
        out.send(304, &headers, b"");
        return;
    }
    headers.push(("Content-Type", page.content_type.clone()));
    if let Some(encoding) = &page.encoded_as {
        headers.push(("Content-Encoding", encoding.clone()));
    }
    let accepts_gzip = request
        .header("Accept-Encoding")
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if page.gzip && accepts_gzip {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        let _ = encoder.write_all(&page.body);
        let body = encoder.finish().unwrap_or_default();
        headers.push(("Content-Encoding", "gzip".into()));
        out.send(200, &headers, &body);
    } else {
        out.send(200, &headers, &page.body);
    }
}

/// RFC 9110 §13.2.2: `If-None-Match` decides when present, else
/// `If-Modified-Since` (compared as text: the client echoes our value).
fn not_modified(page: &Page, request: &RecordedRequest) -> bool {
    if let Some(tags) = request.header("If-None-Match") {
        return page.etag.as_ref().is_some_and(|etag| {
            tags.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
        });
    }
    match (request.header("If-Modified-Since"), &page.last_modified) {
        (Some(since), Some(modified)) => since == modified,
        _ => false,
    }
}

/// Sleeps, but wakes early when the server is dropped, so that a stalled
/// connection does not outlive its test by long.
fn idle(shared: &Shared, duration: Duration) {
    let end = Instant::now() + duration;
    while !shared.stopping.load(Ordering::SeqCst) {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        thread::sleep(left.min(Duration::from_millis(20)));
    }
}

/// Reads a request line and headers; a GET has no body to read.
fn read_request(stream: &TcpStream) -> Option<RecordedRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let path = target.split('?').next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
        if headers.len() > 100 {
            return None;
        }
    }
    Some(RecordedRequest {
        method,
        target,
        path,
        headers,
        received: Instant::now(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}
