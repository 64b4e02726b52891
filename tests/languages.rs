//! Sites in several languages: translations by file name, what they
//! inherit, per-language pages and feeds, alternates, and the errors an
//! editor meets.

mod common;
use std::collections::{BTreeMap, BTreeSet};

use common::{Files, SITE_TOML, TestSite};

const LANGUAGES: &str = "\n[languages.en]\nname = \"English\"\n\n[languages.fr]\nname = \"Français\"\ntitle = \"Patrimoine\"\n\n[languages.zh]\ntag = \"zh-Hans\"\nname = \"中文\"\ntitle = \"遗产\"\n";

/// Three articles: `a` in English, French and Chinese, `b` in English only,
/// `c` in French only; profiles translated in part.
fn trilingual() -> TestSite {
    let site = TestSite::new();
    site.write("site.toml", format!("{SITE_TOML}{LANGUAGES}"));
    site.write(
        "content/institutions/dunhuang-academy.md",
        "---\nname: Dunhuang Academy\ncountry: China\nnames:\n  zh: 敦煌研究院\n  fr: Académie de Dunhuang\ncity: Dunhuang\n---\nThe academy that cares for the Mogao Grottoes.\n",
    );
    site.write("content/institutions/dunhuang-academy.zh.md", "---\ncity: 敦煌\n---\n负责莫高窟保护与研究的机构。\n");
    site.write(
        "content/institutions/peking-university.md",
        "---\nname: Peking University\ncountry: China\nnames:\n  zh: 北京大学\n---\nA university in Beijing.\n",
    );
    site.article(
        "a",
        "title: The Library Cave goes digital\ndate: 2024-03\ninstitutions: [Dunhuang Academy, Guimet National Museum of Asian Arts]\ntopics: [digitisation]",
        "A memorandum was signed.",
    );
    site.write(
        "content/articles/a.fr.md",
        "---\ntitle: La grotte-bibliothèque numérisée\ntopics: [numérisation]\n---\nUn protocole a été signé.\n",
    );
    site.write("content/articles/a.zh.md", "---\ntitle: 藏经洞数字化\n---\n双方签署了备忘录。\n");
    site.simple_article("b", "An English story", "2023-05-02", &["Peking University"]);
    site.write(
        "content/articles/c.fr.md",
        "---\ntitle: Une nouvelle seulement en français\ndate: 2022-01-10\ninstitutions: [Guimet National Museum of Asian Arts]\n---\nTexte.\n",
    );
    site
}

/// The `hreflang` alternates in a page's head: hreflang -> URL.
fn head_alternates(html: &str) -> BTreeMap<String, String> {
    let head = &html[..html.find("</head>").unwrap_or(html.len())];
    head.split("<link rel=\"alternate\" hreflang=\"")
        .skip(1)
        .filter_map(|rest| {
            let (lang, rest) = rest.split_once('"')?;
            let url = rest.split("href=\"").nth(1)?.split('"').next()?;
            Some((lang.to_string(), url.to_string()))
        })
        .collect()
}

/// The sitemap's entries: loc -> (hreflang -> URL).
fn sitemap_alternates(xml: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    xml.split("<url>")
        .skip(1)
        .map(|entry| {
            let loc = entry.split("<loc>").nth(1).and_then(|r| r.split("</loc>").next()).unwrap_or_default();
            let links = entry
                .split("<xhtml:link rel=\"alternate\" hreflang=\"")
                .skip(1)
                .filter_map(|rest| {
                    let (lang, rest) = rest.split_once('"')?;
                    Some((lang.to_string(), rest.split("href=\"").nth(1)?.split('"').next()?.to_string()))
                })
                .collect();
            (loc.to_string(), links)
        })
        .collect()
}

/// Every page's alternates are complete, reciprocal, carry `x-default`,
/// include the page itself under its own `<html lang>`, and equal its
/// sitemap entry's.
fn assert_alternates_consistent(files: &Files, base: &str) {
    let sitemap = sitemap_alternates(&files.text("sitemap.xml"));
    let mut pages = 0;
    for path in files.paths() {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = files.text(path);
        let url = format!("{base}{}", path.strip_suffix("index.html").unwrap_or(path));
        let alternates = head_alternates(&html);
        assert_eq!(sitemap.get(&url), Some(&alternates), "{path}: the sitemap says the same as the head");
        let lang = html.split("<html lang=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
        assert_eq!(alternates.get(lang), Some(&url), "{path}: itself under its own language `{lang}`");
        assert!(alternates.contains_key("x-default"), "{path}: x-default");
        for (other_lang, other) in alternates.iter().filter(|(l, _)| *l != "x-default") {
            let other_path = format!("{}index.html", other.strip_prefix(base).expect("a URL of the site"));
            let back = head_alternates(&files.text(&other_path));
            assert_eq!(back, alternates, "{path} and its {other_lang} translation {other_path} list the same set");
        }
        pages += 1;
    }
    assert!(pages > 10, "pages checked: {pages}");
}

#[test]
fn every_language_gets_its_pages_at_its_prefix() {
    let files = trilingual().build_ok();
    for path in [
        "index.html",
        "fr/index.html",
        "zh/index.html",
        "articles/a/index.html",
        "fr/articles/a/index.html",
        "zh/articles/a/index.html",
        "articles/b/index.html",
        "fr/articles/c/index.html",
        "fr/articles/index.html",
        "zh/institutions/dunhuang-academy/index.html",
        "fr/countries/china/index.html",
        "zh/years/2024/index.html",
        "fr/topics/numerisation/index.html",
        "fr/rss.xml",
        "zh/institutions/dunhuang-academy/rss.xml",
    ] {
        assert!(files.has(path), "missing {path}");
    }
    // An article exists only in the languages it is written in.
    for absent in ["fr/articles/b/index.html", "articles/c/index.html", "zh/articles/c/index.html"] {
        assert!(!files.has(absent), "{absent} should not exist");
    }
    for (path, lang) in [("index.html", "en"), ("fr/articles/a/index.html", "fr"), ("zh/index.html", "zh-Hans")] {
        assert!(files.text(path).contains(&format!("<html lang=\"{lang}\">")), "{path} is in {lang}");
    }
}

#[test]
fn a_translation_inherits_date_institutions_and_slug() {
    let files = trilingual().build_ok();
    let fr = files.text("fr/articles/a/index.html");
    assert!(fr.contains("mars 2024"), "the inherited month, in French");
    assert!(fr.contains("/fr/institutions/dunhuang-academy/"), "the inherited institutions, linked in French");
    assert!(fr.contains("Académie de Dunhuang"), "the institution's French name");
    let zh = files.text("zh/articles/a/index.html");
    assert!(zh.contains("2024年3月"), "the month in Chinese");
    assert!(zh.contains("/zh/topics/digitisation/"), "the inherited topic");
    assert!(zh.contains("<p>双方签署了备忘录。</p>"), "Chinese text in a Chinese body is not marked as foreign");
    // The institution's Chinese page: its Chinese name, the English beside it, its Chinese profile.
    let academy = files.text("zh/institutions/dunhuang-academy/index.html");
    assert!(academy.contains("敦煌研究院") && academy.contains("Dunhuang Academy"));
    assert!(academy.contains("负责莫高窟保护与研究的机构"), "the translated profile");
    // A profile with no French text shows the English one, marked as English.
    let fr_university = files.text("fr/institutions/peking-university/index.html");
    assert!(fr_university.contains("lang=\"en\""), "the English profile on a French page says so");
}

#[test]
fn listings_show_untranslated_articles_in_their_language_and_feeds_only_their_own() {
    let files = trilingual().build_ok();
    let listing = |prefix: &str| {
        files
            .paths()
            .iter()
            .filter(|p| p.starts_with(&format!("{prefix}articles/page/")))
            .fold(files.text(&format!("{prefix}articles/index.html")), |all, p| all + &files.text(p))
    };
    let fr = listing("fr/");
    assert!(fr.contains("href=\"/articles/b/\""), "b has no French text: its English page is listed");
    assert!(fr.contains("href=\"/fr/articles/c/\"") && fr.contains("href=\"/fr/articles/a/\""));
    let en = listing("");
    assert!(en.contains("href=\"/fr/articles/c/\""), "c, French only, is listed in English too");
    for (feed, lang, titles) in [
        ("rss.xml", "en", vec!["The Library Cave goes digital", "An English story"]),
        ("fr/rss.xml", "fr", vec!["La grotte-bibliothèque numérisée", "Une nouvelle seulement en français"]),
        ("zh/rss.xml", "zh-Hans", vec!["藏经洞数字化"]),
    ] {
        let xml = files.text(feed);
        assert!(xml.contains(&format!("<language>{lang}</language>")), "{feed}: <language>{lang}");
        assert_eq!(xml.matches("<item>").count(), titles.len(), "{feed} holds only its language's items");
        for title in titles {
            assert!(xml.contains(title), "{feed}: {title}");
        }
    }
    // show_untranslated = false: each language lists its own articles only.
    let site = trilingual();
    site.write("site.toml", format!("{SITE_TOML}show_untranslated = false\n{LANGUAGES}"));
    let files = site.build_ok();
    assert!(!files.text("fr/articles/index.html").contains("href=\"/articles/b/\""));
}

#[test]
fn alternates_are_complete_reciprocal_and_equal_to_the_sitemap() {
    let files = trilingual().build_ok();
    assert_alternates_consistent(&files, "https://example.org/");
    let a = head_alternates(&files.text("fr/articles/a/index.html"));
    let expected: BTreeSet<&str> = ["en", "fr", "zh-Hans", "x-default"].into();
    assert_eq!(a.keys().map(String::as_str).collect::<BTreeSet<_>>(), expected);
    assert_eq!(a["x-default"], "https://example.org/articles/a/", "x-default: the default language's page");
    let c = head_alternates(&files.text("fr/articles/c/index.html"));
    assert_eq!(c.len(), 2, "a French-only article: itself and x-default: {c:?}");
}

#[test]
fn a_site_of_one_language_has_no_alternates() {
    let site = TestSite::new();
    site.simple_article("a", "One", "2024-03-01", &["Dunhuang Academy"]);
    let files = site.build_ok();
    assert!(!files.text("articles/a/index.html").contains("hreflang"));
    assert!(!files.text("sitemap.xml").contains("xhtml:link"));
}

#[test]
fn the_microsite_is_trilingual_with_consistent_alternates() {
    let site = TestSite::microsite();
    let files = site.build_ok();
    assert_alternates_consistent(&files, "https://example.org/heritage/");
    for lang in ["fr", "zh"] {
        assert!(files.has(&format!("{lang}/about/index.html")), "the about page in {lang}");
    }
    let english = files.paths().iter().filter(|p| p.starts_with("articles/") && p.ends_with("/index.html")).count();
    for lang in ["fr", "zh"] {
        let count = files
            .paths()
            .iter()
            .filter(|p| p.starts_with(&format!("{lang}/articles/")) && p.ends_with("/index.html"))
            .count();
        assert_eq!(count, english, "every article and listing page in {lang}");
    }
}

#[test]
fn chinese_terms_follow_pinyin() {
    let files = trilingual().build_ok();
    let html = files.text("zh/institutions/index.html");
    let (bei, dun) = (html.find("北京大学").expect("PKU"), html.find("敦煌研究院").expect("Dunhuang"));
    assert!(bei < dun, "běi before dūn");
    let html = files.text("institutions/index.html");
    assert!(html.find("Dunhuang Academy") < html.find("Peking University"), "English by letters");
}

#[test]
fn language_mistakes_are_errors_at_their_place() {
    // A language the site does not declare.
    let site = trilingual();
    site.write("content/articles/a.de.md", "---\ntitle: Die Höhle\n---\nText.\n");
    let err = site.build_err();
    assert!(
        err.contains("content/articles/a.de.md:1:1: `de` in the file name is not a language of this site"),
        "{err}"
    );
    assert!(err.contains("`en`, `fr`, `zh`"), "{err}");

    // A translation that contradicts what it inherits.
    let site = trilingual();
    site.write("content/articles/a.fr.md", "---\ntitle: La grotte\ndate: 2024-04\n---\nTexte.\n");
    let err = site.build_err();
    assert!(err.contains("content/articles/a.fr.md:3:7: `date` is `2024-04` but the original"), "{err}");

    let site = trilingual();
    site.write("content/articles/a.fr.md", "---\ntitle: La grotte\ninstitutions: [Peking University]\n---\nTexte.\n");
    let err = site.build_err();
    assert!(err.contains("content/articles/a.fr.md:3:") && err.contains("not those of the original"), "{err}");

    // Two files for one article in one language.
    let site = trilingual();
    site.write("content/articles/a.en.md", "---\ntitle: Again\n---\nText.\n");
    let err = site.build_err();
    assert!(err.contains("already the `en` text of this article"), "{err}");

    // A translation whose original is missing must say everything itself.
    let site = trilingual();
    site.write("content/articles/d.zh.md", "---\ntitle: 只有中文\n---\n正文。\n");
    let err = site.build_err();
    assert!(err.contains("content/articles/d.zh.md:2:1: missing required key `date`"), "{err}");
    assert!(err.contains("there is no `content/articles/d.md` in another language to inherit it from"), "{err}");

    // A profile translation may not change what the original says.
    let site = trilingual();
    site.write("content/institutions/dunhuang-academy.fr.md", "---\ncountry: France\n---\nTexte.\n");
    let err = site.build_err();
    assert!(err.contains("dunhuang-academy.fr.md:2:10: `country` is `France` but the original"), "{err}");
}

#[test]
fn site_toml_languages_are_checked() {
    let site = TestSite::new();
    site.write("site.toml", format!("{SITE_TOML}\n[languages.fr]\ntitel = \"x\"\n"));
    let err = site.build_err();
    assert!(err.contains("site.toml:6:1: unknown key `titel` in `[languages.fr]`, did you mean `title`?"), "{err}");
    site.write("site.toml", format!("{SITE_TOML}\n[languages.fr]\ntag = \"not a tag!\"\n"));
    let err = site.build_err();
    assert!(err.contains("is not a BCP 47 language tag"), "{err}");
}

#[test]
fn check_notes_what_is_untranslated_and_warns_of_links_across_languages() {
    let site = trilingual();
    site.write(
        "content/articles/a.fr.md",
        "---\ntitle: La grotte-bibliothèque numérisée\n---\nUn protocole a été signé.\n\nVoir [l’histoire anglaise](/articles/b/) et [ce texte](/articles/a/).\n",
    );
    let out = site.stele(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}{stderr}");
    assert!(out.status.success(), "notes and warnings do not fail the check: {all}");
    assert!(all.contains("not translated into `fr` (Français)") && all.contains("`content/articles/b.md`"), "{all}");
    assert!(all.contains("not translated into `zh` (中文)"), "{all}");
    // /articles/b/ has no French text: linking to the English page is right. /articles/a/ has one.
    assert!(
        all.contains("content/articles/a.fr.md:6:45: `/articles/a/` leads to the page in English; its translation in Français is `/fr/articles/a/`"),
        "{all}"
    );
    assert!(!all.contains("`/articles/b/` leads"), "{all}");
}

#[test]
fn one_404_page_speaks_every_language() {
    let files = trilingual().build_ok();
    let page = files.text("404.html");
    assert!(!files.has("fr/404.html"), "one 404.html: static hosts serve only that one");
    assert!(page.contains("<section class=\"not-found-other\" lang=\"fr\""), "the French words, marked French");
    assert!(page.contains("<section class=\"not-found-other\" lang=\"zh-Hans\""), "the Chinese words, marked Chinese");
    assert!(page.contains("href=\"/fr/\"") && page.contains("href=\"/zh/articles/\""), "links into each language");
    assert!(!page.contains("class=\"lang-switch\""), "no switcher: the page is already in every language");
}

/// Every link of every page's language switcher leads to a page of the
/// site, and the switcher offers every language of the site.
fn assert_switchers_lead_somewhere(files: &Files, base_path: &str, languages: usize) {
    let mut links = 0;
    for path in files.paths() {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = files.text(path);
        let start = html.find("<nav class=\"lang-switch\"").unwrap_or_else(|| panic!("{path}: a language switcher"));
        let nav = &html[start..start + html[start..].find("</nav>").expect("the switcher ends")];
        let entries = nav.matches("<li>").count();
        assert_eq!(entries, languages, "{path}: one entry per language");
        for href in common::html::hrefs(nav) {
            let rel = href.strip_prefix(base_path).unwrap_or_else(|| panic!("{path}: `{href}` inside the site"));
            let file = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
            assert!(files.has(&file), "{path}: the switcher links to `{href}`, which does not exist");
            links += 1;
        }
    }
    assert!(links > 0);
}

#[test]
fn no_switcher_link_is_dead_on_the_microsite_or_a_generated_trilingual_site() {
    let microsite = TestSite::microsite();
    assert_switchers_lead_somewhere(&microsite.build_ok(), "/heritage/", 3);

    // Sixty articles over three years; about a third without French, a
    // quarter without Chinese, some in French alone; paginated listings.
    let site = trilingual();
    for k in 0..60 {
        let date = format!("{}-{:02}-{:02}", 2022 + k % 3, 1 + k % 12, 1 + k % 28);
        let inst = ["Dunhuang Academy", "Peking University", "Guimet National Museum of Asian Arts"][k % 3];
        let topic = ["murals", "manuscripts", "training"][k % 3];
        let slug = format!("story-{k}");
        if k % 7 == 0 {
            site.write(
                &format!("content/articles/{slug}.fr.md"),
                format!("---\ntitle: Nouvelle {k}\ndate: {date}\ninstitutions: [{inst}]\n---\nTexte.\n"),
            );
            continue;
        }
        site.article(
            &slug,
            &format!("title: Story {k}\ndate: {date}\ninstitutions: [{inst}]\ntopics: [{topic}]"),
            "Text.",
        );
        if k % 3 != 0 {
            site.write(&format!("content/articles/{slug}.fr.md"), format!("---\ntitle: Nouvelle {k}\n---\nTexte.\n"));
        }
        if k % 4 != 0 {
            site.write(&format!("content/articles/{slug}.zh.md"), format!("---\ntitle: 新闻{k}\n---\n正文。\n"));
        }
    }
    let files = site.build_ok();
    assert_switchers_lead_somewhere(&files, "/", 3);
    assert_alternates_consistent(&files, "https://example.org/");
}

#[test]
fn a_bundle_and_a_page_are_translated_the_same_way() {
    let site = trilingual();
    site.write(
        "content/articles/cave/index.md",
        "---\ntitle: A cave\ndate: 2024-05-02\ninstitutions: [Dunhuang Academy]\n---\nSee ![the plan](plan.svg).\n",
    );
    site.write("content/articles/cave/plan.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    site.write("content/articles/cave/index.fr.md", "---\ntitle: Une grotte\n---\nVoir ![le plan](plan.svg).\n");
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout this site.\n");
    site.write("content/pages/about.fr.md", "---\ntitle: À propos\nslug: a-propos\n---\nÀ propos du site.\n");
    let files = site.build_ok();
    // The bundle's files beside its page in each language it is written in: relative links work in each.
    assert!(files.has("articles/cave/plan.svg") && files.has("fr/articles/cave/plan.svg"));
    assert!(!files.has("zh/articles/cave/plan.svg"), "no Chinese text, no Chinese page");
    let fr = files.text("fr/articles/cave/index.html");
    assert!(fr.contains("Une grotte") && fr.contains("mai 2024"), "inherits the date");
    assert!(fr.contains("src=\"plan.svg\""), "{fr}");
    assert!(files.has("fr/a-propos/index.html"), "a translation may have a slug of its own");
    let alternates = head_alternates(&files.text("fr/a-propos/index.html"));
    assert_eq!(alternates.get("en").map(String::as_str), Some("https://example.org/about/"));
    let nav = files.text("zh/index.html");
    assert!(nav.contains("href=\"/about/\""), "a page without a Chinese text: the original in the navigation");
    assert_alternates_consistent(&files, "https://example.org/");
}

#[test]
fn a_translated_photograph_is_the_same_file_with_the_caption_of_its_language() {
    let site = trilingual();
    let mut jpeg = Vec::new();
    image::RgbImage::from_fn(600, 400, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]))
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .expect("encode");
    site.write("content/articles/wall/wall.jpg", &jpeg);
    site.write(
        "content/articles/wall/index.md",
        "---\ntitle: A wall\ndate: 2024-05-02\ninstitutions: [Dunhuang Academy]\nimage: { src: wall.jpg, alt: A painted wall, caption: The north wall }\n---\nText.\n\n```figure\nsrc: wall.jpg\nalt: The wall again\n```\n",
    );
    site.write(
        "content/articles/wall/index.fr.md",
        "---\ntitle: Un mur\nimage: { src: wall.jpg, alt: Un mur peint, caption: Le mur nord }\n---\nTexte.\n\n```figure\nsrc: wall.jpg\nalt: Le mur encore\n```\n",
    );
    let files = site.build_ok();
    let fr = files.text("fr/articles/wall/index.html");
    assert!(fr.contains("Le mur nord") && fr.contains("alt=\"Un mur peint\"") && fr.contains("alt=\"Le mur encore\""));
    let zh_listing = files.text("zh/articles/index.html");
    assert!(zh_listing.contains("alt=\"A painted wall\""), "no Chinese text: the English card, with its photograph");
    // Every picture of the French page is a file of the site.
    for page in ["fr/articles/wall/index.html", "articles/wall/index.html"] {
        let html = files.text(page);
        let srcs: Vec<&str> = html
            .split(['"', ' ', ','])
            .filter(|t| t.ends_with(".jpg") || t.ends_with(".webp"))
            .filter(|t| t.starts_with('/'))
            .collect();
        assert!(!srcs.is_empty(), "{page}: pictures");
        for src in srcs {
            assert!(files.has(src.trim_start_matches('/')), "{page}: `{src}` is not a file of the site");
        }
    }
}

#[test]
fn the_translations_of_a_draft_wait_for_it() {
    let site = trilingual();
    site.article("d", "title: Not yet\ndate: 2024-06-01\ninstitutions: [Peking University]\ndraft: true", "Soon.");
    site.write("content/articles/d.fr.md", "---\ntitle: Pas encore\n---\nBientôt.\n");
    let files = site.build_ok();
    assert!(!files.has("articles/d/index.html") && !files.has("fr/articles/d/index.html"));
    let out = site.stele(&["build", "--drafts", "--output", "with-drafts"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let french = std::fs::read_to_string(site.path("with-drafts/fr/articles/d/index.html")).expect("with --drafts");
    assert!(french.contains("/fr/institutions/peking-university/"), "inherits the draft's institutions");
}
