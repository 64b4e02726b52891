//! `stele build --precompress`: a gzip (`.gz`) and a Brotli (`.br`) copy
//! beside every text file of the site, for servers that send precompressed
//! files as they are (nginx `gzip_static` and `brotli_static`, Caddy
//! `precompressed`), so that no request pays for compression.
//!
//! [`Precompressed`] wraps any [`Output`]: every file goes through unchanged,
//! and a text file (HTML, CSS, JavaScript, XML, JSON, SVG, plain text) also
//! gets its two copies, compressed while the site renders, on every core. A
//! copy that would not be smaller than the file is left out: a server then
//! sends the file itself. Images and other binary files are never compressed
//! again. It never changes the bytes of the file it wraps.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Error;
use crate::output::Output;

/// Extensions of the files that get compressed copies.
const TEXT: &[&str] = &["html", "htm", "css", "js", "mjs", "json", "xml", "svg", "txt", "webmanifest", "map"];

/// Brotli quality (0–11). Measured on the 10,000-article benchmark corpus
/// (2-core machine, output on a tmpfs): quality 5 took the build from 2 s to
/// 11 s, 9 to 22–27 s, 10 to 86–114 s; 10 made the `.br` files 8% smaller
/// than 9, and 5 12% larger. 9 is the balance for a step run at every deploy.
const BROTLI_QUALITY: u32 = 9;
/// Brotli window (log2 of its size), as the reference encoder's default.
const BROTLI_WINDOW: u32 = 22;

/// An [`Output`] that adds `.gz` and `.br` copies of text files.
pub struct Precompressed<'a> {
    inner: &'a dyn Output,
    copies: AtomicUsize,
}

impl<'a> Precompressed<'a> {
    pub fn new(inner: &'a dyn Output) -> Self {
        Precompressed { inner, copies: AtomicUsize::new(0) }
    }

    /// How many compressed copies were written.
    pub fn copies(&self) -> usize {
        self.copies.load(Ordering::Relaxed)
    }

    fn put_copies(&self, site_path: &str, bytes: &[u8]) -> Result<(), Error> {
        if !is_text(site_path) {
            return Ok(());
        }
        for (ext, compressed) in [("gz", gzip(bytes)), ("br", brotli(bytes))] {
            if compressed.len() < bytes.len() {
                self.inner.put(&format!("{site_path}.{ext}"), compressed)?;
                self.copies.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

impl Output for Precompressed<'_> {
    fn put(&self, site_path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.put_copies(site_path, &bytes)?;
        self.inner.put(site_path, bytes)
    }

    fn copy(&self, site_path: &str, source: &Path) -> Result<(), Error> {
        if is_text(site_path) {
            self.put_copies(site_path, &crate::fs::read_bytes(source)?)?;
        }
        self.inner.copy(site_path, source)
    }
}

/// Whether `site_path` names a text file, by its extension.
pub fn is_text(site_path: &str) -> bool {
    let name = site_path.rsplit('/').next().unwrap_or(site_path);
    name.rsplit_once('.').is_some_and(|(_, ext)| TEXT.iter().any(|t| t.eq_ignore_ascii_case(ext)))
}

/// `bytes` compressed with gzip at the best level.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// `bytes` compressed with Brotli.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
        // Writing into a Vec cannot fail.
        let _ = encoder.write_all(bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::MemoryOutput;
    use std::io::Read;

    #[test]
    fn text_files_get_copies_that_decompress_to_them() {
        let memory = MemoryOutput::new();
        let out = Precompressed::new(&memory);
        let page = "<p>Mogao murals</p>\n".repeat(200).into_bytes();
        out.put("articles/x/index.html", page.clone()).expect("put");
        out.put("cave.jpg", page.clone()).expect("put");
        out.put("tiny.txt", b"a".to_vec()).expect("put");
        assert_eq!(out.copies(), 2);
        let files = memory.into_files();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["articles/x/index.html", "articles/x/index.html.br", "articles/x/index.html.gz", "cave.jpg", "tiny.txt"]
        );
        let mut gunzipped = Vec::new();
        flate2::read::GzDecoder::new(&files["articles/x/index.html.gz"][..]).read_to_end(&mut gunzipped).expect("gzip");
        assert_eq!(gunzipped, page);
        let mut unbrotlied = Vec::new();
        brotli::Decompressor::new(&files["articles/x/index.html.br"][..], 4096)
            .read_to_end(&mut unbrotlied)
            .expect("brotli");
        assert_eq!(unbrotlied, page);
        assert_eq!(files["articles/x/index.html"], page, "the file itself is unchanged");
    }

    #[test]
    fn text_is_told_by_the_extension() {
        for yes in ["index.html", "style.0a1b2c3d.css", "rss.xml", "robots.txt", "a/b.SVG", "app.js"] {
            assert!(is_text(yes), "{yes}");
        }
        for no in ["cave.jpg", "photo.webp", "font.woff2", "README", "archive.tar.gz", "x.html.gz"] {
            assert!(!is_text(no), "{no}");
        }
    }
}
