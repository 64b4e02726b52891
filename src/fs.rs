//! The file-system edge: reading sources and writing output.
//!
//! Every error names its path. Text is read as UTF-8 with a leading BOM
//! removed and CRLF line endings turned into LF (line numbers stay the same);
//! a file that is not UTF-8 is reported at the line and column of its first
//! bad byte. Nothing here knows about content or templates.
//!
//! Two rules hold for every source stele reads, whoever reads it (the walk of
//! a full build, `check`, or the dev server re-reading one edited file):
//!
//! - only regular files are read. A named pipe (FIFO), socket or device is
//!   refused with an error naming it, and is never opened in a way that could
//!   block: [`open_regular`] looks at the path first, opens without waiting
//!   (`O_NONBLOCK`) and looks again at what it opened, so a file swapped for a
//!   pipe in between is refused too. Opening a FIFO for reading would wait
//!   for a writer forever.
//! - a symbolic link in the site may lead anywhere inside the site folder,
//!   never outside it ([`check_inside`]), so that `serve` publishes exactly
//!   what `build` would.
//!
//! What this module must never do: block on a file, or follow a link out of
//! the site for content.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Position, line_col};

/// Reads a source file as text; `shown` is the path as messages show it.
pub fn read_text(path: &Path, shown: &str) -> Result<String, Diagnostic> {
    let bytes = read_regular(path).map_err(|e| Diagnostic::new(shown, format!("cannot read the file: {e}")))?;
    decode_text(bytes, shown)
}

/// What a file is when it is neither a regular file nor a folder (nor a
/// symbolic link): `Some("a named pipe (FIFO)")`, or `None`.
pub fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some("a device");
        }
    }
    if file_type.is_file() || file_type.is_dir() || file_type.is_symlink() { None } else { Some("a special file") }
}

/// The error for a path that is not a regular file or folder.
pub fn special_file_message(kind: &str) -> String {
    format!("this is {kind}, not a file or a folder, expected only regular files and folders in the site")
}

/// Opens `path` for reading if it is a regular file (links followed), and
/// refuses anything else without ever waiting on it.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    let refuse = |kind: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, special_file_message(kind));
    let before = std::fs::metadata(path)?;
    if let Some(kind) = special_kind(before.file_type()) {
        return Err(refuse(kind));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never wait on a FIFO swapped in after the look above; no effect on a regular file.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let opened = file.metadata()?;
    if let Some(kind) = special_kind(opened.file_type()) {
        return Err(refuse(kind));
    }
    if opened.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "this is a folder, expected a file"));
    }
    Ok(file)
}

/// Reads a whole regular file (see [`open_regular`]).
fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The site folder with every link in its path resolved, as
/// [`check_inside`] compares against.
pub fn canonical_root(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// Refuses `path` (shown as `shown`) when, links followed, it leads outside
/// the site folder `canonical_root` (see [`canonical_root`]). The one rule
/// for the walk of a build and for any file read again on its own.
pub fn check_inside(canonical_root: &Path, path: &Path, shown: &str) -> Result<(), Diagnostic> {
    let target = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if target.starts_with(canonical_root) {
        return Ok(());
    }
    Err(Diagnostic::new(
        shown,
        format!(
            "this symbolic link leads outside the site (to `{}`), expected links to stay inside the site folder",
            target.display()
        ),
    ))
}

/// Decodes source bytes: UTF-8 required, BOM dropped, CRLF folded to LF.
pub fn decode_text(mut bytes: Vec<u8>, shown: &str) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let good = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            // Everything before the first bad byte is valid, so positions can be counted on it.
            let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
            let Position { line, column } = line_col(prefix, prefix.len());
            return Err(Diagnostic::at(
                shown,
                Position::new(line, column),
                format!("the file is not valid UTF-8 (byte 0x{:02X}), expected UTF-8 text", bytes[good]),
            ));
        }
    };
    if let Some((offset, c)) = first_invisible_control(&text) {
        let Position { line, column } = line_col(&text, offset);
        return Err(Diagnostic::at(
            shown,
            Position::new(line, column),
            format!(
                "the file contains the control character U+{:04X}, which no page can show, expected text (tabs and line breaks are fine)",
                u32::from(c)
            ),
        ));
    }
    if text.contains('\r') { Ok(text.replace("\r\n", "\n")) } else { Ok(text) }
}

/// The first character of `text` that [`is_invisible_control`], with its
/// byte offset, found by looking at bytes: in UTF-8 the C0 controls and DEL
/// are single bytes, and the C1 controls (U+0080 to U+009F) are 0xC2
/// followed by 0x80 to 0x9F, a pair no other character contains.
fn first_invisible_control(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().find_map(|(i, &b)| {
        let c0 = (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F;
        let c1 = b == 0xC2 && bytes.get(i + 1).is_some_and(|next| (0x80..=0x9F).contains(next));
        if c0 || c1 { text[i..].chars().next().map(|c| (i, c)) } else { None }
    })
}

/// Control characters other than tab and line breaks: invisible, and not
/// allowed in HTML or XML, they are almost always pasted by accident.
pub(crate) fn is_invisible_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Writes `bytes` to `path`, creating its parent folders.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create folder", &e))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io(path, "write", &e))
}

/// Reads a file as bytes (static assets); only a regular file is read.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    read_regular(path).map_err(|e| Error::io(path, "read", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_crlf() {
        let text = decode_text(b"\xEF\xBB\xBF---\r\ntitle: x\r\n".to_vec(), "a.md").unwrap();
        assert_eq!(text, "---\ntitle: x\n");
    }

    #[test]
    fn refuses_control_characters() {
        let err = decode_text("ok\nab\u{1b}c".into(), "a.md").unwrap_err();
        assert_eq!(err.pos, Some(Position::new(2, 3)));
        assert!(err.message.contains("U+001B"), "{err}");
        assert!(decode_text("tab\there\r\nline\n".into(), "a.md").is_ok());
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_control_characters() {
        // Every character up to U+00FF (and some beyond): the scan agrees with char::is_control.
        for c in (0u32..0x200).filter_map(char::from_u32).chain(['敦', '\u{2028}', '\u{FEFF}', '😀']) {
            let text = format!("aé{c}z");
            let expected = is_invisible_control(c).then_some((3, c));
            assert_eq!(first_invisible_control(&text), expected, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn never_opens_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
        let err = read_text(&fifo, "content/pipe.md").unwrap_err();
        assert!(err.to_string().contains("named pipe (FIFO)"), "{err}");
        assert!(read_bytes(&fifo).is_err());
    }

    #[test]
    fn links_must_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "x").unwrap();
        std::fs::write(site.join("a.md"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), site.join("out.md")).unwrap();
        std::os::unix::fs::symlink(site.join("a.md"), site.join("in.md")).unwrap();
        let root = canonical_root(&site);
        assert!(check_inside(&root, &site.join("in.md"), "in.md").is_ok());
        let err = check_inside(&root, &site.join("out.md"), "out.md").unwrap_err();
        assert!(err.message.contains("leads outside the site"), "{err}");
    }

    #[test]
    fn reports_first_bad_byte() {
        let err = decode_text(b"ok\nab\xFFc".to_vec(), "a.md").unwrap_err();
        assert_eq!(err.pos, Some(Position::new(2, 3)));
        assert!(err.message.contains("not valid UTF-8"), "{err}");
    }
}
