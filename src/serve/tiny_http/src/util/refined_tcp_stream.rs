use std::io::Result as IoResult;
use std::io::{Error as IoError, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::connection::Connection;

// stele patch: both halves share one socket (`Arc`) instead of a `try_clone`d
// descriptor, whose `unwrap` killed the accept thread once descriptors ran out;
// reads obey a deadline set by the connection (`Handle::read_until`), writes
// one that runs from the first write after a flush to the next flush
// (`with_write_timeout`), and a failed write shuts the socket down so that
// the connection ends. TLS support is removed.
pub(crate) struct Stream(Arc<Connection>);

impl Clone for Stream {
    fn clone(&self) -> Self {
        Stream(Arc::clone(&self.0))
    }
}

impl From<Connection> for Stream {
    fn from(tcp_stream: Connection) -> Self {
        Stream(Arc::new(tcp_stream))
    }
}

/// What a connection keeps of its socket to set its read deadline and to
/// close it (no extra descriptor).
#[derive(Clone)]
pub(crate) struct Handle {
    socket: Arc<Connection>,
    deadline: Arc<Mutex<Option<Instant>>>,
}

impl Handle {
    /// Reads fail with `TimedOut` once `deadline` has passed (`None`: no deadline).
    pub(crate) fn read_until(&self, deadline: Option<Instant>) {
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner()) = deadline;
    }

    pub(crate) fn shutdown(&self, how: Shutdown) {
        self.socket.shutdown(how).ok();
    }
}

pub struct RefinedTcpStream {
    stream: Stream,
    deadline: Arc<Mutex<Option<Instant>>>,
    close_read: bool,
    close_write: bool,
    // How long what is written between two flushes (a response, or one
    // event of a stream) may take to reach the client, and when the first
    // write since the last flush began.
    write_timeout: Option<Duration>,
    writing_since: Option<Instant>,
}

impl RefinedTcpStream {
    pub(crate) fn new<S>(stream: S) -> (RefinedTcpStream, RefinedTcpStream)
    where
        S: Into<Stream>,
    {
        let stream: Stream = stream.into();
        let deadline = Arc::new(Mutex::new(None));

        let (read, write) = (stream.clone(), stream);

        let read = RefinedTcpStream {
            stream: read,
            deadline: Arc::clone(&deadline),
            close_read: true,
            close_write: false,
            write_timeout: None,
            writing_since: None,
        };

        let write = RefinedTcpStream {
            stream: write,
            deadline,
            close_read: false,
            close_write: true,
            write_timeout: None,
            writing_since: None,
        };

        (read, write)
    }

    /// Returns true if this struct wraps around a secure connection.
    #[inline]
    pub(crate) fn secure(&self) -> bool {
        false
    }

    pub(crate) fn peer_addr(&mut self) -> IoResult<Option<SocketAddr>> {
        self.stream.0.peer_addr()
    }

    /// What is written between two flushes must reach the client within
    /// `timeout` (a socket write timeout alone restarts whenever the kernel
    /// takes a few more bytes, so a client reading a byte now and then, or
    /// not at all while the send buffer grows, would hold the write for ever).
    pub(crate) fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = Some(timeout);
        self
    }

    pub(crate) fn handle(&self) -> Handle {
        Handle {
            socket: Arc::clone(&self.stream.0),
            deadline: Arc::clone(&self.deadline),
        }
    }
}

impl Drop for RefinedTcpStream {
    fn drop(&mut self) {
        if self.close_read {
            self.stream.0.shutdown(Shutdown::Read).ok();
        }

        if self.close_write {
            self.stream.0.shutdown(Shutdown::Write).ok();
        }
    }
}

impl Read for RefinedTcpStream {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        let deadline = *self.deadline.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(IoError::new(ErrorKind::TimedOut, "read deadline passed"));
            }
            self.stream.0.set_read_timeout(Some(left))?;
        }
        match (&*self.stream.0).read(buf) {
            // A socket timeout is `WouldBlock` on Unix.
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                Err(IoError::new(ErrorKind::TimedOut, "read deadline passed"))
            }
            result => result,
        }
    }
}

impl Write for RefinedTcpStream {
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        let result = self.timed_write(buf);
        if matches!(&result, Err(e) if e.kind() != ErrorKind::Interrupted) {
            self.stream.0.shutdown(Shutdown::Both).ok();
        }
        result
    }

    fn flush(&mut self) -> IoResult<()> {
        let result = (&*self.stream.0).flush();
        self.writing_since = None;
        if matches!(&result, Err(e) if e.kind() != ErrorKind::Interrupted) {
            self.stream.0.shutdown(Shutdown::Both).ok();
        }
        result
    }
}

impl RefinedTcpStream {
    fn timed_write(&mut self, buf: &[u8]) -> IoResult<usize> {
        if let Some(timeout) = self.write_timeout {
            let since = *self.writing_since.get_or_insert_with(Instant::now);
            let left = timeout.saturating_sub(since.elapsed());
            if left.is_zero() {
                return Err(IoError::new(
                    ErrorKind::TimedOut,
                    "the client does not read",
                ));
            }
            self.stream.0.set_write_timeout(Some(left))?;
        }
        match (&*self.stream.0).write(buf) {
            // A socket timeout is `WouldBlock` on Unix.
            Err(e) if e.kind() == ErrorKind::WouldBlock => Err(IoError::new(
                ErrorKind::TimedOut,
                "the client does not read",
            )),
            result => result,
        }
    }
}
