//! The groupings: which articles belong to each institution, country and
//! year, and which institutions to each country, for each language of the
//! site ([`Editions`]: a language lists its own articles and those that have
//! no translation in it, and sorts names by its collation).
//!
//! Built once per build from a loaded [`Site`], whose articles are already
//! newest first, so every group keeps that order; groups of terms follow the
//! site's order of institutions and countries (by name). Nothing here renders.

pub mod collate;
pub mod lead;

use rayon::prelude::*;

use crate::content::{CountryId, InstitutionId, Site};

/// The groupings of every language of the site, in the site's order of
/// languages (the default first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editions {
    pub list: Vec<Index>,
}

impl Editions {
    /// Groups the articles of every language: each language lists its own
    /// articles and, unless site.toml says otherwise, the articles that
    /// have no translation in it (in the default language when they have
    /// one, else in the first language they are written in).
    pub fn new(site: &Site) -> Editions {
        let config = &site.config;
        let order = |code: &str| config.languages.iter().position(|l| l.code == code).unwrap_or(usize::MAX);
        // Each group's languages, as a bit set over the site's languages.
        let mut langs_of: rustc_hash::FxHashMap<&str, u64> = rustc_hash::FxHashMap::default();
        for a in &site.articles {
            *langs_of.entry(a.group.as_str()).or_default() |= 1u64 << order(&a.lang).min(63);
        }
        let list = config
            .languages
            .par_iter()
            .enumerate()
            .map(|(k, lang)| {
                let members: Vec<usize> = site
                    .articles
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| {
                        let own = order(&a.lang);
                        if own == k {
                            return true;
                        }
                        let langs = langs_of.get(a.group.as_str()).copied().unwrap_or_default();
                        // Shown in its stead: the group's first language (the default first).
                        config.show_untranslated && langs & (1u64 << k) == 0 && langs.trailing_zeros() as usize == own
                    })
                    .map(|(i, _)| i)
                    .collect();
                Index::new(site, &lang.code, members)
            })
            .collect();
        Editions { list }
    }
}

/// Article indices (into `Site::articles`) per grouping, for one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    /// The language's code.
    pub lang: String,
    /// The articles its listings show, newest first: its own, and those
    /// shown in their stead (see [`Editions::new`]).
    pub articles: Vec<usize>,
    /// Per article of the site: its place in `articles` (`u32::MAX`: not shown).
    pub position: Vec<u32>,
    pub by_institution: Vec<Vec<usize>>,
    pub by_country: Vec<Vec<usize>>,
    /// Newest year first.
    pub years: Vec<Year>,
    /// Institutions per country, by their name in the language (its collation).
    pub institutions_by_country: Vec<Vec<InstitutionId>>,
    /// Every country, by its name in the language (its collation).
    pub countries: Vec<CountryId>,
    /// Every institution, by its name in the language (its collation).
    pub institutions: Vec<InstitutionId>,
    /// The home page's stories: the lead first (see [`lead`]), then the
    /// newest, one listing page's worth.
    pub home: Vec<usize>,
    /// Every topic the articles name, by slug.
    pub topics: Vec<Topic>,
    /// Per article: its related articles (see [`related`]).
    pub related: Vec<Vec<usize>>,
}

/// Index of a topic in [`Index::topics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicId(pub usize);

/// A topic and its articles, newest first. Topics that differ only in case
/// or accents are one topic (`Murals`, `murals`): its name is the spelling
/// of its newest article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub name: String,
    pub slug: String,
    pub articles: Vec<usize>,
}

/// How many related articles an article shows.
pub const RELATED: usize = 3;

/// How far along each list an article shares with others (its institutions'
/// and topics' articles, newest first) related articles are looked for.
const RELATED_REACH: usize = 5;

/// The related articles of each article: up to [`RELATED`] articles that
/// share the most institutions and topics with it, then the nearest in date,
/// then the site's order. The candidates are the articles up to
/// `RELATED_REACH` places before and after it in each of its institutions'
/// and topics' lists (those lists are ordered by date), so that the work stays
/// in proportion to the site.
pub fn related(
    articles: &[crate::content::Article],
    by_institution: &[Vec<usize>],
    by_topic: &[Vec<usize>],
    topics_of: &[Vec<TopicId>],
) -> Vec<Vec<usize>> {
    let n = articles.len();
    // Where each article sits in each list it belongs to: (list, position),
    // article after article (`at[first[i]..first[i + 1]]`).
    let lists: Vec<&Vec<usize>> = by_institution.iter().chain(by_topic).collect();
    let mut first = vec![0usize; n + 1];
    for &a in lists.iter().flat_map(|list| list.iter()) {
        first[a + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut at = vec![(0u32, 0u32); first[n]];
    let mut next = first.clone();
    for (l, list) in lists.iter().enumerate() {
        for (k, &a) in list.iter().enumerate() {
            at[next[a]] = (l as u32, k as u32);
            next[a] += 1;
        }
    }
    // What the key compares, in small arrays rather than in the articles
    // themselves (a candidate is anywhere in the site: reading its article
    // would miss the cache nearly every time).
    let seconds: Vec<i64> = articles.iter().map(|a| a.date_key.seconds()).collect();
    let mut shared_first = Vec::with_capacity(n + 1);
    let mut shared: Vec<u32> = Vec::new();
    for (a, topics) in articles.iter().zip(topics_of) {
        shared_first.push((shared.len(), a.institutions.len()));
        shared.extend(a.institutions.iter().map(|&id| id.0 as u32));
        shared.extend(topics.iter().map(|t| t.0 as u32));
    }
    shared_first.push((shared.len(), 0));
    // Article `i`'s institutions and topics.
    let of = |i: usize| {
        let ((start, institutions), (end, _)) = (shared_first[i], shared_first[i + 1]);
        (&shared[start..start + institutions], &shared[start + institutions..end])
    };
    (0..n)
        .into_par_iter()
        .map_init(Vec::new, |candidates: &mut Vec<usize>, i| {
            candidates.clear();
            for &(l, k) in &at[first[i]..first[i + 1]] {
                let (list, k) = (lists[l as usize], k as usize);
                let window = &list[k.saturating_sub(RELATED_REACH)..(k + RELATED_REACH + 1).min(list.len())];
                candidates.extend(window.iter().copied().filter(|&j| j != i));
            }
            candidates.sort_unstable();
            candidates.dedup();
            let (institutions, topics) = of(i);
            let key = |j: usize| {
                let (their_institutions, their_topics) = of(j);
                let common = institutions.iter().filter(|x| their_institutions.contains(x)).count()
                    + topics.iter().filter(|t| their_topics.contains(t)).count();
                (std::cmp::Reverse(common), seconds[i].abs_diff(seconds[j]), j)
            };
            // The best few, kept in order as the candidates go by.
            let mut best: Vec<(std::cmp::Reverse<usize>, u64, usize)> = Vec::with_capacity(RELATED + 1);
            for &j in candidates.iter() {
                let k = key(j);
                if best.len() < RELATED || best.last().is_some_and(|last| k < *last) {
                    let at = best.partition_point(|b| *b < k);
                    best.insert(at, k);
                    best.truncate(RELATED);
                }
            }
            best.into_iter().map(|(_, _, j)| j).collect()
        })
        .collect()
}

/// One year's articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Year {
    pub year: i16,
    pub articles: Vec<usize>,
}

impl Index {
    /// Groups the articles `members` (indexes into the site's articles,
    /// newest first) of language `lang`.
    pub fn new(site: &Site, lang: &str, members: Vec<usize>) -> Index {
        let mut by_institution = vec![Vec::new(); site.institutions.len()];
        let mut by_country = vec![Vec::new(); site.countries.len()];
        let mut years: Vec<Year> = Vec::new();
        let mut position = vec![u32::MAX; site.articles.len()];
        for (k, &i) in members.iter().enumerate() {
            position[i] = k as u32;
            let article = &site.articles[i];
            for &inst in &article.institutions {
                by_institution[inst].push(i);
            }
            for &country in &article.countries {
                by_country[country].push(i);
            }
            let year = article.date.year();
            match years.iter_mut().find(|y| y.year == year) {
                Some(y) => y.articles.push(i),
                None => years.push(Year { year, articles: vec![i] }),
            }
        }
        years.sort_by_key(|y| std::cmp::Reverse(y.year));
        let mut institutions_by_country: Vec<Vec<InstitutionId>> = vec![Vec::new(); site.countries.len()];
        for (id, inst) in site.institution_ids().zip(&site.institutions) {
            institutions_by_country[inst.country].push(id);
        }
        let tag = site.config.lang(lang).map_or(lang, |l| l.tag.as_str());
        let collation = collate::Collation::new(tag);
        for list in &mut institutions_by_country {
            collation.sort_by_name(list, |&id| site.institutions[id].name_in(lang));
        }
        let mut countries: Vec<CountryId> = site.country_ids().collect();
        collation.sort_by_name(&mut countries, |&id| site.countries[id].name_in(lang));
        let mut institutions: Vec<InstitutionId> = site.institution_ids().collect();
        collation.sort_by_name(&mut institutions, |&id| site.institutions[id].name_in(lang));
        let home = lead::home_order(&site.articles, &members).into_iter().take(site.config.paginate).collect();
        let (topics, topics_of) = group_topics(site, &members);
        let by_topic: Vec<Vec<usize>> = topics.iter().map(|t| t.articles.clone()).collect();
        let related = related(&site.articles, &by_institution, &by_topic, &topics_of);
        Index {
            lang: lang.to_string(),
            articles: members,
            position,
            by_institution,
            by_country,
            years,
            institutions_by_country,
            countries,
            institutions,
            home,
            topics,
            related,
        }
    }

    /// The topic named `name` (case and accents aside).
    pub fn topic(&self, name: &str) -> Option<TopicId> {
        let slug = crate::content::slug::slugify_or(name, "topic");
        self.topics.binary_search_by(|t| t.slug.cmp(&slug)).ok().map(TopicId)
    }

    /// Articles of a country.
    pub fn country(&self, id: CountryId) -> &[usize] {
        &self.by_country[id]
    }
}

/// The topics of `members`, by slug, and each article's topics.
fn group_topics(site: &Site, members: &[usize]) -> (Vec<Topic>, Vec<Vec<TopicId>>) {
    let mut slugs: Vec<&str> =
        members.iter().flat_map(|&i| site.articles[i].topic_slugs.iter().map(String::as_str)).collect();
    slugs.sort_unstable();
    slugs.dedup();
    let mut topics: Vec<Topic> =
        slugs.iter().map(|slug| Topic { name: String::new(), slug: slug.to_string(), articles: Vec::new() }).collect();
    let mut topics_of = vec![Vec::new(); site.articles.len()];
    for &i in members {
        let article = &site.articles[i];
        for (name, slug) in article.topics.iter().zip(&article.topic_slugs) {
            let Ok(k) = slugs.binary_search(&slug.as_str()) else { continue };
            let topic = &mut topics[k];
            if topic.articles.last() != Some(&i) {
                // Articles are newest first: the first to name a topic names it.
                if topic.articles.is_empty() {
                    topic.name = name.clone();
                }
                topic.articles.push(i);
                topics_of[i].push(TopicId(k));
            }
        }
    }
    (topics, topics_of)
}
