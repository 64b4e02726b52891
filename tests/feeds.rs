//! RSS feeds as feed readers see them.
//!
//! Every feed is read twice: by a real feed parser (feed-rs), for what a
//! reader shows (items, titles, dates, links), and by a strict XML parser
//! (roxmltree), for the rules a lenient parser would let slip: the guid is a
//! permalink equal to the link, dates are RFC 2822 with the site's offset,
//! lastBuildDate is the newest item's date, descriptions are escaped exactly
//! once and hold no relative URL.

mod common;

use std::cell::RefCell;

use common::TestSite;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use stele::content::Site;

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// One `<item>`, as written.
#[derive(Debug)]
struct Item {
    title: String,
    link: String,
    guid: String,
    guid_is_permalink: Option<String>,
    pub_date: String,
    description: String,
    categories: Vec<String>,
}

/// One `<channel>`, as written.
#[derive(Debug)]
struct Channel {
    title: String,
    link: String,
    description: String,
    language: String,
    last_build_date: Option<String>,
    self_link: Option<(String, String)>,
    items: Vec<Item>,
}

/// Reads an RSS document with a strict XML parser.
fn channel(xml: &str) -> Channel {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}"));
    let rss = doc.root_element();
    assert_eq!(rss.tag_name().name(), "rss");
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = rss.children().find(|n| n.has_tag_name("channel")).expect("a <channel>");
    let text = |node: roxmltree::Node, name: &str| -> Option<String> {
        node.children()
            .find(|n| n.is_element() && n.tag_name().name() == name && n.tag_name().namespace().is_none())
            .map(|n| n.text().unwrap_or_default().to_string())
    };
    let items = channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .map(|item| Item {
            title: text(item, "title").expect("item title"),
            link: text(item, "link").expect("item link"),
            guid: text(item, "guid").expect("item guid"),
            guid_is_permalink: item
                .children()
                .find(|n| n.has_tag_name("guid"))
                .and_then(|n| n.attribute("isPermaLink"))
                .map(str::to_string),
            pub_date: text(item, "pubDate").expect("item pubDate"),
            description: text(item, "description").expect("item description"),
            categories: item
                .children()
                .filter(|n| n.has_tag_name("category"))
                .map(|n| n.text().unwrap_or_default().to_string())
                .collect(),
        })
        .collect();
    Channel {
        title: text(channel, "title").expect("channel title"),
        link: text(channel, "link").expect("channel link"),
        description: text(channel, "description").expect("channel description"),
        language: text(channel, "language").expect("channel language"),
        last_build_date: text(channel, "lastBuildDate"),
        self_link: channel.children().find(|n| n.has_tag_name((ATOM, "link"))).map(|n| {
            (n.attribute("rel").unwrap_or_default().to_string(), n.attribute("href").unwrap_or_default().to_string())
        }),
        items,
    }
}

/// Every URL an HTML fragment refers to (`href`, `src`, each `srcset` candidate).
fn urls_in(html: &str) -> Vec<String> {
    let found = RefCell::new(Vec::new());
    let handler = element!("[href], [src], [srcset]", |el| {
        for name in ["href", "src"] {
            if let Some(value) = el.get_attribute(name) {
                found.borrow_mut().push(value.replace("&amp;", "&"));
            }
        }
        if let Some(srcset) = el.get_attribute("srcset") {
            for candidate in srcset.split(',') {
                let url = candidate.split_whitespace().next().unwrap_or_default();
                found.borrow_mut().push(url.replace("&amp;", "&"));
            }
        }
        Ok(())
    });
    rewrite_str(html, RewriteStrSettings { element_content_handlers: vec![handler], ..RewriteStrSettings::new() })
        .expect("the description is HTML");
    found.into_inner()
}

/// Reads an RSS date, asserting that it is canonical RFC 2822 and carries
/// the offset the site's time zone had at that moment.
fn rfc2822(date: &str, tz: &jiff::tz::TimeZone) -> jiff::Timestamp {
    let zoned = jiff::fmt::rfc2822::parse(date).unwrap_or_else(|e| panic!("`{date}` is not RFC 2822: {e}"));
    assert_eq!(jiff::fmt::rfc2822::to_string(&zoned).ok().as_deref(), Some(date), "`{date}` in canonical form");
    assert_eq!(zoned.offset(), tz.to_offset(zoned.timestamp()), "`{date}` has the site's offset");
    zoned.timestamp()
}

/// Text as a feed must carry it: without the characters XML forbids.
fn xml_text(text: &str) -> String {
    text.chars().filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).collect()
}

fn is_absolute(url: &str) -> bool {
    url::Url::parse(url).is_ok()
}

/// The checks every feed must pass; `expected` are the article indices it must list, newest first.
fn check_feed(path: &str, xml: &str, site: &Site, expected: &[usize]) {
    let base = site.config.base_url.as_str();
    let tz = &site.config.time_zone;
    let limit = expected.len().min(site.config.feed_limit);

    // What a feed reader sees.
    let parsed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{path}: feed-rs: {e}"));
    assert_eq!(parsed.entries.len(), limit, "{path}: number of items");
    for (entry, &i) in parsed.entries.iter().zip(expected) {
        let a = &site.articles[i];
        let prefix = if a.lang == site.config.language { String::new() } else { format!("{}/", a.lang) };
        let permalink = format!("{base}{prefix}articles/{}/", a.slug);
        assert_eq!(entry.title.as_ref().map(|t| t.content.clone()), Some(xml_text(&a.title)), "{path}: title");
        assert_eq!(entry.links.first().map(|l| l.href.as_str()), Some(permalink.as_str()), "{path}: link");
        assert_eq!(entry.id, permalink, "{path}: guid");
        let published = entry.published.map(|d| d.timestamp());
        assert_eq!(published, Some(a.date.zoned(tz).timestamp().as_second()), "{path}: date of `{}`", a.title);
    }
    assert_eq!(parsed.updated, parsed.entries.first().and_then(|e| e.published), "{path}: lastBuildDate");

    // What the XML says, exactly.
    let channel = channel(xml);
    let language = site.config.languages.iter().skip(1).find(|l| path.starts_with(&format!("{}/", l.code)));
    let tag = language.unwrap_or(site.config.default_language()).tag.as_str();
    assert_eq!(channel.language, tag, "{path}: the feed's language");
    assert!(channel.link.starts_with(base), "{path}: channel link `{}`", channel.link);
    assert_eq!(channel.self_link, Some(("self".to_string(), format!("{base}{path}"))), "{path}: atom:link");
    assert!(!channel.title.is_empty() && !channel.description.is_empty(), "{path}");
    assert_eq!(channel.items.len(), limit, "{path}");
    for (item, &i) in channel.items.iter().zip(expected) {
        let a = &site.articles[i];
        assert!(is_absolute(&item.link) && item.link.starts_with(base), "{path}: link `{}`", item.link);
        assert_eq!(item.guid, item.link, "{path}: guid equals link");
        assert_eq!(item.guid_is_permalink.as_deref(), Some("true"), "{path}: isPermaLink");
        assert_eq!(rfc2822(&item.pub_date, tz), a.date.zoned(tz).timestamp(), "{path}: pubDate");
        // Named in the feed's language.
        let mut categories: Vec<String> =
            a.institutions.iter().map(|&c| xml_text(site.institutions[c].name_in(&a.lang))).collect();
        categories.extend(a.countries.iter().map(|&c| xml_text(site.countries[c].name_in(&a.lang))));
        assert_eq!(item.categories, categories, "{path}: a category per institution and country");
        assert!(item.description.starts_with('<'), "{path}: the description is HTML: {}", item.description);
        assert!(!item.description.contains("&lt;p&gt;"), "{path}: description escaped twice");
        for url in urls_in(&item.description) {
            assert!(is_absolute(&url), "{path}: relative URL `{url}` in the description of `{}`", a.title);
        }
    }
    assert_eq!(channel.last_build_date, channel.items.first().map(|i| i.pub_date.clone()), "{path}: lastBuildDate");
}

/// Every feed of a site with the articles it must hold: the site feed, then
/// one per institution and per country.
/// Every feed of every language, with the articles it must list: those of
/// its language only.
fn every_feed(site: &Site) -> Vec<(String, Vec<usize>)> {
    let mut feeds = Vec::new();
    for lang in &site.config.languages {
        let prefix = if lang.code == site.config.language { String::new() } else { format!("{}/", lang.code) };
        let own: Vec<usize> = (0..site.articles.len()).filter(|&i| site.articles[i].lang == lang.code).collect();
        feeds.push((format!("{prefix}rss.xml"), own.clone()));
        for (id, inst) in site.institution_ids().zip(&site.institutions) {
            let ids = own.iter().copied().filter(|&i| site.articles[i].institutions.contains(&id)).collect();
            feeds.push((format!("{prefix}institutions/{}/rss.xml", inst.slug), ids));
        }
        for (id, c) in site.country_ids().zip(&site.countries) {
            let ids = own.iter().copied().filter(|&i| site.articles[i].countries.contains(&id)).collect();
            feeds.push((format!("{prefix}countries/{}/rss.xml", c.slug), ids));
        }
    }
    feeds
}

fn loaded(site: &TestSite) -> Site {
    stele::build::load(&site.options()).unwrap_or_else(|e| panic!("load failed:\n{e}")).site
}

#[test]
fn every_feed_of_the_microsite_is_right() {
    let site = TestSite::microsite();
    let files = site.build_ok();
    let content = loaded(&site);
    assert_eq!(content.config.time_zone_name, "Asia/Shanghai", "the microsite's time zone, as this test expects");
    let feeds = every_feed(&content);
    assert!(feeds.len() > 10, "site, institution and country feeds");
    for (path, expected) in &feeds {
        let xml = files.text(path);
        check_feed(path, &xml, &content, expected);
        for item in channel(&xml).items {
            assert!(item.pub_date.ends_with(" +0800"), "{path}: `{}` in Asia/Shanghai time", item.pub_date);
        }
    }
    // Escaped exactly once: the bytes hold `&lt;p&gt;`, and one XML unescape gives back the article's HTML.
    let site_feed = files.text("rss.xml");
    assert!(site_feed.contains("<description>&lt;p&gt;"), "HTML escaped for XML");
    let english = content.articles.iter().filter(|a| a.lang == content.config.language);
    for (item, a) in channel(&site_feed).items.iter().zip(english) {
        let page = url::Url::parse(&item.link).expect("an absolute link");
        let html = stele::render::feed::absolutize(&a.body.html, &page).expect("rewritable HTML");
        let whole = a.image.is_some() || item.description == html;
        assert!(
            whole && item.description.ends_with(&html),
            "the description of `{}` is its HTML, escaped once",
            a.title
        );
    }
}

#[test]
fn every_page_announces_its_feeds() {
    let site = TestSite::microsite();
    let files = site.build_ok();
    let alternate = |path: &str, feed: &str| {
        let href = format!(r#"href="/heritage/{feed}""#);
        files.text(path).lines().any(|line| {
            line.starts_with(r#"<link rel="alternate" type="application/rss+xml" title=""#) && line.contains(&href)
        })
    };
    for path in ["index.html", "articles/index.html", "404.html", "about/index.html"] {
        assert!(alternate(path, "rss.xml"), "{path} links the site feed");
    }
    assert!(alternate("institutions/dunhuang-academy/index.html", "institutions/dunhuang-academy/rss.xml"));
    assert!(alternate("countries/france/index.html", "countries/france/rss.xml"));
}

/// A site with everything a feed can get wrong.
fn awkward_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"Heritage & <Friends>\"\nbase_url = \"https://example.org/heritage/\"\ntime_zone = \"Europe/Paris\"\nfeed_limit = 3\n",
    );
    site.write(
        "content/institutions/bell.md",
        "---\nname: \"Bell Foundation\"\ncountry: France\n---\nA foundation with a bell in its name.\n",
    );
    site.write(
        "content/articles/caves/index.md",
        concat!(
            "---\n",
            "title: \"Caves & <murals> of Dunhuang's \\\"library\\\"\"\n",
            "date: 2024-07-01\n",
            "institutions: [Dunhuang Academy, bell]\n",
            "image: { src: cave-249.jpg, alt: \"Ceiling of cave 249 & its <murals>\" }\n",
            "---\n",
            "Salt & pepper, \"quoted\" and 'single' text; see [the winter article](../winter/) and ",
            "[notes](#notes).\n\n",
            "![Cave 249](cave-249.jpg)\n\n",
            "<a href='single/'>single</a> <a href=unquoted/>unquoted</a> ",
            "<img src=\"detail.jpg\" srcset=\"detail.jpg 1x, detail-2x.jpg 2x\" alt=\"\"> ",
            "<a href=\"/heritage/about/\">about</a> <a href=\"https://dunhuang.org/?a=1&amp;b=2\">outside</a>\n\n",
            "## Notes\n\nThe end.\n",
        ),
    );
    site.write("content/articles/caves/cave-249.jpg", {
        // A real photograph (40 × 30), published at its own width in WebP and JPEG.
        let mut out = Vec::new();
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([120, 80, 40]));
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).expect("encode");
        out
    });
    site.article(
        "winter",
        "title: Winter in Paris\ndate: 2024-01-15\ninstitutions: [Guimet National Museum of Asian Arts]",
        "A winter article.",
    );
    site.article(
        "moment",
        "title: A moment in Dunhuang\ndate: 2024-03-12T10:30:00+08:00\ninstitutions: [Dunhuang Academy]",
        "Published at half past ten in Dunhuang.",
    );
    site.article(
        "oldest",
        "title: The oldest article\ndate: 2023-06-01\ninstitutions: [Dunhuang Academy]",
        "Too old for a feed of three.",
    );
    site
}

#[test]
fn awkward_text_and_relative_links_come_out_right() {
    let site = awkward_site();
    let files = site.build_ok();
    let content = loaded(&site);
    let xml = files.text("rss.xml");

    let channel = channel(&xml);
    assert_eq!(channel.title, "Heritage & <Friends>");
    assert!(xml.contains("<title>Heritage &amp; &lt;Friends&gt;</title>"), "escaped once:\n{xml}");
    let caves = &channel.items[0];
    // Titles get the same typographic punctuation as bodies.
    assert_eq!(caves.title, "Caves & <murals> of Dunhuang’s “library”");
    assert!(xml.contains("<title>Caves &amp; &lt;murals&gt; of Dunhuang"), "{xml}");
    assert_eq!(caves.categories, ["Dunhuang Academy", "Bell Foundation", "China", "France"]);
    assert_eq!(caves.pub_date, "Mon, 1 Jul 2024 00:00:00 +0200", "summer time in Paris");

    let page = "https://example.org/heritage/articles/caves/";
    let urls = urls_in(&caves.description);
    for expected in [
        "https://example.org/heritage/articles/winter/".to_string(),
        format!("{page}#notes"),
        format!("{page}cave-249.40.jpg"),
        format!("{page}cave-249.40.webp"),
        format!("{page}single/"),
        format!("{page}unquoted/"),
        format!("{page}detail.jpg"),
        format!("{page}detail-2x.jpg"),
        "https://example.org/heritage/about/".to_string(),
        "https://dunhuang.org/?a=1&b=2".to_string(),
    ] {
        assert!(urls.contains(&expected), "`{expected}` in {urls:?}");
    }
    assert!(urls.iter().all(|u| is_absolute(u)), "{urls:?}");
    // The lead image comes first, so readers show the same article as the site.
    assert!(
        caves.description.starts_with(&format!(
            r#"<p><img src="{page}cave-249.40.jpg" alt="Ceiling of cave 249 &amp; its &lt;murals&gt;">"#
        )),
        "{}",
        caves.description
    );
    assert!(caves.description.contains("Salt &amp; pepper, “quoted” and ‘single’ text"), "{}", caves.description);
    assert!(xml.contains("Salt &amp;amp; pepper"), "HTML text escaped once more for XML, no more:\n{xml}");

    // Dates: each with the offset in force on its day; a moment converted to the site's zone.
    let dates: Vec<&str> = channel.items.iter().map(|i| i.pub_date.as_str()).collect();
    assert_eq!(
        dates,
        ["Mon, 1 Jul 2024 00:00:00 +0200", "Tue, 12 Mar 2024 03:30:00 +0100", "Mon, 15 Jan 2024 00:00:00 +0100"]
    );
    assert_eq!(channel.last_build_date.as_deref(), Some(dates[0]));

    for (path, expected) in every_feed(&content) {
        check_feed(&path, &files.text(&path), &content, &expected);
    }
}

#[test]
fn an_empty_feed_is_still_valid() {
    let site = TestSite::new();
    let files = site.build_ok();
    let content = loaded(&site);
    for (path, expected) in every_feed(&content) {
        assert!(expected.is_empty());
        let xml = files.text(&path);
        check_feed(&path, &xml, &content, &expected);
        assert!(!xml.contains("lastBuildDate"), "no date to give without items, and never the clock");
    }
}

/// RSS needs a whole date-time: a month or a year gets its first day at
/// midnight in the site's time zone, the moment the site sorts it by, so a
/// reader lists the items as the site does; every feed still parses.
#[test]
fn a_month_or_a_year_gets_its_first_day_at_midnight() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}time_zone = \"Asia/Shanghai\"\n", common::SITE_TOML));
    site.simple_article("day", "A day of March", "2024-03-01", &["Dunhuang Academy"]);
    site.simple_article("month", "March alone", "2024-03", &["Dunhuang Academy"]);
    site.simple_article("year", "The year alone", "2024", &["Guimet National Museum of Asian Arts"]);
    site.simple_article("before", "The day before", "2023-12-31", &["Dunhuang Academy"]);
    let files = site.build_ok();
    let content = loaded(&site);
    for (path, expected) in every_feed(&content) {
        check_feed(&path, &files.text(&path), &content, &expected);
    }
    let items = channel(&files.text("rss.xml")).items;
    let dates: Vec<(&str, &str)> = items.iter().map(|i| (i.link.as_str(), i.pub_date.as_str())).collect();
    assert_eq!(
        dates,
        [
            ("https://example.org/articles/day/", "Fri, 1 Mar 2024 00:00:00 +0800"),
            ("https://example.org/articles/month/", "Fri, 1 Mar 2024 00:00:00 +0800"),
            ("https://example.org/articles/year/", "Mon, 1 Jan 2024 00:00:00 +0800"),
            ("https://example.org/articles/before/", "Sun, 31 Dec 2023 00:00:00 +0800"),
        ]
    );
}

#[test]
fn feeds_are_reproducible() {
    let site = awkward_site();
    let first = site.build_ok();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = site.build_ok();
    for path in first.paths().into_iter().filter(|p| p.ends_with(".xml")) {
        assert_eq!(first.text(path), second.text(path), "{path} changed between two builds");
    }
}

#[test]
fn a_site_can_override_the_feed_template() {
    let site = awkward_site();
    site.write(
        "templates/rss.xml",
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>",
            "<title>{{ feed.title }}</title><link>{{ feed.link }}</link><description>ours</description>",
            "<language>{{ feed.language }}</language><copyright>CC BY 4.0</copyright>\n",
            "{% for item in feed.items %}<item><title>{{ item.title }}</title><link>{{ item.link }}</link></item>\n{% endfor %}",
            "</channel></rss>\n",
        ),
    );
    let files = site.build_ok();
    for path in ["rss.xml", "institutions/dunhuang-academy/rss.xml", "countries/france/rss.xml"] {
        let xml = files.text(path);
        assert!(xml.contains("<copyright>CC BY 4.0</copyright>"), "{path} uses the site's template:\n{xml}");
        let parsed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!parsed.entries.is_empty(), "{path}");
    }
    let xml = files.text("rss.xml");
    assert!(
        xml.contains("<title>Heritage &amp; &lt;Friends&gt;</title>"),
        "an overriding .xml template is escaped too"
    );
    assert!(xml.contains("<title>Caves &amp; &lt;murals&gt; of Dunhuang"), "{xml}");
}
