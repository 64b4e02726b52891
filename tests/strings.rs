//! The theme's words: every word a reader sees comes from the strings file
//! of the page's language (`site.t`), counted words through `plural` with
//! the CLDR rules of that language; a language's file may leave words out
//! (they show in the default language's, and `check` lists them) but not
//! add any.

mod common;
use common::TestSite;
use serde_json::json;
use stele::render::theme::Theme;

/// The site's theme, loaded for `languages` (the default first).
fn theme(site: &TestSite, languages: &[&str]) -> Result<Theme, String> {
    let config = stele::build::config_for(&site.options()).expect("site.toml");
    Theme::load(site.root(), &config, languages)
        .map_err(|list| list.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
}

/// A site in `language` with articles enough for counts of 0, 1 and 2.
fn site_in(language: &str) -> TestSite {
    let site = TestSite::new();
    site.write("site.toml", format!("{}language = \"{language}\"\n", common::SITE_TOML));
    site.simple_article("a", "Murals", "2024-03-12", &["Dunhuang Academy"]);
    site.simple_article("b", "Caves", "2024-04-02", &["Dunhuang Academy"]);
    site.write(
        "content/institutions/palace-museum.md",
        "---\nname: Palace Museum\ncountry: China\ncity: Beijing\n---\nThe museum of the Forbidden City.\n",
    );
    site.simple_article("c", "Palace", "2023-05-06", &["Palace Museum"]);
    site
}

/// What the templates need of `site` and `current` to render a page, with
/// the words of `language` from `theme`.
fn page_context(theme: &Theme, language: &str, current: serde_json::Value) -> serde_json::Value {
    let mut current_all = json!({
        "url": "/404.html", "permalink": "https://example.org/404.html", "title": "",
        "description": "A test site", "feeds": [], "section": "none", "alternates": [], "translations": [],
    });
    if let (Some(all), Some(more)) = (current_all.as_object_mut(), current.as_object()) {
        all.extend(more.clone());
    }
    json!({
        "site": {
            "title": "Test Heritage", "description": "A test site", "base_url": "https://example.org/",
            "home_url": "/", "root_url": "/", "language": language, "lang": language, "t": theme.strings(language),
            "languages": [],
            "time_zone": "UTC", "feed_url": "/rss.xml", "articles_url": "/articles/",
            "institutions_url": "/institutions/", "countries_url": "/countries/", "years_url": "/years/",
            "topics_url": "/topics/", "search_url": "/search/", "pages": [], "extra": {},
        },
        "current": current_all,
        "other_sites": [],
    })
}

#[test]
fn pages_show_the_words_of_the_site_language() {
    let english = site_in("en").build_ok();
    let home = english.text("index.html");
    assert!(home.contains(">Skip to content</a>") && home.contains(">Latest news</h1>"), "{home}");
    assert!(home.contains(">3 institutions</a> in <a href=\"/countries/\">2 countries</a>"), "{home}");

    let french = site_in("fr").build_ok();
    let home = french.text("index.html");
    assert!(home.contains(">Aller au contenu</a>") && home.contains(">Dernières actualités</h1>"), "{home}");
    // A non-breaking space before the colon, as French typography wants it.
    assert!(home.contains("A test site\u{a0}: <a href=\"/institutions/\">3 institutions</a> dans"), "{home}");
    assert!(!home.contains("Latest news") && !home.contains("min read"), "{home}");
    let article = french.text("articles/a/index.html");
    assert!(article.contains("<span>1 min de lecture</span>") && article.contains(">12 mars 2024</time>"), "{article}");
    assert!(article.contains(">Institution citée dans cet article</h2>"), "{article}");
    assert!(french.text("404.html").contains("<h1>Page introuvable</h1>"));
    let feed = french.text("institutions/dunhuang-academy/rss.xml");
    assert!(feed.contains("<description>Actualités\u{a0}: Dunhuang Academy</description>"), "{feed}");

    let chinese = site_in("zh-Hans").build_ok();
    let home = chinese.text("index.html");
    assert!(home.contains(">最新动态</h1>") && home.contains(">跳到正文</a>"), "{home}");
    // Chinese word order: the countries before the institutions.
    assert!(
        home.contains("A test site：<a href=\"/countries/\">2 个国家</a>的 <a href=\"/institutions/\">3 家机构</a>，"),
        "{home}"
    );
    let year = chinese.text("years/2024/index.html");
    assert!(year.contains("2 篇文章，分布在 2 个月。"), "{year}");
}

/// `plural` picks the form with the CLDR rules of the page's language:
/// French counts 0 and 1 in the singular, Chinese has a single form.
#[test]
fn counted_words_follow_the_plural_rules_of_the_language() {
    // Guimet has no articles, Palace Museum one, Dunhuang Academy two.
    let count = |files: &common::Files, slug: &str| {
        let page = files.text(&format!("institutions/{slug}/index.html"));
        let facts = page.split("<aside").nth(1).expect("the facts").to_string();
        facts[facts.rfind("<dd>").expect("the last fact") + 4..facts.find("</dd></div>\n    </dl>").expect("end")]
            .to_string()
    };
    let english = site_in("en").build_ok();
    assert_eq!(
        ["guimet", "palace-museum", "dunhuang-academy"].map(|s| count(&english, s)),
        ["0 articles", "1 article", "2 articles"]
    );
    let french = site_in("fr").build_ok();
    assert_eq!(
        ["guimet", "palace-museum", "dunhuang-academy"].map(|s| count(&french, s)),
        ["0 article", "1 article", "2 articles"]
    );
    let chinese = site_in("zh").build_ok();
    assert_eq!(
        ["guimet", "palace-museum", "dunhuang-academy"].map(|s| count(&chinese, s)),
        ["0 篇文章", "1 篇文章", "2 篇文章"]
    );

    // The same through the theme, for any number.
    let site = TestSite::new();
    let theme = theme(&site, &["en", "fr", "zh"]).expect("the theme loads");
    let forms = |lang: &str, n: i64| theme.plural("article_count", n, lang).expect("a form");
    assert_eq!([forms("en", 1), forms("en", 0), forms("en", 2)], ["1 article", "0 articles", "2 articles"]);
    assert_eq!([forms("fr", 0), forms("fr", 1), forms("fr", 2)], ["0 article", "1 article", "2 articles"]);
    assert_eq!(forms("fr", 1_000_000), "1000000 d’articles");
    assert_eq!([forms("zh", 1), forms("zh", 3)], ["1 篇文章", "3 篇文章"]);
}

#[test]
fn plural_refuses_what_is_not_a_plural_table() {
    let site = TestSite::new();
    site.simple_article("a", "Murals", "2024-03-12", &["Dunhuang Academy"]);
    site.write("templates/404.html", "{{ plural(forms=site.t.latest_news, n=2) }}");
    let err = site.build_err();
    assert!(err.contains("templates/404.html:1:"), "{err}");
    assert!(err.contains("`plural`: `forms` is string, expected a plural table"), "{err}");
}

/// A language's file may leave words out: its pages show the default
/// language's, and the theme says which are missing.
#[test]
fn a_word_missing_from_a_language_falls_back_to_the_default_language() {
    let site = TestSite::new();
    let french = std::fs::read_to_string(site.path("themes/heritage/strings/fr.toml")).expect("fr.toml");
    let without: String = french
        .lines()
        .filter(|l| !l.starts_with("latest_news =") && !l.starts_with("not_found ="))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write("themes/heritage/strings/fr.toml", without);
    let theme = theme(&site, &["en", "fr"]).expect("the theme loads");
    assert_eq!(theme.missing_strings("fr"), ["latest_news", "not_found"]);
    assert_eq!(theme.missing_strings("en"), Vec::<String>::new());
    assert_eq!(theme.missing_strings("fr-CA"), ["latest_news", "not_found"], "fr.toml serves fr-CA");

    // Rendered with the French words, the missing ones are the English ones.
    let page = theme.render("404.html", &page_context(&theme, "fr", json!({}))).expect("renders");
    assert!(page.contains("<h1>Page not found</h1>"), "{page}");
    assert!(page.contains(">Aller au contenu</a>") && page.contains("La page d’accueil"), "{page}");

    // `check` lists them, in one warning for the file, and still succeeds.
    let warnings = stele::check::missing_strings(&theme, site.root());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0].to_string(),
        "themes/heritage/strings/fr.toml: 2 of the theme's words not translated into `fr`, shown in `en`: `latest_news`, `not_found`"
    );
    // A language without a file is said to have none.
    site.remove("themes/heritage/strings/zh.toml");
    let theme = theme_or_panic(&site, &["en", "fr", "zh"]);
    let warnings = stele::check::missing_strings(&theme, site.root());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[1]
            .to_string()
            .starts_with("themes/heritage/strings/zh.toml: no strings file for `zh`: its pages show all "),
        "{warnings:?}"
    );
    let output = site.stele(&["check"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

fn theme_or_panic(site: &TestSite, languages: &[&str]) -> Theme {
    theme(site, languages).unwrap_or_else(|err| panic!("{err}"))
}

/// A language's file cannot add a word the default language does not have:
/// it is a mistake, at its line, with the nearest key.
#[test]
fn a_word_unknown_to_the_default_language_is_an_error_at_its_line() {
    let site = TestSite::new();
    site.write(
        "themes/heritage/strings/fr.toml",
        "skip_to_content = \"Aller au contenu\"\nlatest_nws = \"Dernières\"\n",
    );
    let err = theme(&site, &["en", "fr"]).unwrap_err();
    assert_eq!(
        err,
        "themes/heritage/strings/fr.toml:2:1: unknown key `latest_nws`, not in the default language's `themes/heritage/strings/en.toml`, did you mean `latest_news`?"
    );

    // A text where the default has a plural table, and the reverse.
    site.write("themes/heritage/strings/fr.toml", "\narticle_count = \"articles\"\n\n[latest_news]\nother = \"x\"\n");
    let err = theme(&site, &["en", "fr"]).unwrap_err();
    assert!(err.contains("strings/fr.toml:2:1: `article_count` is a text here but a plural table in `themes/heritage/strings/en.toml`, expected a plural table"), "{err}");
    assert!(err.contains("strings/fr.toml:4:2: `latest_news` is a plural table here but a text in"), "{err}");

    // A plural table without `other`, in any file.
    site.write("themes/heritage/strings/fr.toml", "[article_count]\none = \"{count} article\"\n");
    let err = theme(&site, &["en", "fr"]).unwrap_err();
    assert!(
        err.starts_with("themes/heritage/strings/fr.toml:1:2: the plural table `article_count` has no `other`"),
        "{err}"
    );

    // The default language's file is checked on every build.
    let en = std::fs::read_to_string(site.path("themes/heritage/strings/en.toml")).expect("en.toml");
    site.write("themes/heritage/strings/en.toml", en.replace("other = \"{count} countries\"\n", ""));
    let err = site.build_err();
    assert!(err.contains("has no `other`, which every language needs"), "{err}");
}

/// A template naming a word the strings do not have is reported where it
/// is named, when the theme loads.
#[test]
fn a_template_naming_an_unknown_word_is_an_error_at_its_line() {
    let site = TestSite::new();
    site.write("templates/404.html", "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ site.t.not_fuond }}</h1>{{ site.t.not_fuond }}\n{% endblock content %}\n");
    let err = site.build_err();
    assert!(
        err.contains("templates/404.html:3:15: unknown string `not_fuond`, not in `themes/heritage/strings/en.toml`, did you mean `not_found`? (and 1 other place)"),
        "{err}"
    );
}

/// Without translations, pages have no language switch and no alternates;
/// with them, the switch marks the page's language, links the translations,
/// and says which languages lead elsewhere because the page has none.
#[test]
fn the_language_switch_shows_only_when_there_are_translations() {
    let site = TestSite::new();
    site.simple_article("a", "Murals", "2024-03-12", &["Dunhuang Academy"]);
    let files = site.build_ok();
    for path in ["index.html", "articles/a/index.html", "404.html"] {
        let page = files.text(path);
        assert!(!page.contains("lang-switch") && !page.contains("hreflang"), "{path}: {page}");
    }

    let theme = theme_or_panic(&site, &["en", "fr", "zh"]);
    let current = json!({
        "alternates": [
            {"hreflang": "en", "url": "https://example.org/about/"},
            {"hreflang": "fr", "url": "https://example.org/fr/a-propos/"},
        ],
        "translations": [
            {"code": "en", "tag": "en", "name": "English", "short": "EN", "url": "/about/", "current": true, "translated": true},
            {"code": "fr", "tag": "fr", "name": "Français", "short": "FR", "url": "/fr/a-propos/", "current": false, "translated": true},
            {"code": "zh", "tag": "zh-Hans", "name": "中文", "short": "中文", "url": "/zh/", "current": false, "translated": false},
        ],
    });
    let page = theme.render("404.html", &page_context(&theme, "en", current)).expect("renders");
    assert!(
        page.contains("<link rel=\"alternate\" hreflang=\"fr\" href=\"https://example.org/fr/a-propos/\">"),
        "{page}"
    );
    assert!(page.contains("<nav class=\"lang-switch\" aria-label=\"Languages\">"), "{page}");
    let label = |name: &str, short: &str| {
        format!("<span class=\"lang-name\">{name}</span><span class=\"lang-short\" aria-hidden=\"true\">{short}</span>")
    };
    let english =
        format!("<span class=\"lang-current\" aria-current=\"true\" lang=\"en\">{}</span>", label("English", "EN"));
    assert!(page.contains(&english), "{page}");
    let french = format!("<a href=\"/fr/a-propos/\" hreflang=\"fr\" lang=\"fr\">{}</a>", label("Français", "FR"));
    assert!(page.contains(&french), "{page}");
    let zh = page.split("<a class=\"lang-untranslated\"").nth(1).expect("the untranslated language");
    assert!(
        zh.starts_with(" href=\"/zh/\" hreflang=\"zh-Hans\" lang=\"zh-Hans\" title=\"This page is not translated"),
        "{zh}"
    );
    let note =
        "<span class=\"lang-note\" lang=\"en\"><span class=\"visually-hidden\">: </span>not translated</span></a>";
    assert!(zh.contains(&format!(">{}{note}", label("中文", "中文"))), "{zh}");

    // In French, the same switch speaks French.
    let page = theme.render("404.html", &page_context(&theme, "fr", current_fr())).expect("renders");
    assert!(page.contains("aria-label=\"Langues\"") && page.contains("non traduit</span>"), "{page}");
}

fn current_fr() -> serde_json::Value {
    json!({"translations": [
        {"code": "en", "tag": "en", "name": "English", "short": "EN", "url": "/", "current": false, "translated": false},
        {"code": "fr", "tag": "fr", "name": "Français", "short": "FR", "url": "/fr/", "current": true, "translated": true},
    ]})
}

/// A card of an article in another language than the page's is marked in
/// its language, under a label naming it; other cards have neither.
#[test]
fn a_card_in_another_language_is_marked_and_labelled() {
    let site = TestSite::new();
    site.write("templates/card.html", "{{ <article_card card={card} level={2}/> }}");
    let theme = theme_or_panic(&site, &["en"]);
    let card = json!({
        "title": "敦煌壁画数字化", "url": "/zh/articles/a/", "permalink": "https://example.org/zh/articles/a/",
        "date_iso": "2024-03-12", "date_display": "12 March 2024", "year": 2024, "year_url": "/years/2024/",
        "summary": "壁画的数字档案。", "institutions": [], "countries": [], "reading_minutes": 3, "image": null,
    });
    let mut context = page_context(&theme, "en", json!({}));
    context["card"] = card.clone();
    let plain = theme.render("card.html", &context).expect("renders");
    assert!(!plain.contains("card-lang") && !plain.contains("lang=\"zh-Hans"), "{plain}");
    assert!(plain.contains("<span>3 min read</span>"), "{plain}");

    context["card"]["lang"] = json!("zh-Hans");
    context["card"]["language_name"] = json!("中文");
    let marked = theme.render("card.html", &context).expect("renders");
    assert!(marked.contains("<p class=\"card-lang\" lang=\"zh-Hans\">中文</p>"), "{marked}");
    assert!(
        marked.contains("<h2 class=\"card-title\" lang=\"zh-Hans\"><a href=\"/zh/articles/a/\" hreflang=\"zh-Hans\">"),
        "{marked}"
    );
    assert!(marked.contains("<p class=\"summary\" lang=\"zh-Hans\">"), "{marked}");
}
