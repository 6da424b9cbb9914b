//! Text tables that fit a width: columns `a | b | c`, a long cell wrapped
//! onto continuation lines of its own column, and under each row an
//! optional indented detail line (wrapped too).

/// Where a row's detail lines start.
const DETAIL_INDENT: &str = "    ";
/// Narrowest a column is squeezed to.
const MIN_WIDTH: usize = 12;

/// `text` in lines of at most `width` characters, broken at spaces where
/// there are any.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let room = if used == 0 {
                width
            } else {
                width.saturating_sub(used + 1)
            };
            if word.len() <= room || (used == 0 && word.is_empty()) {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than the line: cut it.
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
    }
    lines.push(line);
    lines
}

/// Renders `headers` and `rows` (each with its detail text, empty for
/// none) in at most `max` columns. `squeeze` lists the columns that give up
/// width first, in order, when the natural widths do not fit.
pub fn render(
    headers: &[&str],
    rows: &[(Vec<String>, String)],
    squeeze: &[usize],
    max: usize,
) -> Vec<String> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for (cells, _) in rows {
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    let total = |w: &[usize]| w.iter().sum::<usize>() + 3 * w.len().saturating_sub(1);
    for &col in squeeze {
        let over = total(&widths).saturating_sub(max);
        let give = over.min(widths[col].saturating_sub(MIN_WIDTH));
        widths[col] -= give;
    }
    let line = |cells: &[String]| -> Vec<String> {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| wrap(c, w))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        (0..height)
            .map(|i| {
                let mut parts: Vec<String> = wrapped
                    .iter()
                    .zip(&widths)
                    .map(|(lines, &w)| {
                        let cell = lines.get(i).map_or("", String::as_str);
                        format!("{cell:<w$}")
                    })
                    .collect();
                // A continuation line ends at its last non-empty cell.
                while parts.len() > 1 && parts.last().is_some_and(|p| p.trim().is_empty()) {
                    parts.pop();
                }
                parts.join(" | ").trim_end().to_string()
            })
            .collect()
    };
    let mut out = line(&headers.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    out.push(rule.join("-+-"));
    // Continuation lines of a detail are indented two more.
    let detail_width = max.saturating_sub(DETAIL_INDENT.len() + 2);
    for (cells, detail) in rows {
        out.extend(line(cells));
        if !detail.is_empty() {
            out.extend(
                wrap(detail, detail_width)
                    .into_iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let more = if i == 0 { "" } else { "  " };
                        format!("{DETAIL_INDENT}{more}{l}")
                    }),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn fits_the_width() {
        let long = "nothing (Resource temporarily unavailable (os error 11)) and more".to_string();
        let rows = vec![
            (
                vec!["mode".into(), "control".into(), long, "MISMATCH".into()],
                "expected 127.0.0.1; a detail line that is long enough to need wrapping, \
                 and then some more words to be sure it is wrapped twice or more"
                    .to_string(),
            ),
            (
                vec!["m".into(), "c".into(), "127.0.0.1".into(), "ok".into()],
                String::new(),
            ),
        ];
        let out = render(&["mode", "control", "seen", "result"], &rows, &[2], 40);
        for l in &out {
            assert!(l.chars().count() <= 40, "{l:?} is {} long", l.len());
        }
        assert!(out[2].ends_with("| MISMATCH"), "{out:#?}");
        assert!(out.last().unwrap().ends_with("| ok"), "{out:#?}");
        assert!(out.iter().any(|l| l.starts_with("    expected 127.0.0.1;")));
        // The wrapped cell loses nothing.
        let seen: String = out
            .iter()
            .filter_map(|l| l.split(" | ").nth(2))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(seen.contains("(os error 11)) and more"), "{seen}");
    }
}
