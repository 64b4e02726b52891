//! The figure model: what an editor writes about one photograph (the
//! article's `image`, or a ```` ```figure ```` block in the body), checked.
//!
//! A figure is a local file (`src`) or a IIIF Image API service (`iiif`,
//! with the `width` and `height` the service declares), plus `alt`
//! (required, never empty), and optionally `caption`, `credit` and `rights`.
//! `rights` must be a Creative Commons licence or public-domain tool URI, or
//! a rightsstatements.org statement URI, the two vocabularies IIIF
//! manifests use; anything else is refused where it is written.
//!
//! Parsing is pure. It never touches the file system: whether `src` exists is
//! decided when the site's images are processed.

use crate::error::Position;
use serde::Deserialize;

/// An image as written, before its values are checked (serde cannot tell
/// where a value it refuses was written; [`RawFigure::check`] can).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFigure {
    pub src: Option<String>,
    pub iiif: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub rights: Option<String>,
}

/// An image as written, with every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// A file beside the page (`cave.jpg`), a site path (`/images/x.jpg`) or an absolute URL.
    pub src: Option<String>,
    /// The base URI of a IIIF Image API service.
    pub iiif: Option<String>,
    /// The full width the IIIF service declares (pixels).
    pub width: Option<u32>,
    /// The full height the IIIF service declares (pixels).
    pub height: Option<u32>,
    pub alt: Text,
    pub caption: Option<Text>,
    pub credit: Option<Text>,
    pub rights: Option<Rights>,
}

/// The keys of a figure, for "did you mean".
pub const FIGURE_KEYS: &[&str] = &["src", "iiif", "width", "height", "alt", "caption", "credit", "rights"];

/// Text that is not blank and holds no control character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl TryFrom<String> for Text {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Err("is empty, expected some text".into());
        }
        if let Some(c) = text.chars().find(|&c| crate::fs::is_invisible_control(c)) {
            return Err(format!("contains the control character U+{:04X}, expected text", u32::from(c)));
        }
        Ok(Text(text.trim().to_string()))
    }
}

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rights statement: a Creative Commons URI or a rightsstatements.org URI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rights {
    /// The canonical URI (`https://creativecommons.org/licenses/by/4.0/`).
    pub uri: String,
    /// A short code the theme turns into words: `by-sa`, `cc0`, `pdm`, or a
    /// rightsstatements.org code such as `InC` or `NoC-US`.
    pub code: String,
    /// The licence version (`4.0`, `1.0`), empty when the vocabulary has none.
    pub version: String,
    /// `cc` for Creative Commons, `rs` for rightsstatements.org.
    pub vocabulary: String,
}

const CC_LICENCES: &[&str] = &["by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd"];
const CC_VERSIONS: &[&str] = &["1.0", "2.0", "2.5", "3.0", "4.0"];
/// The statements of rightsstatements.org, version 1.0.
const RS_STATEMENTS: &[&str] = &[
    "InC",
    "InC-OW-EU",
    "InC-EDU",
    "InC-NC",
    "InC-RUU",
    "NoC-CR",
    "NoC-NC",
    "NoC-OKLR",
    "NoC-US",
    "CNE",
    "UND",
    "NKC",
];

const RIGHTS_EXPECTED: &str = "expected a Creative Commons URI such as `https://creativecommons.org/licenses/by/4.0/` or a rightsstatements.org URI such as `http://rightsstatements.org/vocab/InC/1.0/`";

impl TryFrom<String> for Rights {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Rights::parse(text.trim()).ok_or_else(|| format!("`{text}` is not a rights statement, {RIGHTS_EXPECTED}"))
    }
}

impl Rights {
    /// Reads a rights URI (`http` or `https`, final `/` optional).
    pub fn parse(uri: &str) -> Option<Rights> {
        let rest = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let parts: Vec<&str> = rest.split('/').collect();
        let cc = |code: &str, version: &str, uri: String| Rights {
            uri,
            code: code.to_string(),
            version: version.to_string(),
            vocabulary: "cc".into(),
        };
        match parts.as_slice() {
            ["creativecommons.org", "licenses", code, version]
            | ["creativecommons.org", "licenses", code, version, _]
                if CC_LICENCES.contains(code) && CC_VERSIONS.contains(version) =>
            {
                let jurisdiction = parts.get(4).map(|j| format!("{j}/")).unwrap_or_default();
                Some(cc(code, version, format!("https://creativecommons.org/licenses/{code}/{version}/{jurisdiction}")))
            }
            ["creativecommons.org", "publicdomain", "zero", "1.0"] => {
                Some(cc("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/".into()))
            }
            ["creativecommons.org", "publicdomain", "mark", "1.0"] => {
                Some(cc("pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/".into()))
            }
            ["rightsstatements.org", "vocab", code, "1.0"] if RS_STATEMENTS.contains(code) => Some(Rights {
                uri: format!("http://rightsstatements.org/vocab/{code}/1.0/"),
                code: code.to_string(),
                version: "1.0".into(),
                vocabulary: "rs".into(),
            }),
            _ => None,
        }
    }
}

/// Where the pixels of a figure come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<'a> {
    /// A file or URL to process (or to show as it is, when it is not a local raster file).
    Src(&'a str),
    /// A IIIF Image API service and its declared full size.
    Iiif { service: &'a str, width: u32, height: u32 },
}

impl RawFigure {
    /// Checks what serde cannot: texts that are not blank, a rights URI of
    /// the two vocabularies, exactly one of `src` and `iiif`, and a IIIF
    /// service's address and size. A problem comes with the key it is about.
    pub fn check(self, require_credit: bool) -> Result<Figure, (&'static str, String)> {
        self.check_source(require_credit)?;
        let text = |key: &'static str, value: Option<String>| -> Result<Option<Text>, (&'static str, String)> {
            value.map(|v| Text::try_from(v).map_err(|m| (key, format!("`{key}` {m}")))).transpose()
        };
        let alt = match Text::try_from(self.alt) {
            Ok(alt) => alt,
            Err(m) if m.starts_with("is empty") => {
                return Err(("alt", "`alt` is empty, expected a text alternative describing the image".into()));
            }
            Err(m) => return Err(("alt", format!("`alt` {m}"))),
        };
        let rights = match self.rights {
            None => None,
            Some(uri) => Some(Rights::try_from(uri).map_err(|m| ("rights", m))?),
        };
        Ok(Figure {
            src: self.src,
            iiif: self.iiif,
            width: self.width,
            height: self.height,
            alt,
            caption: text("caption", self.caption)?,
            credit: text("credit", self.credit)?,
            rights,
        })
    }

    fn check_source(&self, require_credit: bool) -> Result<(), (&'static str, String)> {
        match (&self.src, &self.iiif) {
            (Some(_), Some(_)) => {
                return Err(("iiif", "both `src` and `iiif` are given, expected one source for the image".into()));
            }
            (None, None) => {
                return Err((
                    "src",
                    "no `src` or `iiif`, expected `src: file.jpg` or `iiif: https://...` with `width` and `height`"
                        .into(),
                ));
            }
            (Some(src), None) => {
                if src.trim().is_empty() {
                    return Err(("src", "`src` is empty, expected a file name or URL".into()));
                }
                if self.width.is_some() || self.height.is_some() {
                    let key = if self.width.is_some() { "width" } else { "height" };
                    return Err((
                        key,
                        format!(
                            "`{key}` is only for `iiif` images, expected it left out: a file's size is read from the file"
                        ),
                    ));
                }
            }
            (None, Some(service)) => {
                let url = url::Url::parse(service.trim()).ok().filter(|u| u.scheme() == "https" && u.host().is_some());
                if url.is_none() || service.contains(['?', '#']) {
                    return Err((
                        "iiif",
                        format!(
                            "`{service}` is not a IIIF service address, expected an https URL such as `https://example.org/iiif/3/abc`"
                        ),
                    ));
                }
                for (key, value) in [("width", self.width), ("height", self.height)] {
                    match value {
                        None => {
                            return Err((
                                key,
                                format!(
                                    "a IIIF image needs its `{key}`, expected the full size its service declares, such as `{key}: 4000`"
                                ),
                            ));
                        }
                        Some(0) => return Err((key, format!("`{key}` is 0, expected the size in pixels"))),
                        Some(_) => {}
                    }
                }
            }
        }
        if require_credit && self.credit.is_none() {
            return Err(("credit", "no `credit`, expected who made or holds the image (site.toml requires it)".into()));
        }
        Ok(())
    }
}

impl Figure {
    /// A Markdown image (`![alt](src)`): its alt text may be empty (a decorative image).
    pub fn inline(src: &str, alt: &str) -> Figure {
        Figure {
            src: Some(src.to_string()),
            iiif: None,
            width: None,
            height: None,
            alt: Text(alt.trim().to_string()),
            caption: None,
            credit: None,
            rights: None,
        }
    }

    /// The source of the pixels (after [`RawFigure::check`]).
    pub fn source(&self) -> Source<'_> {
        match (&self.iiif, self.width, self.height) {
            (Some(service), Some(width), Some(height)) => {
                Source::Iiif { service: service.trim().trim_end_matches('/'), width, height }
            }
            _ => Source::Src(self.src.as_deref().unwrap_or_default().trim()),
        }
    }
}

/// A problem in a ```` ```figure ```` block, at a line and column of the block's text (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockProblem {
    /// Where in the block (its first line is line 1).
    pub pos: Position,
    pub message: String,
}

/// Reads the YAML body of a ```` ```figure ```` block.
pub fn parse_block(yaml: &str, require_credit: bool) -> Result<Figure, BlockProblem> {
    use crate::content::front_matter;
    // The block is read exactly as front matter is (same limits, same
    // wording); its positions are then moved from "front matter" lines
    // (which start at line 2) to the block's own lines.
    let split = front_matter::Split { yaml, body: "", body_line: 1 };
    let figure: RawFigure = front_matter::parse(&split, "", FIGURE_KEYS).map_err(|d| {
        let at = d.pos.unwrap_or(Position::new(2, 1));
        BlockProblem { pos: Position::new(at.line.saturating_sub(1).max(1), at.column), message: d.message }
    })?;
    figure
        .check(require_credit)
        .map_err(|(key, message)| BlockProblem { pos: key_in_block(yaml, key).unwrap_or(Position::new(1, 1)), message })
}

/// The position of the value of `key` among a block's top-level keys.
fn key_in_block(yaml: &str, key: &str) -> Option<Position> {
    yaml.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = rest.trim_start();
        let column = if value.is_empty() { 1 } else { key.len() + 2 + rest.len() - value.len() };
        Some(Position::new(i + 1, column))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_vocabularies() {
        let r = Rights::parse("https://creativecommons.org/licenses/by-sa/4.0/").unwrap();
        assert_eq!((r.code.as_str(), r.version.as_str(), r.vocabulary.as_str()), ("by-sa", "4.0", "cc"));
        let r = Rights::parse("http://creativecommons.org/licenses/by/3.0/fr").unwrap();
        assert_eq!(r.uri, "https://creativecommons.org/licenses/by/3.0/fr/");
        assert_eq!(Rights::parse("https://creativecommons.org/publicdomain/zero/1.0/").unwrap().code, "cc0");
        let r = Rights::parse("http://rightsstatements.org/vocab/InC-EDU/1.0/").unwrap();
        assert_eq!((r.code.as_str(), r.vocabulary.as_str()), ("InC-EDU", "rs"));
        for bad in [
            "CC BY",
            "https://creativecommons.org/licenses/by/5.0/",
            "https://creativecommons.org/licenses/zz/4.0/",
            "http://rightsstatements.org/vocab/Mine/1.0/",
            "https://example.org/licence",
        ] {
            assert_eq!(Rights::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn block_problems_point_into_the_block() {
        let err = parse_block("src: a.jpg\nalt: A cave\ncaptoin: x\n", false).unwrap_err();
        assert_eq!(err.pos, Position::new(3, 1), "{err:?}");
        assert!(err.message.contains("did you mean `caption`"), "{err:?}");
        let err = parse_block("src: a.jpg\n", false).unwrap_err();
        assert!(err.message.contains("missing required key `alt`"), "{err:?}");
        let err = parse_block("src: a.jpg\nalt: A\nrights: CC BY\n", false).unwrap_err();
        assert_eq!(err.pos, Position::new(3, 9), "{err:?}");
        assert!(err.message.contains("not a rights statement"), "{err:?}");
        let err = parse_block("src: a.jpg\nalt: A\n", true).unwrap_err();
        assert!(err.message.contains("no `credit`"), "{err:?}");
        let err = parse_block("iiif: https://e.org/iiif/3/x\nalt: A\nwidth: 10\n", false).unwrap_err();
        assert_eq!((err.pos.line, err.message.contains("`height`")), (1, true), "{err:?}");
    }

    #[test]
    fn a_iiif_figure() {
        let f = parse_block("iiif: https://e.org/iiif/3/x/\nwidth: 4000\nheight: 3000\nalt: A\n", false).unwrap();
        assert_eq!(f.source(), Source::Iiif { service: "https://e.org/iiif/3/x", width: 4000, height: 3000 });
    }
}
