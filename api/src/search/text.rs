//! The texts of the database search's results: where a name or description matched
//! (compared folded, so `fitness` marks `Fitness` and `burgeramt` marks `Bürgeramt`),
//! and a snippet of the description cut at word boundaries.

use super::plan::{Mode, Term};

/// Characters of a snippet at most, its ellipses included.
pub const SNIPPET_CHARS: usize = 180;

/// The ellipsis that marks where a snippet cuts the description.
pub const ELLIPSIS: char = '…';

/// A text folded the way the stored search text is (padded with spaces), with the
/// original characters each of its bytes came from.
struct Folded {
    text: String,
    /// Per byte of `text`: the range of characters of the original it stands for.
    from: Vec<(usize, usize)>,
}

fn folded(text: &str) -> Folded {
    let mut out = String::with_capacity(text.len() + 2);
    let mut from = Vec::with_capacity(text.len() + 2);
    out.push(' ');
    from.push((0, 0));
    let mut prev = ' ';
    let mut n = 0;
    let mut buf = [0u8; 4];
    let mut piece = String::new();
    for (i, c) in text.chars().enumerate() {
        n = i + 1;
        piece.clear();
        if c.is_ascii() {
            piece.push(c.to_ascii_lowercase());
        } else {
            piece.push_str(&deunicode::deunicode(c.encode_utf8(&mut buf)).to_lowercase());
        }
        for p in piece.chars() {
            if p.is_ascii_alphanumeric() {
                // As `fold_search`: an e after a, o or u inside a word is dropped; the
                // letter before it stands for it.
                if p == 'e' && matches!(prev, 'a' | 'o' | 'u') {
                    if let Some(last) = from.last_mut() {
                        last.1 = i + 1;
                    }
                    continue;
                }
                out.push(p);
                from.push((i, i + 1));
                prev = p;
            } else if prev != ' ' {
                out.push(' ');
                from.push((i, i + 1));
                prev = ' ';
            }
        }
    }
    if prev != ' ' {
        out.push(' ');
        from.push((n, n));
    }
    Folded { text: out, from }
}

/// Where `term` stands in the folded text, as ranges of original characters.
fn find(f: &Folded, term: &Term, out: &mut Vec<(usize, usize)>) {
    if term.text.is_empty() {
        return;
    }
    let pattern = term.pattern();
    let lead = usize::from(term.mode != Mode::Anywhere);
    let mut at = 0;
    while let Some(pos) = f.text[at..].find(pattern) {
        let start = at + pos + lead;
        let end = start + term.text.len();
        out.push((f.from[start].0, f.from[end - 1].1));
        at += pos + 1;
    }
}

/// The character ranges of `text` where any of the terms matches, sorted, overlapping
/// and touching ranges merged.
pub fn highlight<'a>(text: &str, terms: impl IntoIterator<Item = &'a Term>) -> Vec<(usize, usize)> {
    let f = folded(text);
    let mut ranges = Vec::new();
    for t in terms {
        find(&f, t, &mut ranges);
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => merged.push(r),
        }
    }
    merged
}

/// A snippet of a description: all of it when it is short enough, else about
/// [`SNIPPET_CHARS`] characters around the first match of the words as typed, or of any
/// other form when they are not in it (from the start when none is), cut between
/// words, with an ellipsis where it cuts.
pub fn snippet<'a>(
    text: &str,
    typed: impl IntoIterator<Item = &'a Term>,
    others: impl IntoIterator<Item = &'a Term>,
) -> String {
    let text = text.trim();
    if text.chars().count() <= SNIPPET_CHARS {
        return text.to_string();
    }
    let focus = highlight(text, typed)
        .first()
        .map(|r| r.0)
        .or_else(|| highlight(text, others).first().map(|r| r.0));
    cut(text, focus, SNIPPET_CHARS)
}

/// At most `max` characters of `text` (`max` ≥ 10), starting at a word about a third
/// of the way before `focus`, ending after a whole word, with [`ELLIPSIS`] before and
/// after where text is left out. Only a word longer than the whole snippet is cut.
pub fn cut(text: &str, focus: Option<usize>, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n <= max {
        return text.to_string();
    }
    let max = max.max(10);
    let word_start = |i: usize| i == 0 || chars[i - 1].is_whitespace();
    // The start: a third of the snippet before the match, back to its word's beginning.
    let mut start = focus.unwrap_or(0).min(n).saturating_sub(max / 3);
    while !word_start(start) {
        start -= 1;
    }
    // Near the end: as much before it as fits, forward to a word's beginning.
    if start > 0 && n - start < max - 1 {
        start = n + 1 - max;
        while start < n && !word_start(start) {
            start += 1;
        }
    }
    while start < n && chars[start].is_whitespace() {
        start += 1;
    }
    let lead = usize::from(start > 0);
    let mut end = n;
    if n - start + lead > max {
        // Room for the text and the closing ellipsis.
        let limit = start + max - lead - 1;
        end = limit;
        while end > start && !chars[end].is_whitespace() {
            end -= 1;
        }
        if end == start {
            // One word longer than the snippet: cut it, there is no better place.
            end = limit;
        }
    }
    let mut core: String = chars[start..end].iter().collect();
    if end < n {
        let kept = core
            .trim_end_matches(|c: char| c.is_whitespace() || ",;:–—-(/".contains(c))
            .len();
        core.truncate(kept);
    }
    let mut out = String::with_capacity(core.len() + 8);
    if start > 0 {
        out.push(ELLIPSIS);
    }
    out.push_str(&core);
    if end < n {
        out.push(ELLIPSIS);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use search_indexer::text::fold_search;

    fn t(text: &str, mode: Mode) -> Term {
        Term::new(text, mode, false)
    }

    #[test]
    fn folds_like_the_stored_text() {
        for s in [
            "Bürgeramt  MITTE – Straße",
            "Buergeramt, Café/Bar 24",
            "Töölön kirjasto; Frauenärztin",
            "  ",
            "Œuvre Æsop ½",
        ] {
            let f = folded(s);
            let stored = fold_search(s);
            let expected = if stored.is_empty() {
                " ".to_string()
            } else {
                format!(" {stored} ")
            };
            assert_eq!(f.text, expected, "{s}");
            assert_eq!(f.text.len(), f.from.len());
        }
    }

    #[test]
    fn highlights_match_folded_words() {
        let any = |s: &str| t(s, Mode::Anywhere);
        assert_eq!(highlight("Bürgeramt Mitte", [&any("burger")]), vec![(0, 6)]);
        // The spelling without umlauts marks the whole umlaut-spelled word, and the
        // other way round.
        assert_eq!(highlight("Buergeramt", [&any("burgeramt")]), vec![(0, 10)]);
        assert_eq!(highlight("Bürgeramt", [&any("burgeramt")]), vec![(0, 9)]);
        assert_eq!(highlight("Straße 5", [&any("strasse")]), vec![(0, 6)]);
        assert_eq!(
            highlight("Gym and GYM", [&any("gym")]),
            vec![(0, 3), (8, 11)]
        );
        // Overlapping terms merge; no term, no highlight.
        assert_eq!(
            highlight("Fitnessstudio", [&any("fitness"), &any("studio")]),
            vec![(0, 13)]
        );
        assert!(highlight("Anything", []).is_empty());
        // Whole words and beginnings only where they are.
        assert_eq!(
            highlight("Fitness, fitnessstudio", [&t("fitness", Mode::Word)]),
            vec![(0, 7)]
        );
        assert_eq!(
            highlight("Yoga, Hathayoga, yogastudio", [&t("yoga", Mode::WordStart)]),
            vec![(0, 4), (17, 21)]
        );
        // A phrase spans the words and what lies between them.
        assert_eq!(
            highlight(
                "Wohnsitz  anmelden",
                [&t("wohnsitz anmelden", Mode::WordStart)]
            ),
            vec![(0, 18)]
        );
    }

    /// The snippet's text without its ellipses stands in `text` between words.
    fn assert_cut_between_words(text: &str, s: &str) {
        let core = s.trim_start_matches(ELLIPSIS).trim_end_matches(ELLIPSIS);
        let at = text
            .find(core)
            .unwrap_or_else(|| panic!("{s:?} not in {text:?}"));
        let before = text[..at].chars().next_back();
        let after = text[at + core.len()..].chars().next();
        assert!(!before.is_some_and(char::is_alphanumeric), "{s:?}");
        assert!(!after.is_some_and(char::is_alphanumeric), "{s:?}");
        assert_eq!(s.starts_with(ELLIPSIS), at > 0, "{s:?}");
        assert_eq!(
            s.ends_with(ELLIPSIS),
            at + core.len() < text.trim_end().len(),
            "{s:?}"
        );
    }

    #[test]
    fn snippets_are_cut_between_words() {
        let text = "Wer in eine Wohnung einzieht, muss sich innerhalb von zwei Wochen nach \
            dem Einzug beim Bürgeramt anmelden – beim Zuzug aus einer anderen Stadt oder aus \
            dem Ausland ebenso wie bei einem Umzug innerhalb der Stadt. Sie erhalten sofort \
            eine Meldebestätigung, und die neue Anschrift wird auf Ihrem Personalausweis \
            vermerkt.";
        // From the start when nothing matches.
        let s = snippet(text, [], []);
        assert!(s.starts_with("Wer in eine Wohnung"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS);
        assert_cut_between_words(text, &s);
        // Around the match further on.
        let personal = t("personalausweis", Mode::Anywhere);
        let s = snippet(text, [&personal], []);
        assert!(s.contains("Personalausweis"), "{s}");
        // The word as typed before other forms of it.
        let s = snippet(text, [&personal], [&t("wohnung", Mode::Word)]);
        assert!(s.contains("Personalausweis"), "{s}");
        let s = snippet(text, [&t("zzz", Mode::Word)], [&personal]);
        assert!(s.contains("Personalausweis"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS, "{s}");
        assert_cut_between_words(text, &s);
        // Short texts stay whole.
        assert_eq!(snippet(" Kurz und gut. ", [], []), "Kurz und gut.");
        // At every focus and length the cut is between words.
        for max in [25, 60, 179] {
            for focus in (0..text.chars().count()).step_by(7) {
                let s = cut(text, Some(focus), max);
                assert!(s.chars().count() <= max, "{max} {focus}: {s}");
                assert_cut_between_words(text, &s);
            }
        }
    }

    #[test]
    fn a_word_longer_than_the_snippet_is_cut() {
        let s = cut(&"x".repeat(50), None, 20);
        assert_eq!(s.chars().count(), 20);
        assert!(s.ends_with(ELLIPSIS));
    }
}
