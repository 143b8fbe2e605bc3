//! URL slugs: readable, unique per city, never mistaken for an id.

use std::collections::HashSet;

use uuid::Uuid;

/// Turns a name into a URL slug: ASCII, lowercase, hyphens.
pub fn slugify(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > 80 {
        out.truncate(80);
        out = out.trim_end_matches('-').to_string();
    }
    // A slug must never parse as a UUID or be only digits, so ids and slugs stay apart.
    if out.is_empty() || out.bytes().all(|b| b.is_ascii_digit()) || Uuid::parse_str(&out).is_ok() {
        out = format!("listing-{out}").trim_end_matches('-').to_string();
    }
    out
}

/// The first free slug among `base`, `base-2`, `base-3`, ... given the taken ones.
pub fn pick_slug(taken: &mut HashSet<String>, base: &str) -> String {
    let mut candidate = base.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Café Ekberg – since 1852!"),
            "cafe-ekberg-since-1852"
        );
        assert_eq!(slugify("Bürgeramt Mitte"), "burgeramt-mitte");
        assert_eq!(slugify("   "), "listing");
        assert_eq!(slugify("2024"), "listing-2024");
        assert!(slugify(&"x".repeat(200)).len() <= 80);
        let mut taken = HashSet::new();
        assert_eq!(pick_slug(&mut taken, "r-kioski"), "r-kioski");
        assert_eq!(pick_slug(&mut taken, "r-kioski"), "r-kioski-2");
        assert_eq!(pick_slug(&mut taken, "r-kioski"), "r-kioski-3");
    }
}
