//! Publication dates: a calendar date or a moment in time, seen in the
//! site's time zone.
//!
//! A plain date (`2024-03-12`) is a calendar date and is never shifted: its
//! year is its year, whatever the time zone. A date-time with an offset
//! (`2024-12-31T23:30:00+08:00`) is a moment, converted to the site's time
//! zone before its year or month is taken. A date-time without an offset is
//! read as wall-clock time in the site's time zone. Formatting (RFC 2822 for
//! feeds, W3C for sitemaps, ISO for `<time>`) lives here so no other module
//! formats dates by hand.

use jiff::Zoned;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// When an article was published or updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubDate {
    /// A calendar date.
    Date(Date),
    /// A moment, already in the site's time zone.
    Moment(Zoned),
}

/// What the date fields accept, for error messages.
pub const EXPECTED: &str = "expected a date like 2024-03-12 or a date-time like 2024-03-12T10:30:00+08:00";

impl PubDate {
    /// Parses a front-matter date; `tz` is the site's time zone.
    pub fn parse(text: &str, tz: &TimeZone) -> Result<PubDate, String> {
        let text = text.trim();
        if text.len() <= 10 {
            return text.parse::<Date>().map(PubDate::Date).map_err(|e| impossible(text, &e));
        }
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(PubDate::Moment(ts.to_zoned(tz.clone())));
        }
        match text.parse::<jiff::civil::DateTime>() {
            Ok(dt) => dt.to_zoned(tz.clone()).map(PubDate::Moment).map_err(|e| impossible(text, &e)),
            Err(e) => Err(impossible(text, &e)),
        }
    }

    /// The calendar date in the site's time zone.
    pub fn date(&self) -> Date {
        match self {
            PubDate::Date(d) => *d,
            PubDate::Moment(z) => z.date(),
        }
    }

    /// The year, for /years/ pages.
    pub fn year(&self) -> i16 {
        self.date().year()
    }

    /// The moment this stands for: a plain date is midnight in the site's zone.
    pub fn zoned(&self, tz: &TimeZone) -> Zoned {
        match self {
            PubDate::Date(d) => {
                d.to_zoned(tz.clone()).unwrap_or_else(|_| Zoned::new(jiff::Timestamp::UNIX_EPOCH, tz.clone()))
            }
            PubDate::Moment(z) => z.clone(),
        }
    }

    /// Seconds since the epoch, for sorting newest first.
    pub fn sort_key(&self, tz: &TimeZone) -> i64 {
        self.zoned(tz).timestamp().as_second()
    }

    /// `2024-03-12` or `2024-03-12T10:30:00+08:00`: for `<time datetime>` and sitemaps (W3C format).
    pub fn iso(&self) -> String {
        match self {
            PubDate::Date(d) => d.to_string(),
            PubDate::Moment(z) => z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        }
    }

    /// RFC 2822 (the RFC 822 of RSS), with the site's offset.
    pub fn rfc2822(&self, tz: &TimeZone) -> String {
        jiff::fmt::rfc2822::to_string(&self.zoned(tz)).unwrap_or_default()
    }

    /// The date for readers, in the words of a theme's [`DateWords`].
    pub fn display(&self, words: &DateWords) -> String {
        words.format(self.date())
    }
}

/// How a theme writes a date for readers: a pattern with `{day}`, `{month}`
/// and `{year}`, and the names of the months. The words come from the
/// theme (`strings/<language>.toml`), never from this code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct DateWords {
    #[serde(rename = "date")]
    pub pattern: String,
    pub months: Vec<String>,
}

impl DateWords {
    /// The name of a month (1-12), or its number when the theme has none.
    pub fn month(&self, month: i8) -> String {
        usize::try_from(month - 1).ok().and_then(|i| self.months.get(i)).cloned().unwrap_or_else(|| month.to_string())
    }

    fn format(&self, date: jiff::civil::Date) -> String {
        self.pattern
            .replace("{day}", &date.day().to_string())
            .replace("{month}", &self.month(date.month()))
            .replace("{year}", &date.year().to_string())
    }
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

    #[test]
    fn plain_dates_are_never_shifted() {
        let d = PubDate::parse("2024-12-31", &tz("Pacific/Kiritimati")).unwrap();
        assert_eq!(d.year(), 2024);
        assert_eq!(d.iso(), "2024-12-31");
        let words = DateWords { pattern: "{day} {month} {year}".into(), months: vec!["December".into(); 12] };
        assert_eq!(d.display(&words), "31 December 2024");
        assert_eq!(words.month(13), "13", "a month the theme has no name for shows as its number");
    }

    #[test]
    fn moments_are_converted_to_the_site_zone() {
        let paris = PubDate::parse("2024-12-31T23:30:00+08:00", &tz("Europe/Paris")).unwrap();
        assert_eq!(paris.date().to_string(), "2024-12-31");
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
    fn rfc2822_uses_the_site_offset() {
        let d = PubDate::parse("2024-03-12", &tz("Asia/Shanghai")).unwrap();
        assert_eq!(d.rfc2822(&tz("Asia/Shanghai")), "Tue, 12 Mar 2024 00:00:00 +0800");
    }
}
