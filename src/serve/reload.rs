//! Live reload: the Server-Sent Events hub and what is injected into pages.
//!
//! Every HTML response of the dev server gets, just before `</body>` (or at
//! the end when there is none), a small script that listens to
//! [`EVENTS_PATH`] and, when the problems of the last rebuild are not empty,
//! an overlay that lists them. The stream sends `hello` (the generation being
//! served, so a page that missed a change reloads itself), `reload` (reload
//! the page) or `css` (only stylesheets changed: swap them with a
//! cache-busting query, keeping the page and its state), and `ping` (the
//! stream's number), right after `hello` and then every [`HEARTBEAT`]; in
//! between, a comment every [`NUDGE`], so that a page that went away is
//! noticed within about two seconds (the second write after it closed fails)
//! and its slot freed.
//!
//! Slots: at most [`MAX_CLIENTS`] streams are open at once. The script
//! answers each `ping` with `GET /__stele/alive?N` ([`ALIVE_PATH`]), which
//! proves that the page reads its stream. A stream whose last ping has gone
//! unanswered for [`ACK_GRACE`] is stale: when every slot is taken, a new
//! stream takes the place of the stalest one (the dropped stream is closed),
//! so clients that connect and never read cannot keep pages out. Only when
//! every stream is live is a new one refused with 503; the script then tries
//! again after 1 s, 2 s, 4 s... up to 30 s, and does the same when its stream
//! is dropped (a stream that cannot be written to for the server's write
//! timeout is closed too). A stream that does not answer pings is otherwise
//! left alone: `curl` can watch the events.
//!
//! This module never touches the theme or the `build` output: it only
//! decorates bytes that the server is about to send. It never interpolates
//! anything but a number into the script, and escapes every problem text it
//! puts in the overlay.

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::Diagnostic;

/// The path of the event stream.
pub const EVENTS_PATH: &str = "__stele/events";

/// The path a page calls (with its stream's number as the query) to answer a ping.
pub const ALIVE_PATH: &str = "__stele/alive";

/// At most this many pages listen at once.
pub const MAX_CLIENTS: usize = 64;

/// How often an idle stream sends a ping, so dead clients are noticed and
/// live ones prove they read.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// How long a ping may go unanswered before its stream may be dropped to make room.
pub const ACK_GRACE: Duration = Duration::from_secs(5);

/// How often a stream sends a comment (two bytes), so that a page that went
/// away is noticed (the second write after it closed fails) and its slot freed.
pub const NUDGE: Duration = Duration::from_secs(1);

/// What open pages must do after a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// Reload the page.
    Reload,
    /// Only stylesheets changed: swap them without reloading.
    Css,
}

/// One message to every open page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub kind: SignalKind,
    /// The generation now served.
    pub generation: u64,
}

impl Signal {
    /// The Server-Sent Events message.
    fn to_event(self) -> String {
        let name = match self.kind {
            SignalKind::Reload => "reload",
            SignalKind::Css => "css",
        };
        format!("event: {name}\ndata: {}\n\n", self.generation)
    }
}

/// The open event streams.
#[derive(Debug)]
pub struct Hub {
    streams: Arc<Mutex<Streams>>,
    cap: usize,
    heartbeat: Duration,
    grace: Duration,
    nudge: Duration,
}

#[derive(Debug, Default)]
struct Streams {
    next_id: u64,
    open: Vec<Entry>,
}

/// One open stream, as the hub sees it.
#[derive(Debug)]
struct Entry {
    id: u64,
    signals: Sender<Signal>,
    /// When the oldest unanswered ping was sent (`None`: all answered).
    unanswered_since: Option<Instant>,
}

/// One open stream: its number, its messages, and its place in the hub until dropped.
#[derive(Debug)]
pub struct Subscription {
    id: u64,
    signals: Receiver<Signal>,
    streams: Arc<Mutex<Streams>>,
}

impl Subscription {
    /// The stream's number, which the page sends back to answer a ping.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        lock(&self.streams).open.retain(|entry| entry.id != self.id);
    }
}

fn lock(streams: &Mutex<Streams>) -> std::sync::MutexGuard<'_, Streams> {
    streams.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Hub {
    pub fn new(cap: usize, heartbeat: Duration) -> Self {
        Hub::with_grace(cap, heartbeat, ACK_GRACE)
    }

    pub fn with_grace(cap: usize, heartbeat: Duration, grace: Duration) -> Self {
        Hub { streams: Arc::default(), cap, heartbeat, grace, nudge: NUDGE.min(heartbeat) }
    }

    /// A new stream, or `None` when `cap` streams are open and all of them
    /// answered their pings in time. When every slot is taken, the stream
    /// whose ping has gone unanswered longest (past the grace) is dropped to
    /// make room.
    pub fn subscribe(&self) -> Option<Subscription> {
        let now = Instant::now();
        let mut streams = lock(&self.streams);
        if streams.open.len() >= self.cap {
            let stalest = streams
                .open
                .iter()
                .enumerate()
                .filter_map(|(index, entry)| entry.unanswered_since.map(|since| (since, index)))
                .filter(|(since, _)| now.duration_since(*since) >= self.grace)
                .min();
            // Dropping its sender ends that stream.
            streams.open.remove(stalest?.1);
        }
        let id = streams.next_id;
        streams.next_id += 1;
        let (tx, rx) = channel();
        // The first ping goes out with `hello`.
        streams.open.push(Entry { id, signals: tx, unanswered_since: Some(now) });
        Some(Subscription { id, signals: rx, streams: Arc::clone(&self.streams) })
    }

    /// Sends `signal` to every open stream.
    pub fn broadcast(&self, signal: Signal) {
        lock(&self.streams).open.retain(|entry| entry.signals.send(signal).is_ok());
    }

    /// Records that the page on stream `id` answered its pings; false when
    /// there is no such stream.
    pub fn alive(&self, id: u64) -> bool {
        let mut streams = lock(&self.streams);
        match streams.open.iter_mut().find(|entry| entry.id == id) {
            Some(entry) => {
                entry.unanswered_since = None;
                true
            }
            None => false,
        }
    }

    /// Records that stream `id` was just pinged.
    fn pinged(&self, id: u64) {
        let mut streams = lock(&self.streams);
        if let Some(entry) = streams.open.iter_mut().find(|entry| entry.id == id) {
            entry.unanswered_since.get_or_insert_with(Instant::now);
        }
    }

    /// How many streams are open.
    pub fn active(&self) -> usize {
        lock(&self.streams).open.len()
    }

    pub fn heartbeat(&self) -> Duration {
        self.heartbeat
    }
}

/// The status line and headers of the stream (written by hand: the response
/// has no length and lasts as long as the page is open).
pub const STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";

/// Writes the stream to `out` until the client goes away or the hub drops
/// it: the head, a hello with the generation served and a first ping, then
/// each signal, a ping every `heartbeat` and a comment every `nudge`.
pub fn stream(out: &mut dyn Write, hub: &Hub, subscription: &Subscription, generation: u64) -> io::Result<()> {
    let id = subscription.id;
    out.write_all(STREAM_HEAD.as_bytes())?;
    write!(out, "retry: 1000\nevent: hello\ndata: {generation}\n\nevent: ping\ndata: {id}\n\n")?;
    out.flush()?;
    let mut next_ping = Instant::now() + hub.heartbeat;
    loop {
        let wait = next_ping.saturating_duration_since(Instant::now()).min(hub.nudge);
        match subscription.signals.recv_timeout(wait) {
            Ok(signal) => out.write_all(signal.to_event().as_bytes())?,
            Err(RecvTimeoutError::Timeout) if Instant::now() >= next_ping => {
                hub.pinged(id);
                write!(out, "event: ping\ndata: {id}\n\n")?;
                next_ping = Instant::now() + hub.heartbeat;
            }
            // A comment: the page ignores it; the write fails once the page is gone.
            Err(RecvTimeoutError::Timeout) => out.write_all(b":\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        out.flush()?;
    }
}

/// The live-reload script; `__GENERATION__` becomes the generation served.
const SCRIPT: &str = r#"<script data-stele-live-reload>
(() => {
  let generation = __GENERATION__;
  let source = null;
  const swapStylesheets = (tag) => {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("stele-reload", tag);
      const next = link.cloneNode();
      next.href = url.href;
      const done = () => link.remove();
      next.addEventListener("load", done);
      next.addEventListener("error", done);
      link.after(next);
    }
  };
  // After a refused (503) or dropped stream, try again later, waiting longer each time.
  let wait = 1000;
  let timer = 0;
  const connect = () => {
    if (source || !window.EventSource) return;
    clearTimeout(timer);
    source = new EventSource("/__stele/events");
    source.addEventListener("hello", (e) => {
      wait = 1000;
      if (Number(e.data) !== generation) location.reload();
    });
    source.addEventListener("ping", (e) => {
      fetch("/__stele/alive?" + Number(e.data), { cache: "no-store" }).catch(() => {});
    });
    source.addEventListener("reload", () => location.reload());
    source.addEventListener("css", (e) => { generation = Number(e.data); swapStylesheets(e.data); });
    source.addEventListener("error", () => {
      disconnect();
      timer = setTimeout(() => { if (!document.hidden) connect(); }, wait);
      wait = Math.min(wait * 2, 30000);
    });
  };
  const disconnect = () => { if (source) { source.close(); source = null; } };
  // Hidden tabs let go of their stream (browsers allow few connections per
  // host); they catch up through `hello` when shown again.
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", () => { if (!document.hidden) connect(); });
  if (!document.hidden) connect();
})();
</script>
"#;

/// The id of the overlay element.
pub const OVERLAY_ID: &str = "stele-error-overlay";

/// What goes before `</body>`: the overlay (when there are problems) and the script.
pub fn snippet(generation: u64, errors: &[Diagnostic]) -> String {
    let mut out = overlay(errors);
    out.push_str(&SCRIPT.replace("__GENERATION__", &generation.to_string()));
    out
}

/// The overlay listing `errors` (nothing when there are none).
pub fn overlay(errors: &[Diagnostic]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let count = errors.len();
    let mut out = format!(
        "<div id=\"{OVERLAY_ID}\" role=\"alert\" style=\"position:fixed;left:0;right:0;bottom:0;max-height:60vh;\
overflow:auto;z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#1f1b18;color:#f7f1e6;\
border-top:4px solid #b3362c;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\
<button type=\"button\" onclick=\"this.parentNode.remove()\" aria-label=\"Hide\" style=\"float:right;font:inherit;\
background:none;color:inherit;border:1px solid currentColor;cursor:pointer\">×</button>\
<p style=\"margin:0 0 .5rem;font-weight:bold\">stele: the last change could not be built ({count} problem{}); \
this is the last good version</p><ul style=\"margin:0;padding:0;list-style:none\">",
        if count == 1 { "" } else { "s" }
    );
    for problem in errors {
        out.push_str("<li style=\"margin:.25rem 0;white-space:pre-wrap\">");
        if !problem.path.is_empty() {
            let location = problem.to_string();
            let location = location.strip_suffix(&format!(": {}", problem.message)).unwrap_or(&location);
            out.push_str("<span style=\"color:#f4a99f\">");
            out.push_str(&escape(location));
            out.push_str("</span>: ");
        }
        out.push_str(&escape(&problem.message));
        if let Some(frame) = &problem.frame {
            out.push_str("<pre style=\"margin:.25rem 0 0;font:inherit;color:#f7f1e6\">");
            out.push_str(&escape(frame.trim_end()));
            out.push_str("</pre>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ul></div>\n");
    out
}

fn escape(text: &str) -> String {
    let mut buf = Vec::with_capacity(text.len());
    // Writing into a Vec cannot fail.
    let _ = tera::escape_html(text, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// `html` with `snippet` inserted before `</body>`, or appended when the
/// document has no closing body tag.
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    use lol_html::html_content::ContentType;
    use lol_html::{HtmlRewriter, Settings, element, end_tag};
    use std::cell::Cell;
    use std::rc::Rc;

    let done = Rc::new(Cell::new(false));
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    let result = {
        let done = Rc::clone(&done);
        let owned = snippet.to_string();
        let mut rewriter = HtmlRewriter::new(
            Settings {
                element_content_handlers: vec![element!("body", move |el| {
                    if done.get() {
                        return Ok(());
                    }
                    let done = Rc::clone(&done);
                    let owned = owned.clone();
                    if let Some(handlers) = el.end_tag_handlers() {
                        handlers.push(end_tag!(move |end| {
                            if !done.get() {
                                end.before(&owned, ContentType::Html);
                                done.set(true);
                            }
                            Ok(())
                        }));
                    }
                    Ok(())
                })],
                ..Settings::new()
            },
            |chunk: &[u8]| out.extend_from_slice(chunk),
        );
        rewriter.write(html).and_then(|()| rewriter.end())
    };
    if result.is_err() {
        // Not something lol_html can rewrite: serve it as it is, script at the end.
        out = html.to_vec();
        out.extend_from_slice(snippet.as_bytes());
    } else if !done.get() {
        out.extend_from_slice(snippet.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Position;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn injects_before_the_closing_body_tag() {
        let html = b"<html><body><p>x</p><script>var s = '</body>';</script></body></html>";
        let out = text(inject(html, "<i>S</i>"));
        assert_eq!(out, "<html><body><p>x</p><script>var s = '</body>';</script><i>S</i></body></html>");
    }

    #[test]
    fn appends_when_there_is_no_closing_body_tag() {
        assert_eq!(text(inject(b"<p>x", "<i>S</i>")), "<p>x<i>S</i>");
        assert_eq!(text(inject(b"<body><p>x", "<i>S</i>")), "<body><p>x<i>S</i>");
        assert_eq!(text(inject(b"", "<i>S</i>")), "<i>S</i>");
    }

    #[test]
    fn injects_once_with_two_bodies() {
        let out = text(inject(b"<body>a</body><body>b</body>", "S"));
        assert_eq!(out.matches('S').count(), 1, "{out}");
    }

    #[test]
    fn overlay_escapes_and_locates() {
        let errors = vec![
            Diagnostic::at(
                "content/articles/a<b>.md",
                Position::new(4, 3),
                "unknown institution `<script>alert(1)</script>`",
            ),
            Diagnostic::new("", "cannot read `site.toml` & more"),
        ];
        let html = overlay(&errors);
        assert!(html.contains("content/articles/a&lt;b&gt;.md:4:3</span>: unknown institution"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("cannot read `site.toml` &amp; more"), "{html}");
        assert!(html.contains("2 problems"));
        assert_eq!(overlay(&[]), "");
        // The source frame, escaped.
        let mut framed = Diagnostic::at("x.md", Position::new(3, 1), "m");
        framed.frame = Some("  |\n3 | title: <b>\n  | ^^^^^".into());
        let html = overlay(&[framed]);
        assert!(html.contains("<pre style=") && html.contains("3 | title: &lt;b&gt;\n  | ^^^^^</pre>"), "{html}");
    }

    #[test]
    fn snippet_carries_the_generation() {
        let s = snippet(42, &[]);
        assert!(s.contains("let generation = 42;"));
        assert!(s.contains("/__stele/events"));
        assert!(!s.contains(OVERLAY_ID));
    }

    #[test]
    fn hub_caps_and_forgets_closed_streams() {
        let hub = Hub::new(2, Duration::from_millis(10));
        let a = hub.subscribe().unwrap();
        let b = hub.subscribe().unwrap();
        assert!(hub.subscribe().is_none(), "both streams are within their grace");
        drop(b);
        assert_eq!(hub.active(), 1);
        let c = hub.subscribe().unwrap();
        hub.broadcast(Signal { kind: SignalKind::Css, generation: 7 });
        assert_eq!(a.signals.try_recv(), Ok(Signal { kind: SignalKind::Css, generation: 7 }));
        assert_eq!(c.signals.try_recv(), Ok(Signal { kind: SignalKind::Css, generation: 7 }));
        assert_eq!(hub.active(), 2);
    }

    #[test]
    fn a_full_hub_drops_the_stalest_stream_that_does_not_answer_pings() {
        let hub = Hub::with_grace(2, Duration::from_secs(60), Duration::from_millis(30));
        let reader = hub.subscribe().unwrap();
        let silent = hub.subscribe().unwrap();
        assert!(hub.alive(reader.id()));
        assert!(!hub.alive(999), "no such stream");
        assert!(hub.subscribe().is_none(), "the silent stream is still within its grace");
        std::thread::sleep(Duration::from_millis(40));
        let newcomer = hub.subscribe().expect("the silent stream makes room");
        assert_eq!(silent.signals.recv_timeout(Duration::from_secs(1)), Err(RecvTimeoutError::Disconnected));
        assert!(hub.alive(newcomer.id()));
        std::thread::sleep(Duration::from_millis(40));
        assert!(hub.subscribe().is_none(), "every stream answered: none is dropped");
        assert!(matches!(reader.signals.try_recv(), Err(std::sync::mpsc::TryRecvError::Empty)));
        drop(silent);
        assert_eq!(hub.active(), 2, "dropping an evicted subscription removes nothing else");
    }

    /// A client that goes away after a few writes.
    struct Flaky {
        written: Vec<u8>,
        writes_left: usize,
    }

    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.writes_left == 0 {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"));
            }
            self.writes_left -= 1;
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn stream_sends_hello_signals_and_pings_until_the_client_is_gone() {
        let hub = Hub::new(4, Duration::from_millis(5));
        let sub = hub.subscribe().unwrap();
        hub.broadcast(Signal { kind: SignalKind::Reload, generation: 2 });
        let mut client = Flaky { written: Vec::new(), writes_left: 20 };
        let result = stream(&mut client, &hub, &sub, 1);
        assert!(result.is_err(), "the stream ends when a write fails");
        let written = text(client.written);
        assert!(written.starts_with(STREAM_HEAD), "{written}");
        let ping = format!("event: ping\ndata: {}\n\n", sub.id());
        assert!(written.contains(&format!("event: hello\ndata: 1\n\n{ping}")), "{written}");
        assert!(written.contains("event: reload\ndata: 2\n\n"), "{written}");
        assert!(written.matches(&ping).count() > 1, "{written}");
    }

    #[test]
    fn stream_ends_when_the_hub_drops_it() {
        let hub = Hub::with_grace(1, Duration::from_secs(60), Duration::ZERO);
        let sub = hub.subscribe().unwrap();
        let _newcomer = hub.subscribe().expect("the unanswered stream makes room");
        let mut client = Flaky { written: Vec::new(), writes_left: 100 };
        assert!(stream(&mut client, &hub, &sub, 0).is_ok());
    }
}
