//! Finding a typed place among the city's places, and replacing them on import.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use search_indexer::text::fold_search;
use uuid::Uuid;

use super::PlaceError;
use crate::core::message::Message;
use crate::msg;
use entities::place;

/// The longest place text, in characters.
pub const MAX_TEXT: usize = 200;

/// Candidates read per lookup before ranking.
const CANDIDATES: u64 = 100;

/// Text typed as a place: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceText(String);

impl PlaceText {
    /// The text, or the message saying what is wrong with it.
    pub fn parse(raw: &str) -> Result<PlaceText, Message> {
        let t = raw.trim();
        if t.is_empty()
            || t.chars().count() > MAX_TEXT
            || crate::core::validate::has_control_chars(t, false)
        {
            return Err(msg!("v-place-text", max = MAX_TEXT));
        }
        Ok(PlaceText(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a place is; the order is the order of equally good matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum PlaceKind {
    District,
    Square,
    Street,
    Address,
}

impl PlaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::District => "district",
            PlaceKind::Square => "square",
            PlaceKind::Street => "street",
            PlaceKind::Address => "address",
        }
    }

    pub fn parse(s: &str) -> Option<PlaceKind> {
        [
            PlaceKind::District,
            PlaceKind::Square,
            PlaceKind::Street,
            PlaceKind::Address,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A place of the city.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub kind: PlaceKind,
    /// `Mannerheimintie 5`, `Kluuvi`.
    pub name: String,
    /// The district it lies in (none for a district).
    pub district: Option<String>,
    pub lat: f64,
    pub lng: f64,
}

impl Place {
    /// The name with its district: `Mannerheimintie 5, Kluuvi`.
    pub fn label(&self) -> String {
        match &self.district {
            Some(d) if *d != self.name => format!("{}, {d}", self.name),
            _ => self.name.clone(),
        }
    }
}

/// A place to store.
pub struct NewPlace {
    pub kind: PlaceKind,
    pub name: String,
    pub district: Option<String>,
    pub lat: f64,
    pub lng: f64,
}

/// The places matching `text`, best first, at most `limit`: whole name before a name
/// beginning with the text before a word inside it beginning so; then districts,
/// squares, streets, addresses; then the shorter name (`Mannerheimintie 5` before
/// `5a` before `50`). Folded as the search folds (case, accents, `ä` = `ae`). When
/// nothing matches and the text has a comma (`Mannerheimintie 5, Helsinki`), what comes
/// before it is looked up instead.
pub async fn find(
    db: &DatabaseConnection,
    city_id: Uuid,
    text: &PlaceText,
    limit: u64,
) -> Result<Vec<Place>, PlaceError> {
    let full = text.as_str();
    let mut tries = vec![full];
    if let Some((before, _)) = full.split_once(',') {
        tries.push(before);
    }
    for t in tries {
        let folded = fold_search(t);
        if folded.is_empty() {
            continue;
        }
        let found = find_folded(db, city_id, &folded, limit).await?;
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// The best place for `text`, if any matches.
pub async fn resolve(
    db: &DatabaseConnection,
    city_id: Uuid,
    text: &PlaceText,
) -> Result<Option<Place>, PlaceError> {
    Ok(find(db, city_id, text, 1).await?.into_iter().next())
}

async fn find_folded(
    db: &DatabaseConnection,
    city_id: Uuid,
    folded: &str,
    limit: u64,
) -> Result<Vec<Place>, PlaceError> {
    // `fold_search` leaves only [a-z0-9 ]: nothing LIKE would read as a pattern.
    let read = |pattern: String| {
        place::Entity::find()
            .filter(place::Column::CityId.eq(city_id))
            .filter(place::Column::Folded.like(pattern))
            .order_by_asc(place::Column::Folded)
            .limit(CANDIDATES)
            .all(db)
    };
    let mut rows = read(format!("{folded}%")).await?;
    if (rows.len() as u64) < limit {
        rows.extend(read(format!("% {folded}%")).await?);
    }
    let rank = |m: &place::Model| {
        let how = if m.folded == folded {
            0
        } else if m.folded.starts_with(folded) {
            1
        } else {
            2
        };
        (
            how,
            PlaceKind::parse(&m.kind).unwrap_or(PlaceKind::Address),
            m.folded.len(),
        )
    };
    rows.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.folded.cmp(&b.folded))
            .then_with(|| a.name.cmp(&b.name))
    });
    rows.dedup_by(|a, b| a.id == b.id);
    Ok(rows
        .into_iter()
        .take(limit as usize)
        .map(|m| Place {
            kind: PlaceKind::parse(&m.kind).unwrap_or(PlaceKind::Address),
            name: m.name,
            district: m.district,
            lat: m.lat,
            lng: m.lng,
        })
        .collect())
}

/// Whether the city has any places.
pub async fn any(db: &impl ConnectionTrait, city_id: Uuid) -> Result<bool, sea_orm::DbErr> {
    Ok(place::Entity::find()
        .filter(place::Column::CityId.eq(city_id))
        .count(db)
        .await?
        > 0)
}

/// Replaces the city's places with `places` (an import reads them all anew).
pub async fn replace_all(
    db: &impl ConnectionTrait,
    city_id: Uuid,
    places: &[NewPlace],
) -> Result<(), sea_orm::DbErr> {
    place::Entity::delete_many()
        .filter(place::Column::CityId.eq(city_id))
        .exec(db)
        .await?;
    // Chunks well under SQLite's and PostgreSQL's limits on bound values.
    for chunk in places.chunks(500) {
        let rows = chunk.iter().map(|p| place::ActiveModel {
            id: Set(Uuid::now_v7()),
            city_id: Set(city_id),
            kind: Set(p.kind.as_str().to_string()),
            name: Set(p.name.chars().take(MAX_TEXT).collect()),
            folded: Set(fold_search(&p.name).chars().take(MAX_TEXT).collect()),
            district: Set(p.district.as_ref().map(|d| d.chars().take(100).collect())),
            lat: Set(p.lat),
            lng: Set(p.lng),
        });
        place::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_text_is_trimmed_and_bounded() {
        assert_eq!(PlaceText::parse("  Kluuvi ").unwrap().as_str(), "Kluuvi");
        assert!(PlaceText::parse("   ").is_err());
        assert!(PlaceText::parse(&"a".repeat(201)).is_err());
        assert!(PlaceText::parse("a\u{7}b").is_err());
    }

    #[test]
    fn labels_name_the_district_once() {
        let p = Place {
            kind: PlaceKind::Address,
            name: "Mannerheimintie 5".into(),
            district: Some("Kluuvi".into()),
            lat: 60.0,
            lng: 25.0,
        };
        assert_eq!(p.label(), "Mannerheimintie 5, Kluuvi");
        let d = Place {
            kind: PlaceKind::District,
            district: None,
            name: "Kluuvi".into(),
            ..p
        };
        assert_eq!(d.label(), "Kluuvi");
    }
}
