//! Publishing: content-hashed theme assets, `build --precompress`, and the
//! README's CI example, built exactly as the README writes it.

mod common;

use std::io::Read;

use common::{TestSite, read_tree, repo_root};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The site path of the published stylesheet (`style.<hash>.css`).
fn stylesheet(files: &std::collections::BTreeMap<String, Vec<u8>>) -> String {
    let found: Vec<&String> = files.keys().filter(|p| p.starts_with("style.") && p.ends_with(".css")).collect();
    assert_eq!(found.len(), 1, "one stylesheet: {found:?}");
    found[0].clone()
}

#[test]
fn theme_assets_are_published_under_content_hashed_names() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    let out = site.stele(&["build"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let files = read_tree(&site.path("public"));
    let css = stylesheet(&files);
    assert!(!files.contains_key("style.css"), "only the hashed name is published");
    let hash = css.trim_start_matches("style.").trim_end_matches(".css");
    assert!(hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{css}");
    assert_eq!(files[&css], std::fs::read(site.path("themes/heritage/static/style.css")).expect("read"), "same bytes");
    let home = String::from_utf8_lossy(&files["index.html"]).into_owned();
    assert!(home.contains(&format!("href=\"/{css}\"")), "pages use the hashed name: {home}");
    assert!(files.keys().any(|p| p.starts_with("favicon.") && p.ends_with(".svg") && p != "favicon.svg"));

    // A changed stylesheet gets a new name; an unchanged one keeps its name.
    let out = site.stele(&["build"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stylesheet(&read_tree(&site.path("public"))), css, "deterministic");
    let path = site.path("themes/heritage/static/style.css");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}\n.new {{ color: red }}\n")).expect("write");
    let out = site.stele(&["build"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_ne!(stylesheet(&read_tree(&site.path("public"))), css);
}

#[test]
fn check_reports_a_template_that_names_a_theme_asset_by_hand() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    let page = std::fs::read_to_string(site.path("themes/heritage/templates/page.html")).expect("read");
    let base = std::fs::read_to_string(site.path("themes/heritage/templates/base.html")).expect("read");
    let by_hand =
        base.replacen("<head>", "<head>\n<link rel=\"preload\" as=\"style\" href=\"{{ site.home_url }}style.css\">", 1);
    assert_ne!(by_hand, base);
    site.write("templates/base.html", by_hand);
    site.write("templates/page.html", page);
    let out = site.stele(&["check"]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("templates/base.html") && stderr.contains("style.css"), "{stderr}");
}

#[test]
fn precompress_writes_gzip_and_brotli_copies_of_text_files() {
    let site = TestSite::new();
    site.simple_article("one", "One", "2024-03-01", &["Dunhuang Academy"]);
    site.write("content/articles/one/photo.jpg", vec![0xFFu8; 4096]);
    let out = site.stele(&["build", "--precompress"]);
    let stderr = stderr_of(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("compressed copies"), "{stderr}");
    let files = read_tree(&site.path("public"));
    let css = stylesheet(&files);
    for text in ["index.html", "articles/one/index.html", "rss.xml", "sitemap.xml", css.as_str()] {
        let gz = files.get(&format!("{text}.gz")).unwrap_or_else(|| panic!("{text}.gz missing"));
        let mut plain = Vec::new();
        flate2_free_gunzip(gz, &mut plain);
        assert_eq!(plain, files[text], "{text}.gz decompresses to {text}");
        assert!(files.contains_key(&format!("{text}.br")), "{text}.br missing");
    }
    assert!(files.contains_key("articles/one/photo.jpg"));
    assert!(!files.keys().any(|p| p.starts_with("articles/one/photo.jpg.")), "images are not compressed again");
    assert!(!files.keys().any(|p| p.ends_with(".gz.gz") || p.ends_with(".br.gz")));
}

/// Decompresses gzip with the system's `gzip`, so the test does not trust our own crates.
fn flate2_free_gunzip(gz: &[u8], into: &mut Vec<u8>) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child =
        Command::new("gzip").args(["-dc"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("run gzip -dc");
    child.stdin.take().expect("stdin").write_all(gz).expect("feed gzip");
    child.stdout.take().expect("stdout").read_to_end(into).expect("read gzip");
    assert!(child.wait().expect("gzip").success());
}

/// The README's CI workflow for publishing under a sub-path: its build
/// command is run exactly as written, and the folder it uploads holds a site
/// whose every link stays under that sub-path.
#[test]
fn the_readme_ci_example_builds_as_it_says() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("read README.md");
    let start = readme.find("# .github/workflows/publish.yml").expect("the workflow in README.md");
    let workflow = &readme[start..start + readme[start..].find("```").expect("end of the workflow block")];
    let command = workflow
        .lines()
        .find_map(|line| line.trim().strip_prefix("- run: ").filter(|run| run.contains(" build ")))
        .expect("the build step");
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&args[..5], ["cargo", "run", "--release", "--locked", "--"], "{command}");
    let uploaded = workflow
        .lines()
        .find_map(|line| line.trim().strip_prefix("path: "))
        .expect("the uploaded folder")
        .trim_end_matches('/');
    let base_url = args.iter().skip_while(|a| **a != "--base-url").nth(1).expect("a --base-url");
    let sub_path = base_url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).expect("a sub-path");
    assert!(sub_path.len() > 1 && sub_path.ends_with('/'), "{base_url}");

    let site = TestSite::microsite();
    let out = site.stele(&args[5..]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let files = read_tree(&site.path(uploaded));
    let css = stylesheet(&files);
    let home = String::from_utf8_lossy(&files["index.html"]).into_owned();
    assert!(home.contains(&format!("href=\"{sub_path}{css}\"")), "{home}");
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let page = String::from_utf8_lossy(bytes);
        for attr in ["href=\"/", "src=\"/", "action=\"/"] {
            for (i, _) in page.match_indices(attr) {
                let url = &page[i + attr.len() - 1..];
                assert!(url.starts_with(&sub_path), "{path}: a link leaves {sub_path}: {}", &url[..url.len().min(60)]);
            }
        }
    }
    let sitemap = String::from_utf8_lossy(&files["sitemap.xml"]).into_owned();
    assert!(sitemap.contains(&format!("<loc>{base_url}articles/</loc>")), "{sitemap}");
}
