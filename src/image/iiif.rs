//! IIIF Image API: the sizes of an image that a museum's IIIF service
//! serves, as `srcset` candidates, computed from the size the editor
//! declares. Nothing is fetched, at build or ever, by stele: the browser asks
//! the service for the size it needs.
//!
//! A size request is `{service}/full/{w},/0/default.jpg`, valid in versions
//! 2 and 3 of the Image API; no width is larger than the declared full width
//! (version 3 refuses upscaling without `^`).

use super::process::ladder;

/// One size of a IIIF image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Size {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// The sizes to offer for a service of `width` × `height`, narrowest first.
pub fn sizes(service: &str, width: u32, height: u32, widths: &[u32]) -> Vec<Size> {
    ladder(width, widths)
        .into_iter()
        .map(|w| Size {
            url: format!("{service}/full/{w},/0/default.jpg"),
            width: w,
            height: ((u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width)).max(1) as u32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_never_exceed_the_declared_width() {
        let s = sizes("https://e.org/iiif/3/abc", 1000, 750, &[480, 800, 1200]);
        let urls: Vec<&str> = s.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://e.org/iiif/3/abc/full/480,/0/default.jpg",
                "https://e.org/iiif/3/abc/full/800,/0/default.jpg",
                "https://e.org/iiif/3/abc/full/1000,/0/default.jpg"
            ]
        );
        assert_eq!((s[0].width, s[0].height), (480, 360));
    }
}
