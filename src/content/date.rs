//! Publication dates, only as precise as what is known: a year (`2024`), a
//! month (`2024-03`), a calendar date (`2024-03-12`) or a moment in time
//! (`2024-03-12T10:30:00+08:00`), seen in the site's time zone.
//!
//! This is the only module that knows about precision: the rest of the code
//! asks a [`PubDate`] for its year, its month if it has one, its sort key and
//! its written forms, and never guesses a day that the source did not give.
//!
//! A plain date is a calendar date and is never shifted: its year is its
//! year, whatever the time zone; so are a month and a year. A date-time with
//! an offset is a moment, converted to the site's time zone before its year
//! or month is taken. A date-time without an offset is read as wall-clock
//! time in the site's time zone.
//!
//! Where one moment has to stand for a month or a year, it is the *first*
//! day of it, at midnight in the site's time zone (the midnight a plain date
//! already stands for):
//!
//! - Sorting, newest first: a month sorts after every dated day of that
//!   month, a year after everything dated in that year ([`SortKey`]: the
//!   moment, then the finer precision first). The first day is the only one
//!   that is never later than the event, so a vague date is never shown as
//!   newer than anything that may have come after it, and each period lists
//!   what is known to the day before what is known only to the period, as a
//!   year page does (its months, then the articles of the year alone).
//! - Feeds: RSS 2.0 needs a whole RFC 822 date-time, so a month or a year
//!   gets the same first day at 00:00:00 there: never in the future of the
//!   event, and in the order the site itself uses.
//!
//! Every other written form keeps the precision: `<time datetime>` gets
//! `2024-03` (an HTML valid month string) or `2024` (a valid year for
//! `<time>`: four digits, not all zero), readers get the theme's month or
//! year pattern, and the sitemap, whose schema accepts only a whole date or
//! date-time, gets no date at all for a month or a year ([`PubDate::iso_with_day`]).
//! Formatting (RFC 2822 for feeds, W3C for sitemaps, ISO for `<time>`) lives
//! here so no other module formats dates by hand.

use icu_calendar::{Date as IcuDate, Gregorian};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets;
use jiff::Zoned;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// When an article was published or updated, as precisely as it is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PubDate(Kind);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Kind {
    /// A year alone, as its first day.
    Year(Date),
    /// A month alone, as its first day.
    Month(Date),
    /// A calendar date.
    Day(Date),
    /// A moment, already in the site's time zone.
    Moment(Zoned),
}

/// How finely a date is known; finer is greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Precision {
    Year,
    Month,
    Day,
}

/// Where a date sorts: the moment that stands for it, then its precision,
/// so that of two dates standing for one moment the finer one is the newer
/// (newest first, `2024-03-01` comes before `2024-03`, and `2024-01` before
/// `2024`). A moment and a plain date of the same second are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortKey {
    seconds: i64,
    precision: Precision,
}

impl SortKey {
    /// Seconds since the epoch of the moment that stands for the date.
    pub fn seconds(self) -> i64 {
        self.seconds
    }
}

/// The stretch of time a date names, to tell dates of one day (or of one
/// month, or one year, when that is all that is known) apart from others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period(Precision, Date);

/// What the date fields accept, for error messages.
pub const EXPECTED: &str = "expected a date like 2024-03-12, a month like 2024-03, a year like 2024 \
                            or a date-time like 2024-03-12T10:30:00+08:00";

impl PubDate {
    /// Parses a front-matter date; `tz` is the site's time zone. The text is
    /// the value as written (YAML's `2024` arrives as the text `2024`).
    pub fn parse(text: &str, tz: &TimeZone) -> Result<PubDate, String> {
        let text = text.trim();
        if let Some(reduced) = parse_reduced(text) {
            return reduced.map(PubDate);
        }
        if text.len() <= 10 {
            return text.parse::<Date>().map(|d| PubDate(Kind::Day(d))).map_err(|e| impossible(text, &e));
        }
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(PubDate(Kind::Moment(ts.to_zoned(tz.clone()))));
        }
        match text.parse::<jiff::civil::DateTime>() {
            Ok(dt) => dt.to_zoned(tz.clone()).map(|z| PubDate(Kind::Moment(z))).map_err(|e| impossible(text, &e)),
            Err(e) => Err(impossible(text, &e)),
        }
    }

    /// The calendar date, or the first day of the month or year.
    fn first_day(&self) -> Date {
        match &self.0 {
            Kind::Year(d) | Kind::Month(d) | Kind::Day(d) => *d,
            Kind::Moment(z) => z.date(),
        }
    }

    fn precision(&self) -> Precision {
        match self.0 {
            Kind::Year(_) => Precision::Year,
            Kind::Month(_) => Precision::Month,
            Kind::Day(_) | Kind::Moment(_) => Precision::Day,
        }
    }

    /// The year, for /years/ pages.
    pub fn year(&self) -> i16 {
        self.first_day().year()
    }

    /// The month (1-12), for the month groups of a year page; `None` for a
    /// date known only to the year.
    pub fn month(&self) -> Option<i8> {
        (self.precision() >= Precision::Month).then(|| self.first_day().month())
    }

    /// The day, month or year this date names (a moment: its day in the
    /// site's time zone). Two dates of one day are of one period; a month
    /// and a day in it are not.
    pub fn period(&self) -> Period {
        Period(self.precision(), self.first_day())
    }

    /// The moment this stands for: a plain date is midnight in the site's
    /// zone, a month or a year the midnight of its first day.
    pub fn zoned(&self, tz: &TimeZone) -> Zoned {
        match &self.0 {
            Kind::Year(d) | Kind::Month(d) | Kind::Day(d) => {
                d.to_zoned(tz.clone()).unwrap_or_else(|_| Zoned::new(jiff::Timestamp::UNIX_EPOCH, tz.clone()))
            }
            Kind::Moment(z) => z.clone(),
        }
    }

    /// Where this sorts (newest first: compare in reverse).
    pub fn sort_key(&self, tz: &TimeZone) -> SortKey {
        SortKey { seconds: self.zoned(tz).timestamp().as_second(), precision: self.precision() }
    }

    /// `2024`, `2024-03`, `2024-03-12` or `2024-03-12T10:30:00+08:00`: for
    /// `<time datetime>` (each is a form HTML accepts there) and other ISO
    /// 8601 fields, with no more precision than is known.
    pub fn iso(&self) -> String {
        match &self.0 {
            Kind::Year(d) => format!("{:04}", d.year()),
            Kind::Month(d) => format!("{:04}-{:02}", d.year(), d.month()),
            Kind::Day(d) => d.to_string(),
            Kind::Moment(z) => z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        }
    }

    /// [`iso`](Self::iso) for a date known at least to the day, else `None`:
    /// for sitemaps, whose schema accepts a whole date or date-time only
    /// (W3C Datetime's `2024-03` is refused), so a month or a year is left
    /// unsaid rather than given a day it does not have.
    pub fn iso_with_day(&self) -> Option<String> {
        (self.precision() == Precision::Day).then(|| self.iso())
    }

    /// RFC 2822 (the RFC 822 of RSS), with the site's offset. The format
    /// needs a day and a time: a plain date gets midnight, a month or a year
    /// the midnight of its first day, the moment it sorts by.
    pub fn rfc2822(&self, tz: &TimeZone) -> String {
        jiff::fmt::rfc2822::to_string(&self.zoned(tz)).unwrap_or_default()
    }

    /// The date for readers, as precise as it is, in the forms of `format`'s language.
    pub fn display(&self, format: &DateFormat) -> String {
        let d = self.first_day();
        let Some(date) = gregorian(d.year(), d.month(), d.day()) else { return self.iso() };
        match self.precision() {
            Precision::Year => format.year.format(&date).to_string(),
            Precision::Month => format.month.format(&date).to_string(),
            Precision::Day => format.day.format(&date).to_string(),
        }
    }
}

/// A year (`2024`) or a month (`2024-03`), or `None` when the text is
/// neither shape (then it is read as a date or a date-time). A year has four
/// digits and is not 0 (HTML's `<time>` and W3C Datetime both need that); a
/// month has two digits, so that every form is written one way.
fn parse_reduced(text: &str) -> Option<Result<Kind, String>> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (year, month) = match text.split_once('-') {
        None if digits(text) => (text, None),
        Some((year, month)) if digits(year) && digits(month) && year.len() == 4 => (year, Some(month)),
        _ => return None,
    };
    let problem = |what: String| Some(Err(format!("`{text}` is not a valid date ({what}), {EXPECTED}")));
    if year.len() != 4 {
        return problem("a year has four digits".into());
    }
    let y: i16 = year.parse().ok()?;
    if y == 0 {
        return problem("there is no year 0".into());
    }
    let Some(month) = month else {
        return Some(Date::new(y, 1, 1).map(Kind::Year).map_err(|e| impossible(text, &e)));
    };
    let m = month.parse::<i8>().ok().filter(|m| (1..=12).contains(m));
    match m {
        Some(m) if month.len() != 2 => return problem(format!("a month has two digits, as in `{year}-{m:02}`")),
        None => return problem(format!("there is no month {month}")),
        Some(_) => {}
    }
    let m = m?;
    Some(Date::new(y, m, 1).map(Kind::Month).map_err(|e| impossible(text, &e)))
}

/// How dates are written for the readers of one language: a day
/// (`12 March 2024`, `12 mars 2024`, `2024年3月12日`), a month alone
/// (`March 2024`), a year alone, and the name of a month for headings, in
/// the long forms of the Unicode CLDR through ICU4X. Always in the Gregorian
/// calendar, the one the sources give their dates in. A language CLDR does
/// not know gets the root locale's forms (`2024 M03 12`), never an error.
#[derive(Debug)]
pub struct DateFormat {
    day: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMD>,
    month: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YM>,
    year: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::Y>,
    month_name: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::M>,
}

impl DateFormat {
    /// The forms of `language` (a BCP 47 tag such as `en`, `fr` or `zh-Hans`).
    pub fn new(language: &str) -> DateFormat {
        let locale = language.parse::<icu_locale_core::Locale>().unwrap_or(icu_locale_core::Locale::UNKNOWN);
        // A language without data of its own falls back to the root locale,
        // whose data is always compiled in: that fallback cannot fail.
        macro_rules! make {
            ($fields:expr) => {
                FixedCalendarDateTimeFormatter::try_new((&locale).into(), $fields)
                    .or_else(|_| {
                        FixedCalendarDateTimeFormatter::try_new(icu_locale_core::Locale::UNKNOWN.into(), $fields)
                    })
                    .expect("the root locale's date forms are compiled in")
            };
        }
        DateFormat {
            day: make!(fieldsets::YMD::long()),
            month: make!(fieldsets::YM::long()),
            year: make!(fieldsets::Y::long()),
            month_name: make!(fieldsets::M::long()),
        }
    }

    /// A month of a year as a heading: `March 2024`, `mars 2024`, `2024年3月`.
    pub fn month_of_year(&self, year: i16, month: i8) -> String {
        match gregorian(year, month, 1) {
            Some(date) => self.month.format(&date).to_string(),
            None => format!("{year}-{month:02}"),
        }
    }

    /// The name of a month (1-12) alone: `March`, `mars`, `三月`.
    pub fn month_name(&self, month: i8) -> String {
        match gregorian(2000, month, 1) {
            Some(date) => self.month_name.format(&date).to_string(),
            None => month.to_string(),
        }
    }
}

/// A jiff calendar date as an ICU4X Gregorian date.
fn gregorian(year: i16, month: i8, day: i8) -> Option<IcuDate<Gregorian>> {
    IcuDate::try_new_gregorian(i32::from(year), u8::try_from(month).ok()?, u8::try_from(day).ok()?).ok()
}

fn impossible(text: &str, err: &jiff::Error) -> String {
    format!("`{text}` is not a valid date ({err}), {EXPECTED}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZone {
        jiff::tz::db().get(name).unwrap()
    }

    fn english() -> DateFormat {
        DateFormat::new("en")
    }

    #[test]
    fn dates_are_written_in_the_forms_of_the_language() {
        let day = PubDate::parse("2024-03-12", &TimeZone::UTC).unwrap();
        let month = PubDate::parse("2024-03", &TimeZone::UTC).unwrap();
        let cases = [
            ("en-GB", "12 March 2024", "March 2024", "March"),
            ("fr", "12 mars 2024", "mars 2024", "mars"),
            ("zh", "2024年3月12日", "2024年3月", "三月"),
            ("zh-Hans", "2024年3月12日", "2024年3月", "三月"),
        ];
        for (language, full, by_month, name) in cases {
            let format = DateFormat::new(language);
            assert_eq!(day.display(&format), full, "{language}");
            assert_eq!(month.display(&format), by_month, "{language}");
            assert_eq!(format.month_name(3), name, "{language}");
        }
        // A language CLDR does not know, or one that asks for another calendar
        // or numbering system, still gets a Gregorian date, never an error.
        for language in ["xx", "th", "ar-SA", "zh-u-ca-buddhist", "en-u-nu-arab", "fa-IR", "ja-JP-u-ca-japanese", "und"]
        {
            let shown = day.display(&DateFormat::new(language));
            assert!(!shown.is_empty(), "{language}");
        }
        assert!(day.display(&DateFormat::new("xx")).contains("2024"));
        assert!(day.display(&DateFormat::new("ja-JP-u-ca-japanese")).contains("2024"), "Gregorian years");
    }

    #[test]
    fn plain_dates_are_never_shifted() {
        let d = PubDate::parse("2024-12-31", &tz("Pacific/Kiritimati")).unwrap();
        assert_eq!(d.year(), 2024);
        assert_eq!(d.month(), Some(12));
        assert_eq!(d.iso(), "2024-12-31");
        assert_eq!(d.display(&english()), "December 31, 2024");
        assert_eq!(english().month_name(13), "13", "a month that does not exist shows as its number");
    }

    #[test]
    fn moments_are_converted_to_the_site_zone() {
        let paris = PubDate::parse("2024-12-31T23:30:00+08:00", &tz("Europe/Paris")).unwrap();
        assert_eq!(paris.period(), PubDate::parse("2024-12-31", &TimeZone::UTC).unwrap().period());
        assert_eq!(paris.iso(), "2024-12-31T16:30:00+01:00");
        let ny = PubDate::parse("2025-01-01T06:00:00+08:00", &tz("America/New_York")).unwrap();
        assert_eq!(ny.year(), 2024);
        let shanghai = PubDate::parse("2024-12-31T23:30:00+00:00", &tz("Asia/Shanghai")).unwrap();
        assert_eq!(shanghai.year(), 2025);
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in ["2024-02-30", "2024-13-01", "yesterday", "2024-03-12T25:00:00Z"] {
            let err = PubDate::parse(bad, &TimeZone::UTC).unwrap_err();
            assert!(err.contains(EXPECTED), "{bad}: {err}");
        }
    }

    #[test]
    fn months_and_years_keep_their_precision() {
        let utc = TimeZone::UTC;
        let month = PubDate::parse("2024-03", &utc).unwrap();
        let year = PubDate::parse(" 2024 ", &utc).unwrap();
        assert_eq!((month.year(), month.month()), (2024, Some(3)));
        assert_eq!((year.year(), year.month()), (2024, None));
        assert_eq!((month.iso(), year.iso()), ("2024-03".to_string(), "2024".to_string()));
        assert_eq!((month.display(&english()), year.display(&english())), ("March 2024".into(), "2024".into()));
        assert_eq!(month.iso_with_day(), None, "the sitemap gets no day that is not known");
        assert_eq!(year.iso_with_day(), None);
        let day = PubDate::parse("2024-03-01", &utc).unwrap();
        assert_eq!(day.iso_with_day().as_deref(), Some("2024-03-01"));
        assert_ne!(day.period(), month.period(), "a day of March is not the month of March");
        assert_eq!(month.period(), PubDate::parse("2024-03", &utc).unwrap().period());
    }

    #[test]
    fn a_month_sorts_after_its_days_and_a_year_after_its_months() {
        let utc = TimeZone::UTC;
        let key = |text: &str| PubDate::parse(text, &utc).unwrap().sort_key(&utc);
        // Newest first is the reverse of this order.
        let oldest_first =
            ["2023-12-31", "2024", "2024-01", "2024-01-01", "2024-01-01T00:00:00Z", "2024-02", "2024-02-01"];
        for pair in oldest_first.windows(2) {
            assert!(key(pair[0]) <= key(pair[1]), "{} sorts before {}", pair[0], pair[1]);
        }
        assert!(key("2024") < key("2024-01"), "a year after its January when newest first");
        assert!(key("2024-01") < key("2024-01-01"), "a month after its first day");
        assert_eq!(key("2024-01-01"), key("2024-01-01T00:00:00Z"), "a date and its midnight tie, as before");
        assert_eq!(key("2024-03").seconds(), key("2024-03-01").seconds());
    }

    #[test]
    fn impossible_months_and_years_say_what_is_expected() {
        for (bad, why) in [
            ("2024-13", "there is no month 13"),
            ("2024-00", "there is no month 00"),
            ("2024-3", "a month has two digits, as in `2024-03`"),
            ("0", "a year has four digits"),
            ("0000", "there is no year 0"),
            ("24", "a year has four digits"),
            ("20245", "a year has four digits"),
            ("2024-003", "a month has two digits, as in `2024-03`"),
        ] {
            let err = PubDate::parse(bad, &TimeZone::UTC).unwrap_err();
            assert!(err.starts_with(&format!("`{bad}` is not a valid date")), "{bad}: {err}");
            assert!(err.contains(why) && err.contains(EXPECTED), "{bad}: {err}");
        }
    }

    #[test]
    fn a_feed_gets_the_first_day_of_a_month_or_a_year_at_midnight() {
        let shanghai = tz("Asia/Shanghai");
        let d = PubDate::parse("2024-03-12", &shanghai).unwrap();
        assert_eq!(d.rfc2822(&shanghai), "Tue, 12 Mar 2024 00:00:00 +0800");
        let month = PubDate::parse("2024-03", &shanghai).unwrap();
        assert_eq!(month.rfc2822(&shanghai), "Fri, 1 Mar 2024 00:00:00 +0800");
        let year = PubDate::parse("2024", &shanghai).unwrap();
        assert_eq!(year.rfc2822(&shanghai), "Mon, 1 Jan 2024 00:00:00 +0800");
    }
}
