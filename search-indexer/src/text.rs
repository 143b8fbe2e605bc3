//! The text rules of the database search of the server, here so that what is stored
//! for it and what is asked of it follow the same function: folding (umlauts and ß
//! both ways) and the one typo a long word may have.

use crate::document::fold;

/// Folds text for the database search: [`fold`] (lower-case ASCII words, `ü` → `u`,
/// `ß` → `ss`), and inside a word an `e` after `a`, `o` or `u` is dropped, so that the
/// German spellings without umlauts fold the same: `Bürgeramt`, `Buergeramt` and
/// `Burgeramt` are all `burgeramt`, `Straße` and `strasse` both `strasse`. Words that
/// merely contain such a pair fold the same way on both sides (`Blue` → `blu`), so they
/// still find each other. Applying it twice changes nothing.
pub fn fold_search(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len());
    let mut prev = ' ';
    for c in folded.chars() {
        if c == 'e' && matches!(prev, 'a' | 'o' | 'u') {
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

/// What separates the sections of a stored search text; never part of a folded word.
pub const SECTION_MARK: char = '|';

/// The stored search text of a listing: each section (names; category labels and tags;
/// descriptions and address) folded with [`fold_search`], separated by ` | `, with a
/// space at both ends, so that ` word ` is a whole word and ` wor` a word's beginning
/// wherever it stands: `" wohnsitz anmelden register your residence | burgeramt … | … "`.
pub fn search_text<S: AsRef<str>>(sections: &[S]) -> String {
    let mut out = String::from(" ");
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push(SECTION_MARK);
            out.push(' ');
        }
        let folded = fold_search(section.as_ref());
        if !folded.is_empty() {
            out.push_str(&folded);
            out.push(' ');
        }
    }
    out
}

/// Words of this many letters (folded) or more may have one typo; shorter ones must be
/// typed exactly.
pub const TYPO_MIN_LETTERS: usize = 5;

/// Whether a word typed like this may have a typo.
pub fn typo_allowed(word: &str) -> bool {
    word.chars().count() >= TYPO_MIN_LETTERS
}

/// Whether `a` and `b` are at most one edit apart: equal, or one letter inserted,
/// deleted or replaced, or two neighbouring letters swapped (an optimal string
/// alignment distance of at most 1).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    // The first difference; everything before it is equal.
    let i = short
        .iter()
        .zip(long)
        .position(|(x, y)| x != y)
        .unwrap_or(short.len());
    if short.len() == long.len() {
        // Replaced, or swapped with the next one.
        short[i + 1..] == long[i + 1..]
            || (i + 1 < short.len()
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..])
    } else {
        // One letter more in `long` at `i`.
        short[i..] == long[i + 1..]
    }
}

/// The longest beginning of `word` (shorter than the whole word) that is at most one
/// edit away from `typed`, so that a typo in a word being typed still finds the longer
/// word: `fitnss` → `fitness` of `fitnessstudio`. `None` when no beginning is.
pub fn typo_prefix<'a>(typed: &str, word: &'a str) -> Option<&'a str> {
    let n = typed.len();
    let lo = n.saturating_sub(1).max(1);
    let hi = (n + 1).min(word.len().saturating_sub(1));
    (lo..=hi)
        .rev()
        .filter(|&k| word.is_char_boundary(k))
        .map(|k| &word[..k])
        .find(|p| within_one_edit(typed, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_sharp_s_fold_both_ways() {
        for s in [
            "Bürgeramt",
            "Buergeramt",
            "Burgeramt",
            "BÜRGERAMT",
            "BUERGERAMT",
        ] {
            assert_eq!(fold_search(s), "burgeramt", "{s}");
        }
        assert_eq!(fold_search("Straße"), "strasse");
        assert_eq!(fold_search("STRASSE"), "strasse");
        assert_eq!(fold_search("Bäckerei"), fold_search("Baeckerei"));
        assert_eq!(fold_search("Töölö"), fold_search("Toeoeloe"));
        assert_eq!(fold_search("Köln – Mülheim"), "koln mulheim");
        assert_eq!(fold_search("Café/Bar 24"), "cafe bar 24");
        // Only inside a word: "Bau Ecke" keeps its e.
        assert_eq!(fold_search("Bau Ecke"), "bau ecke");
        assert_eq!(fold_search("%_'\""), "");
    }

    #[test]
    fn stored_text_has_padded_sections() {
        assert_eq!(
            search_text(&["Wohnsitz anmelden", "Bürgeramt", "Beim Bürgeramt."]),
            " wohnsitz anmelden | burgeramt | beim burgeramt "
        );
        assert_eq!(
            search_text(&["Café", "", "Straße 1"]),
            " cafe | | strasse 1 "
        );
        assert_eq!(search_text::<&str>(&[]), " ");
    }

    #[test]
    fn folding_is_idempotent() {
        for s in [
            "Bürgeramt",
            "queue",
            "Kaffee",
            "Joensuu",
            "uee",
            "Ärzte-Haus",
        ] {
            let once = fold_search(s);
            assert_eq!(fold_search(&once), once, "{s}");
        }
    }

    #[test]
    fn folding_a_beginning_gives_a_beginning() {
        // What a resident has typed so far folds to a beginning of the whole word.
        for word in ["Buergeramt", "Frauenarzt", "Queue", "Mueller"] {
            let whole = fold_search(word);
            for k in 1..=word.len() {
                let part = fold_search(&word[..k]);
                assert!(whole.starts_with(&part), "{word}: {part} / {whole}");
            }
        }
    }

    #[test]
    fn one_edit_at_most() {
        let yes = [
            ("fitness", "fitness"),
            ("fitnss", "fitness"),   // deleted
            ("fitneess", "fitness"), // inserted
            ("fitnass", "fitness"),  // replaced
            ("fitnses", "fitness"),  // swapped
            ("iftness", "fitness"),  // swapped at the start
            ("burgerammt", "burgeramt"),
            ("kahvilla", "kahvila"),
            ("", "a"),
        ];
        for (a, b) in yes {
            assert!(within_one_edit(a, b), "{a} {b}");
            assert!(within_one_edit(b, a), "{b} {a}");
        }
        let no = [
            ("fitnes", "fitness s"),
            ("fitnss", "fitnessx"),
            ("ftinss", "fitness"),
            ("abcd", "badc"),
            ("kahvilla", "kahvi"),
            ("ummelden", "ummeldung"),
        ];
        for (a, b) in no {
            assert!(!within_one_edit(a, b), "{a} {b}");
            assert!(!within_one_edit(b, a), "{b} {a}");
        }
    }

    #[test]
    fn typos_only_in_long_words() {
        assert!(!typo_allowed("cafe"));
        assert!(typo_allowed("cafes"));
        assert!(typo_allowed("fitnss"));
    }

    #[test]
    fn a_typo_in_a_beginning() {
        assert_eq!(typo_prefix("fitnss", "fitnessstudio"), Some("fitness"));
        assert_eq!(typo_prefix("burgeramt", "burgeramtes"), Some("burgeramte"));
        assert_eq!(typo_prefix("resturant", "restaurants"), Some("restaurant"));
        assert_eq!(typo_prefix("fitnss", "fitness"), Some("fitnes"));
        assert_eq!(typo_prefix("zzzzz", "fitnessstudio"), None);
        assert_eq!(typo_prefix("fitnss", "fit"), None);
        assert_eq!(typo_prefix("a", "ab"), Some("a"));
    }
}
