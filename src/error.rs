//! Errors: what went wrong, and where.
//!
//! A [`Diagnostic`] is one problem in the site, located by the path of the
//! file (relative to the site root, as the editor sees it) and, where one
//! exists, the 1-based line and column in that file. It prints as
//! `content/articles/x.md:4:3: message`. An [`Error`] is what a command ends
//! with: every problem of the site at once (exit code 1), or a usage or
//! environment error (exit code 2).

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in the site, with its location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub path: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) in the line, when known.
    pub column: Option<usize>,
    /// What is wrong, lower-case, no final period.
    pub message: String,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), line: None, column: None, message: message.into() }
    }

    /// A problem at a line and column of a file.
    pub fn at(path: impl Into<String>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), line: Some(line), column: Some(column), message: message.into() }
    }

    /// The same diagnostic with its location replaced when `pos` is known.
    pub fn with_pos(mut self, pos: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = pos {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// How a command failed.
#[derive(Debug)]
pub enum Error {
    /// Problems in the site's own files (content, config, templates): exit 1.
    Site(Vec<Diagnostic>),
    /// A usage or environment problem (no site.toml, a refused output folder,
    /// a disk error while writing): exit 2.
    Env(String),
}

impl Error {
    /// An environment error about a path.
    pub fn io(path: &Path, what: &str, err: &std::io::Error) -> Self {
        Error::Env(format!("cannot {what} `{}`: {err}", path.display()))
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Site(_) => 1,
            Error::Env(_) => 2,
        }
    }

    /// The site problems, if this is a site error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Site(list) => list,
            Error::Env(_) => &[],
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
            Error::Env(message) => write!(f, "error: {message}"),
        }
    }
}

impl std::error::Error for Error {}

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
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_location() {
        let d = Diagnostic::at("content/articles/x.md", 4, 3, "unknown key `a`");
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
    fn line_and_column() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 100), (3, 2));
    }
}
