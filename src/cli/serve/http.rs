//! Answers HTTP requests from the site folder, the way a static host
//! would: under the base path, `folder/` is `folder/index.html`, a missing
//! page is the site's `404.html` with status 404. Pages get the live
//! script on the way out; nothing is cached, so a reload shows the new file.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow};
use tiny_http::{Header, Request, Response, StatusCode};

use super::live::{self, Hub};

/// A running server; requests are answered on threads of their own.
pub struct Server {
    address: SocketAddr,
}

/// What a request needs to be answered.
struct Site {
    dir: PathBuf,
    base_path: String,
    hub: Arc<Hub>,
}

impl Server {
    pub fn start(
        bind: &str,
        port: u16,
        dir: &Path,
        base_path: &str,
        hub: &Arc<Hub>,
    ) -> Result<Server> {
        let server = tiny_http::Server::http((bind, port)).map_err(|error| {
            let in_use = error
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
            if in_use {
                anyhow!(
                    "port {port} on {bind} is in use (another `lore serve`?); try `lore serve \
                     --port {}`",
                    free_port_after(bind, port)
                )
            } else {
                anyhow!("cannot listen on {bind}:{port}: {error}")
            }
        })?;
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow!("{bind}:{port} is not an IP address"))?;
        let site = Arc::new(Site {
            dir: dir.to_path_buf(),
            base_path: base_path.to_string(),
            hub: Arc::clone(hub),
        });
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let site = Arc::clone(&site);
                std::thread::spawn(move || answer(request, &site));
            }
        });
        Ok(Server { address })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

/// The next port that is free, to suggest.
fn free_port_after(bind: &str, port: u16) -> u16 {
    (port.saturating_add(1)..=port.saturating_add(50))
        .find(|p| std::net::TcpListener::bind((bind, *p)).is_ok())
        .unwrap_or(port.saturating_add(1))
}

fn answer(request: Request, site: &Site) {
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("/");
    match path {
        live::EVENTS_PATH => return stream_events(request, &site.hub),
        live::SCRIPT_PATH => {
            let response = with(
                Response::from_string(live::SCRIPT),
                "Content-Type",
                "text/javascript; charset=utf-8",
            );
            let _ = request.respond(response);
            return;
        }
        _ => {}
    }
    let _ = match route(path, &site.base_path, &site.dir) {
        Route::Redirect(to) => {
            request.respond(with(Response::empty(StatusCode(302)), "Location", &to))
        }
        Route::File(file) => match std::fs::read(&file) {
            Ok(bytes) => request.respond(file_response(&file, bytes, 200, &site.base_path)),
            Err(_) => not_found(request, site),
        },
        Route::NotFound => not_found(request, site),
        Route::BadRequest => {
            request.respond(Response::from_string("bad path").with_status_code(400))
        }
    };
}

fn not_found(request: Request, site: &Site) -> std::io::Result<()> {
    let page = site.dir.join("404.html");
    match std::fs::read(&page) {
        Ok(bytes) => request.respond(file_response(&page, bytes, 404, &site.base_path)),
        Err(_) => request.respond(Response::from_string("not found").with_status_code(404)),
    }
}

fn file_response(
    file: &Path,
    bytes: Vec<u8>,
    status: u16,
    base_path: &str,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let is_page = mime.essence_str() == "text/html";
    let bytes = if is_page {
        live::inject(&bytes, base_path)
    } else {
        bytes
    };
    let content_type = if mime.type_() == "text" || mime.essence_str() == "image/svg+xml" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    let response = Response::from_data(bytes).with_status_code(status);
    with(
        with(response, "Content-Type", &content_type),
        "Cache-Control",
        "no-store",
    )
}

/// Where a request path leads.
#[derive(Debug, PartialEq)]
enum Route {
    File(PathBuf),
    Redirect(String),
    NotFound,
    BadRequest,
}

/// The file for `path` under `base_path` in `dir`; folders are their
/// `index.html`, reached with a trailing slash as a static host does.
fn route(raw: &str, base_path: &str, dir: &Path) -> Route {
    let Ok(path) = percent_encoding::percent_decode_str(raw).decode_utf8() else {
        return Route::BadRequest;
    };
    let Some(rel) = path.strip_prefix(base_path) else {
        return if path == "/" || format!("{path}/") == base_path {
            Route::Redirect(base_path.to_string())
        } else {
            Route::NotFound
        };
    };
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    if parts
        .iter()
        .any(|p| *p == ".." || *p == "." || p.contains(['\\', '\0']))
    {
        return Route::BadRequest;
    }
    let file = parts.iter().fold(dir.to_path_buf(), |f, p| f.join(p));
    if file.is_dir() {
        if !rel.is_empty() && !rel.ends_with('/') {
            return Route::Redirect(format!("{raw}/"));
        }
        return Route::File(file.join("index.html"));
    }
    Route::File(file)
}

/// One tab's event stream, open until the tab goes away; a comment every
/// 15 s finds out when it has.
fn stream_events(request: Request, hub: &Hub) {
    let queue = hub.listen();
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                Connection: keep-alive\r\n\r\nretry: 500\n\n";
    if out
        .write_all(head.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let event = match queue.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => event,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": still here\n\n".into(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if out
            .write_all(event.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// `response` with a header; one that cannot be a header (never one of
/// ours) is left out.
fn with<R: std::io::Read>(response: Response<R>, name: &str, value: &str) -> Response<R> {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(header) => response.with_header(header),
        Err(()) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_map_to_files_under_the_base_path_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tags/x")).unwrap();
        let d = dir.path();
        assert_eq!(route("/", "/kb/", d), Route::Redirect("/kb/".into()));
        assert_eq!(route("/kb", "/kb/", d), Route::Redirect("/kb/".into()));
        assert_eq!(route("/kb/", "/kb/", d), Route::File(d.join("index.html")));
        assert_eq!(
            route("/kb/tags/x", "/kb/", d),
            Route::Redirect("/kb/tags/x/".into())
        );
        assert_eq!(
            route("/kb/tags/x/", "/kb/", d),
            Route::File(d.join("tags/x/index.html"))
        );
        assert_eq!(
            route("/kb/a%20b.html", "/kb/", d),
            Route::File(d.join("a b.html"))
        );
        assert_eq!(route("/other/a.html", "/kb/", d), Route::NotFound);
        assert_eq!(route("/kb/../secret", "/kb/", d), Route::BadRequest);
        assert_eq!(route("/kb/%2e%2e/secret", "/kb/", d), Route::BadRequest);
    }
}
