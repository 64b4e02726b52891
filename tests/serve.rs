//! `stele serve` over real HTTP on 127.0.0.1: the real binary on a temporary
//! site, raw requests (hostile ones included), the event stream, edits,
//! broken edits and their fixes. Every wait has a deadline.

mod common;
#[path = "common/server.rs"]
mod server;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{SITE_TOML, TestSite, copy_tree};
use server::{Served, eventually};

/// How long a change may take to show.
const CHANGE: Duration = Duration::from_secs(15);

const OVERLAY: &str = "stele-error-overlay";

fn murals(institution: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"Mogao murals\"\ndate: 2024-03-12\ninstitutions: [\"{institution}\"]\n# front-matter-secret-55d1\n---\n{body}\n"
    )
}

/// A small site with one article, `articles/murals/`.
fn site() -> TestSite {
    let site = TestSite::new();
    site.write("content/articles/murals.md", murals("Dunhuang Academy", "The first version of the text."));
    site
}

#[test]
fn serves_pages_404_405_and_head() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    assert!(served.url.starts_with("http://127.0.0.1:"), "{}", served.url);

    let home = served.get("/");
    assert_eq!(home.status, 200, "{}", home.raw);
    assert_eq!(home.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert!(home.text().contains("Mogao murals"));
    assert!(home.text().contains("data-stele-live-reload"), "the live-reload script is injected");
    assert!(!home.text().contains(OVERLAY));

    let article = served.get("/articles/murals/");
    assert_eq!(article.status, 200);
    assert!(article.text().contains("The first version of the text."));
    // Links point at the server itself, on the port it really got.
    assert!(article.text().contains(&served.url), "links use {}", served.url);

    let moved = served.get("/articles/murals");
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("Location"), Some("/articles/murals/"));

    let css = served.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert!(!css.text().contains("data-stele-live-reload"));

    let missing = served.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"), "the site's 404 page: {}", missing.text());
    assert!(missing.text().contains("data-stele-live-reload"));

    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let refused = served.request(method, "/", &[("Content-Length", "0")]);
        assert_eq!(refused.status, 405, "{method}");
        assert_eq!(refused.header("Allow"), Some("GET, HEAD"), "{method}");
    }

    let head = served.request("HEAD", "/articles/murals/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body: {:?}", head.text());
    assert_eq!(head.header("Content-Length"), Some(article.body.len().to_string().as_str()));

    // No CORS, even when asked.
    let cross = served.request("GET", "/", &[("Origin", "http://evil.example")]);
    assert_eq!(cross.status, 200);
    for reply in [&home, &article, &css, &missing, &cross] {
        assert!(
            reply.headers.iter().all(|(name, _)| !name.to_ascii_lowercase().starts_with("access-control")),
            "{}",
            reply.raw
        );
    }
}

#[test]
fn a_port_in_use_says_how_to_choose_another() {
    let site = site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stele"))
        .args(["serve", "--port", &port])
        .current_dir(site.root())
        .output()
        .expect("run stele serve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("port {port} is already in use")), "{stderr}");
    assert!(stderr.contains("`--port 0` to pick a free one"), "{stderr}");
}

#[test]
fn traversal_never_leaves_the_output() {
    // outer/secret.txt beside outer/site/.
    let outer = tempfile::tempdir().expect("temp dir");
    let root = outer.path().join("site");
    copy_tree(site().root(), &root);
    std::fs::write(outer.path().join("secret.txt"), "TOP-SECRET-7f3a").expect("write the secret");
    std::fs::write(root.join("secret.txt"), "TOP-SECRET-7f3a").expect("write the secret");
    std::fs::write(root.join("site.toml"), format!("{SITE_TOML}# site-toml-secret-91c2\n")).expect("write site.toml");
    let served = Served::start(&root, &[]);
    let port = served.port();
    let secrets = ["TOP-SECRET-7f3a", "site-toml-secret-91c2", "front-matter-secret-55d1", "root:x:0:0"];

    let targets = [
        "/../secret.txt".to_string(),
        "/../../secret.txt".into(),
        "/secret.txt".into(),
        "/site.toml".into(),
        "/content/articles/murals.md".into(),
        "/../site/site.toml".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2E%2E/%2e%2e/secret.txt".into(),
        "/..%2fsecret.txt".into(),
        "/%2e%2e%2fsecret.txt".into(),
        "/articles/..%2f..%2f..%2fsecret.txt".into(),
        "/.%2e/secret.txt".into(),
        "/%252e%252e/secret.txt".into(),
        "/..\\secret.txt".into(),
        "/%5c..%5csecret.txt".into(),
        "/..%5csecret.txt".into(),
        "/secret.txt%00.html".into(),
        "/%00".into(),
        "/%00/../secret.txt".into(),
        "/..;/secret.txt".into(),
        "//secret.txt".into(),
        "/%c0%ae%c0%ae/secret.txt".into(),
        "/./secret.txt".into(),
        format!("/{}etc/passwd", "../".repeat(12)),
        format!("/{}etc/passwd", "%2e%2e/".repeat(12)),
        format!("http://127.0.0.1:{port}/../secret.txt"),
        format!("http://127.0.0.1:{port}/%2e%2e/secret.txt"),
        format!("http://127.0.0.1:{port}/..%2fsecret.txt"),
        "file:///etc/passwd".into(),
        "secret.txt".into(),
    ];
    for target in &targets {
        for method in ["GET", "HEAD"] {
            let reply = served.raw(
                format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes(),
            );
            assert!(matches!(reply.status, 400 | 404), "{method} {target}: {}", reply.raw);
            for secret in secrets {
                assert!(!reply.raw.contains(secret), "{method} {target} leaked `{secret}`: {}", reply.raw);
            }
        }
    }
    assert_eq!(served.get("/").status, 200, "the server still answers");
}

#[test]
fn bad_requests_never_break_the_server() {
    let site = site();
    let mut served = Served::start(site.root(), &[]);
    let port = served.port();
    let garbage: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02garbage\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nno colon here\r\nConnection: close\r\n\r\n").into_bytes(),
        format!("GET /{} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n", "a".repeat(100_000))
            .into_bytes(),
        format!("GET /%ff%fe%fd HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").into_bytes(),
        format!("GET /été HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").into_bytes(),
        b"GET /\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(),
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
            .into_bytes(),
        format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n"
        )
        .into_bytes(),
        b"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(),
        format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .into_bytes(),
    ];
    for request in &garbage {
        // Any answer, or none, is fine; the server must live on.
        let mut stream = TcpStream::connect(served.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(2))).expect("timeout");
        let _ = stream.write_all(request);
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stream, &mut sink);
        assert!(served.is_running(), "the server died on {:?}", String::from_utf8_lossy(request));
    }
    assert_eq!(served.get("/").status, 200);
}

#[test]
fn host_header_is_checked_on_loopback() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let port = served.port();
    let with_host = |host: &str| {
        served.raw(format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes()).status
    };
    for good in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}"), "localhost".into()]
    {
        assert_eq!(with_host(&good), 200, "{good}");
    }
    for bad in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
    ] {
        let status = with_host(&bad);
        assert!(status == 403 || status == 421, "{bad}: {status}");
    }
    // DNS rebinding through an absolute-form target.
    let absolute = served.raw(
        format!("GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(absolute.status, 403, "{}", absolute.raw);
    let absolute_ok = served
        .raw(format!("GET http://localhost:{port}/articles/murals/ HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n").as_bytes());
    assert_eq!(absolute_ok.status, 200);
    // The event stream is guarded too.
    let events = served.raw(b"GET /__stele/events HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assert_eq!(events.status, 403);
}

#[test]
fn idle_and_half_open_clients_do_not_block_others() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let port = served.port();
    let mut idle = Vec::new();
    // Connected, sending nothing.
    for _ in 0..40 {
        idle.push(TcpStream::connect(served.addr).expect("connect"));
    }
    // Half a request line; half the headers.
    for partial in ["GET / HT", "GET / HTTP/1.1\r\nHost: 127.0.0.1"] {
        let mut stream = TcpStream::connect(served.addr).expect("connect");
        stream.write_all(partial.as_bytes()).expect("send");
        idle.push(stream);
    }
    // A body announced and never sent (dropping such a request drains its body).
    for method in ["POST", "GET"] {
        let mut stream = TcpStream::connect(served.addr).expect("connect");
        let head = format!("{method} / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 1000000\r\n\r\nabc");
        stream.write_all(head.as_bytes()).expect("send");
        idle.push(stream);
    }
    // Requests whose answers are never read, and event streams never read.
    for target in ["/", "/__stele/events", "/__stele/events"] {
        let mut stream = TcpStream::connect(served.addr).expect("connect");
        stream.write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes()).expect("send");
        idle.push(stream);
    }
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    for _ in 0..20 {
        let reply = served.get("/articles/murals/");
        assert_eq!(reply.status, 200);
    }
    assert!(start.elapsed() < Duration::from_secs(5), "20 requests took {:?}", start.elapsed());
    drop(idle);
}

#[test]
fn event_stream_reports_edits_and_css_changes() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let mut events = served.events();
    events.wait_for("event: hello\ndata: 0\n\n", CHANGE);
    assert!(events.received.starts_with("HTTP/1.1 200 OK\r\n"), "{}", events.received);
    assert!(events.received.contains("Content-Type: text/event-stream"), "{}", events.received);

    site.write("content/articles/murals.md", murals("Dunhuang Academy", "The second version of the text."));
    events.wait_for("event: reload\ndata: 1\n\n", CHANGE);
    assert!(served.get("/articles/murals/").text().contains("The second version"));

    let css_path = "themes/heritage/static/style.css";
    let css = std::fs::read_to_string(site.path(css_path)).expect("read the stylesheet");
    site.write(css_path, format!("{css}\nbody {{ border-top: 7px solid rgb(1, 2, 3); }}\n"));
    events.wait_for("event: css\ndata: 2\n\n", CHANGE);
    assert!(served.get("/style.css").text().contains("rgb(1, 2, 3)"));
    // A new page load knows the generation it shows.
    assert!(served.get("/").text().contains("let generation = 2;"));
}

#[test]
fn broken_edit_keeps_the_last_good_site_with_an_overlay_until_fixed() {
    let site = site();
    let mut served = Served::start(site.root(), &[]);
    let mut events = served.events();
    events.wait_for("event: hello", CHANGE);

    site.write("content/articles/murals.md", murals("Dunhuang Acadmy", "The broken version of the text."));
    let page = eventually("the overlay shows", CHANGE, || {
        let reply = served.get("/articles/murals/");
        if reply.text().contains(OVERLAY) { Ok(reply) } else { Err(reply.text()) }
    });
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("The first version of the text."), "the last good page stays: {text}");
    assert!(!text.contains("The broken version"));
    let location = "content/articles/murals.md:4:";
    let at = text.find(location).unwrap_or_else(|| panic!("the overlay names {location}: {text}"));
    let column: String = text[at + location.len()..].chars().take_while(char::is_ascii_digit).collect();
    assert!(!column.is_empty(), "file:line:col in {text}");
    assert!(text.contains("Dunhuang Acadmy"), "{text}");
    // The same frame as on the terminal: the source line and a caret under the name.
    assert!(
        text.contains("4 | institutions: [&quot;Dunhuang Acadmy&quot;]\n  |                ^^^^^^^^^^^^^^^^^</pre>"),
        "{text}"
    );
    events.wait_for("event: reload\ndata: 1\n\n", CHANGE);
    // Every HTML page shows it, the 404 page too; the stylesheet does not.
    assert!(served.get("/").text().contains(OVERLAY));
    assert!(served.get("/missing/").text().contains(OVERLAY));
    assert!(!served.get("/style.css").text().contains(OVERLAY));
    // The terminal says the same, and how long it took.
    served.wait_for_log(&format!("error: {location}{column}: "), CHANGE);
    served.wait_for_log("rebuild failed in ", CHANGE);

    site.write("content/articles/murals.md", murals("Dunhuang Academy", "The fixed version of the text."));
    let fixed = eventually("the fix shows", CHANGE, || {
        let reply = served.get("/articles/murals/");
        if reply.text().contains("The fixed version") { Ok(reply) } else { Err(reply.text()) }
    });
    assert!(!fixed.text().contains(OVERLAY), "{}", fixed.text());
    assert!(!served.get("/").text().contains(OVERLAY));
    events.wait_for("event: reload\ndata: 2\n\n", CHANGE);
    served.wait_for_log("rebuilt in ", CHANGE);
}

#[test]
fn new_folders_renames_and_removals_are_seen() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let wait_for = |target: &str, text: &str| {
        eventually(&format!("{target} shows `{text}`"), CHANGE, || {
            let reply = served.get(target);
            if reply.text().contains(text) { Ok(()) } else { Err((reply.status, reply.text())) }
        })
    };

    // A template folder that did not exist when the server started.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost in the caves</h1>{% endblock content %}",
    );
    wait_for("/missing/", "Lost in the caves");

    // A new article in a new folder.
    site.write("content/articles/library/index.md", murals("Dunhuang Academy", "The library cave text."));
    wait_for("/articles/library/", "The library cave text.");

    // A rename-based save, the way many editors write.
    site.write("content/articles/.murals.md.tmp", murals("Dunhuang Academy", "Saved by renaming."));
    std::fs::rename(site.path("content/articles/.murals.md.tmp"), site.path("content/articles/murals.md"))
        .expect("rename over the article");
    wait_for("/articles/murals/", "Saved by renaming.");

    // Editor temporary files alone change nothing.
    site.write("content/articles/4913", "");
    site.write("content/articles/murals.md~", "junk");

    // A removal.
    site.remove("content/articles/library/index.md");
    eventually("the removed article is gone", CHANGE, || {
        let reply = served.get("/articles/library/");
        if reply.status == 404 { Ok(()) } else { Err(reply.status) }
    });
    assert!(served.get("/articles/murals/").text().contains("Saved by renaming."));
}

#[test]
fn poll_watcher_sees_edits() {
    let site = site();
    let served = Served::start(site.root(), &["--poll"]);
    site.write("content/articles/murals.md", murals("Dunhuang Academy", "Seen by polling."));
    eventually("the edit shows", CHANGE, || {
        let reply = served.get("/articles/murals/");
        if reply.text().contains("Seen by polling.") { Ok(()) } else { Err(reply.text()) }
    });
}

#[test]
fn a_site_that_fails_at_start_is_served_with_the_overlay() {
    let site = TestSite::new();
    site.write("content/articles/murals.md", murals("Dunhuang Acadmy", "Broken from the start."));
    let served = Served::start(site.root(), &[]);
    let home = served.get("/");
    assert!(home.text().contains(OVERLAY), "{}", home.text());
    assert!(home.text().contains("content/articles/murals.md:4:"));
    site.write("content/articles/murals.md", murals("Dunhuang Academy", "Fixed at last."));
    eventually("the fix shows", CHANGE, || {
        let reply = served.get("/articles/murals/");
        if reply.status == 200 && reply.text().contains("Fixed at last.") { Ok(()) } else { Err(reply.text()) }
    });
}

#[test]
fn no_site_is_an_environment_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stele"))
        .args(["serve", "--port", "0", "--root"])
        .arg(dir.path())
        .output()
        .expect("run stele serve");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no site.toml"));
}
