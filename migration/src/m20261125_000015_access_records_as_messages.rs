//! The access log holds messages, not English sentences: `resource` and `purpose` of
//! `access_records` become a message key with its arguments as JSON
//! (`{"key":"access-booking","args":{"booking":"...","fields":"name, phone"}}`), shown
//! in the resident's language.
//!
//! Up widens both columns to unbounded text on PostgreSQL (a message with a long
//! organization name does not fit 200 characters; SQLite does not enforce the length),
//! and rewrites the sentences written before into messages by the six patterns they were
//! written from (the values between the fixed parts become the arguments). A row that
//! matches no pattern stays as it is and is shown as stored. Down writes the messages of
//! these six keys back as the sentences and narrows the columns again (cutting a longer
//! text to 200 characters).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use serde_json::Value as JsonValue;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessRecords {
    Table,
    Resource,
    Purpose,
}

/// The sentences the access log was written with (`{name}` is a value), each with the
/// message key it now is, per column. Frozen here: the application no longer has them.
const RESOURCE: &[(&str, &str)] = &[
    ("booking {booking} ({fields})", "access-booking"),
    (
        "name and email as member of {organization}",
        "access-member-data",
    ),
];
const PURPOSE: &[(&str, &str)] = &[
    ("list of bookings of {offer}", "access-purpose-booking-list"),
    ("booking marked {status}", "access-purpose-booking-marked"),
    (
        "sent with the booking to the business's booking system",
        "access-purpose-partner-sent",
    ),
    (
        "city administration: review of an organization's members",
        "access-purpose-member-review",
    ),
];

/// How many distinct texts are read at once.
const PAGE: u64 = 500;

/// Matches `text` against a pattern of literal parts and `{name}`s (each `{name}` takes
/// at least one character, up to the next literal part; a pattern's last literal part
/// ends the text).
pub fn matches(pattern: &str, text: &str) -> Option<Vec<(String, String)>> {
    let mut values = Vec::new();
    let (mut p, mut t) = (pattern, text);
    loop {
        match p.find('{') {
            None => return (p == t).then_some(values),
            Some(open) => {
                t = t.strip_prefix(&p[..open])?;
                let close = open + p[open..].find('}')?;
                let name = &p[open + 1..close];
                p = &p[close + 1..];
                let literal_end = p.find('{').unwrap_or(p.len());
                let next = &p[..literal_end];
                let end = if next.is_empty() {
                    t.len()
                } else if literal_end == p.len() {
                    t.len()
                        .checked_sub(next.len())
                        .filter(|&e| t[e..] == *next)?
                } else {
                    t.find(next)?
                };
                if end == 0 {
                    return None;
                }
                values.push((name.to_string(), t[..end].to_string()));
                t = &t[end..];
            }
        }
    }
}

/// A message as the application stores it: `{"key":...,"args":{...}}`, the arguments
/// sorted by name and left out when there are none.
fn message_json(key: &str, mut args: Vec<(String, String)>) -> String {
    let s = |v: &str| JsonValue::String(v.to_string()).to_string();
    args.sort();
    if args.is_empty() {
        return format!("{{\"key\":{}}}", s(key));
    }
    let args: Vec<String> = args
        .iter()
        .map(|(n, v)| format!("{}:{}", s(n), s(v)))
        .collect();
    format!("{{\"key\":{},\"args\":{{{}}}}}", s(key), args.join(","))
}

/// The message a sentence of `patterns` is, as stored; `None` for any other text.
pub fn to_message(patterns: &[(&str, &str)], text: &str) -> Option<String> {
    patterns
        .iter()
        .find_map(|(pattern, key)| matches(pattern, text).map(|values| message_json(key, values)))
}

/// The sentence a stored message of `patterns` was; `None` for any other text.
pub fn to_sentence(patterns: &[(&str, &str)], text: &str) -> Option<String> {
    if !text.starts_with('{') {
        return None;
    }
    let v: JsonValue = text.parse().ok()?;
    let key = v.get("key")?.as_str()?;
    let (pattern, _) = patterns.iter().find(|(_, k)| *k == key)?;
    let mut out = String::from(*pattern);
    if let Some(args) = v.get("args").and_then(|a| a.as_object()) {
        for (name, value) in args {
            let value = match value {
                JsonValue::String(s) => s.clone(),
                other => other.to_string(),
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
    }
    Some(out)
}

/// Rewrites every distinct text of `column` that `convert` turns into another.
async fn rewrite(
    manager: &SchemaManager<'_>,
    column: &str,
    convert: impl Fn(&str) -> Option<String>,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let col = || Expr::col(Alias::new(column));
    let mut last: Option<String> = None;
    loop {
        let mut select = Query::select();
        select
            .distinct()
            .expr_as(col(), Alias::new("t"))
            .from(AccessRecords::Table)
            .order_by(Alias::new("t"), Order::Asc)
            .limit(PAGE);
        if let Some(last) = &last {
            select.and_where(col().gt(last.clone()));
        }
        let rows = db.query_all(backend.build(&select)).await?;
        let texts: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "t"))
            .collect::<Result<_, _>>()?;
        for old in &texts {
            if let Some(new) = convert(old) {
                let update = Query::update()
                    .table(AccessRecords::Table)
                    .value(Alias::new(column), new)
                    .and_where(col().eq(old.clone()))
                    .to_owned();
                db.execute(backend.build(&update)).await?;
            }
        }
        if (texts.len() as u64) < PAGE {
            return Ok(());
        }
        last = texts.last().cloned();
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(AccessRecords::Table)
                        .modify_column(ColumnDef::new(AccessRecords::Resource).text().not_null())
                        .modify_column(ColumnDef::new(AccessRecords::Purpose).text().not_null())
                        .to_owned(),
                )
                .await?;
        }
        rewrite(manager, "resource", |t| to_message(RESOURCE, t)).await?;
        rewrite(manager, "purpose", |t| to_message(PURPOSE, t)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite(manager, "resource", |t| to_sentence(RESOURCE, t)).await?;
        rewrite(manager, "purpose", |t| to_sentence(PURPOSE, t)).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE access_records \
                     ALTER COLUMN resource TYPE varchar(200) USING left(resource, 200), \
                     ALTER COLUMN purpose TYPE varchar(200) USING left(purpose, 200)",
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_become_messages_and_back() {
        let cases = [
            (
                RESOURCE,
                "booking 0190-ab (name, phone)",
                r#"{"key":"access-booking","args":{"booking":"0190-ab","fields":"name, phone"}}"#,
            ),
            (
                RESOURCE,
                "name and email as member of Bäckerei \"Süß\" (Mitte)",
                r#"{"key":"access-member-data","args":{"organization":"Bäckerei \"Süß\" (Mitte)"}}"#,
            ),
            (
                PURPOSE,
                "list of bookings of Yoga (beginners)",
                r#"{"key":"access-purpose-booking-list","args":{"offer":"Yoga (beginners)"}}"#,
            ),
            (
                PURPOSE,
                "booking marked no_show",
                r#"{"key":"access-purpose-booking-marked","args":{"status":"no_show"}}"#,
            ),
            (
                PURPOSE,
                "sent with the booking to the business's booking system",
                r#"{"key":"access-purpose-partner-sent"}"#,
            ),
            (
                PURPOSE,
                "city administration: review of an organization's members",
                r#"{"key":"access-purpose-member-review"}"#,
            ),
        ];
        for (patterns, sentence, json) in cases {
            assert_eq!(to_message(patterns, sentence).as_deref(), Some(json));
            assert_eq!(to_sentence(patterns, json).as_deref(), Some(sentence));
        }
        for other in ["something else", "booking  ()", "booking marked ", ""] {
            assert_eq!(to_message(RESOURCE, other), None, "{other}");
            assert_eq!(to_message(PURPOSE, other), None, "{other}");
        }
        assert_eq!(to_sentence(PURPOSE, r#"{"key":"other"}"#), None);
    }
}
