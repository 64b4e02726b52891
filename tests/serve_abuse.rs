//! `stele serve` against hostile and careless local clients, over real HTTP
//! on 127.0.0.1: descriptor exhaustion, bursts, floods, oversized heads,
//! protocol edges, idle and slow connections, live-reload streams that never
//! read. One test per bug; every wait has a deadline.

mod common;
#[path = "common/server.rs"]
mod server;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::TestSite;
use server::{EventStream, Served, parse_reply};

/// The server's head timeout (`src/serve/http.rs`), and a margin for a loaded machine.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const MARGIN: Duration = Duration::from_secs(5);

fn site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/articles/murals.md",
        "---\ntitle: \"Mogao murals\"\ndate: 2024-03-12\ninstitutions: [\"Dunhuang Academy\"]\n---\nThe murals.\n",
    );
    site
}

fn get_request(served: &Served, target: &str, close: bool) -> String {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{connection}\r\n", served.port())
}

/// Sends `bytes` and reads until the server closes the connection (or
/// `timeout`); returns what came and whether the server closed.
fn send_and_read_to_close(addr: SocketAddr, bytes: &[u8], timeout: Duration) -> (Vec<u8>, bool) {
    let mut stream = TcpStream::connect_timeout(&addr, timeout).expect("connect");
    stream.set_read_timeout(Some(Duration::from_millis(100))).expect("read timeout");
    let _ = stream.write_all(bytes);
    read_to_close(&mut stream, timeout)
}

fn read_to_close(stream: &mut TcpStream, timeout: Duration) -> (Vec<u8>, bool) {
    stream.set_read_timeout(Some(Duration::from_millis(100))).expect("read timeout");
    let deadline = Instant::now() + timeout;
    let mut received = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return (received, true),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return (received, true),
        }
    }
    (received, false)
}

fn status_of(received: &[u8]) -> Option<u16> {
    parse_reply(received).map(|reply| reply.status)
}

/// Asks for `/` until it is answered 200, for at most `within`; panics otherwise.
fn answers_within(served: &Served, within: Duration) -> Duration {
    let start = Instant::now();
    let request = get_request(served, "/", true);
    loop {
        let attempt = TcpStream::connect_timeout(&served.addr, Duration::from_millis(200)).map(|mut stream| {
            let _ = stream.write_all(request.as_bytes());
            status_of(&read_to_close(&mut stream, Duration::from_millis(500)).0)
        });
        if let Ok(Some(200)) = attempt {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "the server did not answer within {within:?}: {attempt:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn running_out_of_descriptors_does_not_stop_the_server() {
    let site = site();
    // A low limit that the server cannot raise, so that connections exhaust it quickly.
    let mut served = Served::start_with_descriptors(site.root(), &[], 128, 128);
    let mut idle = Vec::new();
    for _ in 0..300 {
        if let Ok(stream) = TcpStream::connect_timeout(&served.addr, Duration::from_millis(200)) {
            idle.push(stream);
        }
    }
    // Connections past the cap are told so at once.
    std::thread::sleep(Duration::from_millis(300));
    let mut refused = 0;
    for stream in idle.iter_mut().rev().take(50) {
        stream.set_read_timeout(Some(Duration::from_millis(20))).expect("read timeout");
        let mut buf = [0u8; 256];
        if matches!(stream.read(&mut buf), Ok(n) if buf[..n].starts_with(b"HTTP/1.1 503")) {
            refused += 1;
        }
    }
    drop(idle);
    let took = answers_within(&served, Duration::from_secs(1));
    eprintln!("answered {took:?} after the abusive clients left");
    assert!(served.is_running());
    assert!(refused > 0, "connections past the cap get 503");
}

#[cfg(target_os = "linux")]
#[test]
fn the_descriptor_limit_is_raised_to_the_hard_limit() {
    let mut ours = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes into the struct it is given.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut ours) }, 0);
    // A hard limit the child may have (at most ours), and a soft one below it.
    let hard = ours.rlim_max.min(1024);
    let soft = hard / 2;
    let site = site();
    let served = Served::start_with_descriptors(site.root(), &[], soft, hard);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", served.pid())).expect("read /proc/PID/limits");
    let line = limits.lines().find(|line| line.starts_with("Max open files")).expect("a descriptor limit");
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_eq!(numbers, [hard.to_string(), hard.to_string()], "{line}");
}

/// 16 clients connect at once and keep their connections open; each must be
/// answered while the others still hold theirs (upstream tiny_http left some
/// unanswered until others closed). The issue asks for 100 ms; on an idle
/// machine the slowest answer is a few milliseconds, but a loaded 2-core
/// machine can delay any thread by more than that, so the test fails on a
/// client left waiting for a whole second (a hang), and prints the slowest.
#[test]
fn a_burst_of_keep_alive_clients_is_answered_at_once() {
    const CLIENTS: usize = 16;
    const TRIALS: usize = 20;
    const HANG: Duration = Duration::from_secs(1);
    let site = site();
    let mut slowest = Duration::ZERO;
    let mut over_100_ms = 0;
    for trial in 0..TRIALS {
        // A fresh server each time: the hang showed on a fresh server.
        let served = Served::start(site.root(), &[]);
        let request = get_request(&served, "/articles/murals/", false);
        let barrier = Arc::new(Barrier::new(CLIENTS));
        let done = Arc::new(Barrier::new(CLIENTS + 1));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (barrier, done, request, addr) =
                    (Arc::clone(&barrier), Arc::clone(&done), request.clone(), served.addr);
                std::thread::spawn(move || {
                    let mut stream = TcpStream::connect(addr).expect("connect");
                    barrier.wait();
                    let start = Instant::now();
                    stream.write_all(request.as_bytes()).expect("send");
                    let answer = read_one_response(&mut stream, HANG);
                    let took = start.elapsed();
                    // Keep the connection open until every client has its answer.
                    done.wait();
                    (answer, took)
                })
            })
            .collect();
        done.wait();
        let mut trial_slowest = Duration::ZERO;
        for client in clients {
            let (answer, took) = client.join().expect("a client thread");
            assert_eq!(answer, Some(200), "trial {trial}: a client got no answer within {HANG:?}");
            trial_slowest = trial_slowest.max(took);
        }
        if trial_slowest > Duration::from_millis(100) {
            over_100_ms += 1;
        }
        slowest = slowest.max(trial_slowest);
    }
    eprintln!(
        "{TRIALS} bursts of {CLIENTS} keep-alive clients: slowest answer {slowest:?}; {over_100_ms} bursts over 100 ms"
    );
}

/// Requests on a kept-alive connection are not held back by the client's
/// delayed ACK: a response goes out in several writes, and without
/// `TCP_NODELAY` each one after the first waited for it (40 ms at least,
/// the kernel's minimum). The median over 30 requests stays well under that,
/// however loaded the machine.
#[test]
fn kept_alive_requests_are_answered_without_delay() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let request = get_request(&served, "/articles/murals/", false);
    let mut stream = TcpStream::connect(served.addr).expect("connect");
    let mut times = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        stream.write_all(request.as_bytes()).expect("send");
        assert_eq!(read_one_response(&mut stream, Duration::from_secs(5)), Some(200));
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!("30 requests on one connection: median {median:?}, slowest {:?}", times[times.len() - 1]);
    assert!(median < Duration::from_millis(30), "median {median:?}: answers wait for delayed ACKs");
}

/// Reads one response with a Content-Length from a kept-alive connection.
fn read_one_response(stream: &mut TcpStream, timeout: Duration) -> Option<u16> {
    stream.set_read_timeout(Some(Duration::from_millis(20))).ok()?;
    let deadline = Instant::now() + timeout;
    let mut received = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while Instant::now() < deadline {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse().ok())?;
            if received.len() >= end + 4 + length {
                return status_of(&received);
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return None,
        }
    }
    None
}

#[cfg(target_os = "linux")]
#[test]
fn pipelined_requests_are_answered_in_turn_with_bounded_threads_and_memory() {
    const REQUESTS: usize = 2_000;
    let site = site();
    let served = Served::start(site.root(), &[]);
    assert_eq!(served.get("/").status, 200);
    let (threads_before, rss_before) = (served.threads(), served.rss_kib());

    let mut stream = TcpStream::connect(served.addr).expect("connect");
    let flood = get_request(&served, "/articles/murals/", false).repeat(REQUESTS);
    let mut writer = stream.try_clone().expect("clone the socket");
    let sender = std::thread::spawn(move || writer.write_all(flood.as_bytes()));
    stream.set_read_timeout(Some(Duration::from_millis(20))).expect("read timeout");
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut received, mut answers, mut max_threads, mut max_rss) = (Vec::new(), 0, 0, 0);
    let mut buf = [0u8; 64 * 1024];
    while answers < REQUESTS && Instant::now() < deadline {
        max_threads = max_threads.max(served.threads());
        max_rss = max_rss.max(served.rss_kib());
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                // Count status lines in what is new (and the few bytes before it).
                let from = received.len().saturating_sub(14);
                received.extend_from_slice(&buf[..n]);
                answers += received[from..].windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count();
                received.drain(..received.len().saturating_sub(14));
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("reading the answers: {e}"),
        }
    }
    let _ = sender.join();
    eprintln!(
        "{answers} answers; threads {threads_before} -> at most {max_threads}; RSS {rss_before} KiB -> at most {max_rss} KiB"
    );
    assert_eq!(answers, REQUESTS, "every pipelined request is answered");
    // One connection thread, and request threads that are kept and answer the
    // requests in turn (one or two; a few more when the machine is loaded), where
    // upstream made 1,597 and a thread per request left up to 18 ending at once.
    assert!(max_threads <= threads_before + 6, "threads grew from {threads_before} to {max_threads}");
    assert!(max_rss < rss_before + 64 * 1024, "memory grew from {rss_before} KiB to {max_rss} KiB");
}

#[cfg(target_os = "linux")]
#[test]
fn a_huge_header_line_is_refused_without_growing() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    assert_eq!(served.get("/").status, 200);
    let rss_before = served.rss_kib();

    let mut stream = TcpStream::connect(served.addr).expect("connect");
    let mut writer = stream.try_clone().expect("clone the socket");
    let head = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Flood: ", served.port());
    let sender = std::thread::spawn(move || {
        writer.write_all(head.as_bytes())?;
        let chunk = vec![b'a'; 1024 * 1024];
        // 256 MB without a line end, until the server closes.
        for _ in 0..256 {
            writer.write_all(&chunk)?;
        }
        Ok::<(), std::io::Error>(())
    });
    let (received, closed) = read_to_close(&mut stream, Duration::from_secs(20));
    let rss_after = served.rss_kib();
    let _ = sender.join();
    eprintln!("a 256 MB header line: RSS {rss_before} KiB -> {rss_after} KiB");
    assert_eq!(status_of(&received), Some(431), "{}", String::from_utf8_lossy(&received));
    assert!(closed, "the connection is closed after the 431");
    assert!(rss_after < rss_before + 16 * 1024, "memory grew from {rss_before} KiB to {rss_after} KiB");
    assert_eq!(served.get("/").status, 200);
}

#[test]
fn request_heads_past_the_limits_are_refused() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let port = served.port();
    let with_headers = |headers: &str| {
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Connection: close\r\n\r\n").into_bytes()
    };
    let many = |n: usize| (0..n).map(|i| format!("X-H{i}: v\r\n")).collect::<String>();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("98 more headers (100 in all)", with_headers(&many(98)), 200),
        ("a header of 8,000 bytes", with_headers(&format!("X-Big: {}\r\n", "a".repeat(8_000))), 200),
        ("10,000 headers", with_headers(&many(10_000)), 431),
        ("101 headers", with_headers(&many(99)), 431),
        ("a header of 1 MB", with_headers(&format!("X-Big: {}\r\n", "a".repeat(1 << 20))), 431),
        ("a head over 64 KiB", with_headers(&many(9).replace(": v", &format!(": {}", "b".repeat(7_500)))), 431),
        ("a request line of 10 KB", get_request(&served, &format!("/{}", "a".repeat(10_000)), true).into_bytes(), 400),
    ];
    for (what, request, expected) in cases {
        let (received, closed) = send_and_read_to_close(served.addr, &request, Duration::from_secs(10));
        assert_eq!(status_of(&received), Some(expected), "{what}: {}", String::from_utf8_lossy(&received));
        assert!(closed, "{what}: the connection is closed");
    }
}

#[test]
fn protocol_edges_get_an_answer_that_is_sent() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let port = served.port();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("HTTP/2.0", format!("GET / HTTP/2.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").into_bytes(), 505),
        ("the HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), 505),
        ("HTTP/0.9", b"GET / HTTP/0.9\r\n\r\n".to_vec(), 505),
        ("HTTP/3.0", format!("GET / HTTP/3.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").into_bytes(), 505),
        ("raw non-ASCII in the target", b"GET /\xc3\xa9t\xc3\xa9 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), 400),
        ("raw 0xff in the target", b"GET /\xff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), 400),
        ("a NUL in the request line", b"GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), 400),
        (
            "non-ASCII in a header",
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX: é\r\n\r\n").into_bytes(),
            400,
        ),
        ("a bare CR", format!("GET / HTTP/1.1\rHost: 127.0.0.1:{port}\r\n\r\n").into_bytes(), 400),
    ];
    for (what, request, expected) in cases {
        let (received, closed) = send_and_read_to_close(served.addr, &request, Duration::from_secs(5));
        assert_eq!(status_of(&received), Some(expected), "{what}: {}", String::from_utf8_lossy(&received));
        assert!(closed, "{what}: the connection is closed");
    }
    // Bare LF line ends are read as the RFC allows.
    let bare = format!("GET / HTTP/1.1\nHost: 127.0.0.1:{port}\nConnection: close\n\n");
    let (received, _) = send_and_read_to_close(served.addr, bare.as_bytes(), Duration::from_secs(5));
    assert_eq!(status_of(&received), Some(200), "{}", String::from_utf8_lossy(&received));
}

/// A body announced and never sent is drained through a small buffer, not
/// one of the announced size (upstream allocated it: the process aborted).
#[test]
fn a_huge_announced_body_does_not_kill_the_server() {
    let site = site();
    let mut served = Served::start(site.root(), &[]);
    let port = served.port();
    for length in ["100000000000000", "18446744073709551615", "4000"] {
        for method in ["GET", "POST"] {
            let request =
                format!("{method} / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {length}\r\n\r\nabc");
            let (received, closed) = send_and_read_to_close(served.addr, request.as_bytes(), Duration::from_secs(1));
            let expected = if method == "GET" { 200 } else { 405 };
            assert_eq!(status_of(&received), Some(expected), "{method} with {length}");
            assert!(!closed || served.is_running(), "{method} with {length}");
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(served.is_running(), "the server died");
    assert_eq!(served.get("/").status, 200);
}

/// The start of a TLS 1.2 ClientHello (record header, handshake header, version, random).
const CLIENT_HELLO: &[u8] = b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\
\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\
\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x00\x00\x20\xc0\x2b\xc0\x2f";

#[test]
fn idle_slow_and_garbled_connections_are_closed_after_the_timeout() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    let port = served.port();
    let start = Instant::now();
    let limit = HEAD_TIMEOUT + MARGIN;
    let mut checks = Vec::new();
    // (what, bytes sent at once, statuses allowed: None = closed without an answer)
    let one_shot: Vec<(&str, Vec<u8>, Option<u16>)> = vec![
        ("an idle connection", Vec::new(), None),
        ("a request line without CRLF", b"GET / HTTP/1.1".to_vec(), Some(408)),
        ("half a head", format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").into_bytes(), Some(408)),
        ("a TLS ClientHello", CLIENT_HELLO.to_vec(), Some(400)),
    ];
    for (what, bytes, expected) in one_shot {
        let addr = served.addr;
        checks.push((
            what,
            expected,
            std::thread::spawn(move || {
                let (received, closed) = send_and_read_to_close(addr, &bytes, limit);
                (received, closed)
            }),
        ));
    }
    // A slow client: one header byte every 500 ms, forever.
    let addr = served.addr;
    checks.push((
        "a client sending a byte every 500 ms",
        Some(408),
        std::thread::spawn(move || {
            let mut stream = TcpStream::connect(addr).expect("connect");
            stream.set_read_timeout(Some(Duration::from_millis(500))).expect("read timeout");
            let _ = stream.write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ").as_bytes());
            let deadline = Instant::now() + limit;
            let mut received = Vec::new();
            let mut buf = [0u8; 1024];
            while Instant::now() < deadline {
                if stream.write_all(b"a").is_err() {
                    break;
                }
                match stream.read(&mut buf) {
                    Ok(0) => return (received, true),
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                    Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                    Err(_) => return (received, true),
                }
            }
            let (rest, closed) = read_to_close(&mut stream, Duration::from_secs(1));
            received.extend_from_slice(&rest);
            (received, closed)
        }),
    ));
    // Clients that pipeline requests and never read the answers: once the
    // buffers are full, the server's write blocks and, 10 s after it began,
    // the connection is closed; the same for a client with a tiny receive
    // buffer (whose window the kernel opens by a few bytes now and then, which
    // would restart a plain socket write timeout for ever).
    let never_reads: Vec<_> = [false, true]
        .into_iter()
        .map(|tiny_buffer| {
            let addr = served.addr;
            // More than the kernel buffers of both sides hold (tens of megabytes).
            let flood = get_request(&served, "/articles/murals/", false).repeat(40_000);
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).expect("connect");
                if tiny_buffer {
                    small_receive_buffer(&stream);
                }
                let mut writer = stream.try_clone().expect("clone the socket");
                let sender = std::thread::spawn(move || writer.write_all(flood.as_bytes()));
                // The buffers fill within seconds (the server's send buffer
                // grows to a few megabytes); then 10 s.
                std::thread::sleep(limit + Duration::from_secs(3));
                // Now read: a server that gave up has closed the connection
                // before answering everything.
                let (received, closed) = read_to_close(&mut stream, Duration::from_secs(10));
                let _ = sender.join();
                (tiny_buffer, received.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count(), closed)
            })
        })
        .collect();
    for (what, expected, check) in checks {
        let (received, closed) = check.join().expect("a client thread");
        assert!(closed, "{what}: not closed within {limit:?}");
        assert_eq!(status_of(&received), expected, "{what}: {}", String::from_utf8_lossy(&received));
    }
    for client in never_reads {
        let (tiny_buffer, answers, closed) = client.join().expect("a client thread");
        assert!(
            closed && answers < 40_000,
            "a client that never reads (tiny buffer: {tiny_buffer}): {answers} answers, closed: {closed}"
        );
    }
    eprintln!("all closed {:?} after the start", start.elapsed());
    assert_eq!(served.get("/").status, 200);
}

/// Locks the receive buffer of `stream` to a few kilobytes.
fn small_receive_buffer(stream: &TcpStream) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let size: libc::c_int = 4096;
        // SAFETY: setsockopt reads `size` for the length given; the descriptor is open.
        let done = unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                (&size as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(done, 0, "set SO_RCVBUF");
    }
    #[cfg(not(unix))]
    let _ = stream;
}

#[test]
fn event_streams_that_never_read_make_room_for_pages() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    // 64 clients that take every slot and never read.
    let mut silent: Vec<EventStream> = (0..64).map(|_| served.events()).collect();
    for stream in &mut silent {
        stream.wait_for("event: hello", Duration::from_secs(10));
    }
    let refused = served.get("/__stele/events");
    assert_eq!(refused.status, 503, "{}", refused.raw);
    assert!(refused.text().contains("too many live-reload streams"), "{}", refused.raw);
    // Past the grace (5 s), a new page takes the place of a silent stream.
    std::thread::sleep(Duration::from_millis(5_500));
    let mut page = served.events();
    page.wait_for("event: hello", Duration::from_secs(10));
    // The dropped stream is closed at once, not left hanging.
    let start = Instant::now();
    let mut closed = None;
    while closed.is_none() && start.elapsed() < Duration::from_secs(2) {
        closed = silent.iter_mut().position(|stream| stream.closed_within(Duration::from_millis(10)));
    }
    assert!(closed.is_some(), "no silent stream was closed to make room");
    // The page answers its pings, the way the injected script does.
    assert_eq!(page.ack(), 204);
    assert_eq!(served.get("/__stele/alive?99999").status, 404, "no such stream");
    assert_eq!(served.get("/__stele/alive?x").status, 400);
    drop(silent);
}

/// The status of a request for the event stream (the stream itself is left open).
fn event_stream_status(served: &Served) -> (u16, TcpStream) {
    let mut stream = TcpStream::connect(served.addr).expect("connect");
    stream.write_all(get_request(served, "/__stele/events", false).as_bytes()).expect("send");
    stream.set_read_timeout(Some(Duration::from_millis(50))).expect("read timeout");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    while !received.windows(4).any(|w| w == b"\r\n\r\n") {
        assert!(Instant::now() < deadline, "no answer to the event stream request");
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("reading the answer: {e}"),
        }
    }
    let head = String::from_utf8_lossy(&received).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, stream)
}

#[test]
fn pages_that_went_away_free_their_slots_at_once() {
    let site = site();
    let served = Served::start(site.root(), &[]);
    // 64 pages that read and answer their pings: no slot is left, none is stale.
    let mut pages: Vec<EventStream> = (0..64).map(|_| served.events()).collect();
    for page in &mut pages {
        page.wait_for("event: hello", Duration::from_secs(10));
        assert_eq!(page.ack(), 204);
    }
    assert_eq!(event_stream_status(&served).0, 503);
    // They go away; the server notices within seconds, not at the next ping (15 s).
    drop(pages);
    let start = Instant::now();
    loop {
        let (status, _stream) = event_stream_status(&served);
        if status == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "the slots are still taken after {:?}", start.elapsed());
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("a slot was free {:?} after the pages went away", start.elapsed());
}

/// The patched tiny_http counts its open connections (upstream's
/// `num_connections` was `unimplemented!()` and panicked).
#[test]
fn the_server_counts_its_open_connections() {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("listen");
    let addr = server.server_addr().to_ip().expect("an IP address");
    let wait_for = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.num_connections() != n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        server.num_connections()
    };
    assert_eq!(server.num_connections(), 0);
    let clients: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).expect("connect")).collect();
    assert_eq!(wait_for(3), 3, "three clients connected");
    drop(clients);
    assert_eq!(wait_for(0), 0, "all gone");
}
