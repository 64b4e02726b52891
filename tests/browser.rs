//! Live reload in a real browser: Debian's headless chromium, driven through
//! chromedriver by a small WebDriver client (JSON over HTTP).
//!
//! The test opens an article served by `stele serve`, edits its Markdown and
//! waits for the page to show the new text with no action from the test; then
//! edits the stylesheet and checks that the new style applies without a page
//! reload (a marker set on `window` survives); then breaks the article and
//! checks the error overlay comes and goes. chromium and chromedriver are
//! installed by `tests/setup.sh`; without them the test fails, never skips.
//!
//! The search test types queries into each language's search page with the
//! keyboard alone and checks the first result, holds the browser's tokenizer
//! to the test vectors the Rust one is held to, and runs axe-core on a page
//! of results.
//!
//! The accessibility test runs axe-core (pinned and installed by
//! `tests/setup.sh`) on every kind of page of the microsite at a phone's and
//! a desktop's width, with its default rules plus `target-size`, and checks
//! what screenshots showed once: a phone's header stays within about 100 px
//! and a table cell never splits a word.

mod common;
#[path = "common/server.rs"]
mod server;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestSite;
use serde_json::{Value, json};
use server::{Served, eventually, http_exchange_within};

/// How long a change may take to show in the browser.
const CHANGE: Duration = Duration::from_secs(15);

/// A program on the PATH or at one of the usual Debian places.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/lib/chromium")]) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn require(names: &[&str], what: &str) -> PathBuf {
    find_program(names).unwrap_or_else(|| {
        panic!("{what} is not installed (looked for {names:?}): run `bash tests/setup.sh` to install the test tools")
    })
}

/// A running chromedriver; killed on drop.
struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Driver {
    fn start(program: &std::path::Path) -> Driver {
        // A free port: ask the system for one, then let chromedriver take it.
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}; run `bash tests/setup.sh`", program.display()));
        let mut driver = Driver { child, addr: SocketAddr::from(([127, 0, 0, 1], port)) };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited with {status}");
            }
            if std::net::TcpStream::connect(driver.addr).is_ok() {
                let status = driver.call("GET", "/status", None, Duration::from_secs(10));
                if status["value"]["ready"] == json!(true) {
                    return driver;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One WebDriver command; returns the JSON answer.
    fn call(&self, method: &str, path: &str, body: Option<&Value>, timeout: Duration) -> Value {
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        let reply = http_exchange_within(self.addr, request.as_bytes(), timeout);
        serde_json::from_slice(&reply.body)
            .unwrap_or_else(|e| panic!("chromedriver answered {method} {path} with no JSON ({e}): {}", reply.raw))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session; closed on drop.
struct Session<'d> {
    driver: &'d Driver,
    id: String,
    _profile: tempfile::TempDir,
}

impl<'d> Session<'d> {
    fn new(driver: &'d Driver, chromium: &std::path::Path) -> Session<'d> {
        Session::sized(driver, chromium, "1024,768")
    }

    /// A session whose window is `size` (`width,height`).
    fn sized(driver: &'d Driver, chromium: &std::path::Path, size: &str) -> Session<'d> {
        let profile = tempfile::tempdir().expect("a profile folder");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            format!("--window-size={size}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": { "binary": chromium, "args": args }
                }
            }
        });
        let answer = driver.call("POST", "/session", Some(&capabilities), Duration::from_secs(60));
        let id = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver could not start chromium: {answer}"))
            .to_string();
        Session { driver, id, _profile: profile }
    }

    fn command(&self, method: &str, what: &str, body: Option<&Value>) -> Value {
        let path = format!("/session/{}/{what}", self.id);
        let answer = self.driver.call(method, &path, body, Duration::from_secs(30));
        if answer["value"].get("error").is_some() {
            panic!("WebDriver {method} {what} failed: {answer}");
        }
        answer["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.command("POST", "url", Some(&json!({ "url": url })));
    }

    /// Runs `script` (a function body) in the page and returns its value.
    fn run(&self, script: &str) -> Value {
        self.command("POST", "execute/sync", Some(&json!({ "script": script, "args": [] })))
    }

    /// Types `text` into the focused element (WebDriver key codes: `\u{E007}` is Enter, `\u{E004}` Tab).
    fn type_keys(&self, text: &str) {
        let active = self.command("GET", "element/active", None);
        let id =
            active.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap_or_default().to_string();
        self.command("POST", &format!("element/{id}/value"), Some(&json!({ "text": text })));
    }

    /// Runs `script`, which calls its last argument with the result.
    fn run_async(&self, script: &str) -> Value {
        self.command("POST", "execute/async", Some(&json!({ "script": script, "args": [] })))
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.id);
        // Best effort; chromedriver is killed right after anyway.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.driver.call("DELETE", &path, None, Duration::from_secs(10))
        }));
    }
}

fn murals(institution: &str, body: &str) -> String {
    format!("---\ntitle: \"Mogao murals\"\ndate: 2024-03-12\ninstitutions: [\"{institution}\"]\n---\n{body}\n")
}

#[test]
fn live_reload_in_a_real_browser() {
    let chromium = require(&["chromium", "chromium-browser"], "chromium");
    let chromedriver = require(&["chromedriver"], "chromedriver");

    let site = TestSite::new();
    site.write("content/articles/murals.md", murals("Dunhuang Academy", "The first version of the text."));
    let served = Served::start(site.root(), &[]);
    let driver = Driver::start(&chromedriver);
    let browser = Session::new(&driver, &chromium);

    let page_text = "return document.body ? document.body.innerText : ''";
    browser.goto(&format!("{}articles/murals/", served.url));
    let text = browser.run(page_text);
    assert!(text.as_str().is_some_and(|t| t.contains("The first version")), "{text}");
    // No need to wait for the event stream to connect: a page that connects
    // late is told the generation served and reloads if it missed a change.

    // 1. An edit of the Markdown reloads the page by itself.
    site.write(
        "content/articles/murals.md",
        murals("Dunhuang Academy", "The second version, written while the page was open."),
    );
    eventually("the page shows the edited text", CHANGE, || {
        let text = browser.run(page_text);
        if text.as_str().is_some_and(|t| t.contains("The second version")) { Ok(()) } else { Err(text) }
    });

    // 2. An edit of the stylesheet applies without reloading the page.
    browser.run("window.__marker = 1; return null");
    let border = "return getComputedStyle(document.body).borderTopColor";
    assert_ne!(browser.run(border), json!("rgb(1, 2, 3)"));
    let css_path = "themes/heritage/static/style.css";
    let css = std::fs::read_to_string(site.path(css_path)).expect("read the stylesheet");
    site.write(css_path, format!("{css}\nbody {{ border-top: 7px solid rgb(1, 2, 3) !important; }}\n"));
    eventually("the new style applies", CHANGE, || {
        let color = browser.run(border);
        if color == json!("rgb(1, 2, 3)") { Ok(()) } else { Err(color) }
    });
    assert_eq!(browser.run("return window.__marker === 1"), json!(true), "the page was reloaded instead of restyled");
    let hrefs = browser.run("return [...document.querySelectorAll('link[rel~=stylesheet]')].map(l => l.href)");
    assert!(hrefs.to_string().contains("stele-reload="), "stylesheets were swapped: {hrefs}");

    // 3. A broken edit shows the overlay; the fix removes it.
    let overlay = "return !!document.getElementById('stele-error-overlay')";
    site.write("content/articles/murals.md", murals("Dunhuang Acadmy", "Broken."));
    eventually("the overlay shows", CHANGE, || {
        let shown = browser.run(overlay);
        if shown == json!(true) { Ok(()) } else { Err(shown) }
    });
    let text = browser.run(page_text);
    assert!(
        text.as_str().is_some_and(|t| t.contains("content/articles/murals.md:4:") && t.contains("The second version")),
        "{text}"
    );
    site.write("content/articles/murals.md", murals("Dunhuang Academy", "The third version."));
    eventually("the overlay goes with the fix", CHANGE, || {
        let state = browser.run(
            "return document.body.innerText.includes('The third version') && !document.getElementById('stele-error-overlay')",
        );
        if state == json!(true) { Ok(()) } else { Err(browser.run(page_text)) }
    });
}

/// axe-core's browser build, as tests/setup.sh installs it.
fn axe_source() -> String {
    let path = common::repo_root().join("target/test-tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core is missing at `{}` ({e}): run `bash tests/setup.sh`", path.display()))
}

/// The pages of every kind the accessibility test visits.
const PAGES: &[&str] = &[
    "",
    "articles/",
    "articles/china-france-60th-anniversary-heritage-exchanges/",
    "institutions/",
    "institutions/fondation-des-sciences-du-patrimoine/",
    "countries/",
    "countries/france/",
    "years/",
    "years/2024/",
    "topics/",
    "topics/murals/",
    "about/",
    "search/",
    "no-such-page/",
];

#[test]
fn every_kind_of_page_passes_axe_at_phone_and_desktop_widths() {
    let chromium = require(&["chromium", "chromium-browser"], "chromium");
    let chromedriver = require(&["chromedriver"], "chromedriver");
    let axe = axe_source();
    let site = TestSite::microsite();
    let served = Served::start(site.root(), &[]);
    let driver = Driver::start(&chromedriver);
    let run_axe = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { rules: { "target-size": { enabled: true } } })
          .then(r => done(r.violations.map(v => v.id + ": " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", "))))
          .catch(e => done(["axe failed: " + e]));
    "#;
    let mut violations = Vec::new();
    for size in ["390,844", "1280,900"] {
        let browser = Session::sized(&driver, &chromium, size);
        for page in PAGES {
            browser.goto(&format!("{}{page}", served.url));
            let loaded = browser.run(&format!("{axe}\n;return typeof window.axe"));
            assert_eq!(loaded, json!("object"), "axe-core loaded in /{page}");
            let found = browser.run_async(run_axe);
            for v in found.as_array().expect("a list of violations") {
                violations.push(format!("/{page} at {size}: {}", v.as_str().unwrap_or_default()));
            }
        }
        // A control: axe does report a problem when there is one.
        browser.goto(&served.url);
        browser.run(&format!("{axe}\n;document.body.append(document.createElement('img'));return null"));
        let control = browser.run_async(run_axe);
        assert!(control.to_string().contains("image-alt"), "axe finds an image without alt: {control}");
        if size.starts_with("1280") {
            // More than one story is seen before scrolling.
            browser.goto(&served.url);
            let seen = browser.run(
                "return [...document.querySelectorAll('.card-title')].filter(t => t.getBoundingClientRect().bottom <= window.innerHeight).length",
            );
            assert!(seen.as_u64().is_some_and(|n| n >= 2), "{seen} story titles above the fold at 1280 px");
        }
        if size.starts_with("390") {
            // The header of a phone: about 100 px at most (it was 165).
            browser.goto(&served.url);
            let height = browser.run("return document.querySelector('.site-header').getBoundingClientRect().height");
            assert!(height.as_f64().is_some_and(|h| h <= 100.0), "the header is {height} px high on a phone");
            // "November" stays whole in the narrow Month column of a table.
            browser.goto(&format!("{}articles/china-france-60th-anniversary-heritage-exchanges/", served.url));
            let lines = browser.run(
                "const cell = [...document.querySelectorAll('.prose td')].find(td => td.textContent.trim() === 'November');
                 const range = document.createRange(); range.selectNodeContents(cell);
                 return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size",
            );
            assert_eq!(lines, json!(1), "\"November\" is split across lines in its table cell");
            // Chinese names are never split across lines.
            let split = browser.run(
                "return [...document.querySelectorAll('[lang=zh]')].filter(e => {
                   const range = document.createRange(); range.selectNodeContents(e);
                   return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
                 }).map(e => e.textContent)",
            );
            assert_eq!(split, json!([]), "Chinese names split across lines");
        }
    }
    assert!(violations.is_empty(), "axe-core found {} violations:\n{}", violations.len(), violations.join("\n"));
}

/// A page whose live-reload stream is refused (every slot taken) tries again
/// later by itself, and reloads on the next edit once it gets a stream.
#[test]
fn live_reload_retries_after_a_refused_stream() {
    let chromium = require(&["chromium", "chromium-browser"], "chromium");
    let chromedriver = require(&["chromedriver"], "chromedriver");

    let site = TestSite::new();
    site.write("content/articles/murals.md", murals("Dunhuang Academy", "The first version of the text."));
    let served = Served::start(site.root(), &[]);
    let driver = Driver::start(&chromedriver);
    let browser = Session::new(&driver, &chromium);

    // Every slot taken by pages that answered their first ping: none of
    // them can be dropped to make room until its next ping goes unanswered.
    let mut others: Vec<_> = (0..64).map(|_| served.events()).collect();
    for stream in &mut others {
        stream.wait_for("event: hello", Duration::from_secs(10));
        assert_eq!(stream.ack(), 204);
    }
    let page_text = "return document.body ? document.body.innerText : ''";
    browser.goto(&format!("{}articles/murals/", served.url));
    let refused = http_exchange_within(
        served.addr,
        format!("GET /__stele/events HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", served.addr).as_bytes(),
        Duration::from_secs(2),
    );
    assert_eq!(refused.status, 503, "the page loaded while every slot was taken");

    // The other pages go; the server notices within seconds and the page
    // gets a stream on one of its next tries (1, 2, 4, 8... s apart).
    site.write("content/articles/murals.md", murals("Dunhuang Academy", "The version the page catches up with."));
    drop(others);
    eventually("the page retries, gets a stream and reloads", Duration::from_secs(40), || {
        let text = browser.run(page_text);
        if text.as_str().is_some_and(|t| t.contains("The version the page catches up with")) {
            Ok(())
        } else {
            Err(text)
        }
    });
}

/// Waits until `script` returns something other than `null` or `false`.
fn wait_for(browser: &Session<'_>, script: &str, what: &str) -> Value {
    let deadline = Instant::now() + CHANGE;
    loop {
        let value = browser.run(script);
        if !value.is_null() && value != json!(false) {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {CHANGE:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn search_finds_english_french_and_chinese_with_the_keyboard_alone() {
    let chromium = require(&["chromium", "chromium-browser"], "chromium");
    let chromedriver = require(&["chromedriver"], "chromedriver");
    let site = TestSite::microsite();
    let served = Served::start(site.root(), &[]);
    let driver = Driver::start(&chromedriver);
    let browser = Session::sized(&driver, &chromium, "1280,900");

    // The browser's tokenizer gives the test vectors, as the Rust one does (tests/search.rs).
    let vectors =
        std::fs::read_to_string(common::repo_root().join("tests/fixtures/search_vectors.json")).expect("vectors");
    browser.goto(&format!("{}search/", served.url));
    let differences = browser.run(&format!(
        "const cases = {vectors};
         return cases.filter(c => JSON.stringify(steleSearch.tokenize(c.text, c.lang).map(t => [t.key, t.word, t.exact]))
                                   !== JSON.stringify(c.tokens))
                     .map(c => c.lang + ': ' + c.text + ' -> ' + JSON.stringify(steleSearch.tokenize(c.text, c.lang).map(t => t.key)));"
    ));
    assert_eq!(differences, json!([]), "the browser tokenizes differently from tests/fixtures/search_vectors.json");
    // And finds a term's chunk as the index puts it there.
    let mut keys = Vec::new();
    for key in ["敦", "敦煌", "𠀀", "museum", "musee", "academi", "a", "é"] {
        for (chunks, han) in [(1, 0), (7, 0), (7, 1), (7, 3), (314, 95), (2, 5)] {
            keys.push(json!([key, chunks, han, stele::search::chunk_of(key, chunks, han)]));
        }
    }
    let differences = browser.run(&format!(
        "return {keys}.filter(([k, n, h, want]) => steleSearch.chunkOf(k, n, h) !== want);",
        keys = Value::Array(keys)
    ));
    assert_eq!(differences, json!([]), "the browser puts terms in other chunks than the index");

    // Typed and sent with Enter; then Tab reaches the button and the first result.
    let first_result =
        "const a = document.querySelector('.search-result h2 a'); return a ? a.getAttribute('href') : null";
    for (page, query, expected) in [
        ("search/", "Forbidden", "/articles/forbidden-city-dunhuang-joint-exhibitions-research/"),
        ("search/", "dunhaung library", "/articles/dunhuang-guimet-library-cave-digital-library/"),
        // A typo that leaves four letters of a five-letter word.
        ("search/", "moga library", "/articles/dunhuang-guimet-library-cave-digital-library/"),
        ("fr/search/", "bibliotheque", "/fr/articles/dunhuang-guimet-library-cave-digital-library/"),
        ("fr/search/", "academie guimet numerique", "/fr/articles/dunhuang-guimet"),
        ("zh/search/", "藏经", "/zh/articles/dunhuang-guimet-library-cave-digital-library/"),
        ("zh/search/", "故宫", "/zh/articles/"),
    ] {
        browser.goto(&format!("{}{page}", served.url));
        let focused = browser.run("return document.activeElement && document.activeElement.name");
        assert_eq!(focused, json!("q"), "the search box of /{page} has the focus");
        browser.type_keys(&format!("{query}\u{E007}"));
        let href = wait_for(&browser, first_result, &format!("results for {query:?} on /{page}"));
        assert!(
            href.as_str().is_some_and(|h| h.contains(expected)),
            "{query:?} on /{page}: first result {href}, expected {expected}"
        );
        browser.type_keys("\u{E004}");
        browser.type_keys("\u{E004}");
        let active = browser.run("return document.activeElement.getAttribute('href')");
        assert_eq!(active, href, "Tab, Tab from the search box reaches the first result");
        // The URL says what was searched, so that the page can be shared.
        let url = browser.run("return location.search");
        assert!(url.as_str().is_some_and(|u| u.starts_with("?q=")), "{url}");
    }

    // Every result of a Chinese substring holds it.
    browser.goto(&format!("{}zh/search/?q=%E8%8E%AB%E9%AB%98%E7%AA%9F", served.url));
    wait_for(&browser, first_result, "results for 莫高窟");
    let without = browser.run_async(
        "const done = arguments[arguments.length - 1];
         Promise.all([...document.querySelectorAll('.search-result h2 a')].map(a =>
             fetch(a.href).then(r => r.text()).then(t => t.includes('莫高窟') ? null : a.href)))
           .then(list => done(list.filter(Boolean)));",
    );
    assert_eq!(without, json!([]), "results for 莫高窟 whose page does not hold it");

    // A query with no match says so.
    browser.goto(&format!("{}search/", served.url));
    browser.type_keys("xylophonequartzzz\u{E007}");
    let status = wait_for(
        &browser,
        "const s = document.querySelector('[data-search-status]').textContent; return s ? s : null",
        "the status of a query with no match",
    );
    assert!(
        status.as_str().is_some_and(|s| s.contains("Nothing found") && s.contains("xylophonequartzzz")),
        "{status}"
    );
    assert_eq!(browser.run("return document.querySelectorAll('.search-result').length"), json!(0));

    // A page of results passes axe-core, on a phone and a desktop.
    let axe = axe_source();
    for size in ["390,844", "1280,900"] {
        let browser = Session::sized(&driver, &chromium, size);
        browser.goto(&format!("{}search/?q=dunhuang", served.url));
        wait_for(&browser, first_result, "results for dunhuang");
        browser.run(&format!("{axe}\n;return null"));
        let found = browser.run_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { rules: { 'target-size': { enabled: true } } })
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
        );
        assert_eq!(found, json!([]), "axe-core on a page of results at {size}");
    }
}
