//! The file-system edge: reading sources and writing output.
//!
//! Every error names its path. Text is read as UTF-8 with a leading BOM
//! removed and CRLF line endings turned into LF (line numbers stay the same);
//! a file that is not UTF-8 is reported at the line and column of its first
//! bad byte. Nothing here knows about content or templates.

use std::path::Path;

use crate::error::{Diagnostic, Error, line_col};

/// Reads a source file as text; `shown` is the path as messages show it.
pub fn read_text(path: &Path, shown: &str) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::new(shown, format!("cannot read the file: {e}")))?;
    decode_text(bytes, shown)
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
            let (line, column) = line_col(prefix, prefix.len());
            return Err(Diagnostic::at(
                shown,
                line,
                column,
                format!("the file is not valid UTF-8 (byte 0x{:02X}), expected UTF-8 text", bytes[good]),
            ));
        }
    };
    if let Some((offset, c)) = text.char_indices().find(|&(_, c)| is_invisible_control(c)) {
        let (line, column) = line_col(&text, offset);
        return Err(Diagnostic::at(
            shown,
            line,
            column,
            format!(
                "the file contains the control character U+{:04X}, which no page can show, expected text (tabs and line breaks are fine)",
                u32::from(c)
            ),
        ));
    }
    if text.contains('\r') { Ok(text.replace("\r\n", "\n")) } else { Ok(text) }
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

/// Reads a file as bytes (static assets).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::io(path, "read", &e))
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
        assert_eq!((err.line, err.column), (Some(2), Some(3)));
        assert!(err.message.contains("U+001B"), "{err}");
        assert!(decode_text("tab\there\r\nline\n".into(), "a.md").is_ok());
    }

    #[test]
    fn reports_first_bad_byte() {
        let err = decode_text(b"ok\nab\xFFc".to_vec(), "a.md").unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(3)));
        assert!(err.message.contains("not valid UTF-8"), "{err}");
    }
}
