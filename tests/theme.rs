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

/// A theme's strings file for the site's language gives the words of its
/// pages; dates are not among them (they come from the site's language),
/// and the file of a language alone serves its regions (`strings/fr.toml`
/// for `fr-CA`).
#[test]
fn a_theme_strings_file_gives_its_words_in_the_site_language() {
    let site = TestSite::new();
    site.write("site.toml", common::SITE_TOML.replace("paginate", "language = \"fr-CA\"\npaginate"));
    site.simple_article("a", "Un article", "2024-03-12", &["Dunhuang Academy"]);
    site.simple_article("y", "Une année", "2024", &["Dunhuang Academy"]);
    // The theme's French words, with another heading for a year alone.
    let french = std::fs::read_to_string(site.path("themes/heritage/strings/fr.toml")).expect("the theme's fr.toml");
    let line = french.lines().find(|l| l.starts_with("year_group =")).expect("a year_group line").to_string();
    site.write("themes/heritage/strings/fr.toml", french.replace(&line, "year_group = \"Vers {year}\""));
    let files = site.build_ok();
    assert!(files.text("articles/a/index.html").contains(">12 mars 2024</time>"));
    let year = files.text("years/2024/index.html");
    assert!(year.contains(">Vers 2024</h2>") && year.contains(">mars 2024</h2>"), "{year}");
    assert!(!year.contains("March") && !year.contains("Sometime"), "{year}");

    // A language without a strings file gets the heritage theme's English words.
    site.remove("themes/heritage/strings/fr.toml");
    site.remove("themes/heritage/strings/en.toml");
    assert!(site.build_ok().text("years/2024/index.html").contains(">Sometime in 2024</h2>"));
}

#[test]
fn a_mistake_in_the_strings_file_is_reported_at_its_line() {
    let site = TestSite::new();
    site.write("themes/heritage/strings/en.toml", "year_group = \"Sometime in {year}\"\nyear_gruop = 12\n");
    let err = site.build_err();
    assert!(err.contains("themes/heritage/strings/en.toml:2:1:"), "{err}");
    // Month tables of older themes are refused with the reason.
    site.write("themes/heritage/strings/en.toml", "year_group = \"{year}\"\nmonths = [\"Jan\"]\n");
    let err = site.build_err();
    assert!(
        err.contains(
            "strings/en.toml:2:1: unknown key `months` (dates and month names now come from the site's language"
        ),
        "{err}"
    );
}

/// Cards are rendered once through the theme's `article_card` component and
/// printed from `card.h2` / `card.h3`: the site is byte for byte what
/// templates that call the component on every page give, in every language
/// (an article without a translation shows in the other language's lists).
#[test]
fn prerendered_cards_are_what_the_component_renders() {
    let site = TestSite::new();
    let languages =
        "\n[languages.en]\nname = \"English\"\n\n[languages.fr]\nname = \"Français\"\ntitle = \"Patrimoine\"\n";
    site.write("site.toml", format!("{}{languages}", common::SITE_TOML));
    for (k, date) in ["2024-03-12", "2024-03", "2023", "2022-11-02", "2021-06-30"].iter().enumerate() {
        site.simple_article(
            &format!("a{k}"),
            &format!("Article <{k}> & co"),
            date,
            &["Dunhuang Academy", "Musée Guimet"],
        );
    }
    site.write("content/articles/a0.fr.md", "---\ntitle: Article zéro\n---\nCorps.\n");
    let prerendered = site.build_ok();
    assert!(prerendered.text("articles/index.html").contains("<h2 class=\"card-title\">"));
    assert!(prerendered.text("years/2024/index.html").contains("<h3 class=\"card-title\">"));

    let templates = site.path("themes/heritage/templates");
    for name in ["index.html", "year.html", "article.html", "partials/listing.html"] {
        let text = std::fs::read_to_string(templates.join(name)).expect("a theme template");
        let calls = text
            .replace("{{ card.h2 | safe }}", "{{ <article_card card={card} level={2}/> }}")
            .replace("{{ card.h3 | safe }}", "{{ <article_card card={card} level={3}/> }}")
            .replace(
                "{% if level | default(value=3) == 2 %}{{ <article_card card={card} level={2}/> }}{% else %}{{ <article_card card={card} level={3}/> }}{% endif %}",
                "{{ <article_card card={card} level={level | default(value=3)}/> }}",
            );
        assert_ne!(calls, text, "{name} prints prerendered cards");
        assert!(!calls.contains("card.h2 | safe") && !calls.contains("card.h3 | safe"), "{name}: {calls}");
        site.write(&format!("templates/{name}"), calls);
    }
    let called = site.build_ok();
    assert_eq!(prerendered.paths(), called.paths());
    for path in prerendered.paths() {
        assert!(
            prerendered.0[path] == called.0[path],
            "{path} differs:\n{}\n---\n{}",
            prerendered.text(path),
            called.text(path)
        );
    }
}

/// A mistake in the card component is reported once, at its template and
/// line, and fails the build.
#[test]
fn a_mistake_in_the_card_component_is_reported_once_at_its_line() {
    let site = TestSite::new();
    for k in 0..4 {
        site.simple_article(&format!("a{k}"), &format!("Article {k}"), "2024-03-12", &["Dunhuang Academy"]);
    }
    let path = "themes/heritage/templates/partials/components.html";
    let text = std::fs::read_to_string(site.path(path)).expect("components.html");
    let broken =
        text.replacen("<article class=\"card\">", "<article class=\"card {{ card.title | no_such_filter }}\">", 1);
    let line = broken.lines().position(|l| l.contains("no_such_filter")).expect("the line") + 1;
    site.write(path, &broken);
    let err = site.build_err();
    assert!(err.contains(&format!("partials/components.html:{line}:")), "{err}");
    assert!(err.contains("no_such_filter"), "{err}");

    // A mistake only a card's data meets (no filter is missing at load).
    let broken = text.replacen("<article class=\"card\">", "<article class=\"card {{ card.title.nothing }}\">", 1);
    site.write(path, &broken);
    let err = site.build_err();
    assert!(err.contains(&format!("partials/components.html:{line}:")), "{err}");
    assert_eq!(err.matches("partials/components.html").count(), 1, "{err}");
}

/// A theme whose `article_card` takes other arguments than `card` and
/// `level` is left to call it itself: nothing is rendered ahead (templates
/// see no `card.h3`), and its pages build.
#[test]
fn a_card_component_of_another_shape_is_not_rendered_ahead() {
    let site = TestSite::new();
    site.simple_article("a", "An article", "2024-03-12", &["Dunhuang Academy"]);
    let components = "themes/heritage/templates/partials/components.html";
    let text = std::fs::read_to_string(site.path(components)).expect("components.html");
    let text = text
        .replace("article_card(card, level: integer = 3, @site)", "article_card(card, tone, level: integer = 3, @site)")
        .replace("<article class=\"card\">", "<article class=\"card {{ tone }}\">");
    site.write(components, text);
    for name in ["index.html", "year.html", "article.html", "partials/listing.html"] {
        let path = format!("themes/heritage/templates/{name}");
        let text = std::fs::read_to_string(site.path(&path)).expect("a theme template");
        let call = |level: u8| {
            format!(
                "{{{{ <article_card card={{card}} tone={{\"calm\"}} level={{{level}}}/> }}}}[{{{{ card.h{level} | default(value=\"none\") }}}}]"
            )
        };
        site.write(&path, text.replace("{{ card.h2 | safe }}", &call(2)).replace("{{ card.h3 | safe }}", &call(3)));
    }
    let files = site.build_ok();
    let listing = files.text("articles/index.html");
    assert!(listing.contains("<article class=\"card calm\">"), "{listing}");
    assert!(listing.contains("</article>[none]"), "{listing}");
}
