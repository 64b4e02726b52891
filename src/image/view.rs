//! What the theme's `figure.html` receives for one image, and how the
//! figures of a Markdown body are put into its HTML.
//!
//! The Markdown renderer leaves a placeholder where a figure goes (`NUL`,
//! the figure's number, `NUL`: CommonMark turns every NUL of the source into
//! U+FFFD, so no text an editor writes can look like one). [`fill`] replaces
//! each with the HTML the theme renders for it, so the words around a
//! picture (credit, licence names) live in the theme and can be translated.

use serde::Serialize;

use super::figure::{Figure, Rights, Source};
use super::process::Format;
use super::{ImageSet, iiif, resolve};
use crate::config::BaseUrl;

/// How an image is placed on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The article's `image`: loaded at once, shown first.
    Lead,
    /// A ```` ```figure ```` block.
    Block,
    /// A Markdown image inside a paragraph: a `<picture>` without `<figure>`.
    Inline,
}

/// One image as a template sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FigureView {
    /// The URL for `<img src>`: the widest variant in the original format,
    /// or the image as written when it is not processed.
    pub src: String,
    /// Absolute, for Open Graph and feeds.
    pub permalink: String,
    pub alt: String,
    /// The size of `src` (absent when stele cannot know it).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `<source>` elements, WebP first.
    pub sources: Vec<SourceView>,
    /// The `srcset` of `<img>` (original format or IIIF sizes).
    pub srcset: Option<String>,
    pub sizes: Option<String>,
    /// The lead image: `loading="eager"` and `fetchpriority="high"`, not lazy.
    pub lead: bool,
    /// Wrap in `<figure>` (lead images and figure blocks) rather than show inline.
    pub block: bool,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub rights: Option<Rights>,
    /// The Markdown title of an inline image.
    pub title: Option<String>,
}

/// One `<source>`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SourceView {
    #[serde(rename = "type")]
    pub mime: &'static str,
    pub srcset: String,
}

/// The view of `figure`, shown on the page at `page_path`.
pub fn figure_view(
    images: &ImageSet,
    base: &BaseUrl,
    sizes: &str,
    widths: &[u32],
    page_path: &str,
    figure: &Figure,
    role: Role,
) -> FigureView {
    let text = |t: &Option<super::figure::Text>| t.as_ref().map(|t| t.as_str().to_string());
    let mut view = FigureView {
        src: String::new(),
        permalink: String::new(),
        alt: figure.alt.as_str().to_string(),
        width: None,
        height: None,
        sources: Vec::new(),
        srcset: None,
        sizes: None,
        lead: role == Role::Lead,
        block: role != Role::Inline,
        caption: text(&figure.caption),
        credit: text(&figure.credit),
        rights: figure.rights.clone(),
        title: None,
    };
    match figure.source() {
        Source::Iiif { service, width, height } => {
            let all = iiif::sizes(service, width, height, widths);
            if let Some(widest) = all.last() {
                view.src = widest.url.clone();
                view.permalink = widest.url.clone();
                view.width = Some(widest.width);
                view.height = Some(widest.height);
            }
            view.srcset = Some(all.iter().map(|s| format!("{} {}w", s.url, s.width)).collect::<Vec<_>>().join(", "));
            view.sizes = Some(sizes.to_string());
        }
        Source::Src(src) => {
            let site_path = resolve(page_path, src);
            match site_path.as_deref().and_then(|p| images.picture(p)) {
                Some(picture) => {
                    let srcset = |format: Format| {
                        picture
                            .variants
                            .iter()
                            .filter(|v| v.format == format)
                            .map(|v| format!("{} {}w", base.url(&crate::plan::route::url_path(&v.site_path)), v.width))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let fallback = picture.variants.iter().rfind(|v| v.format != Format::Webp);
                    if let Some(widest) = fallback {
                        view.src = base.url(&crate::plan::route::url_path(&widest.site_path));
                        view.permalink = base.permalink(&crate::plan::route::url_path(&widest.site_path));
                        view.width = Some(widest.width);
                        view.height = Some(widest.height);
                        view.srcset = Some(srcset(widest.format));
                    }
                    view.sources = vec![SourceView { mime: Format::Webp.mime(), srcset: srcset(Format::Webp) }];
                    view.sizes = Some(sizes.to_string());
                }
                None => {
                    // Not processed (a URL, an SVG, a missing file that `check`
                    // reports): shown as written, relative to the page.
                    let is_absolute = src.contains("://") || src.starts_with("//");
                    (view.src, view.permalink) = if is_absolute {
                        (src.to_string(), src.to_string())
                    } else if let Some(rooted) = src.strip_prefix('/') {
                        (base.url(rooted), base.permalink(rooted))
                    } else if role == Role::Inline {
                        (src.to_string(), base.permalink(&format!("{page_path}{src}")))
                    } else {
                        (base.url(&format!("{page_path}{src}")), base.permalink(&format!("{page_path}{src}")))
                    };
                }
            }
        }
    }
    view
}

/// The placeholder the Markdown renderer leaves for figure `index`.
pub fn placeholder(index: usize) -> String {
    format!("\0{index}\0")
}

/// Replaces every placeholder of `html` with the HTML `render` gives for its
/// figure. A placeholder without a figure (which the renderer never makes)
/// is dropped.
pub fn fill<E>(html: &str, mut render: impl FnMut(usize) -> Result<String, E>) -> Result<String, E> {
    if !html.contains('\0') {
        return Ok(html.to_string());
    }
    let mut out = String::with_capacity(html.len() + 512);
    let mut parts = html.split('\0');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    while let (Some(number), Some(text)) = (parts.next(), parts.next()) {
        if let Ok(index) = number.parse::<usize>() {
            out.push_str(&render(index)?);
        }
        out.push_str(text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_placeholders_in_order() {
        let html = format!("<p>a</p>\n{}\n<p>b {} c</p>", placeholder(0), placeholder(1));
        let out = fill(&html, |i| Ok::<_, ()>(format!("[{i}]"))).unwrap();
        assert_eq!(out, "<p>a</p>\n[0]\n<p>b [1] c</p>");
        assert_eq!(fill("<p>plain</p>", |_| Err(())).unwrap(), "<p>plain</p>");
    }
}
