//! Deploy-ready output, checked by third-party validators and by the rules a
//! static host, a crawler and a link preview rely on.
//!
//! The validators are real programs that `tests/setup.sh` installs: the Nu
//! HTML checker (vnu.jar, run with java) over every page of the microsite,
//! and xmllint with the sitemap schema. A missing tool fails its test with
//! the hint to run the setup script; it is never skipped silently.

mod common;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use common::{Files, TestSite, read_tree, repo_root};
use lol_html::{RewriteStrSettings, element, rewrite_str};
use stele::check::links::Resolved;

const SETUP_HINT: &str = "run `bash tests/setup.sh` to install the validators the test suite uses";

/// Builds `site` with the real binary into a fresh folder and returns it (kept alive by the guard).
fn build_to_disk(site: &TestSite, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("public");
    let mut args = vec!["build", "--output", out.to_str().expect("UTF-8 temp path")];
    args.extend_from_slice(extra);
    let run = site.stele(&args);
    assert!(run.status.success(), "stele {args:?} failed:\n{}", String::from_utf8_lossy(&run.stderr));
    (dir, out)
}

/// A program the validators need, or a failure that says how to get it.
fn tool(program: &str, version_flag: &str) -> String {
    match Command::new(program).arg(version_flag).output() {
        Ok(_) => program.to_string(),
        Err(e) => panic!("`{program}` is not available ({e}): {SETUP_HINT}"),
    }
}

fn vnu_jar() -> PathBuf {
    let jar = repo_root().join("target/test-tools/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(jar.is_file(), "the Nu HTML checker is missing at `{}`: {SETUP_HINT}", jar.display());
    jar
}

/// The sitemaps.org schema, as the npm package `sitemap` ships it (installed
/// by tests/setup.sh): nothing outside the checkout is needed.
/// The sitemap protocol's schema, with the `xhtml:link` alternates search
/// engines read (rel, hreflang, href) declared in the XHTML namespace: the
/// protocol's schema admits elements of other namespaces only when a schema
/// declares them.
fn sitemap_schema() -> PathBuf {
    let xsd = repo_root().join("target/test-tools/node_modules/sitemap/schema/sitemap.xsd");
    assert!(xsd.is_file(), "the sitemap schema is missing at `{}`: {SETUP_HINT}", xsd.display());
    let dir = repo_root().join("target/test-tools/sitemap-with-alternates");
    std::fs::create_dir_all(&dir).expect("a folder for the schemas");
    std::fs::write(
        dir.join("xhtml-link.xsd"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/1999/xhtml" elementFormDefault="qualified">
  <xsd:element name="link">
    <xsd:complexType>
      <xsd:attribute name="rel" use="required"><xsd:simpleType><xsd:restriction base="xsd:string"><xsd:enumeration value="alternate"/></xsd:restriction></xsd:simpleType></xsd:attribute>
      <xsd:attribute name="hreflang" use="required"><xsd:simpleType><xsd:restriction base="xsd:string"><xsd:pattern value="x-default|[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*"/></xsd:restriction></xsd:simpleType></xsd:attribute>
      <xsd:attribute name="href" type="xsd:anyURI" use="required"/>
    </xsd:complexType>
  </xsd:element>
</xsd:schema>
"#,
    )
    .expect("write the xhtml:link schema");
    let driver = dir.join("sitemap-with-alternates.xsd");
    std::fs::write(
        &driver,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9" schemaLocation="{}"/>
  <xsd:import namespace="http://www.w3.org/1999/xhtml" schemaLocation="xhtml-link.xsd"/>
</xsd:schema>
"#,
            xsd.display()
        ),
    )
    .expect("write the schema driver");
    driver
}

/// A JPEG of `w` × `h` made here (the microsite has no photographs of its own).
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).expect("encode");
    out
}

/// An article with every kind of picture (lead figure, figure block, inline
/// image, IIIF), added to a copy of the microsite for the checks below.
fn add_photographs(site: &TestSite) {
    site.write("content/articles/with-photographs/wall.jpg", jpeg(900, 600));
    site.write("content/articles/with-photographs/detail.jpg", jpeg(300, 400));
    site.write(
        "content/articles/with-photographs/index.md",
        concat!(
            "---\ntitle: Photographs of a wall\ndate: 2024-12-02\ninstitutions: [Dunhuang Academy]\n",
            "image:\n  src: wall.jpg\n  alt: A wall\n  caption: The wall\n  credit: A photographer\n",
            "  rights: https://creativecommons.org/licenses/by/4.0/\n---\n",
            "Text with ![a detail](detail.jpg) inline.\n\n",
            "```figure\nsrc: detail.jpg\nalt: The detail\ncaption: A detail\nrights: http://rightsstatements.org/vocab/InC/1.0/\n```\n\n",
            "```figure\niiif: https://iiif.example.org/iiif/3/abc\nwidth: 2000\nheight: 1500\nalt: A scroll\ncredit: A museum\n```\n",
        ),
    );
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let java = tool("java", "-version");
    let jar = vnu_jar();
    let site = TestSite::microsite();
    add_photographs(&site);
    let (_guard, out) = build_to_disk(&site, &[]);
    let pages = read_tree(&out).keys().filter(|p| p.ends_with(".html")).count();
    assert!(pages > 30, "the microsite has many pages, found {pages}");
    let run = Command::new(java)
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html"])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run java: {e}: {SETUP_HINT}"));
    let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success() && report.trim().is_empty(), "the Nu HTML checker found errors:\n{report}");
}

#[test]
fn sitemap_validates_against_the_schema_and_feeds_are_well_formed() {
    let xmllint = tool("xmllint", "--version");
    let xsd = sitemap_schema();
    let microsite = TestSite::microsite();
    // Date-times with offsets as well as plain dates, in every kind of lastmod.
    let moments = TestSite::new();
    moments.article(
        "moment",
        "title: A moment\ndate: 2024-03-12T10:30:00+08:00\nupdated: 2024-04-02T08:00:00-05:00\ninstitutions: [Dunhuang Academy]",
        "Text.",
    );
    moments.simple_article("plain", "A plain date", "2024-03-01", &["Guimet National Museum of Asian Arts"]);
    moments.write("content/pages/about.md", "---\ntitle: About\nupdated: 2024-05-06T07:08:09Z\n---\nAbout.\n");
    // A month and a year, which the schema cannot take: left out, the sitemap still validates.
    moments.simple_article("month", "A month", "2024-06", &["Dunhuang Academy"]);
    moments.simple_article("year", "A year", "2025", &["Dunhuang Academy"]);
    moments.write("content/pages/history.md", "---\ntitle: History\nupdated: 2024-05\n---\nHistory.\n");
    let builds: [(&TestSite, &[&str]); 3] =
        [(&microsite, &[]), (&microsite, &["--base-url", "https://example.org/"]), (&moments, &[])];
    for (site, extra) in builds {
        let (_guard, out) = build_to_disk(site, extra);
        let run = Command::new(&xmllint)
            .args(["--noout", "--schema"])
            .arg(&xsd)
            .arg(out.join("sitemap.xml"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run xmllint: {e}: {SETUP_HINT}"));
        assert!(
            run.status.success(),
            "sitemap.xml does not validate:\n{}{}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr),
            std::fs::read_to_string(out.join("sitemap.xml")).unwrap_or_default()
        );
        let feeds: Vec<PathBuf> = read_tree(&out).keys().filter(|p| p.ends_with(".xml")).map(|p| out.join(p)).collect();
        let run = Command::new(&xmllint).arg("--noout").args(&feeds).output().expect("run xmllint");
        assert!(run.status.success(), "not well-formed:\n{}", String::from_utf8_lossy(&run.stderr));
    }
}

/// The `<url>`s of a sitemap: loc -> lastmod.
fn sitemap(files: &Files) -> BTreeMap<String, Option<String>> {
    let xml = files.text("sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("sitemap.xml is not XML ({e}):\n{xml}"));
    let text = |node: roxmltree::Node, name: &str| {
        node.children().find(|n| n.has_tag_name(name)).and_then(|n| n.text()).map(str::to_string)
    };
    let mut urls = BTreeMap::new();
    for url in doc.root_element().children().filter(|n| n.has_tag_name("url")) {
        let loc = text(url, "loc").expect("a <loc>");
        assert!(urls.insert(loc.clone(), text(url, "lastmod")).is_none(), "{loc} listed twice");
    }
    urls
}

/// The absolute URL of every generated HTML page but 404.html.
fn html_pages(files: &Files, base: &str) -> BTreeSet<String> {
    files
        .paths()
        .into_iter()
        .filter(|p| p.ends_with("index.html"))
        .map(|p| format!("{base}{}", p.trim_end_matches("index.html")))
        .collect()
}

/// Whether `text` is a W3C date or date-time with an offset, as sitemaps take.
fn is_w3c_date(text: &str) -> bool {
    (text.len() == 10 && text.parse::<jiff::civil::Date>().is_ok())
        || (text.contains('T') && text.parse::<jiff::Timestamp>().is_ok())
}

#[test]
fn sitemap_lists_every_page_with_its_lastmod() {
    let site = TestSite::microsite();
    let files = site.build_ok();
    let base = "https://example.org/heritage/";
    let urls = sitemap(&files);
    let listed: BTreeSet<String> = urls.keys().cloned().collect();
    assert_eq!(listed, html_pages(&files, base), "the sitemap lists exactly the HTML pages");
    assert!(!listed.iter().any(|u| u.contains("404")), "404.html is not a page to index");
    assert!(files.has("404.html"));
    let mut undated: Vec<&str> = Vec::new();
    for (loc, lastmod) in &urls {
        match lastmod {
            Some(lastmod) => assert!(is_w3c_date(lastmod), "{loc}: `{lastmod}` is not a W3C date"),
            None => undated.push(loc.strip_prefix(base).unwrap_or(loc)),
        }
    }
    // Exactly the pages whose last change is known to the month or the year
    // have none: the articles so dated, a page without `updated`, and the
    // listings whose newest article is one of those articles.
    // Article pages (`articles/<slug>/`), not the listing's pages.
    let articles: Vec<&str> =
        undated.iter().copied().filter(|p| p.starts_with("articles/") && p.matches('/').count() == 2).collect();
    let of_a_month_or_a_year = [
        "china-france-60th-anniversary-heritage-exchanges",
        "dunhuang-guimet-global-digital-sharing",
        "dunhuang-guimet-library-cave-digital-library",
        "gansu-cave-art-and-relic-conservation",
        "mogao-grottoes-in-figures",
        "northwest-normal-university-fsp-agreement",
        "nwnu-fsp-joint-laboratory-heritage-preservation",
        "qinshihuang-mausoleum-fsp-wood-and-earth-studies",
        "qinshihuang-mausoleum-notre-dame-wood-restoration",
    ];
    assert_eq!(articles, of_a_month_or_a_year.map(|slug| format!("articles/{slug}/")));
    for page in ["about/", "years/2020/", "countries/france/", "institutions/fondation-des-sciences-du-patrimoine/"] {
        assert!(undated.contains(&page), "{page} has no date to give: {undated:?}");
    }
    // The newest article is dated to a month (2024-11): the listings that
    // start with it have no day to give either.
    for page in ["", "articles/", "articles/page/2/", "institutions/", "countries/", "years/", "years/2024/"] {
        assert_eq!(urls[&format!("{base}{page}")].as_deref(), None, "lastmod of /{page}");
    }
    assert_eq!(urls[&format!("{base}years/2019/")].as_deref(), Some("2019-10-20"));
    assert_eq!(urls[&format!("{base}institutions/palace-museum/")].as_deref(), Some("2019-10-20"));
}

#[test]
fn lastmod_follows_updates() {
    let site = TestSite::new();
    site.article(
        "digital-library",
        "title: A digital library\ndate: 2024-03-01\nupdated: 2024-05-02T09:00:00+02:00\ninstitutions: [Dunhuang Academy, Guimet National Museum of Asian Arts]",
        "Updated in May.",
    );
    site.simple_article("exhibition", "An exhibition", "2024-04-01", &["Guimet National Museum of Asian Arts"]);
    site.simple_article("older", "An older one", "2023-01-10", &["Dunhuang Academy"]);
    site.write("content/pages/about.md", "---\ntitle: About\nupdated: 2024-02-03\n---\nAbout us.\n");
    let files = site.build_ok();
    let urls = sitemap(&files);
    let lastmod = |page: &str| urls[&format!("https://example.org/{page}")].clone();
    let updated = Some("2024-05-02T07:00:00+00:00".to_string());
    assert_eq!(lastmod("articles/digital-library/"), updated, "updated, in the site's time zone");
    assert_eq!(lastmod("articles/exhibition/").as_deref(), Some("2024-04-01"), "else the date");
    assert_eq!(lastmod(""), updated, "a listing changes when one of its articles does");
    assert_eq!(lastmod("articles/page/2/"), updated);
    assert_eq!(lastmod("institutions/dunhuang-academy/"), updated);
    assert_eq!(lastmod("countries/france/"), updated);
    assert_eq!(lastmod("years/2023/").as_deref(), Some("2023-01-10"));
    assert_eq!(lastmod("about/").as_deref(), Some("2024-02-03"));
    assert!(urls.values().flatten().all(|d| is_w3c_date(d)), "{urls:?}");
}

/// The sitemap's schema takes a whole date or date-time only, so a page whose
/// last change is known to the month or the year gets no `<lastmod>` rather
/// than a day nobody knows; a listing takes its newest article's.
#[test]
fn lastmod_gives_no_day_that_is_not_known() {
    let site = TestSite::new();
    site.simple_article("day", "A day", "2024-03-12", &["Guimet National Museum of Asian Arts"]);
    site.simple_article("month", "A month", "2024-03", &["Dunhuang Academy"]);
    site.simple_article("year", "A year", "2023", &["Dunhuang Academy"]);
    site.article(
        "month-updated",
        "title: Updated on a day\ndate: 2022-05\nupdated: 2024-01-02\ninstitutions: [Dunhuang Academy]",
        "Text.",
    );
    site.write("content/pages/about.md", "---\ntitle: About\nupdated: 2024-02\n---\nAbout us.\n");
    let urls = sitemap(&site.build_ok());
    let lastmod = |page: &str| urls[&format!("https://example.org/{page}")].clone();
    assert_eq!(lastmod("articles/day/").as_deref(), Some("2024-03-12"));
    assert_eq!(lastmod("articles/month/"), None, "March 2024 has no day to give");
    assert_eq!(lastmod("articles/year/"), None);
    assert_eq!(lastmod("articles/month-updated/").as_deref(), Some("2024-01-02"), "its update has a day");
    assert_eq!(lastmod("about/"), None);
    assert_eq!(lastmod("").as_deref(), Some("2024-03-12"), "the newest change, 12 March, has a day");
    assert_eq!(lastmod("institutions/dunhuang-academy/"), None, "its newest change is March 2024 alone");
    assert_eq!(lastmod("years/2023/"), None);
    assert!(urls.values().flatten().all(|d| is_w3c_date(d)), "{urls:?}");
}

#[test]
fn robots_points_at_the_sitemap() {
    let site = TestSite::microsite();
    let files = site.build_ok();
    let robots = files.text("robots.txt");
    assert!(robots.lines().any(|l| l == "Sitemap: https://example.org/heritage/sitemap.xml"), "{robots}");
    assert!(robots.lines().any(|l| l == "User-agent: *"), "{robots}");
}

/// An attribute value as the browser reads it (the references Tera writes decoded).
fn unescape(value: &str) -> String {
    [("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
        .iter()
        .fold(value.to_string(), |text, (reference, c)| text.replace(reference, c))
}

/// Every `<meta>` (by `property` or `name`) and `<link rel>` of a page's HTML.
fn head_of(html: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let metas = RefCell::new(BTreeMap::new());
    let links = RefCell::new(BTreeMap::new());
    let handlers = vec![
        element!("meta[content]", |el| {
            if let Some(key) = el.get_attribute("property").or_else(|| el.get_attribute("name")) {
                metas.borrow_mut().insert(key, unescape(&el.get_attribute("content").unwrap_or_default()));
            }
            Ok(())
        }),
        element!("link[rel][href]", |el| {
            let rel = el.get_attribute("rel").unwrap_or_default();
            links.borrow_mut().entry(rel).or_insert_with(|| unescape(&el.get_attribute("href").unwrap_or_default()));
            Ok(())
        }),
    ];
    rewrite_str(html, RewriteStrSettings { element_content_handlers: handlers, ..RewriteStrSettings::new() })
        .expect("HTML");
    (metas.into_inner(), links.into_inner())
}

#[test]
fn every_article_has_canonical_and_social_meta() {
    let site = TestSite::microsite();
    site.write("content/articles/with-image/cave.jpg", jpeg(64, 48));
    site.write(
        "content/articles/with-image/index.md",
        "---\ntitle: A cave & its ceiling\ndate: 2024-12-01T09:30:00+08:00\ninstitutions: [Dunhuang Academy]\nsummary: The ceiling of a cave.\nimage: { src: cave.jpg, alt: Ceiling of the cave }\n---\nText.\n",
    );
    let loaded = stele::build::load(&site.options()).unwrap_or_else(|e| panic!("{e}"));
    let files = site.build_ok();
    let base = "https://example.org/heritage/";
    let config = &loaded.site.config;
    for a in &loaded.site.articles {
        let prefix = if a.lang == config.language { String::new() } else { format!("{}/", a.lang) };
        let page = format!("{prefix}articles/{}/index.html", a.slug);
        let permalink = format!("{base}{prefix}articles/{}/", a.slug);
        let (meta, links) = head_of(&files.text(&page));
        assert_eq!(links.get("canonical"), Some(&permalink), "{page}: canonical link");
        let expect = |key: &str, value: &str| {
            assert_eq!(meta.get(key).map(String::as_str), Some(value), "{page}: {key}");
        };
        expect("og:type", "article");
        expect("og:url", &permalink);
        expect("og:title", &a.title);
        expect("twitter:title", &a.title);
        expect("og:description", &a.summary);
        expect("twitter:description", &a.summary);
        expect("description", &a.summary);
        expect("og:site_name", &config.lang(&a.lang).expect("a language of the site").title);
        expect("article:published_time", &a.date.iso());
        assert!(!a.summary.is_empty(), "{page}: a description to show");
        match &a.image {
            Some(image) => {
                // The widest size of the photograph, beside the page.
                let src = image.src.as_deref().expect("a local image");
                let widest = format!("{permalink}{}.64.jpg", src.trim_end_matches(".jpg"));
                expect("og:image", &widest);
                expect("twitter:image", &widest);
                expect("og:image:alt", image.alt.as_str());
                expect("twitter:card", "summary_large_image");
            }
            None => {
                assert!(!meta.contains_key("og:image"), "{page}: no image, no og:image");
                expect("twitter:card", "summary");
            }
        }
    }
    assert!(loaded.site.articles.iter().any(|a| a.image.is_some()), "the image case is covered");
}

#[test]
fn base_url_flag_overrides_site_toml() {
    let site = TestSite::microsite();
    let (_guard, out) = build_to_disk(&site, &["--base-url", "https://user.example.io/project/"]);
    let files = read_tree(&out);
    let text = |p: &str| String::from_utf8(files[p].clone()).expect("UTF-8");
    for (path, bytes) in &files {
        if path.ends_with(".html") || path.ends_with(".xml") || path.ends_with(".txt") {
            let content = String::from_utf8_lossy(bytes);
            assert!(!content.contains("example.org"), "{path} still names the base URL of site.toml");
            assert!(!content.contains("\"/heritage/"), "{path} still uses the sub-path of site.toml");
        }
    }
    let index = text("index.html");
    let css = files.keys().find(|p| p.starts_with("style.") && p.ends_with(".css")).expect("the stylesheet");
    assert!(index.contains(&format!(r#"href="/project/{css}""#)), "assets under the new sub-path");
    assert!(index.contains(r#"<link rel="canonical" href="https://user.example.io/project/">"#));
    assert!(text("sitemap.xml").contains("<loc>https://user.example.io/project/articles/</loc>"));
    assert!(text("rss.xml").contains("<atom:link href=\"https://user.example.io/project/rss.xml\""));
    assert!(text("robots.txt").contains("Sitemap: https://user.example.io/project/sitemap.xml"));

    let bad = site.stele(&["build", "--base-url", "user.example.io/project", "--output", "elsewhere"]);
    assert_eq!(bad.status.code(), Some(2), "a bad --base-url is a usage error");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--base-url"), "the message names the flag");
    assert!(!site.path("elsewhere").exists(), "nothing written");
}

/// Every URL an HTML document refers to, as written: `href`, `src`, each
/// `srcset` candidate, and the URLs of link previews (`og:url`, `og:image`, ...).
fn urls_in_html(html: &[u8]) -> Vec<String> {
    let found = RefCell::new(Vec::new());
    let handlers = vec![
        element!("[href], [src], [srcset]", |el| {
            for name in ["href", "src"] {
                found.borrow_mut().extend(el.get_attribute(name));
            }
            if let Some(srcset) = el.get_attribute("srcset") {
                for candidate in srcset.split(',') {
                    found.borrow_mut().extend(candidate.split_whitespace().next().map(str::to_string));
                }
            }
            Ok(())
        }),
        element!("meta[content]", |el| {
            let key = el.get_attribute("property").or_else(|| el.get_attribute("name")).unwrap_or_default();
            if key.ends_with(":url") || key.ends_with(":image") {
                found.borrow_mut().extend(el.get_attribute("content"));
            }
            Ok(())
        }),
    ];
    let html = String::from_utf8_lossy(html);
    rewrite_str(&html, RewriteStrSettings { element_content_handlers: handlers, ..RewriteStrSettings::new() })
        .expect("HTML");
    found.into_inner()
}

/// Every URL of a feed or sitemap (`loc`, `link`, `guid`, `atom:link`), plus
/// those inside item descriptions; with `&` written as HTML writes it.
fn urls_in_xml(xml: &[u8]) -> Vec<String> {
    let xml = String::from_utf8_lossy(xml);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not XML ({e})"));
    let mut urls = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "loc" | "link" | "guid" => urls.extend(node.text().map(|t| t.replace('&', "&amp;"))),
            "description" if node.parent().is_some_and(|p| p.has_tag_name("item")) => {
                urls.extend(urls_in_html(node.text().unwrap_or_default().as_bytes()));
            }
            _ => {}
        }
        urls.extend(node.attribute("href").map(|t| t.replace('&', "&amp;")));
    }
    urls
}

/// Everything wrong with the links of the microsite built with `base_url`:
/// the internal link check over every page (a file or `#fragment` that is not
/// there), plus what it cannot see: a URL of this host outside the base path
/// (which the check counts as another site's), and a URL in a feed or the
/// sitemap that leads to no file.
fn link_problems(base_url: &str) -> Vec<String> {
    let site = TestSite::microsite();
    let mut options = site.options();
    options.base_url = Some(base_url.to_string());
    let files = stele::build::build_in_memory(&options).unwrap_or_else(|e| panic!("build failed:\n{e}"));
    let base = stele::config::BaseUrl::parse(base_url).expect("a valid base URL");
    let mut problems: Vec<String> = stele::check::links::check_links(&files, &base)
        .into_iter()
        .map(|b| format!("{}: `{}`: {}", b.page, b.target, b.message))
        .collect();
    for (path, bytes) in &files {
        let (urls, is_xml) = if stele::check::links::is_html(path) {
            (urls_in_html(bytes), false)
        } else if path.ends_with(".xml") {
            (urls_in_xml(bytes), true)
        } else {
            continue;
        };
        let page = base.as_url().join(path).expect("a page URL");
        for url in urls {
            match stele::check::links::resolve(path, &url, &base) {
                Resolved::Internal { file, .. } if is_xml && !files.contains_key(&file) => {
                    problems.push(format!("{path}: `{url}` leads to no file"));
                }
                Resolved::Internal { .. } => {}
                Resolved::External => {
                    if page.join(&url).is_ok_and(|u| u.origin() == base.as_url().origin()) {
                        problems.push(format!("{path}: `{url}` is outside the base path `{}`", base.path()));
                    }
                }
                Resolved::Invalid(why) => problems.push(format!("{path}: `{url}`: {why}")),
                Resolved::OutsideBase(outside) => {
                    problems.push(format!("{path}: `{url}` leads to `{outside}`, outside the base path"));
                }
            }
        }
    }
    problems
}

#[test]
fn no_broken_link_with_a_root_base_url() {
    let problems = link_problems("https://example.org/");
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}

#[test]
fn no_broken_link_with_a_sub_path_base_url() {
    let problems = link_problems("https://example.org/heritage/");
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}
