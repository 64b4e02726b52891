//! The dev server's HTTP side: requests in, files of the in-memory site out.
//!
//! [`respond`] is a pure function from the current [`State`] and the parts of
//! a request (method, target, Host headers) to a [`Reply`]; [`run`] feeds it
//! from tiny_http, each request on a thread of its own while it is answered,
//! threads being kept for the next request (see `Pool`).
//!
//! Rules: GET and HEAD only (405 with `Allow` otherwise). The target is
//! percent-decoded once and looked up in the in-memory map; a decoded path
//! with NUL, a backslash, a control character, an encoded `/`, or a `.` or
//! `..` segment is refused (400). A directory URL serves its `index.html`
//! (and `/x` redirects to `/x/` when `x/index.html` exists); anything else
//! unknown gets the site's `404.html` with status 404. While bound to a
//! loopback address, a Host other than `localhost`, `127.0.0.1` or `[::1]`
//! (any port) is refused (403), against DNS rebinding; an absolute-form target
//! (`GET http://host/x`) is checked the same way. HTML responses get the
//! live-reload script and the error overlay ([`reload`]).
//!
//! Limits (no local client can stop the server or make it grow without
//! bound; [`limits`] sets them):
//! - at start, the soft limit on open descriptors is raised to the hard limit;
//! - at most 256 connections at once (fewer when the descriptor limit leaves
//!   less room than that plus 64); one more is answered 503 and closed. Each
//!   connection holds one descriptor, one thread, and while a request is being
//!   answered one more thread: a connection hands over its next request only
//!   once the previous one is answered, so pipelined requests wait their turn;
//! - a request head must arrive whole within 10 s of the connection (or of the
//!   previous response): a connection that sent nothing is then closed, one
//!   that sent part of a head gets 408; a body must arrive within 10 s of its
//!   head, and a request with a body is the last of its connection;
//! - a response (or one live-reload event) must reach the client within 10 s
//!   of its first byte, or the connection is closed (a client that does not
//!   read, or reads a byte now and then);
//! - request line at most 8 KiB (400), a header line at most 8 KiB, the head
//!   at most 64 KiB and 100 header lines (431); a control character or a
//!   byte that is not ASCII in the head is a 400, an HTTP version other than
//!   1.0 and 1.1 (`HTTP/0.9`, `HTTP/2.0`) a 505. After such an answer the
//!   connection is closed; it first reads what the client still sends for up
//!   to 1 s, so that the client gets the answer rather than a reset;
//! - an error from `accept` (such as running out of descriptors) makes the
//!   accept thread wait 50 ms and go on: once the clients that caused it are
//!   gone, the server answers again.
//!
//! tiny_http 0.12 (the site owner's choice) cannot be made to do this from
//! outside, so `src/serve/tiny_http/` holds a patched copy, used through
//! `[patch.crates-io]` in Cargo.toml. What changed, and why:
//! - `lib.rs`: the accept loop no longer stops on an `accept` error (it
//!   backs off and goes on); the `TaskPool` (`util/task_pool.rs`, removed)
//!   is replaced by one thread per connection under `Limits::max_connections`
//!   (the pool counted threads already woken for an earlier connection as
//!   free, so connections in a burst waited for others to close); a
//!   connection over the limit gets a 503; each connection waits until its
//!   request is answered before reading the next (the path upstream used for
//!   TLS only), so 2,000 pipelined requests are 2,000 answers in turn, not
//!   2,000 threads; a response written raw (`into_writer`: the live-reload
//!   stream) ends its connection, since the connection cannot know where it
//!   ends; `ServerConfig` takes `Limits`; TLS support is removed.
//! - `lib.rs` also sets `TCP_NODELAY` on every connection: a response goes
//!   out in several writes, and on a kept-alive connection each one after
//!   the first waited for the client's delayed ACK (40 ms a response).
//! - `util/refined_tcp_stream.rs`, `connection.rs`: both halves of a
//!   connection share one socket instead of a `try_clone`d descriptor whose
//!   `unwrap` killed the accept thread once descriptors ran out (and each
//!   connection now costs one descriptor, not two); reads honour a deadline
//!   (the socket's read timeout is set to what is left of it), and so does
//!   what is written between two flushes (a plain socket write timeout
//!   restarts whenever the kernel takes a few more bytes, so a client that
//!   never reads held a write for 30 s, one that opens its window by a few
//!   bytes now and then for ever); a failed write shuts the socket down.
//! - `client.rs`: the head timeout, the line, head and header-count limits,
//!   the checks on the bytes of the head (a bare LF also ends a line, as RFC
//!   9112 allows), the 505 (upstream wrote it on a writer queued behind the
//!   request's own one and waited forever), the lingering close after every
//!   refusal, no `unwrap` on the peer's address (gone when the client already
//!   reset), and a request with a body ends its connection.
//! - `util/equal_reader.rs`: a body left unread is drained through a fixed
//!   buffer, not one as large as the client's `Content-Length` (a request
//!   announcing 100 TB, with no body, made the whole process abort).
//! - `request.rs`: telling the connection that a request was answered says
//!   whether it was written raw, and no longer panics when the connection
//!   has already gone.
//!
//! This module must never build a file-system path from a request, never
//! send CORS headers, and never panic on what a client sends.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::State;
use super::reload::{self, ALIVE_PATH, EVENTS_PATH, Hub};
use crate::error::Error;

/// What the server enforces beyond the paths.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Refuse Host headers that do not name the loopback address (set while
    /// bound to loopback).
    pub check_host: bool,
}

/// The answer to a request.
#[derive(Debug)]
pub enum Reply {
    /// A complete response.
    Page(Response),
    /// Hand the connection to the live-reload event stream.
    Events,
    /// A page says it reads live-reload stream number `.0` ([`Hub::alive`]).
    Alive(u64),
}

/// A complete HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![
                ("Content-Type", content_type.to_string()),
                // A preview is always current; no stale page or stylesheet.
                ("Cache-Control", "no-store".to_string()),
                ("X-Content-Type-Options", "nosniff".to_string()),
            ],
            body,
        }
    }

    fn text(status: u16, message: &str) -> Self {
        Response::new(status, "text/plain; charset=utf-8", format!("{message}\n").into_bytes())
    }

    fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Characters escaped in a path segment of a `Location`.
const SEGMENT: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');

/// The response to `method target` with the given Host header values.
pub fn respond(state: &State, policy: Policy, method: &str, target: &str, hosts: &[&str]) -> Reply {
    let (authority, origin) = match split_target(target) {
        Some(parts) => parts,
        None => return Reply::Page(Response::text(400, "bad request target")),
    };
    if policy.check_host {
        if hosts.len() > 1 {
            return Reply::Page(Response::text(400, "more than one Host header"));
        }
        let named = authority.into_iter().chain(hosts.iter().copied());
        let mut any = false;
        for host in named {
            any = true;
            if !is_loopback_host(host) {
                return Reply::Page(Response::text(
                    403,
                    "this preview answers only to localhost, 127.0.0.1 and [::1] (see `stele serve --bind`)",
                ));
            }
        }
        if !any {
            return Reply::Page(Response::text(400, "no Host header"));
        }
    }
    let head = match method {
        "GET" => false,
        "HEAD" => true,
        _ => {
            return Reply::Page(
                Response::text(405, "only GET and HEAD are allowed").with_header("Allow", "GET, HEAD".into()),
            );
        }
    };
    let (raw_path, query) = match origin.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (origin, None),
    };
    let path = match decode_path(raw_path) {
        Some(path) => path,
        None => return Reply::Page(Response::text(400, "bad request path")),
    };
    if path == ALIVE_PATH {
        return match query.and_then(|q| q.parse().ok()) {
            Some(stream) => Reply::Alive(stream),
            None => Reply::Page(Response::text(400, "which stream?")),
        };
    }
    if path == EVENTS_PATH {
        return if head {
            Reply::Page(Response::new(200, "text/event-stream; charset=utf-8", Vec::new()))
        } else {
            Reply::Events
        };
    }
    Reply::Page(lookup(state, &path, query))
}

/// The file for a decoded site path (no leading `/`).
fn lookup(state: &State, path: &str, query: Option<&str>) -> Response {
    let files = &state.files;
    let key = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
    if let Some(bytes) = files.get(key.as_str()) {
        return file_response(state, 200, &key, bytes);
    }
    if !path.is_empty() && !path.ends_with('/') && files.contains_key(format!("{path}/index.html").as_str()) {
        let mut location: String = path.split('/').map(|s| format!("/{}", utf8_percent_encode(s, SEGMENT))).collect();
        location.push('/');
        // Keep the query only if it is plain visible ASCII.
        if let Some(query) = query.filter(|q| q.bytes().all(|b| b.is_ascii_graphic())) {
            location.push('?');
            location.push_str(query);
        }
        return Response::text(301, &format!("moved to {location}")).with_header("Location", location);
    }
    if let Some(bytes) = files.get("404.html") {
        return file_response(state, 404, "404.html", bytes);
    }
    let (status, title) = if files.is_empty() {
        (500, "The site could not be built yet: fix the problems listed below and save.")
    } else {
        (404, "Page not found.")
    };
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><p>{title}</p></body></html>"
    );
    file_response(state, status, "404.html", page.as_bytes())
}

/// A file of the site, decorated when it is HTML.
fn file_response(state: &State, status: u16, key: &str, bytes: &[u8]) -> Response {
    let content_type = content_type(key);
    if content_type.starts_with("text/html") {
        let snippet = reload::snippet(state.generation, &state.errors);
        Response::new(status, &content_type, reload::inject(bytes, &snippet))
    } else {
        Response::new(status, &content_type, bytes.to_vec())
    }
}

/// The authority of an absolute-form target (if any) and the origin-form
/// rest (`/path?query`, fragment dropped); `None` for any other form.
fn split_target(target: &str) -> Option<(Option<&str>, &str)> {
    let target = target.split_once('#').map_or(target, |(before, _)| before);
    if target.starts_with('/') {
        return Some((None, target));
    }
    let (scheme, rest) = target.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, origin) = rest.split_at(end);
    // `user@host`: only the host names the server.
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    match origin.as_bytes().first() {
        None => Some((Some(host), "/")),
        Some(b'/') => Some((Some(host), origin)),
        // `http://host?q`: the path is empty, i.e. `/`.
        Some(_) => None,
    }
}

/// The site path for the path part of a target (`/articles/x/` ->
/// `articles/x/`), or `None` when it is unsafe or malformed.
pub fn decode_path(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix('/')?;
    // An encoded slash would merge segments after the checks; no site path needs one.
    if rest.to_ascii_lowercase().contains("%2f") {
        return None;
    }
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    if decoded.chars().any(|c| c == '\\' || c.is_control()) {
        return None;
    }
    if decoded.split('/').any(|segment| segment == "." || segment == "..") {
        return None;
    }
    Some(decoded.into_owned())
}

/// Whether a Host header value names the loopback address: `localhost`,
/// `127.0.0.1` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, after)) => match after {
                "" => (inside, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (inside, Some(port)),
                    None => return false,
                },
            },
            None => return false,
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if host.starts_with('[') {
        return name.parse::<std::net::Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1"
}

/// The Content-Type for a site path, by extension (text in UTF-8, as stele writes it).
pub fn content_type(site_path: &str) -> String {
    let mime = mime_guess::from_path(site_path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "xml" | "javascript" | "json")
        || mime.suffix().is_some_and(|s| s == mime_guess::mime::XML);
    if textual && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// Answers requests until the server stops, each on a thread of its own
/// while it is answered, so that a slow reader or a live-reload stream never
/// holds up another request. Threads are kept for the next request rather
/// than ended: a thread that ends lingers a moment in the system, and a flood
/// of pipelined requests would pile them up (see `Pool`).
pub fn run(server: tiny_http::Server, state: Arc<RwLock<State>>, hub: Arc<Hub>, policy: Policy) {
    let pool = Arc::new(Pool::default());
    for request in server.incoming_requests() {
        let Some(request) = pool.hand_over(request) else { continue };
        let (state, hub, pool) = (Arc::clone(&state), Arc::clone(&hub), Arc::clone(&pool));
        // If no thread can be started the request is dropped, which answers 500.
        let _ = std::thread::Builder::new().name("stele-request".into()).spawn(move || {
            let mut next = Some(request);
            while let Some(request) = next {
                let streamed = handle(request, &state, &hub, policy, &pool);
                next = pool.next(streamed);
            }
        });
    }
}

/// The request threads: each answers a request, then waits for the next one
/// for [`IDLE_THREAD`] before it ends. A request goes to a waiting thread
/// when there is one; when every thread is answering, a thread that is
/// writing a page (not a live-reload stream) is usually about to be free, so
/// the request waits for it up to [`HANDOVER_WAIT`] before a new thread is
/// started. A connection hands over its next request only once the previous
/// one is answered, so there are never more threads than connections answered
/// at once, however many requests each sends.
#[derive(Default)]
struct Pool {
    state: std::sync::Mutex<PoolState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct PoolState {
    /// Requests handed over and not yet taken.
    queue: std::collections::VecDeque<tiny_http::Request>,
    /// Threads waiting for a request, less the requests queued for them.
    idle: usize,
    /// Threads answering a request that is not a live-reload stream.
    answering: usize,
}

/// How long a request thread waits for another request before it ends.
const IDLE_THREAD: Duration = Duration::from_secs(30);

/// How long a request waits for a thread that is finishing an answer.
const HANDOVER_WAIT: Duration = Duration::from_millis(2);

impl Pool {
    /// Gives `request` to a waiting thread, or returns it for a new thread.
    fn hand_over(&self, request: tiny_http::Request) -> Option<tiny_http::Request> {
        let Ok(mut state) = self.state.lock() else { return Some(request) };
        let deadline = std::time::Instant::now() + HANDOVER_WAIT;
        while state.idle == 0 && state.answering > 0 {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            match self.changed.wait_timeout(state, left) {
                Ok((guard, _)) => state = guard,
                Err(_) => return Some(request),
            }
        }
        if state.idle == 0 {
            state.answering += 1; // the new thread's
            return Some(request);
        }
        state.idle -= 1;
        state.answering += 1;
        state.queue.push_back(request);
        self.changed.notify_all();
        None
    }

    /// Called by a thread whose answer is a live-reload stream: it is not about to be free.
    fn streaming(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.answering = state.answering.saturating_sub(1);
            self.changed.notify_all();
        }
    }

    /// Waits for the next request of a thread that has answered one; `None`
    /// when none came for [`IDLE_THREAD`] (the thread then ends).
    fn next(&self, was_streaming: bool) -> Option<tiny_http::Request> {
        let Ok(mut state) = self.state.lock() else { return None };
        if !was_streaming {
            state.answering = state.answering.saturating_sub(1);
        }
        state.idle += 1;
        self.changed.notify_all();
        let deadline = std::time::Instant::now() + IDLE_THREAD;
        loop {
            if let Some(request) = state.queue.pop_front() {
                return Some(request);
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                // Nothing queued: this thread was idle and is no more.
                state.idle -= 1;
                return None;
            }
            state = match self.changed.wait_timeout(state, left) {
                Ok((guard, _)) => guard,
                Err(_) => return None,
            };
        }
    }
}

/// Answers one request (on its own thread); true when the answer was a
/// live-reload stream (see [`Pool::streaming`]).
fn handle(request: tiny_http::Request, state: &RwLock<State>, hub: &Hub, policy: Policy, pool: &Pool) -> bool {
    let snapshot = current(state);
    let hosts: Vec<&str> =
        request.headers().iter().filter(|h| h.field.equiv("Host")).map(|h| h.value.as_str()).collect();
    let reply = respond(&snapshot, policy, request.method().as_str(), request.url(), &hosts);
    drop(hosts);
    match reply {
        Reply::Page(response) => send(request, response),
        Reply::Alive(stream) => {
            let status = if hub.alive(stream) { 204 } else { 404 };
            send(request, Response::new(status, "text/plain; charset=utf-8", Vec::new()));
        }
        Reply::Events => match hub.subscribe() {
            None => {
                let busy = tiny_http::Response::from_string("too many live-reload streams\n").with_status_code(503);
                let _ = request.respond(busy);
            }
            Some(subscription) => {
                pool.streaming();
                // Subscribed first, then read the generation: no signal can fall in between.
                let generation = current(state).generation;
                let mut writer = request.into_writer();
                let _ = reload::stream(&mut writer, hub, &subscription, generation);
                let _ = writer.flush();
                return true;
            }
        },
    }
    false
}

/// Writes `response` to the client.
fn send(request: tiny_http::Request, response: Response) {
    let mut out = tiny_http::Response::from_data(response.body).with_status_code(response.status);
    for (name, value) in &response.headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            out.add_header(header);
        }
    }
    // The client may have gone; nothing to do about it.
    let _ = request.respond(out);
}

/// Listens on `addr` with the limits of [`limits`], after raising the
/// descriptor limit (see [`raise_descriptor_limit`]).
pub fn listen(addr: SocketAddr) -> Result<tiny_http::Server, Error> {
    let descriptors = raise_descriptor_limit();
    let config =
        tiny_http::ServerConfig { addr: tiny_http::ConfigListenAddr::IP(vec![addr]), limits: limits(descriptors) };
    tiny_http::Server::new(config).map_err(|e| listen_error(addr, e.as_ref()))
}

/// Why the server cannot listen; a port in use says how to choose another.
fn listen_error(addr: SocketAddr, err: &(dyn std::error::Error + 'static)) -> Error {
    let in_use = err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
    if in_use {
        return Error::Env(format!(
            "cannot listen on {addr}: port {} is already in use (another `stele serve`?), choose another with `--port {}`, or `--port 0` to pick a free one",
            addr.port(),
            addr.port().wrapping_add(1).max(1)
        ));
    }
    Error::Env(format!("cannot listen on {addr}: {err}"))
}

/// Descriptors kept for everything but connections: the watcher, the files a
/// rebuild reads, standard streams.
const RESERVED_DESCRIPTORS: u64 = 64;

/// The most connections served at once (each holds a descriptor and a thread).
pub const MAX_CONNECTIONS: usize = 256;

/// The server's limits when `descriptors` may be open (`None`: unknown).
pub fn limits(descriptors: Option<u64>) -> tiny_http::Limits {
    let room = descriptors.map_or(MAX_CONNECTIONS as u64, |n| n.saturating_sub(RESERVED_DESCRIPTORS));
    let max_connections = usize::try_from(room).unwrap_or(MAX_CONNECTIONS).clamp(8, MAX_CONNECTIONS);
    tiny_http::Limits {
        max_connections,
        head_timeout: Duration::from_secs(10),
        write_timeout: Duration::from_secs(10),
        max_line: 8 * 1024,
        max_head: 64 * 1024,
        max_headers: 100,
    }
}

/// Raises the soft limit on open descriptors to the hard limit, and returns
/// the limit now in force (`None` when it cannot be known).
#[cfg(unix)]
pub fn raise_descriptor_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes into the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
        // SAFETY: setrlimit only reads the struct it is given. It may refuse
        // (macOS caps the soft limit below an unlimited hard one): the old limit stays.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        }
    }
    // `rlim_t` is not `u64` on every Unix.
    #[allow(clippy::unnecessary_cast)]
    Some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
pub fn raise_descriptor_limit() -> Option<u64> {
    None
}

fn current(state: &RwLock<State>) -> State {
    state.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;
    use crate::error::Position;

    const ON: Policy = Policy { check_host: true };
    const HOST: &[&str] = &["127.0.0.1:1111"];

    fn site() -> State {
        let files = [
            ("index.html", "<html><body><h1>Home</h1></body></html>"),
            ("articles/x/index.html", "<html><body><h1>Article X</h1></body></html>"),
            ("articles/a b/index.html", "<html><body>spaced</body></html>"),
            ("style.css", "body { color: black }"),
            ("404.html", "<html><body><h1>Page not found</h1></body></html>"),
            ("rss.xml", "<rss/>"),
        ];
        State {
            files: Arc::new(files.iter().map(|(k, v)| (Arc::from(*k), Arc::from(v.as_bytes()))).collect()),
            errors: Vec::new(),
            generation: 5,
        }
    }

    fn get(state: &State, target: &str) -> Response {
        page(respond(state, ON, "GET", target, HOST))
    }

    fn page(reply: Reply) -> Response {
        match reply {
            Reply::Page(response) => response,
            Reply::Events => panic!("expected a page, got the event stream"),
            Reply::Alive(_) => panic!("expected a page, got a stream acknowledgement"),
        }
    }

    fn body(response: &Response) -> String {
        String::from_utf8_lossy(&response.body).into_owned()
    }

    #[test]
    fn serves_files_indexes_redirects_and_404() {
        let state = site();
        let cases: &[(&str, u16, &str)] = &[
            ("/", 200, "<h1>Home</h1>"),
            ("/index.html", 200, "<h1>Home</h1>"),
            ("/articles/x/", 200, "Article X"),
            ("/articles/x/?utm=1", 200, "Article X"),
            ("/articles/x/#top", 200, "Article X"),
            ("/articles/a%20b/", 200, "spaced"),
            ("/style.css", 200, "color: black"),
            ("/nope", 404, "Page not found"),
            ("/articles/", 404, "Page not found"),
            ("/articles//x/", 404, "Page not found"),
            ("/%252e%252e/", 404, "Page not found"),
        ];
        for &(target, status, text) in cases {
            let response = get(&state, target);
            assert_eq!(response.status, status, "{target}");
            assert!(body(&response).contains(text), "{target}: {}", body(&response));
        }
        let moved = get(&state, "/articles/x");
        assert_eq!((moved.status, moved.header("Location")), (301, Some("/articles/x/")));
        let moved = get(&state, "/articles/x?a=1");
        assert_eq!(moved.header("Location"), Some("/articles/x/?a=1"));
        let moved = get(&state, "/articles/a%20b");
        assert_eq!(moved.header("Location"), Some("/articles/a%20b/"));
    }

    #[test]
    fn content_types_and_injection() {
        let state = site();
        let html = get(&state, "/articles/x/");
        assert_eq!(html.header("Content-Type"), Some("text/html; charset=utf-8"));
        assert!(body(&html).contains("data-stele-live-reload"));
        assert!(body(&html).contains("let generation = 5;"));
        assert!(body(&html).ends_with("</script>\n</body></html>"), "{}", body(&html));
        let css = get(&state, "/style.css");
        assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
        assert_eq!(css.body, b"body { color: black }");
        assert_eq!(get(&state, "/rss.xml").header("Content-Type"), Some("text/xml; charset=utf-8"));
        let not_found = get(&state, "/nope");
        assert!(body(&not_found).contains("data-stele-live-reload"));
        for response in [html, css, not_found] {
            assert_eq!(response.header("Cache-Control"), Some("no-store"));
            assert!(response.headers.iter().all(|(name, _)| !name.starts_with("Access-Control")));
        }
        assert_eq!(content_type("a/B.JPG"), "image/jpeg");
        assert_eq!(content_type("noext"), "application/octet-stream");
        assert_eq!(content_type("dir.v1/file"), "application/octet-stream");
    }

    #[test]
    fn overlay_lists_problems_on_every_html_page() {
        let mut state = site();
        state.errors = vec![Diagnostic::at(
            "content/articles/x.md",
            Position::new(4, 3),
            "unknown institution `Dunhuang <Acadmy>`",
        )];
        for target in ["/", "/articles/x/", "/nope"] {
            let text = body(&get(&state, target));
            assert!(text.contains(reload::OVERLAY_ID), "{target}");
            assert!(text.contains("content/articles/x.md:4:3"), "{target}");
            assert!(text.contains("Dunhuang &lt;Acadmy&gt;"), "{target}");
        }
        assert!(!body(&get(&state, "/style.css")).contains(reload::OVERLAY_ID));
    }

    #[test]
    fn nothing_built_yet() {
        let state = State {
            files: Arc::default(),
            errors: vec![Diagnostic::new("site.toml", "missing `title`")],
            generation: 0,
        };
        let response = get(&state, "/");
        assert_eq!(response.status, 500);
        assert!(body(&response).contains("site.toml: missing `title`") || body(&response).contains("site.toml</span>"));
    }

    #[test]
    fn only_get_and_head() {
        let state = site();
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "BREW"] {
            let response = page(respond(&state, ON, method, "/", HOST));
            assert_eq!(response.status, 405, "{method}");
            assert_eq!(response.header("Allow"), Some("GET, HEAD"));
        }
        let head = page(respond(&state, ON, "HEAD", "/articles/x/", HOST));
        assert_eq!(head, get(&state, "/articles/x/"), "HEAD answers as GET; tiny_http drops the body");
        assert!(matches!(respond(&state, ON, "GET", "/__stele/events", HOST), Reply::Events));
        assert!(matches!(respond(&state, ON, "GET", "/__stele/alive?17", HOST), Reply::Alive(17)));
        for target in ["/__stele/alive", "/__stele/alive?", "/__stele/alive?x", "/__stele/alive?-1"] {
            assert_eq!(page(respond(&state, ON, "GET", target, HOST)).status, 400, "{target}");
        }
        assert_eq!(page(respond(&state, ON, "GET", "/__stele/alive?17", &["evil.example"])).status, 403);
        assert_eq!(page(respond(&state, ON, "POST", "/__stele/alive?17", HOST)).status, 405);
        assert_eq!(page(respond(&state, ON, "HEAD", "/__stele/events", HOST)).status, 200);
    }

    #[test]
    fn unsafe_targets_are_refused() {
        let state = site();
        let refused = [
            "/../secret.txt",
            "/articles/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/%2E%2E/secret.txt",
            "/..%2fsecret.txt",
            "/articles%2Fx/",
            "/.%2e/secret.txt",
            "/./index.html",
            "/..\\secret.txt",
            "/%5c..%5csecret.txt",
            "/index.html%00.css",
            "/%00",
            "/%0d%0aSet-Cookie:%20x",
            "/%ff%fe",
            "/%c0%ae%c0%ae/secret.txt",
            "*",
            "example.com:443",
            "secret.txt",
            "ftp://127.0.0.1/",
            "",
        ];
        for target in refused {
            let response = get(&state, target);
            assert_eq!(response.status, 400, "{target:?}: {}", body(&response));
        }
    }

    #[test]
    fn connections_fit_in_the_descriptor_limit() {
        let cases = [(None, 256), (Some(u64::MAX), 256), (Some(1024), 256), (Some(128), 64), (Some(20), 8)];
        for (descriptors, connections) in cases {
            assert_eq!(limits(descriptors).max_connections, connections, "{descriptors:?}");
        }
        let limits = limits(None);
        assert_eq!((limits.max_line, limits.max_head, limits.max_headers), (8 * 1024, 64 * 1024, 100));
        assert_eq!((limits.head_timeout, limits.write_timeout), (Duration::from_secs(10), Duration::from_secs(10)));
    }

    #[test]
    fn host_check() {
        let state = site();
        for host in ["localhost", "localhost:1111", "LOCALHOST:80", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:1111"] {
            assert_eq!(page(respond(&state, ON, "GET", "/", &[host])).status, 200, "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "127.0.0.2",
            "[::2]",
            "::1",
            "[::1]x",
            "localhost:",
            "localhost:abc",
            "",
            "0.0.0.0",
        ] {
            assert_eq!(page(respond(&state, ON, "GET", "/", &[host])).status, 403, "{host:?}");
        }
        assert_eq!(page(respond(&state, ON, "GET", "/", &[])).status, 400, "no Host");
        assert_eq!(page(respond(&state, ON, "GET", "/", &["localhost", "localhost"])).status, 400);
        // Absolute-form targets name a host too.
        assert_eq!(page(respond(&state, ON, "GET", "http://evil.example/", HOST)).status, 403);
        assert_eq!(page(respond(&state, ON, "GET", "http://user@evil.example/", HOST)).status, 403);
        let ok = page(respond(&state, ON, "GET", "http://localhost:1111/articles/x/", HOST));
        assert!(body(&ok).contains("Article X"));
        assert_eq!(page(respond(&state, ON, "GET", "http://localhost:1111", HOST)).status, 200);
        assert_eq!(page(respond(&state, ON, "GET", "http://localhost:1111/../x", HOST)).status, 400);
        // Not on loopback: any host.
        let off = Policy { check_host: false };
        assert_eq!(page(respond(&state, off, "GET", "/", &["my-laptop.local:1111"])).status, 200);
        assert_eq!(page(respond(&state, off, "GET", "/", &[])).status, 200);
    }
}
