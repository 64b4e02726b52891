//! Reading HTML attribute values the way browsers read them. Shared by the
//! feed rewriter and the link checker, so that both see the same URLs.

/// The (URL, descriptor) pairs of a `srcset`, parsed as the HTML standard
/// does: a URL runs to the next whitespace (trailing commas end it), its
/// descriptor to the next comma outside parentheses.
pub fn srcset_candidates(value: &str) -> Vec<(&str, &str)> {
    let mut candidates = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c| is_html_space(c) || c == ',');
        if rest.is_empty() {
            return candidates;
        }
        let (url, after) = rest.split_at(rest.find(is_html_space).unwrap_or(rest.len()));
        if url.ends_with(',') {
            candidates.push((url.trim_end_matches(','), ""));
            rest = after;
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        candidates.push((url, after[..end].trim_matches(is_html_space)));
        rest = &after[end..];
    }
}

pub fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_srcset_like_browsers() {
        assert_eq!(
            srcset_candidates(" a.jpg 1x , b.jpg (w, h) 2x,c.jpg"),
            vec![("a.jpg", "1x"), ("b.jpg", "(w, h) 2x"), ("c.jpg", "")]
        );
        assert_eq!(srcset_candidates("a,b.jpg, c.jpg,"), vec![("a,b.jpg", ""), ("c.jpg", "")]);
        assert!(srcset_candidates(" , ").is_empty());
        let urls: Vec<&str> = srcset_candidates(" a.jpg 480w, b.jpg  800w ,c.jpg, d 1x,e.jpg,, f,g.jpg 2x")
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        // A comma inside a URL belongs to it; only trailing commas end it.
        assert_eq!(urls, ["a.jpg", "b.jpg", "c.jpg", "d", "e.jpg", "f,g.jpg"]);
    }
}
