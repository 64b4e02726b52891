//! What a theme may leave out: a theme without feed, sitemap or robots.txt
//! templates still gets them, from stele's own.

mod common;
use common::TestSite;

#[test]
fn a_theme_without_machine_templates_gets_the_built_in_ones() {
    let site = TestSite::new();
    site.simple_article("a", "An article", "2024-03-12", &["Dunhuang Academy"]);
    for name in ["rss.xml", "sitemap.xml", "sitemap_index.xml", "robots.txt"] {
        site.remove(&format!("themes/heritage/templates/{name}"));
    }
    let files = site.build_ok();
    let feed = files.text("rss.xml");
    assert!(feed.contains("<link>https://example.org/articles/a/</link>"), "{feed}");
    assert!(files.text("sitemap.xml").contains("<loc>https://example.org/articles/a/</loc>"));
    assert!(files.text("robots.txt").contains("Sitemap: https://example.org/sitemap.xml"));
    assert!(files.has("institutions/dunhuang-academy/rss.xml"));
}

#[test]
fn a_site_template_still_overrides_a_built_in_one() {
    let site = TestSite::new();
    site.remove("themes/heritage/templates/robots.txt");
    site.write("templates/robots.txt", "User-agent: *\nDisallow: /\n");
    assert_eq!(site.build_ok().text("robots.txt"), "User-agent: *\nDisallow: /\n");
}
