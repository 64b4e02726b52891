//! The groupings: which articles belong to each institution, country and
//! year, and which institutions to each country.
//!
//! Built once per build from a loaded [`Site`], whose articles are already
//! newest first, so every group keeps that order; groups of terms follow the
//! site's order of institutions and countries (by name). Nothing here renders.

pub mod lead;

use crate::content::{CountryId, InstitutionId, Site};

/// Article indices (into `Site::articles`) per grouping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    pub by_institution: Vec<Vec<usize>>,
    pub by_country: Vec<Vec<usize>>,
    /// Newest year first.
    pub years: Vec<Year>,
    /// Institutions per country, by name.
    pub institutions_by_country: Vec<Vec<InstitutionId>>,
    /// The home page's stories: the lead first (see [`lead`]), then the
    /// newest, one listing page's worth.
    pub home: Vec<usize>,
}

/// One year's articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Year {
    pub year: i16,
    pub articles: Vec<usize>,
}

impl Index {
    /// Groups the site's articles.
    pub fn new(site: &Site) -> Index {
        let mut by_institution = vec![Vec::new(); site.institutions.len()];
        let mut by_country = vec![Vec::new(); site.countries.len()];
        let mut years: Vec<Year> = Vec::new();
        for (i, article) in site.articles.iter().enumerate() {
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
        let home = lead::home_order(&site.articles).into_iter().take(site.config.paginate).collect();
        Index { by_institution, by_country, years, institutions_by_country, home }
    }

    /// Articles of a country.
    pub fn country(&self, id: CountryId) -> &[usize] {
        &self.by_country[id]
    }
}
