//! What readers see: the home page's headline and lead story, the main
//! navigation's `aria-current`, the years archive, typographic punctuation
//! and Chinese names, and summaries of even length (issue 13).

mod common;

use common::{SITE_TOML, TestSite};

/// The `<a ...>` tag of the main navigation whose text is `label`.
fn nav_link<'p>(page: &'p str, label: &str) -> &'p str {
    let nav = &page[page.find("<nav class=\"site-nav\"").expect("the main navigation")..];
    let end = nav.find(&format!(">{label}</a>")).unwrap_or_else(|| panic!("no `{label}` link in {nav}"));
    &nav[nav[..end].rfind("<a ").expect("its tag")..end]
}

/// The titles of the home page's cards, in order.
fn home_titles(page: &str) -> Vec<String> {
    page.split("class=\"card-title\"><a href=\"")
        .skip(1)
        .filter_map(|rest| Some(rest.split_once("\">")?.1.split_once("</a>")?.0.to_string()))
        .collect()
}

#[test]
fn the_home_page_leads_with_the_news_not_the_site_name() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    let home = site.build_ok().text("index.html");
    let h1 = &home[home.find("<h1").expect("an h1")..];
    let h1 = &h1[..h1.find("</h1>").expect("its end")];
    assert!(h1.ends_with(">Latest news"), "{h1}");
    assert!(!h1.contains("Test Heritage"));
}

#[test]
fn the_lead_story_is_the_broadest_of_the_newest_day_unless_one_is_featured() {
    let site = TestSite::new();
    site.write("site.toml", SITE_TOML.replace("paginate = 2", "paginate = 10"));
    site.simple_article("older", "An older story", "2024-03-01", &["Dunhuang Academy", "Guimet"]);
    site.simple_article("narrow", "A narrow story", "2024-03-05", &["Dunhuang Academy"]);
    site.simple_article("broad", "Broad story", "2024-03-05", &["Dunhuang Academy", "Guimet"]);
    assert_eq!(home_titles(&site.build_ok().text("index.html")), ["Broad story", "A narrow story", "An older story"]);

    site.article(
        "older",
        "title: An older story\ndate: 2024-03-01\ninstitutions: [Dunhuang Academy]\nfeatured: true",
        "Chosen by the editors.",
    );
    // The others follow in the site's order: newest first, then by title.
    assert_eq!(home_titles(&site.build_ok().text("index.html")), ["An older story", "A narrow story", "Broad story"]);
    // Listings keep their order: newest first.
    let listing = site.build_ok().text("articles/index.html");
    let broad = listing.find("Broad story").expect("listed");
    assert!(broad < listing.find("An older story").expect("listed"));
}

#[test]
fn aria_current_is_page_only_on_the_section_page_itself() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    let files = site.build_ok();
    let listing = files.text("articles/index.html");
    assert!(nav_link(&listing, "Articles").contains("aria-current=\"page\""), "{}", nav_link(&listing, "Articles"));
    let article = files.text("articles/one/index.html");
    assert!(nav_link(&article, "Articles").contains("aria-current=\"true\""), "{}", nav_link(&article, "Articles"));
    assert!(!article.contains("aria-current=\"page\""), "an article is not a section's page");
    let profile = files.text("institutions/dunhuang-academy/index.html");
    assert!(nav_link(&profile, "Institutions").contains("aria-current=\"true\""));
    assert!(!nav_link(&profile, "Articles").contains("aria-current"));
    let years = files.text("years/index.html");
    assert!(nav_link(&years, "Years").contains("aria-current=\"page\""));
    assert!(nav_link(&files.text("years/2024/index.html"), "Years").contains("aria-current=\"true\""));
}

#[test]
fn the_years_archive_says_which_years_are_skipped() {
    let site = TestSite::new();
    for (slug, date) in [("a", "2024-01-01"), ("b", "2022-01-01"), ("c", "2018-01-01"), ("d", "2017-01-01")] {
        site.simple_article(slug, slug, date, &["Dunhuang Academy"]);
    }
    let years = site.build_ok().text("years/index.html");
    assert!(years.contains("No articles in 2023</li>"), "{years}");
    assert!(years.contains("No articles in 2019–2021</li>"), "{years}");
    assert_eq!(years.matches("No articles in").count(), 2, "none between 2018 and 2017: {years}");
    assert!(!years.contains("year-bar"), "no bar that reads as an underline");
}

#[test]
fn titles_summaries_and_names_get_typographic_punctuation() {
    let site = TestSite::bare();
    site.write(
        "content/institutions/qin.md",
        "---\nname: Emperor Qinshihuang's Mausoleum Site Museum\ncountry: China\ncity: Xi'an\n---\nThe museum.\n",
    );
    site.article(
        "walls",
        "title: Xi'an's \"walls\" -- a study\ndate: 2024-03-01\ninstitutions: [Emperor Qinshihuang's Mausoleum Site Museum]\nsummary: It's about the walls.",
        "Xi'an's walls are old.",
    );
    let files = site.build_ok();
    let page = files.text("articles/walls/index.html");
    assert!(page.contains("Xi’an’s “walls” – a study"), "the title: {page}");
    assert!(page.contains("<p>Xi’an’s walls are old.</p>"), "the body, as before");
    assert!(!page.contains("Xi'an") && !page.contains("Xi&#x27;an"), "{page}");
    let home = files.text("index.html");
    assert!(home.contains("It’s about the walls.") && home.contains("Emperor Qinshihuang’s Mausoleum"), "{home}");
    let profile = files.text("institutions/qin/index.html");
    assert!(profile.contains("<dd>Xi’an</dd>"), "the city too: {profile}");
    assert!(!profile.contains("&#39;") && !profile.contains("&#x27;"), "{profile}");
}

#[test]
fn chinese_names_in_article_text_are_marked_and_summaries_are_cut_evenly() {
    let site = TestSite::new();
    let long = "The Dunhuang Academy (敦煌研究院) and the Guimet museum met in Paris to plan a digital library of the manuscripts of the Library Cave. The library will hold scans, transcriptions and notes, and it will be open to researchers everywhere from the first day. A third sentence that makes the paragraph far too long for a card in a listing.";
    site.article("plan", "title: A plan\ndate: 2024-03-01\ninstitutions: [Dunhuang Academy]", long);
    let files = site.build_ok();
    let page = files.text("articles/plan/index.html");
    assert!(page.contains("(<span lang=\"zh\" class=\"zh\">敦煌研究院</span>)"), "{page}");
    let home = files.text("index.html");
    let summary = home.split("<p class=\"summary\">").nth(1).and_then(|s| s.split("</p>").next()).expect("a summary");
    assert!(summary.ends_with("Library Cave."), "cut at the end of a sentence: {summary}");
    assert!(summary.chars().count() <= 220, "{summary}");
    assert!(summary.contains("(<span lang=\"zh\" class=\"zh\">敦煌研究院</span>)"), "marked in the card: {summary}");

    // Titles too, escaped as before.
    site.article(
        "zh-title",
        "title: The <Dunhuang> Academy 敦煌研究院\ndate: 2024-03-02\ninstitutions: [Dunhuang Academy]",
        "B.",
    );
    let page = site.build_ok().text("articles/zh-title/index.html");
    assert!(
        page.contains("<h1>The &lt;Dunhuang&gt; Academy <span lang=\"zh\" class=\"zh\">敦煌研究院</span></h1>"),
        "{page}"
    );
    assert!(page.contains("<title>The &lt;Dunhuang&gt; Academy 敦煌研究院 · "), "no markup in <title>: {page}");
}
