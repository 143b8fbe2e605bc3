//! What the database search looks for: a query's words, folded, each with the forms
//! that count as it (the word as typed, its synonyms, and, for a word of five or more
//! letters, the words of the city one typo away), and how well a listing's stored text
//! matches them. Plain Rust on both databases, so SQLite and PostgreSQL find and rank
//! the same.

use std::collections::HashMap;
use std::sync::OnceLock;

use search_indexer::text::{fold_search, typo_allowed, SECTION_MARK};

use super::vocabulary::Words;

/// At most this many words of a query count; a pasted essay stays cheap.
pub const MAX_WORDS: usize = 8;
/// A longer word is cut to this many letters.
pub const MAX_WORD_LEN: usize = 40;
/// At most this many corrections of one typed word (the most frequent first).
pub const MAX_CORRECTIONS: usize = 8;

/// Where a form may stand in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Anywhere, also inside a word (`amt` in `burgeramt`).
    Anywhere,
    /// At the beginning of a word (`fitness` in `fitnessstudio`).
    WordStart,
    /// A whole word.
    Word,
}

/// One form that counts as a query word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// Folded, `[a-z0-9]` words separated by single spaces.
    pub text: String,
    pub mode: Mode,
    /// A correction of a typo (or a synonym of one): ranks after every exact form.
    pub fuzzy: bool,
    /// ` text `: the text as a whole word of a padded text.
    whole: String,
}

impl Term {
    pub fn new(text: impl Into<String>, mode: Mode, fuzzy: bool) -> Term {
        let text = text.into();
        Term {
            whole: format!(" {text} "),
            text,
            mode,
            fuzzy,
        }
    }

    /// ` text`: the text at a word's beginning in a padded text.
    fn start(&self) -> &str {
        &self.whole[..self.whole.len() - 1]
    }

    /// The text to look for in a stored search text (padded with spaces, see
    /// [`search_indexer::text::search_text`]): ` word ` for a whole word, ` word` for a
    /// beginning, `word` anywhere.
    pub fn pattern(&self) -> &str {
        match self.mode {
            Mode::Anywhere => &self.text,
            Mode::WordStart => self.start(),
            Mode::Word => &self.whole,
        }
    }

    /// How well it stands in a padded section: 0 as a whole word, 1 at a word's
    /// beginning, 2 inside a word; `None` where it is not.
    fn level_in(&self, section: &str) -> Option<u32> {
        let whole = || section.contains(self.whole.as_str());
        let start = || section.contains(self.start());
        match self.mode {
            Mode::Word => whole().then_some(0),
            Mode::WordStart => {
                if !start() {
                    None
                } else if whole() {
                    Some(0)
                } else {
                    Some(1)
                }
            }
            Mode::Anywhere => {
                if !section.contains(self.text.as_str()) {
                    None
                } else if whole() {
                    Some(0)
                } else if start() {
                    Some(1)
                } else {
                    Some(2)
                }
            }
        }
    }
}

/// A query word (or a phrase that is a synonym, like `citizens office`): a listing
/// matches it when it contains any of its forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The first form is the one typed.
    pub terms: Vec<Term>,
}

impl Clause {
    fn push(&mut self, term: Term) {
        if !term.text.is_empty()
            && !self
                .terms
                .iter()
                .any(|t| t.text == term.text && t.mode == term.mode)
        {
            self.terms.push(term);
        }
    }

    /// The patterns that find the listings matching this clause: those of its forms,
    /// without any that contains another (a text containing it contains the other, so
    /// it finds nothing more), without repeats.
    pub fn patterns(&self) -> Vec<String> {
        minimal(self.terms.iter().map(Term::pattern).collect())
    }

    /// The texts of its forms without the spaces that make them words or beginnings,
    /// minimal as [`Clause::patterns`]: what a trigram index finds a superset of the
    /// matches by, with fewer and rarer trigrams (` ma` begins many words).
    pub fn texts(&self) -> Vec<String> {
        minimal(self.terms.iter().map(|t| t.text.as_str()).collect())
    }
}

/// The strings that contain none of the others, each once.
fn minimal(all: Vec<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, p) in all.iter().enumerate() {
        let implied = all
            .iter()
            .enumerate()
            .any(|(j, q)| j != i && q != p && p.contains(q));
        if !implied && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// All words of a query: a listing matches when it matches every clause.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub clauses: Vec<Clause>,
}

/// How well a listing matches a plan; smaller is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    /// Per clause, where its best form stands: 0-2 in the names (whole word, word
    /// beginning, inside a word), 3-5 in the category labels and tags, 6-8 in the
    /// descriptions and address; 9 more for a typo. Summed.
    pub tier: u32,
    /// Per clause, how many of its forms and how many sections matched, summed,
    /// negated: among equal tiers, the listing that says it more often comes first.
    pub breadth: i64,
}

/// The words of a query, folded, at most [`MAX_WORDS`] of at most [`MAX_WORD_LEN`]
/// letters.
pub fn words(q: &str) -> Vec<String> {
    fold_search(q)
        .split(' ')
        .filter(|t| !t.is_empty())
        .take(MAX_WORDS)
        .map(|t| t.chars().take(MAX_WORD_LEN).collect())
        .collect()
}

/// The synonym list, folded: each entry with the others of its group.
struct Synonyms {
    of: HashMap<String, Vec<String>>,
    /// The single-word entries, for typo corrections.
    words: Words,
}

fn synonyms() -> &'static Synonyms {
    static SYNONYMS: OnceLock<Synonyms> = OnceLock::new();
    SYNONYMS.get_or_init(|| {
        let mut of: HashMap<String, Vec<String>> = HashMap::new();
        let mut words = Words::default();
        for group in search_indexer::synonyms::GROUPS {
            let mut folded: Vec<String> = Vec::new();
            for w in *group {
                let f = fold_search(w);
                if !f.is_empty() && !folded.contains(&f) {
                    folded.push(f);
                }
            }
            for f in &folded {
                let others = of.entry(f.clone()).or_default();
                for o in &folded {
                    if o != f && !others.contains(o) {
                        others.push(o.clone());
                    }
                }
                if !f.contains(' ') {
                    words.add(f);
                }
            }
        }
        Synonyms { of, words }
    })
}

/// The longest phrase of the synonym list, in words.
const MAX_PHRASE_WORDS: usize = 3;

impl Plan {
    /// Whether planning this query uses the city's words (for typo corrections).
    pub fn needs_words(q: &str) -> bool {
        words(q).iter().any(|w| typo_allowed(w))
    }

    /// The plan of a query; `city` is the vocabulary of the city's listings, for typo
    /// corrections (without it a word has none but those from the synonym list).
    pub fn new(q: &str, city: Option<&Words>) -> Plan {
        let syn = synonyms();
        let tokens = words(q);
        let mut clauses = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            // A phrase of the synonym list ("citizens office") is one clause.
            let phrase = (2..=MAX_PHRASE_WORDS.min(tokens.len() - i))
                .rev()
                .map(|k| (k, tokens[i..i + k].join(" ")))
                .find(|(_, p)| syn.of.contains_key(p));
            if let Some((k, p)) = phrase {
                let mut c = Clause {
                    terms: vec![Term::new(p.clone(), Mode::Anywhere, false)],
                };
                for s in &syn.of[&p] {
                    c.push(Term::new(s.clone(), Mode::WordStart, false));
                }
                clauses.push(c);
                i += k;
                continue;
            }
            clauses.push(word_clause(&tokens[i], city, syn));
            i += 1;
        }
        Plan { clauses }
    }

    /// The forms as typed, one per clause.
    pub fn typed(&self) -> impl Iterator<Item = &Term> {
        self.clauses.iter().filter_map(|c| c.terms.first())
    }

    /// Every form of every clause (for highlighting).
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        self.clauses.iter().flat_map(|c| c.terms.iter())
    }

    /// How well a stored search text matches. A clause it misses (which the database,
    /// having found it by the clauses' patterns, never returns) counts 30.
    pub fn score(&self, search_text: &str) -> Score {
        let sections: Vec<String> = search_text
            .split(SECTION_MARK)
            .take(3)
            .map(|s| format!(" {} ", s.trim()))
            .collect();
        let mut tier = 0u32;
        let mut breadth = 0i64;
        for clause in &self.clauses {
            let mut best = u32::MAX;
            let mut forms = 0;
            let mut in_sections = [false; 3];
            for term in &clause.terms {
                let mut found = false;
                for (si, section) in sections.iter().enumerate() {
                    if let Some(level) = term.level_in(section) {
                        found = true;
                        in_sections[si] = true;
                        let t = si as u32 * 3 + level + if term.fuzzy { 9 } else { 0 };
                        best = best.min(t);
                    }
                }
                forms += found as i64;
            }
            tier += if best == u32::MAX { 30 } else { best };
            breadth += forms + in_sections.iter().filter(|s| **s).count() as i64;
        }
        Score {
            tier,
            breadth: -breadth,
        }
    }
}

/// The clause of one typed word.
fn word_clause(word: &str, city: Option<&Words>, syn: &Synonyms) -> Clause {
    // Short words are matched at a word's beginning: "ab" inside every word would find
    // nearly everything, and the trigram indexes need three characters (" ab" has).
    let mode = if word.len() >= 3 {
        Mode::Anywhere
    } else {
        Mode::WordStart
    };
    let mut c = Clause {
        terms: vec![Term::new(word, mode, false)],
    };
    if let Some(others) = syn.of.get(word) {
        for s in others {
            c.push(Term::new(s.clone(), Mode::WordStart, false));
        }
    }
    if !typo_allowed(word) {
        return c;
    }
    let mut corrections = syn.words.corrections(word);
    if let Some(city) = city {
        corrections.extend(city.corrections(word));
    }
    // One correction per text: the beginning of words when it is one of some (it finds
    // the whole word as well), with its largest count.
    let mut merged: Vec<(String, Mode, u32)> = Vec::new();
    for fix in corrections {
        let mode = if fix.whole {
            Mode::Word
        } else {
            Mode::WordStart
        };
        match merged.iter_mut().find(|m| m.0 == fix.text) {
            Some(m) => {
                if mode == Mode::WordStart {
                    m.1 = Mode::WordStart;
                }
                m.2 = m.2.max(fix.count);
            }
            None => merged.push((fix.text, mode, fix.count)),
        }
    }
    // The most frequent first, then alphabetical: the same on every database.
    merged.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    for (text, mode, _) in merged.into_iter().take(MAX_CORRECTIONS) {
        c.push(Term::new(text.clone(), mode, true));
        if let Some(others) = syn.of.get(&text) {
            for s in others {
                c.push(Term::new(s.clone(), Mode::WordStart, true));
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(words: &[&str]) -> Words {
        let mut w = Words::default();
        for x in words {
            w.add(x);
        }
        w
    }

    fn texts(c: &Clause) -> Vec<(&str, Mode, bool)> {
        c.terms
            .iter()
            .map(|t| (t.text.as_str(), t.mode, t.fuzzy))
            .collect()
    }

    #[test]
    fn words_are_folded_and_bounded() {
        assert_eq!(
            words("  Bürger-Amt  MITTE "),
            vec!["burger", "amt", "mitte"]
        );
        assert_eq!(words(&"a ".repeat(50)).len(), MAX_WORDS);
        assert_eq!(words(&"x".repeat(1000))[0].len(), MAX_WORD_LEN);
        assert!(words("%_'\"").is_empty());
        assert_eq!(Plan::new("%_'\" ;--", None), Plan::default());
    }

    #[test]
    fn a_typo_in_a_long_word_is_corrected_by_the_citys_words() {
        let w = city(&["fitness", "fitnessstudio", "bar", "burgeramt"]);
        let p = Plan::new("fitnss", Some(&w));
        let c = &p.clauses[0];
        assert_eq!(c.terms[0], Term::new("fitnss", Mode::Anywhere, false));
        // "fitness" is a word and the beginning of one: found as a beginning.
        assert!(
            texts(c).contains(&("fitness", Mode::WordStart, true)),
            "{c:?}"
        );
        // The correction's synonyms count too.
        assert!(texts(c).contains(&("gym", Mode::WordStart, true)), "{c:?}");
        let p = Plan::new("Bürgerammt", Some(&w));
        assert!(texts(&p.clauses[0]).contains(&("burgeramt", Mode::Word, true)));
        // A short word has no corrections.
        let p = Plan::new("bat", Some(&w));
        assert_eq!(p.clauses[0].terms.len(), 1);
    }

    #[test]
    fn a_typo_in_a_word_being_typed_finds_longer_words() {
        let w = city(&["fitnessstudio"]);
        let p = Plan::new("fitnss", Some(&w));
        assert!(texts(&p.clauses[0]).contains(&("fitness", Mode::WordStart, true)));
    }

    #[test]
    fn synonyms_and_synonym_phrases() {
        let p = Plan::new("ummelden", None);
        assert!(texts(&p.clauses[0]).contains(&("wohnsitz anmelden", Mode::WordStart, false)));
        let p = Plan::new("Citizens' Office Mitte", None);
        assert_eq!(p.clauses.len(), 2);
        assert_eq!(p.clauses[0].terms[0].text, "citizens office");
        assert!(texts(&p.clauses[0]).contains(&("burgeramt", Mode::WordStart, false)));
        // "kahvilla" (at the café) is one typo from the synonym "kahvila".
        let p = Plan::new("kahvilla", None);
        let t = texts(&p.clauses[0]);
        assert!(t.contains(&("kahvila", Mode::Word, true)), "{t:?}");
        assert!(t.contains(&("cafe", Mode::WordStart, true)), "{t:?}");
    }

    #[test]
    fn patterns_leave_out_what_another_implies() {
        let c = Clause {
            terms: vec![
                Term::new("fitnes", Mode::Anywhere, false),
                Term::new("fitness", Mode::Word, true),
                Term::new("gym", Mode::WordStart, false),
                Term::new("gym", Mode::WordStart, false),
            ],
        };
        assert_eq!(c.patterns(), vec!["fitnes".to_string(), " gym".to_string()]);
        assert_eq!(c.texts(), vec!["fitnes".to_string(), "gym".to_string()]);
    }

    #[test]
    fn scores_rank_names_then_labels_then_the_rest() {
        let p = Plan::new("yoga", None);
        let name = p.score(" yoga loft | sport | classes ");
        let name_start = p.score(" yogastudio | sport | classes ");
        let name_second = p.score(" hatha yoga | sport | classes ");
        let name_inside = p.score(" hathayoga | sport | classes ");
        let label = p.score(" loft | yoga | classes ");
        let text = p.score(" loft | sport | we teach yoga ");
        let inside = p.score(" loft | sport | kundaliniyoga ");
        assert_eq!(name.tier, 0);
        assert_eq!(name_second.tier, 0);
        assert_eq!(name_start.tier, 1);
        assert_eq!(name_inside.tier, 2);
        assert_eq!(label.tier, 3);
        assert_eq!(text.tier, 6);
        assert_eq!(inside.tier, 8);
        // A typo correction ranks after every exact match.
        let w = city(&["yogas"]);
        let p = Plan::new("yogaa", Some(&w));
        assert!(p.score(" yogas | | ").tier > p.score(" x | | yogaa ").tier);
        // More forms and sections break ties.
        let p = Plan::new("burgeramt", None);
        assert!(
            p.score(" a | burgeramt citizens office | beim burgeramt ")
                < p.score(" a | burgeramt | ")
        );
    }
}
