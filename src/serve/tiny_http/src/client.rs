use ascii::AsciiString;

use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};

use std::net::{Shutdown, SocketAddr};
use std::str::FromStr;
use std::time::{Duration, Instant};

use crate::common::{HTTPVersion, Method};
use crate::util::refined_tcp_stream::Handle;
use crate::util::RefinedTcpStream;
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::Limits;
use crate::Request;

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: IoResult<Option<SocketAddr>>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    // true if the connection goes through SSL
    secure: bool,

    // stele patch: the socket, for read deadlines and closing
    handle: Handle,

    // stele patch: what the client may send
    limits: Limits,
}

/// Error that can happen when reading a request.
#[derive(Debug)]
enum ReadError {
    WrongRequestLine,
    WrongHeader(HTTPVersion),
    /// the client sent an unrecognized `Expect` header
    ExpectationFailed(HTTPVersion),
    ReadIoError(IoError),
    // stele patch: the cases below.
    /// Nothing of a request arrived before the deadline.
    Idle,
    /// Part of a request head arrived, not all of it, before the deadline.
    HeadTimeout,
    /// The request line is longer than `Limits::max_line`.
    RequestLineTooLong,
    /// A header line, the head or the number of headers is past its limit.
    HeadersTooLarge(HTTPVersion),
    /// `HTTP/0.9`, `HTTP/2.0` or any version but 1.0 and 1.1.
    VersionNotSupported,
}

/// Why a line could not be read (stele patch).
enum LineError {
    Io(IoError),
    /// Longer than allowed.
    TooLong,
    /// A byte that cannot be in this line (a control character, a lone CR,
    /// anything but ASCII).
    BadByte,
}

/// How long an answer to a bad request waits for the client to stop sending
/// before the connection is closed (closing with unread data would reset the
/// connection before the client reads the answer).
const LINGER: Duration = Duration::from_secs(1);

/// The most a lingering close reads before closing anyway.
const LINGER_BYTES: usize = 256 * 1024;

impl ClientConnection {
    /// Creates a new `ClientConnection` that takes ownership of the `TcpStream`.
    pub fn new(
        write_socket: RefinedTcpStream,
        mut read_socket: RefinedTcpStream,
        limits: Limits,
    ) -> ClientConnection {
        let remote_addr = read_socket.peer_addr();
        let secure = read_socket.secure();
        let handle = read_socket.handle();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            secure,
            handle,
            limits,
        }
    }

    /// Reads the next line from self.next_header_source, at most `max` bytes
    /// without its end.
    ///
    /// Reads until `CRLF` (or a bare `LF`) is reached. The next read will start
    ///  at the first byte of the new line. `first` is called once the first
    ///  byte has arrived.
    fn read_next_line(
        &mut self,
        max: usize,
        mut first: impl FnMut(),
    ) -> Result<AsciiString, LineError> {
        let mut buf = Vec::new();
        let mut prev_byte_was_cr = false;

        loop {
            let byte = self.next_header_source.by_ref().bytes().next();

            let byte = match byte {
                Some(b) => b.map_err(LineError::Io)?,
                None => {
                    return Err(LineError::Io(IoError::new(
                        ErrorKind::ConnectionAborted,
                        "Unexpected EOF",
                    )))
                }
            };
            if buf.is_empty() && !prev_byte_was_cr {
                first();
            }

            if byte == b'\n' {
                // A bare LF ends a line too (RFC 9112, section 2.2).
                return AsciiString::from_ascii(buf).map_err(|_| LineError::BadByte);
            }
            if prev_byte_was_cr {
                // A CR not followed by LF.
                return Err(LineError::BadByte);
            }
            prev_byte_was_cr = byte == b'\r';
            if prev_byte_was_cr {
                continue;
            }
            if !(byte == b' ' || byte == b'\t' || byte.is_ascii_graphic()) {
                return Err(LineError::BadByte);
            }
            if buf.len() >= max {
                return Err(LineError::TooLong);
            }

            buf.push(byte);
        }
    }

    /// Reads a request from the stream.
    /// Blocks until the header has been read.
    fn read(&mut self) -> Result<Request, ReadError> {
        let limits = self.limits;
        let handle = self.handle.clone();
        handle.read_until(Some(Instant::now() + limits.head_timeout));
        let mut started = false;
        let (method, path, version, headers) = {
            // reading the request line
            let (method, path, version, line_length) = {
                let line = self
                    .read_next_line(limits.max_line, || started = true)
                    .map_err(|e| match e {
                        LineError::Io(e) if e.kind() == ErrorKind::TimedOut && !started => {
                            ReadError::Idle
                        }
                        LineError::Io(e) if e.kind() == ErrorKind::TimedOut => {
                            ReadError::HeadTimeout
                        }
                        LineError::Io(e) => ReadError::ReadIoError(e),
                        LineError::TooLong => ReadError::RequestLineTooLong,
                        LineError::BadByte => ReadError::WrongRequestLine,
                    })?;

                let (method, path, version) = parse_request_line(
                    line.as_str().trim(), // TODO: remove this conversion
                )?;
                if version != HTTPVersion(1, 0) && version != HTTPVersion(1, 1) {
                    return Err(ReadError::VersionNotSupported);
                }
                (method, path, version, line.len())
            };

            // getting all headers
            let headers = {
                let mut headers = Vec::new();
                let mut head_length = line_length;
                loop {
                    let too_large = ReadError::HeadersTooLarge(version.clone());
                    let left = limits.max_head.saturating_sub(head_length);
                    let line = self
                        .read_next_line(limits.max_line.min(left), || ())
                        .map_err(|e| match e {
                            LineError::Io(e) if e.kind() == ErrorKind::TimedOut => {
                                ReadError::HeadTimeout
                            }
                            LineError::Io(e) => ReadError::ReadIoError(e),
                            LineError::TooLong => too_large,
                            LineError::BadByte => ReadError::WrongHeader(version.clone()),
                        })?;

                    if line.is_empty() {
                        break;
                    };
                    if headers.len() >= limits.max_headers {
                        return Err(ReadError::HeadersTooLarge(version));
                    }
                    head_length += line.len() + 2;
                    headers.push(match FromStr::from_str(line.as_str().trim()) {
                        // TODO: remove this conversion
                        Ok(h) => h,
                        _ => return Err(ReadError::WrongHeader(version)),
                    });
                }

                headers
            };

            (method, path, version, headers)
        };
        // A body must arrive within the same time after the head.
        handle.read_until(Some(Instant::now() + limits.head_timeout));

        // building the writer for the request
        let writer = self.sink.next().unwrap();

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        // building the next reader
        let request = crate::request::new_request(
            self.secure,
            method,
            path,
            version.clone(),
            headers,
            self.remote_addr.as_ref().ok().copied().flatten(),
            data_source,
            writer,
        )
        .map_err(|e| {
            use crate::request;
            match e {
                request::RequestCreationError::CreationIoError(e) => ReadError::ReadIoError(e),
                request::RequestCreationError::ExpectationFailed => {
                    ReadError::ExpectationFailed(version)
                }
            }
        })?;

        // return the request
        Ok(request)
    }

    /// Answers a request that cannot be served with `status` and closes the
    /// connection (stele patch: the answer is flushed, and the connection
    /// lingers a moment so that the client can read it).
    fn refuse(&mut self, status: u16, version: HTTPVersion, message: &str) {
        use crate::{Response, StatusCode};
        let mut writer = self.sink.next().unwrap();
        let response =
            Response::from_string(format!("{}\n", message)).with_status_code(StatusCode(status));
        let written = response
            .raw_print(&mut writer, version, &[], false, None)
            .and_then(|()| writer.flush());
        drop(writer);
        self.handle.shutdown(Shutdown::Write);
        if written.is_ok() {
            self.linger();
        }
    }

    /// Reads and drops what the client still sends, for at most `LINGER`.
    fn linger(&mut self) {
        self.handle.read_until(Some(Instant::now() + LINGER));
        let mut buf = [0u8; 4096];
        let mut total = 0;
        while total < LINGER_BYTES {
            match self.next_header_source.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    }
}

impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            return None;
        }

        // stele patch: every refusal closes the connection, and is sent.
        let rq = match self.read() {
            Err(ReadError::WrongRequestLine) => {
                self.refuse(400, HTTPVersion(1, 1), "bad request line");
                return None; // we don't know where the next request would start,
                             // se we have to close
            }

            Err(ReadError::RequestLineTooLong) => {
                let message = format!("request line longer than {} bytes", self.limits.max_line);
                self.refuse(400, HTTPVersion(1, 1), &message);
                return None;
            }

            Err(ReadError::VersionNotSupported) => {
                self.refuse(
                    505,
                    HTTPVersion(1, 1),
                    "only HTTP/1.0 and HTTP/1.1 are supported",
                );
                return None;
            }

            Err(ReadError::WrongHeader(ver)) => {
                self.refuse(400, ver, "bad header line");
                return None; // we don't know where the next request would start,
                             // se we have to close
            }

            Err(ReadError::HeadersTooLarge(ver)) => {
                let message = format!(
                    "request head too large (at most {} headers, {} bytes a line, {} bytes in all)",
                    self.limits.max_headers, self.limits.max_line, self.limits.max_head
                );
                self.refuse(431, ver, &message);
                return None;
            }

            Err(ReadError::HeadTimeout) => {
                // request timeout
                self.refuse(408, HTTPVersion(1, 1), "request head not received in time");
                return None; // closing the connection
            }

            Err(ReadError::ExpectationFailed(ver)) => {
                self.refuse(417, ver, "expectation failed");
                return None; // TODO: should be recoverable, but needs handling in case of body
            }

            // An idle connection or a client that went away: close silently.
            Err(ReadError::Idle) => return None,
            Err(ReadError::ReadIoError(e)) => {
                log::debug!("closing a connection: {}", e);
                return None;
            }

            Ok(rq) => rq,
        };

        // updating the status of the connection
        let connection_header = rq
            .headers()
            .iter()
            .find(|h| h.field.equiv("Connection"))
            .map(|h| h.value.as_str());

        let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

        match lowercase {
            Some(ref val) if val.contains("close") => self.no_more_requests = true,
            Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
            Some(ref val)
                if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
            {
                self.no_more_requests = true
            }
            None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
            _ => (),
        };
        // stele patch: a request with a body is the last of its connection
        // (its body is drained, within the deadline, but never trusted to end
        // where the next request starts).
        let has_body = rq.body_length().map_or(false, |n| n > 0)
            || rq
                .headers()
                .iter()
                .any(|h| h.field.equiv("Transfer-Encoding"));
        if has_body {
            self.no_more_requests = true;
        }

        // returning the request
        Some(rq)
    }
}

/// Parses a "HTTP/1.1" string.
fn parse_http_version(version: &str) -> Result<HTTPVersion, ReadError> {
    // stele patch: any `HTTP/d.d` is a version (answered 505 unless 1.0 or 1.1).
    match version.as_bytes() {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            Ok(HTTPVersion(major - b'0', minor - b'0'))
        }
        _ => Err(ReadError::WrongRequestLine),
    }
}

/// Parses the request line of the request.
/// eg. GET / HTTP/1.1
fn parse_request_line(line: &str) -> Result<(Method, String, HTTPVersion), ReadError> {
    let mut parts = line.split(' ');

    let method = parts.next().and_then(|w| w.parse().ok());
    let path = parts.next().map(ToOwned::to_owned);
    let version = parts.next().and_then(|w| parse_http_version(w).ok());

    method
        .and_then(|method| Some((method, path?, version?)))
        .ok_or(ReadError::WrongRequestLine)
}

#[cfg(test)]
mod test {
    #[test]
    fn test_parse_request_line() {
        let (method, path, ver) = super::parse_request_line("GET /hello HTTP/1.1").unwrap();

        assert!(method == crate::Method::Get);
        assert!(path == "/hello");
        assert!(ver == crate::common::HTTPVersion(1, 1));

        assert!(super::parse_request_line("GET /hello").is_err());
        assert!(super::parse_request_line("qsd qsd qsd").is_err());
    }
}
