//! The repository's own microsite builds, and its pages say what they should.

mod common;
use common::TestSite;

#[test]
fn microsite_builds_every_kind_of_page() {
    let site = TestSite::microsite();
    let files = site.build_ok();
    for path in [
        "index.html",
        "articles/index.html",
        "institutions/index.html",
        "institutions/dunhuang-academy/index.html",
        "institutions/dunhuang-academy/rss.xml",
        "countries/index.html",
        "countries/china/index.html",
        "years/index.html",
        "years/2024/index.html",
        "about/index.html",
        "rss.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "style.css",
    ] {
        assert!(files.has(path), "missing {path}");
    }
    let academy = files.text("institutions/dunhuang-academy/index.html");
    assert!(academy.contains("lang=\"zh-Hans\""), "native name with its language");
}

#[test]
fn build_command_writes_public_and_reports() {
    let site = TestSite::microsite();
    let out = site.stele(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("built ") && stderr.contains(" pages"), "summary line: {stderr}");
    assert!(site.path("public/index.html").is_file());
}
