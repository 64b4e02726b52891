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

/// Dates for readers are written in the theme's words, never in words of
/// stele's own: a theme's strings file for the site's language decides them.
#[test]
fn dates_and_month_names_come_from_the_theme_strings() {
    let site = TestSite::new();
    site.write("site.toml", common::SITE_TOML.replace("paginate", "language = \"fr\"\npaginate"));
    site.simple_article("a", "Un article", "2024-03-12", &["Dunhuang Academy"]);
    site.simple_article("m", "Un mois", "2024-05", &["Dunhuang Academy"]);
    site.simple_article("y", "Une année", "2024", &["Dunhuang Academy"]);
    let months = (1..=12).map(|m| format!("\"mois{m}\"")).collect::<Vec<_>>().join(", ");
    site.write(
        "themes/heritage/strings/fr.toml",
        format!(
            "date = \"le {{day}} {{month}} {{year}}\"\nmonth_date = \"en {{month}} {{year}}\"\n\
             year_date = \"l’année {{year}}\"\nyear_group = \"Courant {{year}}\"\nmonths = [{months}]\n"
        ),
    );
    let files = site.build_ok();
    assert!(files.text("articles/a/index.html").contains("le 12 mois3 2024"));
    assert!(files.text("articles/m/index.html").contains(">en mois5 2024</time>"));
    assert!(files.text("articles/y/index.html").contains(">l’année 2024</time>"));
    let year = files.text("years/2024/index.html");
    assert!(year.contains("mois3") && year.contains(">Courant 2024</h2>"), "{year}");
    assert!(!year.contains("March") && !year.contains("Sometime"), "{year}");

    // A language without a strings file gets the heritage theme's English words.
    site.remove("themes/heritage/strings/fr.toml");
    site.remove("themes/heritage/strings/en.toml");
    assert!(site.build_ok().text("articles/a/index.html").contains("12 March 2024"));
}

#[test]
fn a_mistake_in_the_strings_file_is_reported_at_its_line() {
    let site = TestSite::new();
    site.write("themes/heritage/strings/en.toml", "date = \"{day} {month} {year}\"\nmonths = 12\n");
    let err = site.build_err();
    assert!(err.contains("themes/heritage/strings/en.toml:2:10:"), "{err}");
}
