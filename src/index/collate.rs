//! The order of names in a language: CLDR collation through ICU4X, so that
//! a French list puts `École` among the E and a Chinese one follows pinyin.
//!
//! Used for the lists readers scan by name (institutions, countries). It
//! never decides an order a URL or a file depends on; ties keep the order
//! they came in, so the result is the same on every machine.

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};

/// Compares names as readers of one language expect.
pub struct Collation {
    collator: Option<CollatorBorrowed<'static>>,
}

impl Collation {
    /// The collation of the BCP 47 tag `tag`; the root collation (Unicode's
    /// default order) for a language CLDR does not know.
    pub fn new(tag: &str) -> Collation {
        let locale = tag.parse::<icu_locale_core::Locale>().unwrap_or(icu_locale_core::Locale::UNKNOWN);
        let collator = Collator::try_new((&locale).into(), CollatorOptions::default())
            .or_else(|_| Collator::try_new(icu_locale_core::Locale::UNKNOWN.into(), CollatorOptions::default()))
            .ok();
        Collation { collator }
    }

    /// Sorts `items` by `name_of`, stably.
    pub fn sort_by_name<'n, T>(&self, items: &mut [T], name_of: impl Fn(&T) -> &'n str) {
        match &self.collator {
            Some(c) => items.sort_by(|a, b| c.compare(name_of(a), name_of(b))),
            None => items.sort_by(|a, b| name_of(a).cmp(name_of(b))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(tag: &str, names: &[&'static str]) -> Vec<&'static str> {
        let mut names = names.to_vec();
        Collation::new(tag).sort_by_name(&mut names, |n| n);
        names
    }

    #[test]
    fn chinese_follows_pinyin() {
        // 北京 (běi), 敦煌 (dūn), 故宫 (gù), 西北 (xī)
        assert_eq!(
            sorted("zh-Hans", &["西北师范大学", "故宫博物院", "北京大学", "敦煌研究院"]),
            ["北京大学", "敦煌研究院", "故宫博物院", "西北师范大学"]
        );
    }

    #[test]
    fn french_sorts_accents_with_their_letter() {
        assert_eq!(
            sorted("fr", &["Fondation", "École", "Musée", "Académie"]),
            ["Académie", "École", "Fondation", "Musée"]
        );
    }
}
