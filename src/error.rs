//! Errors: what went wrong, and where.
//!
//! A [`Diagnostic`] is one problem in the site, located by the path of the
//! file (relative to the site root, as the editor sees it) and, where one
//! exists, the 1-based line and column in that file. It prints as
//! `content/articles/x.md:4:3: message`. An [`Error`] is what a command ends
//! with: every problem of the site at once (exit code 1), or a usage or
//! environment error (exit code 2).
//!
//! [`render`] prints problems the way rustc and cargo do: the one-line
//! `path:line:col: message` first (what tools and tests match on), then the
//! offending source line with a caret under the column, drawn by
//! annotate-snippets. The same frame, without colour, is what the dev
//! server's overlay shows. Rendering never fails: a file that cannot be read
//! again, or a line that no longer exists, just prints without its frame.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a file: the 1-based line, and the 1-based column in
/// characters (not bytes) within that line. The one position type of every
/// diagnostic; sorting by it is reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const fn new(line: usize, column: usize) -> Self {
        Position { line, column }
    }

    /// The position of byte `offset` of `text` (clamped to the text, and back
    /// to the start of a character).
    pub fn of_offset(text: &str, offset: usize) -> Self {
        line_col(text, offset)
    }

    /// This position, counted in a part of a file (a body, a block) whose
    /// first line is line `first_line` of the file, as a position in the file.
    pub fn in_file(self, first_line: usize) -> Self {
        Position { line: first_line + self.line.max(1) - 1, column: self.column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem in the site, with its location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub path: String,
    /// Where in the file, when known.
    pub pos: Option<Position>,
    /// What is wrong, lower-case, no final period.
    pub message: String,
    /// The source line drawn with a caret under the column (see [`with_frames`]),
    /// when it has been read; not part of the one-line display.
    pub frame: Option<String>,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), pos: None, message: message.into(), frame: None }
    }

    /// A problem at a line and column of a file.
    pub fn at(path: impl Into<String>, pos: Position, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), pos: Some(pos), message: message.into(), frame: None }
    }

    /// The same diagnostic with its location replaced when `pos` is known.
    pub fn with_pos(mut self, pos: Option<Position>) -> Self {
        if pos.is_some() {
            self.pos = pos;
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(pos) = self.pos {
            write!(f, ":{pos}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// How a command failed.
#[derive(Debug)]
pub enum Error {
    /// Problems in the site's own files (content, config, templates): exit 1.
    Site(Vec<Diagnostic>),
    /// A usage or environment problem (no site.toml, a refused output folder): exit 2.
    Env(String),
    /// An environment problem caused by the system (a disk error while
    /// writing, a folder that cannot be read): exit 2. The cause is kept as
    /// the error's [`source`](std::error::Error::source), so that `main`
    /// prints the whole chain.
    Io { message: String, source: std::io::Error },
}

impl Error {
    /// An environment error about a path, keeping the system's error as its cause.
    pub fn io(path: &Path, what: &str, err: &std::io::Error) -> Self {
        // io::Error cannot be cloned: keep its OS code, or its kind and text.
        let source = match err.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::new(err.kind(), err.to_string()),
        };
        Error::Io { message: format!("cannot {what} `{}`", path.display()), source }
    }

    /// The message and every cause after it, on one line:
    /// `cannot write `x`: No space left on device (os error 28)`.
    pub fn chain(&self) -> String {
        let mut text = match self {
            Error::Io { message, .. } => message.clone(),
            other => other.to_string().trim_start_matches("error: ").to_string(),
        };
        let mut cause = std::error::Error::source(self);
        while let Some(err) = cause {
            text.push_str(&format!(": {err}"));
            cause = err.source();
        }
        text
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Site(_) => 1,
            Error::Env(_) | Error::Io { .. } => 2,
        }
    }

    /// The site problems, if this is a site error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Site(list) => list,
            Error::Env(_) | Error::Io { .. } => &[],
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::Site(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(mut list: Vec<Diagnostic>) -> Self {
        list.sort();
        list.dedup();
        Error::Site(list)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Site(list) => {
                for (i, d) in list.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "error: {d}")?;
                }
                Ok(())
            }
            Error::Env(message) | Error::Io { message, .. } => write!(f, "error: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Site(_) | Error::Env(_) => None,
        }
    }
}

/// Every problem of `list` as a report: for each, the one-line diagnostic
/// and, when it has a line that can still be read under `root`, a frame with
/// that source line and a caret under the column. `color` adds ANSI colours
/// (for a terminal that wants them).
pub fn render(list: &[Diagnostic], root: &Path, color: bool) -> String {
    let renderer = if color { annotate_snippets::Renderer::styled() } else { annotate_snippets::Renderer::plain() };
    let mut out = String::new();
    for (i, d) in list.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render_one(&renderer, d, root, true));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// `list` with each problem's [`Diagnostic::frame`] filled in (plain text:
/// the numbered source line and the caret line), for the dev server's overlay.
pub fn with_frames(list: Vec<Diagnostic>, root: &Path) -> Vec<Diagnostic> {
    let renderer = annotate_snippets::Renderer::plain();
    list.into_iter()
        .map(|mut d| {
            let frame = render_one(&renderer, &d, root, false);
            d.frame = Some(frame).filter(|f| !f.trim().is_empty());
            d
        })
        .collect()
}

/// One problem: its title line (when `title`) and its frame, when its line can be read.
fn render_one(renderer: &annotate_snippets::Renderer, d: &Diagnostic, root: &Path, title: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Snippet};
    let heading = d.to_string();
    let level = if title { Level::ERROR } else { Level::ERROR.no_name() };
    let group = Group::with_title(level.primary_title(if title { heading.as_str() } else { "" }));
    let Some((pos, text)) = d.pos.zip(source_line(root, d)) else {
        return if title { renderer.render(&[group]) } else { String::new() };
    };
    let span = caret_span(&text, pos.column);
    let snippet = Snippet::source(text.as_str()).line_start(pos.line).annotation(AnnotationKind::Primary.span(span));
    let rendered = renderer.render(&[group.element(snippet)]);
    if title {
        rendered
    } else {
        // The frame alone: drop the (empty) title line.
        rendered.split_once('\n').map_or(String::new(), |(_, rest)| rest.to_string())
    }
}

/// The text of the line `d` points at, read again from its file under `root`
/// (BOM and line ending removed), when it can be.
fn source_line(root: &Path, d: &Diagnostic) -> Option<String> {
    let line = d.pos?.line;
    if d.path.is_empty() {
        return None;
    }
    let bytes = std::fs::read(root.join(&d.path)).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let found = text.split('\n').nth(line.checked_sub(1)?)?;
    Some(found.trim_end_matches('\r').to_string())
}

/// The byte range to underline in `text` for a 1-based character `column`:
/// the word that starts there (a key, a value, a quoted string), at least one
/// character; the end of the line when the column is past it.
pub fn caret_span(text: &str, column: usize) -> std::ops::Range<usize> {
    let start = text.char_indices().nth(column.saturating_sub(1)).map_or(text.len(), |(i, _)| i);
    let rest = &text[start..];
    let len = match rest.chars().next() {
        None => 0,
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |end| end + 2),
        Some(_) => rest
            .char_indices()
            .find(|&(i, c)| i > 0 && (c.is_whitespace() || matches!(c, ',' | ']' | '}' | ':')))
            .map_or(rest.len(), |(i, _)| i),
    };
    start..start + len
}

/// Result of a command.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The closest candidate to `word`, if one is close enough to suggest.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// `path` relative to `root` with `/` separators, for messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf());
    rel.to_string_lossy().replace('\\', "/")
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Position { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_location() {
        let d = Diagnostic::at("content/articles/x.md", Position::new(4, 3), "unknown key `a`");
        assert_eq!(d.to_string(), "content/articles/x.md:4:3: unknown key `a`");
        assert_eq!(Diagnostic::new("site.toml", "bad").to_string(), "site.toml: bad");
    }

    #[test]
    fn suggests_closest() {
        let keys = ["title", "date", "institutions", "countries"];
        assert_eq!(closest("instituions", keys), Some("institutions"));
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("zzzzzzzz", keys), None);
    }

    #[test]
    fn frames_show_the_line_with_a_caret() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("x.md"), "---\ntitle: a\ndate: 2024-02-30\n---\n").expect("write");
        let d = Diagnostic::at("x.md", Position::new(3, 7), "impossible date");
        let text = render(&[d], dir.path(), false);
        assert!(text.starts_with("error: x.md:3:7: impossible date\n"), "{text}");
        assert!(text.contains("3 | date: 2024-02-30"), "{text}");
        assert!(text.contains("  |       ^^^^^^^^^^"), "{text}");
        assert!(!text.contains('\u{1b}'), "plain: {text}");
        assert!(render(&[Diagnostic::at("x.md", Position::new(3, 7), "m")], dir.path(), true).contains('\u{1b}'));
        // No file, or no line: the one-line diagnostic alone.
        let gone = render(
            &[Diagnostic::at("gone.md", Position::new(3, 1), "m"), Diagnostic::new("x.md", "n")],
            dir.path(),
            false,
        );
        assert_eq!(gone, "error: gone.md:3:1: m\n\nerror: x.md: n\n");
    }

    #[test]
    fn frames_for_the_overlay_have_no_title() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("x.md"), "---\ntitle: a\ndate: 2024-02-30\n---\n").expect("write");
        let list = with_frames(
            vec![Diagnostic::at("x.md", Position::new(3, 7), "m"), Diagnostic::new("x.md", "n")],
            dir.path(),
        );
        let frame = list[0].frame.as_deref().expect("a frame");
        assert!(!frame.contains("error"), "{frame}");
        assert!(frame.contains("3 | date: 2024-02-30") && frame.contains('^'), "{frame}");
        assert_eq!(list[1].frame, None);
    }

    #[test]
    fn caret_spans() {
        assert_eq!(caret_span("instituions: [x]", 1), 0..11);
        assert_eq!(caret_span("title: \"a b\" c", 8), 7..12);
        assert_eq!(caret_span("  - Dunhuang Acadamy", 5), 4..12);
        assert_eq!(caret_span("ab", 9), 2..2);
        assert_eq!(caret_span("名: 敦煌", 4), 5..11);
    }

    #[test]
    fn line_and_column() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), Position::new(1, 1));
        assert_eq!(line_col(text, 3), Position::new(2, 1));
        assert_eq!(line_col(text, 7), Position::new(2, 4));
        assert_eq!(line_col(text, 100), Position::new(3, 2));
    }

    #[test]
    fn environment_errors_keep_their_cause() {
        let cause = std::io::Error::from_raw_os_error(28);
        let err = Error::io(Path::new("public/x.html"), "write", &cause);
        let source = std::error::Error::source(&err).expect("the cause is kept");
        assert_eq!(source.to_string(), cause.to_string());
        assert_eq!(err.to_string(), "error: cannot write `public/x.html`");
        assert_eq!(err.chain(), format!("cannot write `public/x.html`: {cause}"));
        assert_eq!(err.exit_code(), 2);
    }
}
