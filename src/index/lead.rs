//! The home page's order: which story leads, and what follows it.
//!
//! The lead is chosen on purpose, not by file order:
//! 1. the newest article an editor marked `featured: true`, if any;
//! 2. else, among the articles of the newest publication day, the broadest
//!    story: the one naming the most institutions, then the most countries
//!    (a three-partner agreement leads a single museum's news of that day);
//!    when the newest date gives only a month or a year, the articles dated
//!    by that same month or year alone are compared instead;
//! 3. remaining ties keep the site's order (title, then file path).
//!
//! The other stories follow newest first, as everywhere else. The order is a
//! pure function of the articles: the same site always gets the same home.

use crate::content::Article;

/// The `members` of `articles` (indexes, newest first) in home-page order:
/// the lead first, then every other one in its usual order.
pub fn home_order(articles: &[Article], members: &[usize]) -> Vec<usize> {
    let Some(lead) = lead(articles, members) else { return Vec::new() };
    std::iter::once(lead).chain(members.iter().copied().filter(|&i| i != lead)).collect()
}

/// The lead story of `members` (indexes into `articles`, newest first), if any.
pub fn lead(articles: &[Article], members: &[usize]) -> Option<usize> {
    if let Some(&featured) = members.iter().find(|&&i| articles[i].featured) {
        return Some(featured);
    }
    let newest = articles[*members.first()?].date.period();
    members
        .iter()
        .map(|&i| (i, &articles[i]))
        .take_while(|(_, a)| a.date.period() == newest)
        // The index breaks ties: of equals, the first in the site's order wins.
        .max_by_key(|&(i, a)| (a.institutions.len(), a.countries.len(), std::cmp::Reverse(i)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SourceText;

    fn article(title: &str, date: &str, institutions: usize, countries: usize, featured: bool) -> Article {
        let text = format!("---\ntitle: {title}\ndate: {date}\ninstitutions: [a]\nfeatured: {featured}\n---\nBody.\n");
        let tz = jiff::tz::TimeZone::UTC;
        let src = SourceText { text: &text, rel_path: "x.md", file_slug: "x", lang: "en", group: "x.md", tz: &tz };
        let mut a = Article::parse(&src, None).expect("a valid article");
        a.institutions = (0..institutions).map(crate::content::InstitutionId).collect();
        a.countries = (0..countries).map(crate::content::CountryId).collect();
        a
    }

    fn all(articles: &[Article]) -> Vec<usize> {
        (0..articles.len()).collect()
    }

    #[test]
    fn the_broadest_story_of_the_newest_day_leads() {
        let articles = [
            article("A", "2024-05-02", 1, 1, false),
            article("B", "2024-05-02", 3, 2, false),
            article("C", "2024-05-02", 3, 2, false),
            article("D", "2024-05-01", 5, 2, false),
        ];
        assert_eq!(
            home_order(&articles, &all(&articles)),
            [1, 0, 2, 3],
            "B: most institutions that day, first of equals"
        );
        let articles = [article("A", "2024-05-02", 2, 1, false), article("B", "2024-05-02", 2, 2, false)];
        assert_eq!(lead(&articles, &all(&articles)), Some(1), "then most countries");
        assert_eq!(home_order(&[], &[]), Vec::<usize>::new());
    }

    #[test]
    fn a_month_is_compared_with_its_own_month_only() {
        let articles = [
            article("A", "2024-05", 1, 1, false),
            article("B", "2024-05", 3, 2, false),
            article("C", "2024-04-30", 5, 2, false),
        ];
        assert_eq!(lead(&articles, &all(&articles)), Some(1), "B: the broadest of May alone");
        let articles = [article("A", "2024-05-01", 1, 1, false), article("B", "2024-05", 3, 2, false)];
        assert_eq!(
            lead(&articles, &all(&articles)),
            Some(0),
            "the newest day leads alone: a day of May is not the month"
        );
    }

    #[test]
    fn a_featured_story_leads_whatever_its_date() {
        let articles = [
            article("A", "2024-05-02", 3, 2, false),
            article("B", "2023-01-01", 1, 1, true),
            article("C", "2022-01-01", 1, 1, true),
        ];
        assert_eq!(home_order(&articles, &all(&articles)), [1, 0, 2]);
    }
}
