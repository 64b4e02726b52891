//! Routes: the site path of every kind of page, in one place.
//!
//! A site path is relative to the site's base URL, has no leading `/`, and
//! ends with `/` for a page (`articles/x/`) or with a file name for a file
//! (`rss.xml`). Every builder takes the language, so that translations can
//! live under `/fr/` and `/zh/` later; the site's default language has no
//! prefix. [`BaseUrl`](crate::config::BaseUrl) turns a site path into a URL.

/// A site path as it goes into a URL: spaces, quotes, `#`, `%`, `?`, and
/// the characters that would end or split a `srcset` candidate (`,`) or that
/// browsers read as a slash (`\\`) percent-encoded; everything else, non-ASCII
/// letters included, as it is (the URL parser encodes those itself).
pub fn url_path(site_path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SET: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b',')
        .add(b'\\');
    utf8_percent_encode(site_path, SET).to_string()
}

/// Builds site paths for one site.
#[derive(Debug, Clone)]
pub struct Routes {
    default_lang: String,
}

impl Routes {
    pub fn new(default_lang: &str) -> Self {
        Routes { default_lang: default_lang.to_string() }
    }

    fn prefix(&self, lang: &str) -> String {
        if lang == self.default_lang { String::new() } else { format!("{lang}/") }
    }

    pub fn home(&self, lang: &str) -> String {
        self.prefix(lang)
    }
    pub fn article(&self, lang: &str, slug: &str) -> String {
        format!("{}articles/{slug}/", self.prefix(lang))
    }
    pub fn articles(&self, lang: &str) -> String {
        format!("{}articles/", self.prefix(lang))
    }
    pub fn institutions(&self, lang: &str) -> String {
        format!("{}institutions/", self.prefix(lang))
    }
    pub fn institution(&self, lang: &str, slug: &str) -> String {
        format!("{}institutions/{slug}/", self.prefix(lang))
    }
    pub fn countries(&self, lang: &str) -> String {
        format!("{}countries/", self.prefix(lang))
    }
    pub fn country(&self, lang: &str, slug: &str) -> String {
        format!("{}countries/{slug}/", self.prefix(lang))
    }
    pub fn years(&self, lang: &str) -> String {
        format!("{}years/", self.prefix(lang))
    }
    pub fn year(&self, lang: &str, year: i16) -> String {
        format!("{}years/{year}/", self.prefix(lang))
    }
    pub fn topics(&self, lang: &str) -> String {
        format!("{}topics/", self.prefix(lang))
    }
    pub fn topic(&self, lang: &str, slug: &str) -> String {
        format!("{}topics/{slug}/", self.prefix(lang))
    }
    pub fn search(&self, lang: &str) -> String {
        format!("{}search/", self.prefix(lang))
    }
    pub fn page(&self, lang: &str, slug: &str) -> String {
        format!("{}{slug}/", self.prefix(lang))
    }
    /// The feed that belongs to a listing page (`institutions/x/` -> `institutions/x/rss.xml`).
    pub fn feed(&self, listing: &str) -> String {
        format!("{listing}rss.xml")
    }
}

/// Page `n` (1-based) of a paginated listing at `base`: page 1 is `base` itself.
pub fn paginated(base: &str, n: usize) -> String {
    if n <= 1 { base.to_string() } else { format!("{base}page/{n}/") }
}

/// The file that holds a site path: `a/` -> `a/index.html`, `` -> `index.html`.
pub fn file_of(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_paths_with_language_prefix() {
        let r = Routes::new("en");
        assert_eq!(r.article("en", "x"), "articles/x/");
        assert_eq!(r.article("fr", "x"), "fr/articles/x/");
        assert_eq!(r.home("en"), "");
        assert_eq!(r.feed(&r.institution("en", "a")), "institutions/a/rss.xml");
        assert_eq!(paginated("articles/", 1), "articles/");
        assert_eq!(paginated("articles/", 3), "articles/page/3/");
        assert_eq!(file_of(""), "index.html");
        assert_eq!(file_of("articles/x/"), "articles/x/index.html");
        assert_eq!(file_of("rss.xml"), "rss.xml");
    }
}
