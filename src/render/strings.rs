//! A theme's words: `strings/<language>.toml`, one file per language.
//!
//! Every word a reader sees comes from these files (templates show them as
//! `site.t.<key>`; stele itself uses [`Strings::year_group`]), so that no
//! English is written in a template or in Rust. A file is a flat table of
//! `key = "text"`, where `{name}` marks a value the template fills in, and of
//! plural tables (`[article_count]`, `one = "{count} article"`, `other =
//! "{count} articles"`) keyed by the Unicode CLDR plural categories, of which
//! `other` is required. The `plural` template function picks the category
//! for a number in a language with ICU4X ([`Plurals`]): no plural rule is
//! written here.
//!
//! The default language's file is the reference: it names every key. The
//! file of another language may leave keys out (they show in the default
//! language's words, and `stele check` lists them) but may not add one, nor
//! turn a text into a plural table or back: those are mistakes, each
//! reported at its line and column. A language's file is `strings/fr-CA.toml`,
//! else the file of the language alone (`strings/fr.toml`); a theme without
//! a file for the default language gets the heritage theme's English one,
//! which is compiled in. Dates and month names are never theme words: they
//! come from the CLDR for the page's language.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use icu_plurals::{PluralCategory, PluralRules};
use serde::Serialize;

use crate::error::{Diagnostic, Position, closest, display_path, line_col};

/// The heritage theme's English words: what a theme without its own gets.
pub const BUILT_IN: &str = include_str!("../../themes/heritage/strings/en.toml");

/// How the built-in file is named in messages.
const BUILT_IN_SHOWN: &str = "(built-in) strings/en.toml";

/// The key stele itself reads (see [`Strings::year_group`]).
const YEAR_GROUP: &str = "year_group";

/// Keys of older themes, refused with the reason.
const RETIRED: [&str; 4] = ["date", "month_date", "year_date", "months"];

/// The CLDR plural categories, in CLDR's order.
const CATEGORIES: [PluralCategory; 6] = [
    PluralCategory::Zero,
    PluralCategory::One,
    PluralCategory::Two,
    PluralCategory::Few,
    PluralCategory::Many,
    PluralCategory::Other,
];

/// A plural category's name in strings files (`one`, `other`).
fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// One value of a strings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// A text, with `{name}` placeholders.
    Plain(String),
    /// A text per CLDR plural category; `other` is always among them.
    Plural(BTreeMap<PluralCategory, String>),
}

impl Text {
    fn kind(&self) -> &'static str {
        match self {
            Text::Plain(_) => "a text",
            Text::Plural(_) => "a plural table",
        }
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Text::Plain(text) => serializer.serialize_str(text),
            Text::Plural(forms) => {
                serializer.collect_map(forms.iter().map(|(category, text)| (category_name(*category), text)))
            }
        }
    }
}

/// One language's words: its file's, with the default language's for the
/// keys its file lacks. Templates see it as `site.t`, a map of key -> text
/// or plural table; it serializes in key order, so that a hash of the site
/// view is the same in every build.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Strings {
    entries: Arc<BTreeMap<String, Text>>,
}

impl Serialize for Strings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(serializer)
    }
}

impl Strings {
    /// The value of `key`, if the theme has it.
    pub fn get(&self, key: &str) -> Option<&Text> {
        self.entries.get(key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The heading of a year page's articles that have no month (`year_group`, with `{year}`).
    pub fn year_group(&self, year: i16) -> String {
        match self.get(YEAR_GROUP) {
            Some(Text::Plain(text)) => text.replace("{year}", &year.to_string()),
            // Loading refuses a default language without it.
            _ => year.to_string(),
        }
    }
}

/// A strings file as read: each key's value and where the key is written.
#[derive(Debug)]
struct File {
    shown: String,
    entries: BTreeMap<String, (Text, Position)>,
}

/// Reads a strings file, reporting every mistake at its line and column.
fn parse(text: &str, shown: &str) -> Result<File, Vec<Diagnostic>> {
    let table = toml::de::DeTable::parse(text).map_err(|e| {
        let pos = e.span().map(|span| line_col(text, span.start));
        vec![Diagnostic::new(shown, e.message().trim().to_string()).with_pos(pos)]
    })?;
    let at = |span: std::ops::Range<usize>| line_col(text, span.start);
    let mut problems = Vec::new();
    let mut entries = BTreeMap::new();
    for (key, value) in table.get_ref().iter() {
        let (name, pos) = (key.get_ref().to_string(), at(key.span()));
        if RETIRED.contains(&name.as_str()) {
            problems.push(Diagnostic::at(
                shown,
                pos,
                format!(
                    "unknown key `{name}` (dates and month names now come from the site's language, not from the theme)"
                ),
            ));
            continue;
        }
        match value.get_ref() {
            toml::de::DeValue::String(s) => {
                entries.insert(name, (Text::Plain(s.to_string()), pos));
            }
            toml::de::DeValue::Table(forms) => {
                let mut found = BTreeMap::new();
                for (category, form) in forms.iter() {
                    let written = category.get_ref();
                    let Some(c) = PluralCategory::get_for_cldr_string(written) else {
                        let names = CATEGORIES.map(category_name);
                        let hint = match closest(written, names) {
                            Some(known) => format!("did you mean `{known}`?"),
                            None => format!("expected one of {}", crate::config::quoted_list(&names)),
                        };
                        problems.push(Diagnostic::at(
                            shown,
                            at(category.span()),
                            format!("`{written}` in the plural table `{name}` is not a CLDR plural category, {hint}"),
                        ));
                        continue;
                    };
                    match form.get_ref().as_str() {
                        Some(s) => {
                            found.insert(c, s.to_string());
                        }
                        None => problems.push(Diagnostic::at(
                            shown,
                            at(form.span()),
                            format!("`{name}.{written}` is {}, expected a text in quotes", article(form.get_ref())),
                        )),
                    }
                }
                if !found.contains_key(&PluralCategory::Other) {
                    problems.push(Diagnostic::at(
                        shown,
                        pos,
                        format!(
                            "the plural table `{name}` has no `other`, which every language needs (the form for any number no other category takes)"
                        ),
                    ));
                }
                entries.insert(name, (Text::Plural(found), pos));
            }
            other => problems.push(Diagnostic::at(
                shown,
                pos,
                format!(
                    "`{name}` is {}, expected a text in quotes or a plural table (`[{name}]` with `one = \"...\"`, `other = \"...\"`)",
                    article(other)
                ),
            )),
        }
    }
    if problems.is_empty() {
        Ok(File { shown: shown.to_string(), entries })
    } else {
        problems.sort_by_key(|d| d.pos);
        Err(problems)
    }
}

/// What a TOML value is, for messages: "a number", "a list".
fn article(value: &toml::de::DeValue<'_>) -> &'static str {
    match value {
        toml::de::DeValue::String(_) => "a text",
        toml::de::DeValue::Integer(_) | toml::de::DeValue::Float(_) => "a number",
        toml::de::DeValue::Boolean(_) => "true or false",
        toml::de::DeValue::Datetime(_) => "a date",
        toml::de::DeValue::Array(_) => "a list",
        toml::de::DeValue::Table(_) => "a table",
    }
}

/// The words of every language of a site, the default language's first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    languages: Vec<Language>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Language {
    /// As the site names it (`fr`, `en-GB`).
    code: String,
    /// The file its words come from (or would come from), as messages show it.
    file: String,
    strings: Strings,
    /// The keys its file lacks, sorted.
    missing: Vec<String>,
}

impl Words {
    /// Reads `strings_dir/<code>.toml` (or the file of its language alone) for
    /// each of `codes`, the default language first (see the module docs).
    pub fn load(strings_dir: &Path, root: &Path, codes: &[&str]) -> Result<Words, Vec<Diagnostic>> {
        let default_code = codes.first().copied().unwrap_or("en");
        let default = match read(strings_dir, root, default_code) {
            Some(read) => {
                let (shown, text) = read.map_err(|d| vec![d])?;
                parse(&text, &shown)?
            }
            None => parse(BUILT_IN, BUILT_IN_SHOWN)?,
        };
        match default.entries.get(YEAR_GROUP) {
            Some((Text::Plain(_), _)) => {}
            Some((text, pos)) => {
                return Err(vec![Diagnostic::at(
                    &default.shown,
                    *pos,
                    format!("`{YEAR_GROUP}` is {}, expected a text with `{{year}}`", text.kind()),
                )]);
            }
            None => {
                return Err(vec![Diagnostic::new(
                    &default.shown,
                    format!(
                        "no key `{YEAR_GROUP}`, expected `{YEAR_GROUP} = \"...{{year}}\"` (the heading of a year's articles dated by the year alone)"
                    ),
                )]);
            }
        }
        let reference: BTreeMap<String, Text> =
            default.entries.iter().map(|(k, (text, _))| (k.clone(), text.clone())).collect();
        let mut languages = vec![Language {
            code: default_code.to_string(),
            file: default.shown.clone(),
            strings: Strings { entries: Arc::new(reference.clone()) },
            missing: Vec::new(),
        }];
        let mut problems = Vec::new();
        for &code in codes.iter().skip(1) {
            if languages.iter().any(|l| l.code == code) {
                continue;
            }
            let file = match read(strings_dir, root, code) {
                Some(Ok((shown, text))) => match parse(&text, &shown) {
                    Ok(file) => file,
                    Err(list) => {
                        problems.extend(list);
                        continue;
                    }
                },
                Some(Err(d)) => {
                    problems.push(d);
                    continue;
                }
                None => {
                    let shown = display_path(root, &strings_dir.join(format!("{}.toml", primary(code))));
                    File { shown, entries: BTreeMap::new() }
                }
            };
            match merge(&default, &reference, code, file) {
                Ok(language) => languages.push(language),
                Err(list) => problems.extend(list),
            }
        }
        if problems.is_empty() { Ok(Words { languages }) } else { Err(problems) }
    }

    /// The language of `code`: the one loaded under that code, else the one
    /// of the same language alone (`fr` for `fr-CA`), else the default one.
    fn language(&self, code: &str) -> &Language {
        self.languages
            .iter()
            .find(|l| l.code.eq_ignore_ascii_case(code))
            .or_else(|| self.languages.iter().find(|l| primary(&l.code).eq_ignore_ascii_case(primary(code))))
            .unwrap_or(&self.languages[0])
    }

    /// The words of `code`: those loaded under that code, else those of its
    /// language alone (`fr` for `fr-CA`), else the default language's.
    pub fn strings(&self, code: &str) -> &Strings {
        &self.language(code).strings
    }

    /// The keys the file of `code` lacks, sorted (none for the default language).
    pub fn missing(&self, code: &str) -> Vec<String> {
        self.language(code).missing.clone()
    }

    /// The file the words of `code` come from, or would come from, as messages show it.
    pub fn file(&self, code: &str) -> &str {
        &self.language(code).file
    }

    /// The default language's words: the reference for every key.
    pub fn default_strings(&self) -> &Strings {
        &self.languages[0].strings
    }

    /// The default language's file, as messages show it.
    pub fn default_file(&self) -> &str {
        &self.languages[0].file
    }

    /// The codes of the languages, the default first.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().map(|l| l.code.as_str())
    }
}

/// `fr` for `fr-CA`.
fn primary(code: &str) -> &str {
    code.split(['-', '_']).next().unwrap_or(code)
}

/// The strings file of `code`, as (shown path, text), if there is one.
fn read(strings_dir: &Path, root: &Path, code: &str) -> Option<Result<(String, String), Diagnostic>> {
    let path = [code, primary(code)].iter().map(|c| strings_dir.join(format!("{c}.toml"))).find(|p| p.is_file())?;
    let shown = display_path(root, &path);
    Some(crate::fs::read_text(&path, &shown).map(|text| (shown, text)))
}

/// The language `code` from its file over the default's: its entries with
/// the default's for the keys it lacks, and those keys; or the mistakes of
/// its file: keys the default does not have, texts of another kind than
/// the default's.
fn merge(
    default: &File,
    reference: &BTreeMap<String, Text>,
    code: &str,
    file: File,
) -> Result<Language, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    for (key, (text, pos)) in &file.entries {
        match reference.get(key) {
            None => {
                let hint = match closest(key, reference.keys().map(String::as_str)) {
                    Some(known) => format!(", did you mean `{known}`?"),
                    None => String::new(),
                };
                problems.push(Diagnostic::at(
                    &file.shown,
                    *pos,
                    format!("unknown key `{key}`, not in the default language's `{}`{hint}", default.shown),
                ));
            }
            Some(expected) if expected.kind() != text.kind() => {
                let example = match expected {
                    Text::Plural(_) => format!(" (`[{key}]` with `one = \"...\"`, `other = \"...\"`)"),
                    Text::Plain(_) => format!(" (`{key} = \"...\"`)"),
                };
                problems.push(Diagnostic::at(
                    &file.shown,
                    *pos,
                    format!(
                        "`{key}` is {} here but {} in `{}`, expected {}{example}",
                        text.kind(),
                        expected.kind(),
                        default.shown,
                        expected.kind()
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let missing = reference.keys().filter(|k| !file.entries.contains_key(*k)).cloned().collect();
    let mut entries = reference.clone();
    entries.extend(file.entries.into_iter().map(|(k, (text, _))| (k, text)));
    Ok(Language { code: code.to_string(), file: file.shown, strings: Strings { entries: Arc::new(entries) }, missing })
}

/// The CLDR plural rules of each language a template asks for, made on
/// first use and kept (the `plural` template function).
#[derive(Default)]
pub struct Plurals {
    rules: Mutex<HashMap<String, Arc<PluralRules>>>,
}

impl std::fmt::Debug for Plurals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plurals").finish_non_exhaustive()
    }
}

impl Plurals {
    /// The cardinal plural category of `n` in `language` (a BCP 47 tag). A
    /// language without CLDR data of its own gets the root rules (`other`).
    pub fn category(&self, language: &str, n: i64) -> Result<PluralCategory, String> {
        let rules = {
            let mut cache = self.rules.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match cache.get(language) {
                Some(rules) => Arc::clone(rules),
                None => {
                    let locale = language.parse::<icu_locale_core::Locale>().map_err(|e| {
                        format!(
                            "`{language}` is not a language tag ({e}), expected one such as `en`, `fr` or `zh-Hans`"
                        )
                    })?;
                    let rules = PluralRules::try_new_cardinal((&locale).into())
                        .or_else(|_| PluralRules::try_new_cardinal(icu_locale_core::Locale::UNKNOWN.into()))
                        .map_err(|e| format!("no plural rules for `{language}`: {e}"))?;
                    let rules = Arc::new(rules);
                    cache.insert(language.to_string(), Arc::clone(&rules));
                    rules
                }
            }
        };
        Ok(rules.category_for(n))
    }

    /// The form of `forms` (a plural table) for `n` in `language`, with `{count}` replaced by `n`.
    pub fn format(&self, forms: &Text, n: i64, language: &str) -> Result<String, String> {
        let Text::Plural(forms) = forms else {
            return Err("expected a plural table, got a text".to_string());
        };
        let category = self.category(language, n)?;
        let form = forms.get(&category).or_else(|| forms.get(&PluralCategory::Other));
        form.map(|f| f.replace("{count}", &n.to_string()))
            .ok_or_else(|| format!("the plural table has neither `{}` nor `other`", category_name(category)))
    }

    /// `plural(forms=site.t.article_count, n=3, lang="fr")` as a template
    /// function: a plural table as templates see it (a map).
    fn template_call(&self, forms: &tera::Value, n: i64, language: &str) -> Result<String, String> {
        if !forms.is_map() {
            let what = if forms.is_undefined() { "undefined" } else { forms.name() };
            return Err(format!(
                "`forms` is {what}, expected a plural table of the theme's strings (`forms=site.t.article_count`)"
            ));
        }
        let category = self.category(language, n)?;
        let get = |name: &'static str| forms.get_from_path(name).and_then(tera::Value::as_str);
        let form = get(category_name(category)).or_else(|| get("other")).ok_or_else(|| {
            format!(
                "`forms` has neither `{}` nor `other`, expected a plural table with `other`",
                category_name(category)
            )
        })?;
        Ok(form.replace("{count}", &n.to_string()))
    }
}

/// Registers `plural(forms, n, lang)`: the form of a plural table for the
/// number `n`, with `{count}` replaced by it. `lang` is a BCP 47 tag; without
/// it, the page's `site.lang`.
pub fn register_plural_function(tera: &mut tera::Tera, plurals: Arc<Plurals>) {
    tera.register_function("plural", move |kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
        let forms: tera::Value = kwargs.get("forms")?.unwrap_or_else(tera::Value::undefined);
        let n: tera::Value = kwargs.must_get("n")?;
        let Some(n) = n.as_i64() else {
            return Err(tera::Error::message(format!("`plural`: `n` is {}, expected a whole number", n.name())));
        };
        let language: String = match kwargs.get::<&str>("lang")? {
            Some(lang) => lang.to_string(),
            None => state
                .get::<tera::Value>("site")?
                .and_then(|site| site.get_from_path("lang").and_then(tera::Value::as_str).map(str::to_string))
                .ok_or_else(|| {
                    tera::Error::message(
                        "`plural`: no `lang`, and no `site.lang` to take it from, expected `lang=site.lang`",
                    )
                })?,
        };
        plurals.template_call(&forms, n, &language).map_err(|m| tera::Error::message(format!("`plural`: {m}")))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(pairs: &[(PluralCategory, &str)]) -> Text {
        Text::Plural(pairs.iter().map(|(c, t)| (*c, t.to_string())).collect())
    }

    #[test]
    fn plural_categories_come_from_the_cldr_rules_of_each_language() {
        let plurals = Plurals::default();
        let en = forms(&[(PluralCategory::One, "{count} article"), (PluralCategory::Other, "{count} articles")]);
        assert_eq!(plurals.format(&en, 1, "en").as_deref(), Ok("1 article"));
        assert_eq!(plurals.format(&en, 0, "en-GB").as_deref(), Ok("0 articles"));
        assert_eq!(plurals.format(&en, 2, "en").as_deref(), Ok("2 articles"));
        // French: 0 and 1 are "one".
        let fr = forms(&[(PluralCategory::One, "{count} article"), (PluralCategory::Other, "{count} articles")]);
        assert_eq!(plurals.format(&fr, 0, "fr").as_deref(), Ok("0 article"));
        assert_eq!(plurals.format(&fr, 1, "fr-CA").as_deref(), Ok("1 article"));
        assert_eq!(plurals.format(&fr, 2, "fr").as_deref(), Ok("2 articles"));
        // Chinese has only "other".
        let zh = forms(&[(PluralCategory::Other, "{count} 篇文章")]);
        for n in [0, 1, 3] {
            assert_eq!(plurals.format(&zh, n, "zh-Hans"), Ok(format!("{n} 篇文章")));
        }
        assert_eq!(plurals.category("zh", 1), Ok(PluralCategory::Other));
        // A language without data of its own gets the root rules; a broken tag is an error.
        assert_eq!(plurals.category("xx", 1), Ok(PluralCategory::Other));
        assert!(plurals.category("not a tag", 1).unwrap_err().contains("not a language tag"));
    }

    #[test]
    fn a_table_without_the_category_falls_back_to_other() {
        let plurals = Plurals::default();
        let only_other = forms(&[(PluralCategory::Other, "{count} items")]);
        assert_eq!(plurals.format(&only_other, 1, "en").as_deref(), Ok("1 items"));
    }

    #[test]
    fn strings_files_are_read_with_positions() {
        let file = parse("a = \"A\"\n[b]\none = \"1\"\nother = \"n\"\n", "s.toml").expect("valid");
        assert_eq!(file.entries["a"], (Text::Plain("A".into()), Position::new(1, 1)));
        assert!(matches!(&file.entries["b"].0, Text::Plural(f) if f.len() == 2));
        assert_eq!(file.entries["b"].1, Position::new(2, 2));

        let err = parse("a = \"A\"\n[b]\none = \"1\"\n", "s.toml").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "s.toml:2:2: the plural table `b` has no `other`, which every language needs (the form for any number no other category takes)"
        );
        let err = parse("[b]\nonne = \"1\"\nother = \"n\"\n", "s.toml").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "s.toml:2:1: `onne` in the plural table `b` is not a CLDR plural category, did you mean `one`?"
        );
        let err = parse("a = 3\n", "s.toml").unwrap_err();
        assert!(err[0].to_string().starts_with("s.toml:1:1: `a` is a number, expected a text in quotes"), "{err:?}");
    }

    #[test]
    fn the_built_in_file_is_valid_and_has_every_plural_other() {
        let file = parse(BUILT_IN, BUILT_IN_SHOWN).expect("the built-in strings parse");
        assert!(matches!(file.entries.get(YEAR_GROUP), Some((Text::Plain(t), _)) if t.contains("{year}")));
    }
}
