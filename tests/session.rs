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
    let kept: BTreeMap<String, Vec<u8>> = session.files().iter().map(|(p, b)| (p.clone(), b.to_vec())).collect();
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
    assert!(update.changed.iter().all(|p| p == page || p.ends_with("rss.xml")), "{:?}", update.changed);
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
    edit(&site, ARTICLE, "date: 2024-03-12", "date: 2021-01-05");
    session.update(&changed(ARTICLE)).expect("date edit");
    assert_matches_full_build(&site, &session);

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
    site.remove("content/articles/mogao-grottoes-in-figures.md");
    session.update(&changed("content/articles/mogao-grottoes-in-figures.md")).expect("removed article");
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
