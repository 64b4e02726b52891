//! Live reload: the Server-Sent Events hub and what is injected into pages.
//!
//! Every HTML response of the dev server gets, just before `</body>` (or at
//! the end when there is none), a small script that listens to
//! [`EVENTS_PATH`] and, when the problems of the last rebuild are not empty,
//! an overlay that lists them. The stream sends `hello` (the generation being
//! served, so a page that missed a change reloads itself), `reload` (reload
//! the page) or `css` (only stylesheets changed: swap them with a
//! cache-busting query, keeping the page and its state), plus a heartbeat
//! comment so that dead clients are noticed and dropped.
//!
//! This module never touches the theme or the `build` output: it only
//! decorates bytes that the server is about to send. It never interpolates
//! anything but a number into the script, and escapes every problem text it
//! puts in the overlay.

use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::Diagnostic;

/// The path of the event stream.
pub const EVENTS_PATH: &str = "__stele/events";

/// At most this many pages listen at once; more get 503.
pub const MAX_CLIENTS: usize = 64;

/// How often an idle stream sends a comment, so dead clients are dropped.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

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
    clients: Mutex<Vec<Sender<Signal>>>,
    active: Arc<AtomicUsize>,
    cap: usize,
    heartbeat: Duration,
}

/// One open stream: its messages, and its place under the cap until dropped.
#[derive(Debug)]
pub struct Subscription {
    signals: Receiver<Signal>,
    _slot: Slot,
}

#[derive(Debug)]
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hub {
    pub fn new(cap: usize, heartbeat: Duration) -> Self {
        Hub { clients: Mutex::new(Vec::new()), active: Arc::new(AtomicUsize::new(0)), cap, heartbeat }
    }

    /// A new stream, or `None` when `cap` streams are already open.
    pub fn subscribe(&self) -> Option<Subscription> {
        if self.active.fetch_add(1, Ordering::SeqCst) >= self.cap {
            self.active.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let slot = Slot(Arc::clone(&self.active));
        let (tx, rx) = channel();
        self.lock().push(tx);
        Some(Subscription { signals: rx, _slot: slot })
    }

    /// Sends `signal` to every open stream, forgetting closed ones.
    pub fn broadcast(&self, signal: Signal) {
        self.lock().retain(|client| client.send(signal).is_ok());
    }

    /// How many streams are open.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    pub fn heartbeat(&self) -> Duration {
        self.heartbeat
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Sender<Signal>>> {
        self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The status line and headers of the stream (written by hand: the response
/// has no length and lasts as long as the page is open).
pub const STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";

/// Writes the stream to `out` until the client goes away: the head, a hello
/// with the generation served, then each signal, or a heartbeat comment when
/// nothing happened for `heartbeat`.
pub fn stream(
    out: &mut dyn Write,
    subscription: &Subscription,
    generation: u64,
    heartbeat: Duration,
) -> io::Result<()> {
    out.write_all(STREAM_HEAD.as_bytes())?;
    write!(out, "retry: 1000\nevent: hello\ndata: {generation}\n\n")?;
    out.flush()?;
    loop {
        match subscription.signals.recv_timeout(heartbeat) {
            Ok(signal) => out.write_all(signal.to_event().as_bytes())?,
            Err(RecvTimeoutError::Timeout) => out.write_all(b": heartbeat\n\n")?,
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
  const connect = () => {
    if (source || !window.EventSource) return;
    source = new EventSource("/__stele/events");
    source.addEventListener("hello", (e) => { if (Number(e.data) !== generation) location.reload(); });
    source.addEventListener("reload", () => location.reload());
    source.addEventListener("css", (e) => { generation = Number(e.data); swapStylesheets(e.data); });
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
            Diagnostic::at("content/articles/a<b>.md", 4, 3, "unknown institution `<script>alert(1)</script>`"),
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
        let mut framed = Diagnostic::at("x.md", 3, 1, "m");
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
        assert!(hub.subscribe().is_none());
        drop(b);
        assert_eq!(hub.active(), 1);
        let c = hub.subscribe().unwrap();
        hub.broadcast(Signal { kind: SignalKind::Css, generation: 7 });
        assert_eq!(a.signals.try_recv(), Ok(Signal { kind: SignalKind::Css, generation: 7 }));
        assert_eq!(c.signals.try_recv(), Ok(Signal { kind: SignalKind::Css, generation: 7 }));
        assert_eq!(hub.lock().len(), 2, "the dropped stream is forgotten at the next broadcast");
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
    fn stream_sends_hello_signals_and_heartbeats_until_the_client_is_gone() {
        let hub = Hub::new(4, Duration::from_millis(5));
        let sub = hub.subscribe().unwrap();
        hub.broadcast(Signal { kind: SignalKind::Reload, generation: 2 });
        let mut client = Flaky { written: Vec::new(), writes_left: 20 };
        let result = stream(&mut client, &sub, 1, hub.heartbeat());
        assert!(result.is_err(), "the stream ends when a write fails");
        let written = text(client.written);
        assert!(written.starts_with(STREAM_HEAD), "{written}");
        assert!(written.contains("event: hello\ndata: 1\n\n"), "{written}");
        assert!(written.contains("event: reload\ndata: 2\n\n"), "{written}");
        assert!(written.contains(": heartbeat\n\n"), "{written}");
    }
}
