//! The in-memory session that `serve` answers from: after any series of
//! edits, its files are byte for byte those of a full build from scratch, and
//! a body edit re-renders only what shows the article in full.

mod common;
use std::collections::BTreeMap;
use std::path::PathBuf;

use common::TestSite;
use stele::build::build_in_memory;
use stele::serve::session::Session;

const ARTICLE: &str = "content/articles/dunhuang-guimet-library-cave-digital-library.md";

/// The session's files equal a fresh build of the sources as they are now.
fn assert_matches_full_build(site: &TestSite, session: &Session) {
    let fresh = build_in_memory(&site.options()).expect("a full build");
    let kept: BTreeMap<String, Vec<u8>> = session.files().iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect();
    assert_eq!(kept.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>(), "the same files");
    for (path, bytes) in &fresh {
        assert!(kept[path] == *bytes, "`{path}` differs from a full build");
    }
}

fn edit(site: &TestSite, rel: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.path(rel)).expect("read");
    assert!(text.contains(from), "`{rel}` contains `{from}`");
    site.write(rel, text.replacen(from, to, 1));
}

#[test]
fn edits_keep_the_session_equal_to_a_full_build() {
    let site = TestSite::microsite();
    let mut session = Session::new(site.options());
    session.rebuild().expect("first build");
    assert_matches_full_build(&site, &session);
    let changed = |rel: &str| vec![PathBuf::from(rel)];

    // A body edit: only the article and the feeds that carry it are rendered again.
    edit(&site, ARTICLE, "## What the two sides will do", "## What the two partners will do");
    let update = session.update(&changed(ARTICLE)).expect("body edit");
    assert!(update.incremental, "a body edit is incremental");
    let page = "articles/dunhuang-guimet-library-cave-digital-library/index.html";
    assert!(update.changed.contains(&page.to_string()), "{:?}", update.changed);
    let others = |p: &String| p == page || p.ends_with("rss.xml") || p.starts_with("search/") || p.contains("/search/");
    assert!(update.changed.iter().all(others), "{:?}", update.changed);
    assert!(String::from_utf8_lossy(&session.files()[page]).contains("What the two partners will do"));
    assert_matches_full_build(&site, &session);

    // The same bytes again: nothing changes.
    let update = session.update(&changed(ARTICLE)).expect("touch");
    assert!(update.changed.is_empty(), "{:?}", update.changed);

    // A new title moves the article in listings and neighbour links.
    edit(&site, ARTICLE, "title: ", "title: Renamed — ");
    let update = session.update(&changed(ARTICLE)).expect("title edit");
    assert!(update.incremental, "a title edit is put in place");
    assert_matches_full_build(&site, &session);

    // A new date moves it to another year.
    edit(&site, ARTICLE, "date: 2024-03", "date: 2021-01-05");
    session.update(&changed(ARTICLE)).expect("date edit");
    assert_matches_full_build(&site, &session);

    // A day made a month: shown, sorted and dated in the sitemap as a month.
    edit(&site, ARTICLE, "date: 2021-01-05", "date: 2021-01");
    session.update(&changed(ARTICLE)).expect("day to month");
    assert_matches_full_build(&site, &session);
    let page = String::from_utf8_lossy(&session.files()["years/2021/index.html"]).into_owned();
    assert!(page.contains("<time datetime=\"2021-01\">January 2021</time>"), "{page}");

    // Other institutions change its index pages and feeds.
    edit(&site, ARTICLE, "  - Guimet National Museum of Asian Arts", "  - Peking University");
    session.update(&changed(ARTICLE)).expect("institutions edit");
    assert_matches_full_build(&site, &session);

    // A broken edit keeps the last good files; the fix brings the site back in step.
    let before = session.files().clone();
    edit(&site, ARTICLE, "  - Peking University", "  - Peking Universty");
    let err = session.update(&changed(ARTICLE)).expect_err("unknown institution").to_string();
    assert!(err.contains("did you mean `Peking University`"), "{err}");
    assert!(*session.files() == before, "the last good files are kept");
    edit(&site, ARTICLE, "  - Peking Universty", "  - Peking University");
    session.update(&changed(ARTICLE)).expect("fixed");
    assert_matches_full_build(&site, &session);

    // A new article, a removed one, a changed profile.
    site.simple_article("new-one", "A new article", "2025-02-01", &["Palace Museum"]);
    session.update(&changed("content/articles/new-one.md")).expect("new article");
    assert_matches_full_build(&site, &session);
    // Removed with its translations (alone, they would have nothing to inherit).
    let removed =
        ["mogao-grottoes-in-figures.md", "mogao-grottoes-in-figures.fr.md", "mogao-grottoes-in-figures.zh.md"]
            .map(|f| format!("content/articles/{f}"));
    for rel in &removed {
        site.remove(rel);
    }
    session.update(&removed.map(PathBuf::from)).expect("removed article");
    assert_matches_full_build(&site, &session);

    // A translation edited: the other languages' pages link to it.
    let french = "content/articles/dunhuang-guimet-library-cave-digital-library.fr.md";
    edit(&site, french, "title: ", "title: Nouveau titre — ");
    let update = session.update(&changed(french)).expect("translation edit");
    assert!(update.incremental, "a translation is read against its original, not with the whole content");
    assert!(String::from_utf8_lossy(&session.files()["fr/articles/index.html"]).contains("Nouveau titre"));
    assert_matches_full_build(&site, &session);

    // A translation that names other institutions than its original: refused, the last good site kept.
    let before = session.files().clone();
    edit(&site, french, "title: ", "institutions: [Peking University]\ntitle: ");
    let err = session.update(&changed(french)).expect_err("other institutions").to_string();
    assert!(err.contains("not those of the original"), "{err}");
    assert!(*session.files() == before);
    edit(&site, french, "institutions: [Peking University]\n", "");
    session.update(&changed(french)).expect("fixed");
    assert_matches_full_build(&site, &session);
    edit(&site, "content/institutions/palace-museum.md", "city: Beijing", "city: Beijing (Dongcheng)");
    session.update(&changed("content/institutions/palace-museum.md")).expect("profile edit");
    assert_matches_full_build(&site, &session);

    // Turning an article into a draft takes it out.
    edit(&site, "content/articles/new-one.md", "title:", "draft: true\ntitle:");
    session.update(&changed("content/articles/new-one.md")).expect("draft");
    assert!(!session.files().contains_key("articles/new-one/index.html"));
    assert_matches_full_build(&site, &session);
}

#[test]
fn an_edit_that_changes_the_first_paragraph_of_an_article_without_summary_updates_listings() {
    let site = TestSite::new();
    site.article("a", "title: A\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]", "First words.\n\nMore.");
    site.article("b", "title: B\ndate: 2024-01-02\ninstitutions: [Dunhuang Academy]", "Other.");
    let mut session = Session::new(site.options());
    session.rebuild().expect("first build");
    site.article("a", "title: A\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]", "New first words.\n\nMore.");
    let update = session.update(&[PathBuf::from("content/articles/a.md")]).expect("edit");
    assert!(update.incremental, "the summary shows in listings, which are rendered again");
    assert!(String::from_utf8_lossy(&session.files()["articles/index.html"]).contains("New first words."));
    assert_matches_full_build(&site, &session);
}

/// A site of 30 articles over three years, five institutions in three
/// countries, two per listing page, and a standalone page.
fn many_articles() -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/institutions/palace-museum.md",
        "---\nname: Palace Museum\ncountry: China\nnames:\n  zh: 故宫博物院\ncity: Beijing\n---\nThe museum in the Forbidden City.\n",
    );
    site.write(
        "content/institutions/peking-university.md",
        "---\nname: Peking University\ncountry: China\n---\nA university.\n",
    );
    site.write(
        "content/institutions/fsp.md",
        "---\nname: Fondation des Sciences du Patrimoine\ncountry: France\n---\nA foundation.\n",
    );
    site.write(
        "content/institutions/acropolis.md",
        "---\nname: Acropolis Museum\ncountry: Greece\n---\nA museum in Athens.\n",
    );
    site.write("content/pages/about.md", "---\ntitle: About\n---\nWhat this site is.\n");
    let names = ["Dunhuang Academy", "Guimet National Museum of Asian Arts", "Palace Museum", "Peking University"];
    for k in 0..30 {
        let date = format!("{}-{:02}-{:02}", 2022 + k % 3, k % 12 + 1, k % 27 + 1);
        let pair = [names[k % 4], names[(k + 1) % 4]];
        site.simple_article(&format!("a{k:02}"), &format!("Article {k:02}"), &date, &pair);
    }
    site
}

/// After an update, the files equal a full build; returns how many outputs were rendered.
fn step(site: &TestSite, session: &mut Session, rel: &str) -> usize {
    let update = session.update(&[PathBuf::from(rel)]).unwrap_or_else(|e| panic!("update after `{rel}`: {e}"));
    assert_matches_full_build(site, session);
    // The search index is rendered again with any content edit (and compared above).
    update.rendered - update.search_rendered
}

#[test]
fn every_kind_of_edit_renders_only_what_shows_it_and_equals_a_full_build() {
    let site = many_articles();
    let mut session = Session::new(site.options());
    let first = session.rebuild().expect("first build");
    let all = first.outputs;
    assert_eq!(first.rendered, all, "the first build renders everything");
    let a = "content/articles/a07.md";

    // A body edit: the article's page and the feeds that carry it in full.
    // (The first paragraph is the summary: the new text goes below it.)
    edit(&site, a, "Body of Article 07.", "Body of Article 07.\n\nA new body for article 07.");
    let n = step(&site, &mut session, a);
    assert!(n <= 6, "a body edit rendered {n} outputs");
    assert!(String::from_utf8_lossy(&session.files()["articles/a07/index.html"]).contains("A new body"));

    // Saving the same text again renders nothing.
    assert_eq!(step(&site, &mut session, a), 0);

    // A title: its page, the listings and neighbours that show its card, feeds.
    edit(&site, a, "title: \"Article 07\"", "title: \"Article 07, renamed\"");
    let n = step(&site, &mut session, a);
    assert!(n > 1 && n < all / 2, "a title edit rendered {n} of {all}");

    // A date that moves it to the top of /articles/ and into another year.
    edit(&site, a, "date: 2023-08-08", "date: 2030-01-01");
    let n = step(&site, &mut session, a);
    assert!(n < all, "a date edit rendered {n} of {all}");
    assert!(String::from_utf8_lossy(&session.files()["years/2030/index.html"]).contains("Article 07, renamed"));

    // A day made a month: the moment it sorts by stays the first of January,
    // but it now comes after the dated days of that month (a00 is the 1st);
    // then a year alone, after every month of its year page.
    let first = "content/articles/a00.md";
    edit(&site, first, "date: 2022-01-01", "date: 2022-01");
    step(&site, &mut session, first);
    assert!(!String::from_utf8_lossy(&session.files()["sitemap.xml"]).contains("2022-01-01"), "no day in the sitemap");
    edit(&site, first, "date: 2022-01", "date: 2022-01-01");
    step(&site, &mut session, first);
    let b = "content/articles/a24.md";
    let year_page = |session: &Session| String::from_utf8_lossy(&session.files()["years/2022/index.html"]).into_owned();
    let page = year_page(&session);
    assert!(page.find("Article 24") < page.find("Article 00"), "the 25th before the 1st");
    edit(&site, b, "date: 2022-01-25", "date: 2022-01");
    step(&site, &mut session, b);
    let page = year_page(&session);
    assert!(page.find("Article 00") < page.find("Article 24"), "the month after its 1st");
    assert!(
        String::from_utf8_lossy(&session.files()["articles/a24/index.html"])
            .contains("<time datetime=\"2022-01\">January 2022</time>")
    );
    edit(&site, b, "date: 2022-01", "date: 2022");
    step(&site, &mut session, b);
    let page = year_page(&session);
    let group = page.find(">Sometime in 2022</h2>").expect("a group for the year alone");
    assert!(page.rfind("Article 24") > Some(group) && page.find("Article 12") < Some(group), "{page}");

    // Its institutions: it moves between institution and country pages.
    edit(
        &site,
        a,
        "institutions: [\"Peking University\", \"Dunhuang Academy\"]",
        "institutions: [\"Acropolis Museum\"]",
    );
    step(&site, &mut session, a);
    assert!(String::from_utf8_lossy(&session.files()["countries/greece/index.html"]).contains("Article 07, renamed"));

    // A summary of its own.
    edit(&site, a, "date:", "summary: \"A summary written by hand.\"\ndate:");
    let n = step(&site, &mut session, a);
    assert!(n < all / 2, "a summary edit rendered {n} of {all}");

    // A draft leaves the site; undoing it brings it back.
    edit(&site, a, "date:", "draft: true\ndate:");
    step(&site, &mut session, a);
    assert!(!session.files().contains_key("articles/a07/index.html"));
    edit(&site, a, "draft: true\n", "");
    step(&site, &mut session, a);
    assert!(session.files().contains_key("articles/a07/index.html"));

    // The home page's lead story, and a date of last change: the groupings
    // and the plan kept between updates are made again.
    let older = "content/articles/a11.md";
    edit(&site, older, "date:", "featured: true\ndate:");
    step(&site, &mut session, older);
    edit(&site, a, "date:", "updated: 2031-02-03\ndate:");
    step(&site, &mut session, a);
    assert!(String::from_utf8_lossy(&session.files()["sitemap.xml"]).contains("2031-02-03"));

    // A new article, and a removed one.
    site.simple_article("new-one", "A new article", "2024-05-01", &["Palace Museum"]);
    step(&site, &mut session, "content/articles/new-one.md");
    assert!(session.files().contains_key("articles/new-one/index.html"));
    site.remove("content/articles/a03.md");
    step(&site, &mut session, "content/articles/a03.md");
    assert!(!session.files().contains_key("articles/a03/index.html"));

    // A profile's description: its own pages only.
    let profile = "content/institutions/palace-museum.md";
    edit(&site, profile, "The museum in the Forbidden City.", "The museum of the former imperial palace.");
    assert!(session.files().contains_key("institutions/palace-museum/page/2/index.html"));
    let n = step(&site, &mut session, profile);
    // The profile is on the first page of its listing only: that page and the feed that describes it.
    assert!(n <= 2, "a profile description edit rendered {n} of {all}");
    // Its native names: its pages and the lists of institutions, not the article listings.
    edit(&site, profile, "zh: 故宫博物院", "zh: 故宫博物院\n  fr: Musée du Palais");
    let n = step(&site, &mut session, profile);
    assert!(n < all / 2, "a native names edit rendered {n} of {all}");
    assert!(!session.files().is_empty());

    // A standalone page's body: that page only.
    edit(&site, "content/pages/about.md", "What this site is.", "What this site is for.");
    assert_eq!(step(&site, &mut session, "content/pages/about.md"), 1);

    // A template: everything that uses it, without reading Markdown again.
    edit(&site, "themes/heritage/templates/base.html", "</footer>", "</footer><!-- edited -->");
    let n = step(&site, &mut session, "themes/heritage/templates/base.html");
    assert!(n > all / 2, "a template edit renders the pages");

    // site.toml: a new title shows on every page.
    edit(&site, "site.toml", "title = \"Test Heritage\"", "title = \"Test Heritage Two\"");
    step(&site, &mut session, "site.toml");
    assert!(String::from_utf8_lossy(&session.files()["index.html"]).contains("Test Heritage Two"));

    // A stylesheet: copied again, nothing rendered but the file itself.
    edit(&site, "themes/heritage/static/style.css", ":root", "/* edited */\n:root");
    assert_eq!(step(&site, &mut session, "themes/heritage/static/style.css"), 1);

    // Topics: an article joins a topic's pages, then leaves them for another.
    edit(&site, a, "date:", "topics: [Murals]\ndate:");
    step(&site, &mut session, a);
    assert!(session.files().contains_key("topics/murals/index.html"));
    edit(&site, a, "topics: [Murals]", "topics: [Silk roads]");
    step(&site, &mut session, a);
    assert!(!session.files().contains_key("topics/murals/index.html"));
    assert!(session.files().contains_key("topics/silk-roads/rss.xml"));

    // A new profile and a renamed one reload the content, and still equal a full build.
    site.write("content/institutions/louvre.md", "---\nname: Louvre Museum\ncountry: France\n---\nA museum.\n");
    step(&site, &mut session, "content/institutions/louvre.md");
    edit(&site, profile, "name: Palace Museum", "name: The Palace Museum\naliases: [Palace Museum]");
    step(&site, &mut session, profile);
}

/// A watcher may report only a new folder (`templates`), not the files in it:
/// the theme is read again, and what it changes is rendered again.
#[test]
fn a_new_templates_folder_reported_alone_is_read() {
    let site = many_articles();
    let mut session = Session::new(site.options());
    session.rebuild().expect("first build");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost in the caves</h1>{% endblock content %}",
    );
    step(&site, &mut session, "templates");
    assert!(String::from_utf8_lossy(&session.files()["404.html"]).contains("Lost in the caves"));
    // A folder the session cannot place reloads everything, theme included.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Still lost</h1>{% endblock content %}",
    );
    step(&site, &mut session, "somewhere-else");
    assert!(String::from_utf8_lossy(&session.files()["404.html"]).contains("Still lost"));
}

#[test]
fn an_original_made_a_draft_takes_its_translations_with_it() {
    let site = TestSite::microsite();
    let mut session = Session::new(site.options());
    session.rebuild().expect("first build");
    edit(&site, ARTICLE, "title:", "draft: true\ntitle:");
    session.update(&[PathBuf::from(ARTICLE)]).expect("draft");
    assert!(!session.files().contains_key("fr/articles/dunhuang-guimet-library-cave-digital-library/index.html"));
    assert_matches_full_build(&site, &session);
}

#[test]
fn a_profile_translation_is_put_in_place_and_taken_away() {
    let site = TestSite::microsite();
    let mut session = Session::new(site.options());
    session.rebuild().expect("first build");
    let chinese = "content/institutions/dunhuang-academy.zh.md";
    edit(&site, chinese, "city: 敦煌", "city: 甘肃敦煌");
    let update = session.update(&[PathBuf::from(chinese)]).expect("profile translation edit");
    assert!(update.incremental, "read against its original, in place");
    let page = String::from_utf8_lossy(&session.files()["zh/institutions/dunhuang-academy/index.html"]).into_owned();
    assert!(page.contains("甘肃敦煌"), "the new city");
    assert_matches_full_build(&site, &session);

    site.remove(chinese);
    let update = session.update(&[PathBuf::from(chinese)]).expect("removed");
    assert!(update.incremental);
    assert_matches_full_build(&site, &session);
}

/// `serve`'s session renders the pages of an edit first and the search index
/// after them: in between, every page equals a full build's and the index is
/// the last one; then everything does.
#[test]
fn a_deferring_session_makes_pages_live_first_then_the_search_index() {
    let site = TestSite::microsite();
    let mut session = Session::deferring_search(site.options());
    session.rebuild().expect("first build");
    let first = session.finish_search().expect("the first index");
    assert!(first.search_rendered > 0, "the first build leaves the index for later too");
    assert_matches_full_build(&site, &session);

    edit(&site, ARTICLE, "## What the two sides will do", "## What the partners will do together");
    let update = session.update(&[PathBuf::from(ARTICLE)]).expect("body edit");
    assert_eq!(update.search_rendered, 0, "no search file with the pages");
    assert!(update.search_pending > 0, "the index is left for later");
    let fresh = build_in_memory(&site.options()).expect("a full build");
    let is_index = |p: &str| p.contains("search/") && p.ends_with(".json");
    for (path, bytes) in &fresh {
        if !is_index(path) {
            assert!(*session.files()[path.as_str()] == **bytes, "`{path}` differs from a full build");
        }
    }
    let before = session.files().clone();
    let search = session.finish_search().expect("the index");
    assert_eq!(search.rendered, update.search_pending);
    assert!(search.changed.iter().all(|p| is_index(p)) && !search.changed.is_empty(), "{:?}", search.changed);
    assert!(before.keys().eq(session.files().keys()));
    assert_matches_full_build(&site, &session);
    // Nothing is left: a second call renders nothing.
    assert_eq!(session.finish_search().expect("nothing").rendered, 0);

    // An edit before the index is done: the next update renders it again.
    edit(&site, ARTICLE, "## What the partners will do together", "## What the two sides will do");
    session.update(&[PathBuf::from(ARTICLE)]).expect("edit");
    edit(&site, ARTICLE, "## What the two sides will do", "## Their work");
    session.update(&[PathBuf::from(ARTICLE)]).expect("another edit");
    session.finish_search().expect("the index");
    assert_matches_full_build(&site, &session);
}

/// Cards are kept from one update to the next by what they show; an edit
/// of the card component, or of a word it shows, makes every card anew, and
/// a listing that shifts still shows each card as it now is.
#[test]
fn kept_cards_follow_the_component_and_the_words() {
    let site = many_articles();
    let mut session = Session::new(site.options());
    session.rebuild().expect("first build");

    // A date edit shifts the listings: the moved card and the kept ones.
    edit(&site, "content/articles/a03.md", "date: 2022-04-04", "date: 2030-01-01");
    step(&site, &mut session, "content/articles/a03.md");

    let components = "themes/heritage/templates/partials/components.html";
    edit(&site, components, "<article class=\"card\">", "<article class=\"card card-edited\">");
    step(&site, &mut session, components);
    let listing = String::from_utf8_lossy(&session.files()["articles/index.html"]).to_string();
    assert!(listing.contains("card card-edited"), "{listing}");
    assert!(!listing.contains("<article class=\"card\">"), "{listing}");

    let words = "themes/heritage/strings/en.toml";
    let text = std::fs::read_to_string(site.path(words)).expect("read the words");
    site.write(words, text.replace("\"{count} min read\"", "\"{count} minutes to read\""));
    step(&site, &mut session, words);
    let listing = String::from_utf8_lossy(&session.files()["years/2023/index.html"]).to_string();
    assert!(listing.contains("minutes to read"), "{listing}");
}
