//! A running `stele serve` for tests, and a raw HTTP/1.1 client.
//!
//! [`Served::start`] runs the real binary with `--port 0` on a site folder,
//! reads the URL it prints, and kills it when dropped. Requests go through a
//! plain `TcpStream` so that tests can send anything, including requests no
//! HTTP client library would send. Every wait has a deadline: no test hangs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a request may take before the test fails.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A `stele serve` child process; killed on drop.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl Served {
    /// Starts `stele serve --port 0 --root <root> <extra>` and waits for its URL.
    pub fn start(root: &Path, extra: &[&str]) -> Served {
        Served::spawn(Served::command(root, extra))
    }

    /// [`Served::start`] with the descriptor limit of the child set to
    /// `soft` (and `hard`) before it starts.
    #[cfg(unix)]
    pub fn start_with_descriptors(root: &Path, extra: &[&str], soft: u64, hard: u64) -> Served {
        use std::os::unix::process::CommandExt;
        let mut command = Served::command(root, extra);
        // SAFETY: the closure runs in the child between fork and exec and only
        // calls setrlimit, which is async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit { rlim_cur: soft as libc::rlim_t, rlim_max: hard as libc::rlim_t };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        Served::spawn(command)
    }

    fn command(root: &Path, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stele"));
        command.arg("serve").arg("--port").arg("0").arg("--root").arg(root).args(extra);
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        command
    }

    fn spawn(mut command: Command) -> Served {
        let mut child = command.spawn().expect("start stele serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    eprintln!("[stele serve] {line}");
                    let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let mut served = Served { child, url: String::new(), addr: "127.0.0.1:1".parse().unwrap(), log };
        let url = served.wait_for_log("serving the site at http://", Duration::from_secs(60));
        let url =
            url.split_whitespace().find(|word| word.starts_with("http://")).expect("a URL in the line").to_string();
        let authority = url.trim_start_matches("http://").trim_end_matches('/');
        served.addr = authority.parse().unwrap_or_else(|_| panic!("an address in `{url}`"));
        served.url = url;
        served
    }

    /// The process id of the server.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A numeric field of `/proc/PID/status` (`Threads`, `VmRSS` in KiB).
    pub fn status_number(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("read /proc/PID/status");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|value| value.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/PID/status"))
    }

    /// How many threads the server runs.
    pub fn threads(&self) -> u64 {
        self.status_number("Threads")
    }

    /// The server's resident memory, in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.status_number("VmRSS")
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Everything the server printed so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits until a printed line contains `needle`, and returns that line.
    pub fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.log().lines().find(|line| line.contains(needle)) {
                return line.to_string();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("stele serve exited with {status} before printing `{needle}`:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "stele serve did not print `{needle}` within {timeout:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// `GET target` with a proper Host header.
    pub fn get(&self, target: &str) -> HttpReply {
        self.request("GET", target, &[])
    }

    /// `method target` with a proper Host header and `headers` added.
    pub fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> HttpReply {
        let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n", self.port());
        for (name, value) in headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("\r\n");
        self.raw(raw.as_bytes())
    }

    /// Sends `bytes` as they are and reads the reply until the server closes.
    pub fn raw(&self, bytes: &[u8]) -> HttpReply {
        http_exchange(self.addr, bytes)
    }

    /// Opens the live-reload event stream.
    pub fn events(&self) -> EventStream {
        EventStream::open(self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP response.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The whole response as received (head and body), lossily decoded.
    pub raw: String,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Connects to `addr`, sends `bytes`, and reads one response (until its
/// length is reached or the server closes the connection).
pub fn http_exchange(addr: SocketAddr, bytes: &[u8]) -> HttpReply {
    http_exchange_within(addr, bytes, REQUEST_TIMEOUT)
}

/// [`http_exchange`] with a deadline of `timeout` for the whole exchange.
pub fn http_exchange_within(addr: SocketAddr, bytes: &[u8], timeout: Duration) -> HttpReply {
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).expect("connect to the server");
    stream.set_read_timeout(Some(Duration::from_millis(100))).expect("set a read timeout");
    stream.set_write_timeout(Some(timeout)).expect("set a write timeout");
    stream.write_all(bytes).expect("send the request");
    let mut received = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if is_complete(&received, bytes.starts_with(b"HEAD ")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no complete response within {timeout:?} to {:?} (got {:?})",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&received)
        );
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            // A reset after (part of) a response: parse what came.
            Err(_) => break,
        }
    }
    parse_reply(&received).unwrap_or_else(|| {
        panic!("not an HTTP response to {:?}: {:?}", String::from_utf8_lossy(bytes), String::from_utf8_lossy(&received))
    })
}

/// Whether `received` holds a whole response with a body of known length.
/// Replies to HEAD are read until the server closes (send `Connection:
/// close`), so that a body sent by mistake is seen.
fn is_complete(received: &[u8], head_request: bool) -> bool {
    let Some(head_end) = received.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let body = &received[head_end + 4..];
    if head_request {
        return false;
    }
    if head.contains("\r\ntransfer-encoding: chunked") {
        return body.ends_with(b"0\r\n\r\n");
    }
    head.split("\r\n")
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .is_some_and(|length| body.len() >= length)
}

/// Parses a complete HTTP/1.x response (Content-Length, chunked, or until close).
pub fn parse_reply(received: &[u8]) -> Option<HttpReply> {
    let head_end = received.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&received[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &received[head_end + 4..];
    let chunked =
        headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("Transfer-Encoding") && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked { dechunk(rest)? } else { rest.to_vec() };
    Some(HttpReply { status, headers, body, raw: String::from_utf8_lossy(received).into_owned() })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// A raw connection to the live-reload event stream.
pub struct EventStream {
    stream: TcpStream,
    /// Everything received so far.
    pub received: String,
}

impl EventStream {
    pub fn open(addr: SocketAddr) -> EventStream {
        let mut stream = TcpStream::connect_timeout(&addr, REQUEST_TIMEOUT).expect("connect to the server");
        stream.set_read_timeout(Some(Duration::from_millis(100))).expect("set a read timeout");
        let request = format!(
            "GET /__stele/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n",
            addr.port()
        );
        stream.write_all(request.as_bytes()).expect("send the request");
        EventStream { stream, received: String::new() }
    }

    /// The number of this stream, from its first ping.
    pub fn id(&mut self) -> u64 {
        self.wait_for("event: ping\ndata: ", REQUEST_TIMEOUT);
        let at = self.received.find("event: ping\ndata: ").expect("a ping") + "event: ping\ndata: ".len();
        let digits: String = self.received[at..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect("a stream number")
    }

    /// Answers the stream's pings the way the live-reload script does.
    pub fn ack(&mut self) -> u16 {
        let id = self.id();
        let addr = self.stream.peer_addr().expect("the server's address");
        let request =
            format!("GET /__stele/alive?{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", addr.port());
        http_exchange(addr, request.as_bytes()).status
    }

    /// Reads until the server closes the stream, for at most `timeout`;
    /// whether it did.
    pub fn closed_within(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            match self.stream.read(&mut buf) {
                Ok(0) => return true,
                Ok(n) => self.received.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(_) => return true,
            }
        }
        false
    }

    /// Reads until the received text contains `needle`, for at most `timeout`.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> &str {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 4096];
        while !self.received.contains(needle) {
            assert!(
                Instant::now() < deadline,
                "the event stream did not send `{needle}` within {timeout:?}; received:\n{}",
                self.received
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the event stream closed; received:\n{}", self.received),
                Ok(n) => self.received.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading the event stream: {e}"),
            }
        }
        &self.received
    }
}

/// Calls `check` until it returns `Some`, for at most `timeout`; panics with
/// `what` and the last value seen otherwise.
pub fn eventually<T, L: std::fmt::Debug>(what: &str, timeout: Duration, mut check: impl FnMut() -> Result<T, L>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match check() {
            Ok(value) => return value,
            Err(last) => {
                assert!(Instant::now() < deadline, "{what}: not true within {timeout:?}; last seen: {last:?}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}
