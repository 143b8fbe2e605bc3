//! Typed search parameters and the Meilisearch filter built from them. User text only
//! ever appears inside a quoted, escaped string literal of the filter.

/// How results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Relevance,
    Distance,
    Name,
}

/// A validated search (the API checks the values; this only turns them into a query).
#[derive(Clone, Debug, Default)]
pub struct SearchParams {
    pub q: String,
    /// `business` | `municipal_service`
    pub kind: Option<&'static str>,
    /// A category key from the taxonomy; a group key includes its members.
    pub category: Option<String>,
    pub district: Option<String>,
    /// Only listings open now.
    pub open_now: bool,
    /// The slot of the city's local "now" (see [`crate::document::slot_of`]), for the
    /// open-now filter and its facet count.
    pub open_slot: Option<u16>,
    pub wheelchair: bool,
    pub near: Option<(f64, f64)>,
    pub radius_m: Option<u32>,
    pub sort: SortBy,
    /// `de` or `en`.
    pub locale: &'static str,
    pub offset: usize,
    pub limit: usize,
    /// Type-ahead: the hits only (no facets, no open-now count, no snippets), one query.
    pub hits_only: bool,
}

/// A filter value as a Meilisearch string literal: in double quotes, with `\` and `"`
/// escaped, so it can never end the literal early.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn coordinate(v: f64) -> String {
    // Finite by validation; fixed notation (never `1e-7`), enough digits for a metre.
    format!("{v:.7}")
}

impl SearchParams {
    /// The filter expression, or `None` when nothing is filtered.
    pub fn filter(&self) -> Option<String> {
        self.filter_with(true)
    }

    /// The filter without the open-now condition (for the open-now facet count).
    pub fn filter_without_open_now(&self) -> Option<String> {
        self.filter_with(false)
    }

    fn filter_with(&self, open_now: bool) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(kind) = self.kind {
            parts.push(format!("kind = {}", quote(kind)));
        }
        if let Some(c) = &self.category {
            let c = quote(c);
            parts.push(format!("(categories = {c} OR category_groups = {c})"));
        }
        if let Some(d) = &self.district {
            parts.push(format!("district = {}", quote(d)));
        }
        if self.wheelchair {
            parts.push("wheelchair = \"yes\"".to_string());
        }
        if open_now && self.open_now {
            if let Some(slot) = self.open_slot {
                parts.push(format!("open_slots = {slot}"));
            }
        }
        if let (Some((lat, lng)), Some(r)) = (self.near, self.radius_m) {
            parts.push(format!(
                "_geoRadius({}, {}, {r})",
                coordinate(lat),
                coordinate(lng)
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    /// The sort expressions.
    pub fn sort(&self) -> Vec<String> {
        match (self.sort, self.near) {
            (SortBy::Distance, Some((lat, lng))) => vec![format!(
                "_geoPoint({}, {}):asc",
                coordinate(lat),
                coordinate(lng)
            )],
            (SortBy::Name, _) => vec![format!("name_sort_{}:asc", self.locale)],
            _ => vec![],
        }
    }

    /// The attributes holding text in the query's language.
    pub fn name_field(&self) -> String {
        format!("name_{}", self.locale)
    }

    pub fn description_field(&self) -> String {
        format!("description_{}", self.locale)
    }

    /// Meilisearch's language code for the query.
    pub fn meili_locale(&self) -> &'static str {
        if self.locale == "en" {
            "eng"
        } else {
            "deu"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_inside_its_literal() {
        let p = SearchParams {
            district: Some(r#"x" OR status = "draft"#.into()),
            category: Some(r#"food\" OR kind = \"x"#.into()),
            locale: "de",
            ..Default::default()
        };
        let f = p.filter().unwrap();
        assert_eq!(
            f,
            r#"(categories = "food\\\" OR kind = \\\"x" OR category_groups = "food\\\" OR kind = \\\"x") AND district = "x\" OR status = \"draft""#
        );
        // Walk the filter as Meilisearch's tokenizer does: outside literals there is no
        // `status` and no extra OR.
        let mut outside = String::new();
        let mut in_str = false;
        let mut chars = f.chars();
        while let Some(c) = chars.next() {
            match (in_str, c) {
                (true, '\\') => {
                    chars.next();
                }
                (_, '"') => in_str = !in_str,
                (false, c) => outside.push(c),
                (true, _) => {}
            }
        }
        assert!(!in_str, "every literal is closed");
        assert_eq!(
            outside,
            "(categories =  OR category_groups = ) AND district = "
        );
    }

    #[test]
    fn every_filter_and_sort() {
        let p = SearchParams {
            kind: Some("business"),
            category: Some("health".into()),
            district: Some("Kallio".into()),
            open_now: true,
            open_slot: Some(130),
            wheelchair: true,
            near: Some((60.1699, 24.9384)),
            radius_m: Some(1500),
            sort: SortBy::Distance,
            locale: "en",
            ..Default::default()
        };
        assert_eq!(
            p.filter().unwrap(),
            "kind = \"business\" AND (categories = \"health\" OR category_groups = \"health\") \
             AND district = \"Kallio\" AND wheelchair = \"yes\" AND open_slots = 130 \
             AND _geoRadius(60.1699000, 24.9384000, 1500)"
        );
        assert!(!p.filter_without_open_now().unwrap().contains("open_slots"));
        // The slot alone (for the facet count) filters nothing.
        let slot_only = SearchParams {
            open_slot: Some(130),
            ..Default::default()
        };
        assert_eq!(slot_only.filter(), None);
        assert_eq!(p.sort(), vec!["_geoPoint(60.1699000, 24.9384000):asc"]);
        let by_name = SearchParams {
            sort: SortBy::Name,
            locale: "de",
            ..Default::default()
        };
        assert_eq!(by_name.sort(), vec!["name_sort_de:asc"]);
        assert_eq!(by_name.filter(), None);
        assert_eq!(by_name.meili_locale(), "deu");
        // Distance without a point falls back to relevance.
        let no_point = SearchParams {
            sort: SortBy::Distance,
            ..Default::default()
        };
        assert!(no_point.sort().is_empty());
    }
}
