//! Photographs (issue 12): responsive pictures, EXIF orientation, colour
//! profiles, figures with captions, credits and rights, the content-hash
//! cache, IIIF without network, and bad images reported, never a panic.
//! Every image is generated here; none is checked in.

mod common;
use common::exif::with_exif_orientation;

use std::collections::BTreeMap;
use std::io::Cursor;

use common::{Files, TestSite};
use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

const HEAD: &str = "title: Cave 249\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]";

/// A JPEG of `w` × `h` whose top-left quarter is red and the rest blue, with
/// an EXIF orientation and an ICC profile when given.
fn jpeg(w: u32, h: u32, orientation: Option<u16>, icc: Option<Vec<u8>>) -> Vec<u8> {
    let img =
        RgbImage::from_fn(w, h, |x, y| if x < w / 2 && y < h / 2 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) });
    jpeg_of(&img, orientation, icc)
}

fn jpeg_of(img: &RgbImage, orientation: Option<u16>, icc: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95);
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).expect("JPEG takes an ICC profile");
    }
    encoder.write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8).expect("encode");
    match orientation {
        Some(o) => with_exif_orientation(&out, o),
        None => out,
    }
}

fn png_with_alpha(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, _| Rgba([30, 120, 60, if x < w / 2 { 0 } else { 255 }]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
        .expect("encode");
    out
}

/// A PNG whose header claims `w` × `h` pixels, followed by a few bytes of pixel data only.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&w.to_be_bytes());
    chunk.extend_from_slice(&h.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x63\x00\x00\x00\x01\x00\x01";
    out.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    out.extend_from_slice(idat);
    out.extend_from_slice(&crc32(idat).to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(b"IEND");
    out.extend_from_slice(&crc32(b"IEND").to_be_bytes());
    out
}

/// The attributes of every element named `tag` in `html`.
fn elements(html: &str, tag: &str) -> Vec<BTreeMap<String, String>> {
    let found = std::cell::RefCell::new(Vec::new());
    let handler = lol_html::element!(tag, |el| {
        found.borrow_mut().push(el.attributes().iter().map(|a| (a.name(), a.value())).collect());
        Ok(())
    });
    lol_html::rewrite_str(
        html,
        lol_html::RewriteStrSettings { element_content_handlers: vec![handler], ..Default::default() },
    )
    .expect("valid HTML");
    found.into_inner()
}

/// The size of the image file at a root-relative URL of the output.
fn size_of(files: &Files, url: &str) -> (u32, u32) {
    let path = url.trim_start_matches('/');
    let bytes = files.0.get(path).unwrap_or_else(|| panic!("no file at `{url}` in {:?}", files.paths()));
    image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap().into_dimensions().unwrap()
}

/// Checks every `<img>` and `<source>` of `html`: each srcset candidate is a
/// file of that width, and `width`/`height` have the ratio of the `src` file.
#[track_caller]
fn assert_pictures_match_files(files: &Files, html: &str) -> usize {
    let mut checked = 0;
    for el in elements(html, "img").into_iter().chain(elements(html, "source")) {
        if let Some(srcset) = el.get("srcset") {
            for candidate in srcset.split(", ") {
                let (url, descriptor) = candidate.rsplit_once(' ').expect("url and width");
                let width: u32 = descriptor.trim_end_matches('w').parse().expect("a width descriptor");
                assert_eq!(size_of(files, url).0, width, "`{url}` is {width} wide as its descriptor says");
            }
        }
        if let (Some(src), Some(w), Some(h)) = (el.get("src"), el.get("width"), el.get("height")) {
            let (fw, fh) = size_of(files, src);
            let (w, h): (u32, u32) = (w.parse().unwrap(), h.parse().unwrap());
            assert_eq!((w, h), (fw, fh), "`{src}`: width and height are the file's");
            checked += 1;
        }
    }
    checked
}

fn decode(files: &Files, path: &str) -> image::RgbImage {
    image::load_from_memory(&files.0[path]).expect("decodes").to_rgb8()
}

#[test]
fn a_lead_image_and_body_images_become_pictures() {
    let site = TestSite::new();
    site.write("content/articles/cave/wall.jpg", jpeg(1000, 750, None, None));
    site.write("content/articles/cave/detail.png", png_with_alpha(300, 200));
    site.write("content/articles/cave/tiny.jpg", jpeg(40, 30, None, None));
    site.write(
        "content/articles/cave/index.md",
        format!(
            "---\n{HEAD}\nimage:\n  src: wall.jpg\n  alt: The north wall\n  caption: The north wall of cave 249\n  credit: Dunhuang Academy\n  rights: https://creativecommons.org/licenses/by-nc-sa/4.0/\n---\nIntro.\n\n```figure\nsrc: detail.png\nalt: A detail\ncaption: A detail of the ceiling\nrights: http://rightsstatements.org/vocab/InC-EDU/1.0/\n```\n\nA small one: ![tiny](tiny.jpg \"Tiny\").\n"
        ),
    );
    let files = site.build_ok();
    let page = files.text("articles/cave/index.html");
    assert_eq!(assert_pictures_match_files(&files, &page), 3, "{page}");

    // The ladder stops at the original width, which is offered itself.
    for w in [480, 800, 1000] {
        assert!(files.has(&format!("articles/cave/wall.{w}.webp")), "{:?}", files.paths());
        assert!(files.has(&format!("articles/cave/wall.{w}.jpg")));
    }
    assert!(!files.has("articles/cave/wall.1200.jpg"), "never wider than the original");
    assert!(files.has("articles/cave/wall.jpg"), "the original is still published");
    // A PNG keeps its transparency in both formats.
    assert!(files.has("articles/cave/detail.300.png") && files.has("articles/cave/detail.300.webp"));
    let png = image::load_from_memory(&files.0["articles/cave/detail.300.png"]).unwrap().to_rgba8();
    assert_eq!(png.get_pixel(10, 10)[3], 0, "transparent stays transparent");
    let webp =
        image::ImageReader::new(Cursor::new(&files.0["articles/cave/detail.300.webp"])).with_guessed_format().unwrap();
    assert_eq!(webp.format(), Some(image::ImageFormat::WebP));
    // An image narrower than the smallest width gets exactly one size: its own.
    let tiny: Vec<&str> = files.paths().into_iter().filter(|p| p.starts_with("articles/cave/tiny.")).collect();
    assert_eq!(tiny, ["articles/cave/tiny.40.jpg", "articles/cave/tiny.40.webp", "articles/cave/tiny.jpg"]);

    let imgs = elements(&page, "img");
    let lead = imgs.iter().find(|i| i["src"].contains("wall.")).unwrap();
    assert_eq!(lead["src"], "/articles/cave/wall.1000.jpg");
    assert_eq!(lead["loading"], "eager", "the lead image is not lazy");
    assert!(lead["sizes"].contains("42rem"), "{lead:?}");
    for other in imgs.iter().filter(|i| !i["src"].contains("wall.")) {
        assert_eq!((other["loading"].as_str(), other["decoding"].as_str()), ("lazy", "async"), "{other:?}");
    }
    let sources = elements(&page, "source");
    assert!(sources.iter().all(|s| s["type"] == "image/webp"), "{sources:?}");
    assert!(page.contains("title=\"Tiny\""), "the Markdown title is kept");

    // Captions, credits and the licence link, in figures.
    assert!(page.contains("<figcaption><span class=\"figure-caption\">The north wall of cave 249</span> <span class=\"figure-credit\">Credit: Dunhuang Academy</span> <a class=\"figure-rights\" rel=\"license\" href=\"https://creativecommons.org/licenses/by-nc-sa/4.0/\">CC BY-NC-SA 4.0</a></figcaption>"), "{page}");
    assert!(
        page.contains(
            "href=\"http://rightsstatements.org/vocab/InC-EDU/1.0/\">In Copyright – Educational Use Permitted</a>"
        ),
        "{page}"
    );
    assert_eq!(page.matches("<figure").count(), 2, "the inline image is not a figure: {page}");
    assert!(!page.contains("\u{0}"), "no placeholder left");

    // The card on listings offers the sizes too.
    let home = files.text("index.html");
    let card = elements(&home, "img").into_iter().find(|i| i["src"].contains("wall.")).expect("card image");
    assert!(card["srcset"].contains("wall.480.jpg 480w"), "{card:?}");
    // Feeds carry the pictures with absolute URLs.
    let feed = files.text("rss.xml");
    assert!(feed.contains("https://example.org/articles/cave/detail.300.webp 300w"), "{feed}");
}

#[test]
fn every_exif_orientation_is_applied_before_resizing() {
    let site = TestSite::new();
    let mut body = String::new();
    for o in 1..=8u16 {
        site.write(&format!("content/articles/cave/o{o}.jpg"), jpeg(64, 32, Some(o), None));
        body.push_str(&format!("![o{o}](o{o}.jpg)\n\n"));
    }
    site.write("content/articles/cave/index.md", format!("---\n{HEAD}\n---\n{body}"));
    let files = site.build_ok();
    let page = files.text("articles/cave/index.html");
    assert_eq!(assert_pictures_match_files(&files, &page), 8);
    // Where the red quarter (top-left in the stored pixels) is once shown upright.
    let expected = [(1, "tl"), (2, "tr"), (3, "br"), (4, "bl"), (5, "tl"), (6, "tr"), (7, "br"), (8, "bl")];
    for (o, corner) in expected {
        let (w, h) = if o >= 5 { (32, 64) } else { (64, 32) };
        let img = decode(&files, &format!("articles/cave/o{o}.{w}.jpg"));
        assert_eq!((img.width(), img.height()), (w, h), "orientation {o}: size after rotation");
        let (x, y) = match corner {
            "tl" => (2, 2),
            "tr" => (w - 3, 2),
            "br" => (w - 3, h - 3),
            _ => (2, h - 3),
        };
        let px = img.get_pixel(x, y);
        assert!(px[0] > 150 && px[2] < 100, "orientation {o}: red expected at {corner}, found {px:?}");
    }
}

#[test]
fn colour_profiles_are_converted_to_srgb() {
    let site = TestSite::new();
    let adobe = moxcms::ColorProfile::new_adobe_rgb().encode().expect("an ICC profile");
    let green = RgbImage::from_pixel(32, 32, Rgb([60, 180, 60]));
    site.write("content/articles/cave/adobe.jpg", jpeg_of(&green, None, Some(adobe)));
    site.write("content/articles/cave/plain.jpg", jpeg_of(&green, None, None));
    site.write("content/articles/cave/index.md", format!("---\n{HEAD}\n---\n![a](adobe.jpg) ![p](plain.jpg)\n"));
    let files = site.build_ok();
    let adobe = *decode(&files, "articles/cave/adobe.32.jpg").get_pixel(16, 16);
    let plain = *decode(&files, "articles/cave/plain.32.jpg").get_pixel(16, 16);
    assert!(plain[0].abs_diff(60) < 8, "no profile, no change: {plain:?}");
    // Adobe RGB's green is wider than sRGB's: in sRGB the same colour has less red and more green.
    assert!(adobe[0] + 15 < plain[0] && adobe[1] > plain[1], "converted, not dropped: {adobe:?} vs {plain:?}");
}

#[test]
fn bad_images_are_errors_naming_the_file() {
    let site = TestSite::new();
    site.write("content/articles/cave/broken.jpg", b"\xFF\xD8\xFF\xE0 not really a JPEG");
    site.write("content/articles/cave/huge.png", png_header_only(20_000, 20_000));
    site.write("content/articles/cave/index.md", format!("---\n{HEAD}\n---\n![b](broken.jpg) ![h](huge.png)\n"));
    let errors = site.build_err();
    assert!(errors.contains("content/articles/cave/broken.jpg: cannot decode the image"), "{errors}");
    assert!(
        errors.contains("content/articles/cave/huge.png: the image is 20000 × 20000 pixels")
            && errors.contains("memory budget"),
        "{errors}"
    );
}

#[test]
fn figure_mistakes_are_reported_where_they_are_written() {
    let cases = [
        ("```figure\nsrc: a.jpg\nalt: A\ncaptoin: x\n```\n", "content/articles/x.md:9:1:", "did you mean `caption`"),
        ("Text.\n\n```figure\nsrc: a.jpg\n```\n", "content/articles/x.md:9:1:", "missing required key `alt`"),
        ("```figure\nsrc: a.jpg\nalt: A\nrights: CC BY\n```\n", "content/articles/x.md:9:9:", "not a rights statement"),
    ];
    for (body, at, what) in cases {
        let site = TestSite::new();
        site.article("x", HEAD, body);
        let errors = site.build_err();
        assert!(errors.contains(at) && errors.contains(what), "{at} {what}:\n{errors}");
    }
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\nimage:\n  src: a.jpg\n  alt: A\n  rights: mine"), "B.");
    let errors = site.build_err();
    assert!(errors.contains("content/articles/x.md:8:11: in `image`: `mine` is not a rights statement"), "{errors}");

    // A site can require a credit on every image.
    let site = TestSite::new();
    site.write("site.toml", format!("{}[images]\nrequire_credit = true\n", common::SITE_TOML));
    site.article("x", &format!("{HEAD}\nimage: {{ src: a.jpg, alt: A }}"), "B.");
    let errors = site.build_err();
    assert!(errors.contains("content/articles/x.md:5:8: the image has no `credit`"), "{errors}");
}

#[test]
fn figure_blocks_come_from_the_markdown_events_not_from_the_text() {
    let site = TestSite::new();
    site.article(
        "x",
        HEAD,
        "````markdown\n```figure\nsrc: nothing.jpg\nalt: shown as code\n```\n````\n\n<!--\n```figure\nsrc: x.jpg\n```\n-->\n\n    ![indented](code.jpg)\n",
    );
    let page = site.build_ok().text("articles/x/index.html");
    assert!(page.contains("```figure\nsrc: nothing.jpg"), "a figure inside a code block is code: {page}");
    assert!(!page.contains("<figure"), "{page}");
    assert!(page.contains("![indented](code.jpg)"), "{page}");
}

#[test]
fn iiif_images_are_size_requests_never_fetched() {
    let site = TestSite::new();
    site.article(
        "x",
        &format!(
            "{HEAD}\nimage:\n  iiif: https://iiif.example.org/iiif/3/mogao-249\n  width: 1000\n  height: 600\n  alt: Ceiling\n  credit: Example Museum\n  rights: https://creativecommons.org/publicdomain/zero/1.0/"
        ),
        "```figure\niiif: https://iiif.example.org/iiif/3/scroll/\nwidth: 300\nheight: 2000\nalt: A scroll\n```\n",
    );
    let page = site.build_ok().text("articles/x/index.html");
    let imgs = elements(&page, "img");
    let lead = &imgs[0];
    assert_eq!(
        lead["srcset"],
        "https://iiif.example.org/iiif/3/mogao-249/full/480,/0/default.jpg 480w, https://iiif.example.org/iiif/3/mogao-249/full/800,/0/default.jpg 800w, https://iiif.example.org/iiif/3/mogao-249/full/1000,/0/default.jpg 1000w"
    );
    assert_eq!((lead["width"].as_str(), lead["height"].as_str()), ("1000", "600"));
    assert_eq!(imgs[1]["src"], "https://iiif.example.org/iiif/3/scroll/full/300,/0/default.jpg");
    assert_eq!((imgs[1]["width"].as_str(), imgs[1]["height"].as_str()), ("300", "2000"));
    assert!(page.contains(">CC0 1.0</a>"), "{page}");

    // The same site builds with no network at all (a new network namespace
    // has only a loopback that is down). Needs root, which CI has.
    let status = std::process::Command::new("unshare")
        .args(["-n", env!("CARGO_BIN_EXE_stele"), "build"])
        .current_dir(site.root())
        .output()
        .expect("run unshare");
    if String::from_utf8_lossy(&status.stderr).contains("Operation not permitted") {
        eprintln!("skipped the build without network: unshare -n needs root");
        return;
    }
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert!(site.path("public/articles/x/index.html").is_file());
}

/// The `N images processed, M from the cache` of a build's summary.
fn image_counts(site: &TestSite) -> (usize, usize) {
    let out = site.stele(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let (_, rest) = stderr.split_once(" (").unwrap_or_else(|| panic!("{stderr}"));
    let numbers: Vec<usize> =
        rest.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).take(2).collect();
    (numbers[0], numbers[1])
}

fn cache_entries(site: &TestSite) -> usize {
    std::fs::read_dir(site.path(".stele-cache/images")).map_or(0, |d| d.flatten().count())
}

#[test]
fn the_cache_follows_content_not_paths() {
    let site = TestSite::new();
    site.write("content/articles/cave/a.jpg", jpeg(600, 400, None, None));
    site.write("content/articles/cave/b.jpg", jpeg(500, 400, Some(6), None));
    site.write("content/articles/cave/c.png", png_with_alpha(100, 80));
    site.write("content/articles/cave/index.md", format!("---\n{HEAD}\n---\n![a](a.jpg) ![b](b.jpg) ![c](c.png)\n"));
    assert_eq!(image_counts(&site), (3, 0), "a cold build processes every image");
    let first = common::read_tree(&site.path("public"));
    assert_eq!(image_counts(&site), (0, 3), "a warm build decodes none");
    assert_eq!(common::read_tree(&site.path("public")), first, "and gives the same site");

    // Only the edited image is processed again; the old entry goes.
    site.write("content/articles/cave/b.jpg", jpeg(500, 400, Some(3), None));
    assert_eq!(image_counts(&site), (1, 2));
    assert_eq!(cache_entries(&site), 3, "unused entries are removed after a build");

    // A renamed photo (in a fresh checkout of the same content) is a hit.
    std::fs::rename(site.path("content/articles/cave/a.jpg"), site.path("content/articles/cave/renamed.jpg")).unwrap();
    site.write(
        "content/articles/cave/index.md",
        format!("---\n{HEAD}\n---\n![a](renamed.jpg) ![b](b.jpg) ![c](c.png)\n"),
    );
    assert_eq!(image_counts(&site), (0, 3));
    assert!(site.path("public/articles/cave/renamed.600.webp").is_file());

    // Other settings are other entries.
    site.write("site.toml", format!("{}[images]\nquality = 60\n", common::SITE_TOML));
    assert_eq!(image_counts(&site), (3, 0));
    assert_eq!(cache_entries(&site), 3);
}

#[test]
fn a_session_follows_new_figures_and_edited_photographs() {
    let site = TestSite::new();
    site.write("content/articles/cave/a.jpg", jpeg(600, 400, None, None));
    site.write("content/articles/cave/b.jpg", jpeg(300, 200, None, None));
    site.write("content/articles/cave/index.md", format!("---\n{HEAD}\n---\n![a](a.jpg)\n"));
    let mut session = stele::serve::session::Session::new(site.options());
    session.rebuild().expect("first build");
    let same_as_full_build = |session: &stele::serve::session::Session| {
        let fresh = site.build_ok();
        let kept: BTreeMap<&str, &[u8]> = session.files().iter().map(|(p, b)| (&**p, &b[..])).collect();
        let fresh: BTreeMap<&str, &[u8]> = fresh.0.iter().map(|(p, b)| (p.as_str(), &b[..])).collect();
        assert!(kept == fresh, "the session's files are a full build's");
    };

    // A body edit that adds a figure of another photograph.
    site.write("content/articles/cave/index.md", format!("---\n{HEAD}\n---\n![a](a.jpg)\n\n![b](b.jpg)\n"));
    session.update(&["content/articles/cave/index.md".into()]).expect("a new figure");
    assert!(session.files().contains_key("articles/cave/b.300.webp"));
    same_as_full_build(&session);

    // An edited photograph.
    site.write("content/articles/cave/b.jpg", jpeg(200, 100, None, None));
    session.update(&["content/articles/cave/b.jpg".into()]).expect("an edited photograph");
    assert!(session.files().contains_key("articles/cave/b.200.webp"));
    assert!(!session.files().contains_key("articles/cave/b.300.webp"), "the old sizes are gone");
    same_as_full_build(&session);
}
