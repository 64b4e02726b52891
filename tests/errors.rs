//! Every kind of problem in a site is reported as `path:line:col: what is
//! wrong, expected what`, with the line and column in the *file* the editor
//! opens (not in the front-matter block), and all problems of a build come
//! out together (issue 2, points 2, 3 and 9).

mod common;

use std::time::{Duration, Instant};

use common::TestSite;

/// The error lines of a failed build that are about `path`.
fn errors_about(errors: &str, path: &str) -> Vec<String> {
    errors
        .lines()
        .filter_map(|line| line.strip_prefix("error: "))
        .filter(|line| line.starts_with(&format!("{path}:")))
        .map(str::to_string)
        .collect()
}

/// Asserts that the build fails with exactly one problem in `path`, located at
/// `line:col`, whose message contains every one of `parts`; returns the message.
#[track_caller]
fn assert_one_error(site: &TestSite, path: &str, line: usize, col: usize, parts: &[&str]) -> String {
    let errors = site.build_err();
    let found = errors_about(&errors, path);
    assert_eq!(found.len(), 1, "expected one error about `{path}`, got:\n{errors}");
    let prefix = format!("{path}:{line}:{col}: ");
    let message = found[0].strip_prefix(&prefix).unwrap_or_else(|| panic!("expected `{prefix}...`, got:\n{errors}"));
    for part in parts {
        assert!(message.contains(part), "expected `{part}` in the message, got:\n{errors}");
    }
    message.to_string()
}

/// Under an article, the valid lines every test starts from.
const HEAD: &str = "title: An article\ndate: 2024-03-12";

const X: &str = "content/articles/x.md";

// ------------------------------------------------------------ front matter

#[test]
fn unknown_key_suggests_the_closest_one() {
    let site = TestSite::new();
    // File line 4 (line 1 is `---`).
    site.article("x", &format!("{HEAD}\ninstituions: [Dunhuang Academy]"), "Body.");
    assert_one_error(&site, X, 4, 1, &["unknown key `instituions`", "did you mean `institutions`?"]);
}

#[test]
fn unknown_key_in_a_nested_map_is_located_at_the_key() {
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nimage:\n  src: a.jpg\n  atl: A cave"), "B.");
    assert_one_error(&site, X, 7, 3, &["unknown key `atl`", "did you mean `alt`?"]);
}

#[test]
fn unknown_keys_inside_extra_are_free() {
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nextra:\n  anything: [1, 2]"), "B.");
    site.build_ok();
}

#[test]
fn value_of_the_wrong_type() {
    let site = TestSite::new();
    // A list where a single string is expected; the value starts at column 8.
    site.article("x", "title: [one, two]\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]", "B.");
    assert_one_error(&site, X, 2, 8, &["title", "expected a string"]);

    // A single name where a list is expected.
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: Dunhuang Academy"), "B.");
    assert_one_error(&site, X, 4, 15, &["institutions", "expected a list"]);

    // Text where a boolean is expected.
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\ndraft: maybe"), "B.");
    assert_one_error(&site, X, 5, 8, &["draft", "expected `true` or `false`"]);
}

#[test]
fn missing_required_key() {
    let site = TestSite::new();
    site.article("x", "title: An article\ninstitutions: [Dunhuang Academy]", "Body.");
    // The key is missing from the map that starts on line 2.
    assert_one_error(&site, X, 2, 1, &["missing required key `date`", "expected `date: ...`"]);
}

#[test]
fn impossible_date() {
    let site = TestSite::new();
    site.article("x", "title: An article\n\ndate: 2024-02-30\ninstitutions: [Dunhuang Academy]", "Body.");
    assert_one_error(&site, X, 4, 7, &["`2024-02-30` is not a valid date", "expected a date like 2024-03-12"]);
}

#[test]
fn impossible_updated_date() {
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nupdated:   2024-13-01"), "Body.");
    assert_one_error(&site, X, 5, 12, &["`updated`", "`2024-13-01` is not a valid date", "expected a date"]);
}

/// A month or a year that cannot be is reported where it is written, saying
/// what is wrong with it and what a date may be.
#[test]
fn impossible_month_or_year() {
    for (written, col, why) in [
        ("2024-13", 7, "there is no month 13"),
        ("\"2024-13\"", 7, "there is no month 13"),
        ("2024-3", 7, "a month has two digits, as in `2024-03`"),
        ("0", 7, "a year has four digits"),
        ("'0000'", 7, "there is no year 0"),
    ] {
        let site = TestSite::new();
        site.article("x", &format!("title: An article\n\ndate: {written}\ninstitutions: [Dunhuang Academy]"), "B.");
        let shown = written.trim_matches(['"', '\'']);
        let parts = [&format!("`{shown}` is not a valid date") as &str, why, "a month like 2024-03, a year like 2024"];
        assert_one_error(&site, X, 4, col, &parts);
    }
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nupdated: 2024-00"), "Body.");
    assert_one_error(&site, X, 5, 10, &["in `updated`", "`2024-00` is not a valid date (there is no month 00)"]);
}

#[test]
fn missing_closing_front_matter_line() {
    let site = TestSite::new();
    site.write(X, "---\ntitle: An article\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]\n\nBody.\n");
    assert_one_error(&site, X, 1, 1, &["never closed", "expected a line `---`"]);
}

#[test]
fn missing_front_matter() {
    let site = TestSite::new();
    site.write(X, "# Just Markdown\n\nBody.\n");
    assert_one_error(&site, X, 1, 1, &["does not start with front matter", "expected a first line `---`"]);
}

#[test]
fn file_that_is_not_utf8_is_located_at_its_first_bad_byte() {
    let site = TestSite::new();
    // Latin-1 `é` (0xE9) on line 4, after `summary: Caf` (12 characters): column 13.
    site.write(X, b"---\ntitle: An article\ndate: 2024-03-12\nsummary: Caf\xe9 au lait\ninstitutions: [Dunhuang Academy]\n---\nB.\n");
    assert_one_error(&site, X, 4, 13, &["not valid UTF-8", "0xE9", "expected UTF-8"]);
}

#[test]
fn image_without_alt() {
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nimage:\n  src: cave.jpg"), "B.");
    assert_one_error(&site, X, 6, 3, &["image", "missing required key `alt`"]);

    // In flow style.
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nimage: {{ src: cave.jpg }}"), "B.");
    assert_one_error(&site, X, 5, 8, &["image", "missing required key `alt`"]);

    // Present but empty is no better.
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nimage: {{ src: cave.jpg, alt: '' }}"), "B.");
    assert_one_error(&site, X, 5, 8, &["`alt` is empty", "expected a text alternative"]);
}

#[test]
fn empty_institutions_list() {
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: []"), "Body.");
    assert_one_error(&site, X, 4, 15, &["`institutions` is empty", "expected at least one institution"]);
}

#[test]
fn bom_and_crlf_are_accepted() {
    let site = TestSite::new();
    let text = "\u{feff}---\r\ntitle: Written on Windows\r\ndate: 2024-03-12\r\ninstitutions:\r\n  - Dunhuang Academy\r\n---\r\nFirst paragraph.\r\n\r\nSecond.\r\n";
    site.write(X, text);
    let files = site.build_ok();
    let page = files.text("articles/x/index.html");
    assert!(page.contains("Written on Windows"), "{page}");
    assert!(!page.contains('\r'), "no carriage return reaches the output");
    assert!(!page.contains('\u{feff}'), "no BOM reaches the output");
}

#[test]
fn errors_in_a_crlf_file_have_the_right_line_and_column() {
    let site = TestSite::new();
    let text = "\u{feff}---\r\ntitle: Written on Windows\r\ndate: 2024-02-30\r\ninstitutions:\r\n  - Dunhuang Academy\r\n---\r\nB.\r\n";
    site.write(X, text);
    assert_one_error(&site, X, 3, 7, &["`2024-02-30` is not a valid date"]);

    let site = TestSite::new();
    let text = "---\r\ntitle: Written on Windows\r\ndate: 2024-03-12\r\ninstitutions:\r\n  - Dunhuang Academy\r\ntopcis: [murals]\r\n---\r\nB.\r\n";
    site.write(X, text);
    assert_one_error(&site, X, 6, 1, &["unknown key `topcis`", "did you mean `topics`?"]);
}

#[test]
fn errors_in_institution_profiles_are_located_too() {
    let site = TestSite::new();
    site.write("content/institutions/palace-museum.md", "---\nname: Palace Museum\ncountyr: China\n---\nText.\n");
    assert_one_error(&site, "content/institutions/palace-museum.md", 3, 1, &["unknown key `countyr`", "`country`"]);
}

#[test]
fn all_errors_of_a_build_are_reported_together() {
    let site = TestSite::new();
    site.article("a", &format!("{HEAD}\ninstituions: [Dunhuang Academy]"), "B.");
    site.article("b", "title: B\ndate: 2024-02-30\ninstitutions: [Dunhuang Academy]", "B.");
    site.article("c", &format!("{HEAD}\ninstitutions: [Dunhuang Acadamy]"), "B.");
    site.simple_article("fine", "A fine article", "2024-03-01", &["Dunhuang Academy"]);

    let errors = site.build_err();
    for (path, at) in [
        ("content/articles/a.md", "4:1: unknown key `instituions`"),
        ("content/articles/b.md", "3:7: in `date`"),
        ("content/articles/c.md", "4:16: unknown institution `Dunhuang Acadamy`"),
    ] {
        assert!(errors.contains(&format!("error: {path}:{at}")), "{path} missing from:\n{errors}");
    }
    assert_eq!(errors.lines().count(), 3, "{errors}");

    let out = site.stele(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error: content/articles/")).count(), 3, "{stderr}");
    assert!(stderr.contains("3 problems"), "{stderr}");
    assert!(!site.path("public").exists(), "a failed build writes nothing");
}

#[test]
fn an_unknown_key_does_not_hide_an_impossible_date_below_it() {
    let site = TestSite::new();
    site.article("x", "title: An article\ninstituions: [Dunhuang Academy]\nfoo: 1\ndate: 2024-02-30", "B.");
    let found = errors_about(&site.build_err(), X);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(found[0], "content/articles/x.md:3:1: unknown key `instituions`, did you mean `institutions`?");
    assert!(found[1].starts_with("content/articles/x.md:4:1: unknown key `foo`, expected one of"), "{found:#?}");
    assert!(
        found[2].starts_with("content/articles/x.md:5:7: in `date`: `2024-02-30` is not a valid date"),
        "{found:#?}"
    );
}

#[test]
fn the_command_line_shows_the_source_line_with_a_caret_in_plain_text_when_piped() {
    let site = TestSite::new();
    site.article("x", "title: An article\ndate: 2024-02-30\ninstitutions: [Dunhuang Academy]", "B.");
    for no_color in [false, true] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stele"));
        command.arg("build").current_dir(site.root());
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let out = command.output().expect("run stele");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let frame = "error: content/articles/x.md:3:7: in `date`: `2024-02-30` is not a valid date";
        assert!(stderr.contains(frame), "{stderr}");
        assert!(stderr.contains("3 | date: 2024-02-30\n  |       ^^^^^^^^^^"), "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "no colour codes when piped: {stderr}");
    }
}

#[test]
fn colour_on_a_terminal_unless_no_color_is_set() {
    let site = TestSite::new();
    site.article("x", "title: An article\ndate: 2024-02-30\ninstitutions: [Dunhuang Academy]", "B.");
    // `script` (util-linux) runs the command on a pseudo-terminal.
    let on_terminal = |no_color: bool| {
        let mut command = std::process::Command::new("script");
        command.args(["-qec", &format!("{} build", env!("CARGO_BIN_EXE_stele")), "/dev/null"]);
        command.current_dir(site.root()).env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let out = command.output().expect("run `script` (util-linux)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = on_terminal(false);
    assert!(coloured.contains("2024-02-30") && coloured.contains('\u{1b}'), "colour on a terminal: {coloured:?}");
    let plain = on_terminal(true);
    assert!(plain.contains("2024-02-30") && !plain.contains('\u{1b}'), "NO_COLOR: {plain:?}");
}

// ------------------------------------------------------------ hostile YAML

/// How long a hostile document may take: generous in a debug build.
fn time_limit() -> Duration {
    if cfg!(debug_assertions) { Duration::from_secs(3) } else { Duration::from_secs(1) }
}

#[track_caller]
fn assert_fails_fast(front_matter: &str) -> String {
    let site = TestSite::new();
    site.article("x", front_matter, "Body.");
    let start = Instant::now();
    let errors = site.build_err();
    let took = start.elapsed();
    assert!(took < time_limit(), "took {took:?}");
    assert!(errors.contains("error: content/articles/x.md:"), "{errors}");
    errors
}

/// The classic "billion laughs": nine levels of nine aliases each.
fn billion_laughs(key: &str) -> String {
    let mut yaml = format!("{HEAD}\ninstitutions: [Dunhuang Academy]\n{key}:\n");
    yaml.push_str("  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    yaml.trim_end().to_string()
}

#[test]
fn billion_laughs_ends_in_an_error_quickly() {
    // Under `extra`, where any value is accepted and would be expanded in full.
    let errors = assert_fails_fast(&billion_laughs("extra"));
    assert!(errors.contains("expected"), "{errors}");
    // Where a string is expected.
    assert_fails_fast(&billion_laughs("summary"));
}

#[test]
fn wide_alias_expansion_ends_in_an_error_quickly() {
    // Few levels but wide lists: each alias jump copies a thousand values, so
    // a limit on the number of jumps alone still lets this grow to 10^8 values.
    let lols = vec!["lol"; 1000].join(",");
    let mut yaml = format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nextra:\n  a: &a [{lols}]\n");
    for (prev, name) in [("a", "b"), ("b", "c"), ("c", "d")] {
        let refs = vec![format!("*{prev}"); 1000].join(",");
        yaml.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    let errors = assert_fails_fast(yaml.trim_end());
    assert!(errors.contains("alias"), "{errors}");
}

#[test]
fn deep_flow_nesting_ends_in_an_error_quickly() {
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let errors = assert_fails_fast(&format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nextra: {deep}"));
    assert!(errors.contains("nests more than"), "{errors}");
    let deep = format!("{}{}", "{a: ".repeat(20_000), "}".repeat(20_000));
    assert_fails_fast(&format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nextra: {deep}"));
}

#[test]
fn deep_block_nesting_ends_in_an_error_quickly() {
    // `- - - ... x` nests block sequences without a single bracket.
    let deep = format!("{}x", "- ".repeat(20_000));
    let errors = assert_fails_fast(&format!("{HEAD}\ninstitutions: [Dunhuang Academy]\nextra:\n  {deep}"));
    assert!(errors.contains("nest"), "{errors}");
}

#[test]
fn brackets_in_text_are_not_nesting() {
    let site = TestSite::new();
    let notes = "[1] ".repeat(100);
    site.article(
        "x",
        &format!("title: Notes {notes}\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]\nsummary: '{notes}'"),
        "B.",
    );
    site.build_ok();
}

// ------------------------------------------------------------ YAML syntax

#[test]
fn yaml_syntax_error_is_located_in_the_file() {
    // An unquoted value that contains `: `; the second colon is at column 16.
    let site = TestSite::new();
    site.article("x", "title: Dunhuang: a history\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]", "B.");
    assert_one_error(&site, X, 2, 16, &["mapping values are not allowed", "expected", "quotes"]);
}

#[test]
fn yaml_syntax_error_mentions_other_positions_in_file_terms() {
    // A flow list opened on line 4 and never closed.
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy\nsummary: x"), "B.");
    let message = site.build_err();
    assert!(message.starts_with("error: content/articles/x.md:5:"), "{message}");
    assert!(message.contains("expected"), "{message}");
    assert!(message.contains("line 4 column 15"), "the list's start, counted in the file: {message}");
    assert_eq!(message.matches(" at line ").count(), 1, "{message}");
}

// ------------------------------------------------------------ site.toml

#[test]
fn site_toml_unknown_key_with_suggestion_and_line() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}\npaginat = 3\n", common::SITE_TOML));
    let errors = site.build_err();
    assert_eq!(errors, "error: site.toml:6:1: unknown key `paginat`, did you mean `paginate`?");
}

#[test]
fn site_toml_bad_time_zone() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}time_zone = \"Europe/Pariss\"\n", common::SITE_TOML));
    let errors = site.build_err();
    assert!(errors.starts_with("error: site.toml:5:1: unknown time zone `Europe/Pariss`"), "{errors}");
    assert!(errors.contains("expected an IANA name"), "{errors}");

    let out = site.stele(&["build"]);
    assert_eq!(out.status.code(), Some(1), "a problem in the site: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn site_toml_wrong_type_and_missing_key() {
    let site = TestSite::new();
    site.write("site.toml", "title = \"T\"\nbase_url = \"https://example.org/\"\npaginate = \"ten\"\n");
    let errors = site.build_err();
    assert!(errors.starts_with("error: site.toml:3:12: "), "{errors}");
    assert!(errors.contains("expected"), "{errors}");

    site.write("site.toml", "title = \"T\"\n");
    let errors = site.build_err();
    assert!(errors.contains("missing required key `base_url`"), "{errors}");
}

#[test]
fn site_toml_theme_must_be_a_folder_name() {
    // A path would read templates and copy static files from outside the site.
    let site = TestSite::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("templates")).unwrap();
    let theme = format!("../../../../../../../..{}", outside.path().display());
    site.write("site.toml", format!("{}theme = \"{theme}\"\n", common::SITE_TOML));
    let errors = site.build_err();
    assert!(errors.starts_with("error: site.toml:5:1: "), "{errors}");
    assert!(errors.contains("expected the name of a folder in themes/"), "{errors}");
}

#[test]
fn no_site_toml_is_a_usage_error() {
    let site = TestSite::new();
    site.remove("site.toml");
    let out = site.stele(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no site.toml"), "{stderr}");
    assert!(!site.path("public").exists());
}

// ------------------------------------------------------------ the walk

#[test]
fn symlink_leading_outside_the_site_is_refused() {
    let site = TestSite::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "---\ntitle: S\n---\n").unwrap();
    std::fs::write(outside.path().join("passwd"), "root:x:0:0").unwrap();
    std::fs::create_dir_all(site.path("content/articles")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), site.path("content/articles/secret.md")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path("content/elsewhere")).unwrap();

    let errors = site.build_err();
    let secret = errors_about(&errors, "content/articles/secret.md");
    assert_eq!(secret.len(), 1, "{errors}");
    assert!(secret[0].contains("leads outside the site"), "{errors}");
    let dir = errors_about(&errors, "content/elsewhere");
    assert_eq!(dir.len(), 1, "{errors}");
    assert!(dir[0].contains("leads outside the site"), "{errors}");
    assert!(!errors.contains("passwd"), "nothing behind the link is read: {errors}");
}

#[test]
fn symlink_inside_the_site_is_followed() {
    let site = TestSite::new();
    site.write(
        "drafts/kept.md",
        "---\ntitle: Linked in\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]\n---\nBody.\n",
    );
    std::fs::create_dir_all(site.path("content/articles")).unwrap();
    std::os::unix::fs::symlink(site.path("drafts/kept.md"), site.path("content/articles/kept.md")).unwrap();
    let files = site.build_ok();
    assert!(files.text("articles/kept/index.html").contains("Linked in"));
}

#[test]
fn walk_errors_are_reported_not_skipped() {
    // An unreadable file (chmod 000) is not used here: the tests run as root,
    // for whom permissions do not prevent reading. A dangling link and a link
    // loop make the walk itself fail instead.
    let site = TestSite::new();
    site.simple_article("fine", "Fine", "2024-03-01", &["Dunhuang Academy"]);
    std::os::unix::fs::symlink(site.path("content/articles/gone.md"), site.path("content/articles/dangling.md"))
        .unwrap();
    std::os::unix::fs::symlink(site.path("content"), site.path("content/articles/loop")).unwrap();
    let errors = site.build_err();
    let dangling = errors_about(&errors, "content/articles/dangling.md");
    assert_eq!(dangling.len(), 1, "{errors}");
    let looped = errors_about(&errors, "content/articles/loop");
    assert_eq!(looped.len(), 1, "{errors}");

    let out = site.stele(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn markdown_outside_the_sections_is_reported() {
    let site = TestSite::new();
    site.write("content/notes/todo.md", "---\ntitle: T\n---\n");
    let errors = site.build_err();
    assert_eq!(errors_about(&errors, "content/notes/todo.md").len(), 1, "{errors}");
}

#[test]
fn an_invisible_control_character_is_located() {
    let site = TestSite::new();
    site.article("x", &format!("{HEAD}\ninstitutions: [Dunhuang Academy]"), "A pasted \u{1b}[0m escape.");
    assert_one_error(&site, X, 6, 10, &["control character U+001B", "expected text"]);
}

#[test]
fn a_control_character_written_as_an_escape_is_refused() {
    let site = TestSite::new();
    site.article("x", "title: \"Bell\\x07 ringing\"\ndate: 2024-03-12\ninstitutions: [Dunhuang Academy]", "Text.");
    assert_one_error(&site, X, 2, 8, &["`title` contains the control character U+0007", "expected text"]);
}

#[test]
fn site_toml_theme_with_spaces_is_refused_at_its_line() {
    // The check once passed the trimmed name and the build then failed on the untrimmed one, with no line.
    let site = TestSite::new();
    site.write("site.toml", format!("{}theme = \" heritage\"\n", common::SITE_TOML));
    let errors = site.build_err();
    assert!(errors.starts_with("error: site.toml:5:1: "), "{errors}");
    assert!(errors.contains("has spaces around it"), "{errors}");
}

#[test]
fn a_theme_that_does_not_exist_is_reported_at_its_line() {
    let site = TestSite::new();
    site.write("site.toml", format!("{}theme = \"marble\"\n", common::SITE_TOML));
    let errors = site.build_err();
    assert!(errors.starts_with("error: site.toml:5:1: the theme `marble` was not found"), "{errors}");
}
