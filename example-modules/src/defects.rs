//! Street defects: a `report` service, the portal's side of which is Open311
//! GeoReport v2 (`/open311/v2`) for apps and the report pages for residents.
//!
//! Each report arrives as `report.submitted` (its id and service; nothing about who sent
//! it). This module reads it through the Module API (the place and photo, which its
//! manifest asks for; no name, email or phone: it does not need them), then moves it
//! on, a pause before each step, as a street-maintenance crew would:
//!
//! 1. `investigating` — acknowledged, a crew will look at it;
//! 2. `action_scheduled` with an expected date (street lights go to the electricians),
//!    or `in_progress` for the rest;
//! 3. `fixed` — closed, with a note.
//!
//! Every step's note is public: it shows in Open311's `GET requests` and
//! `servicerequestupdates` and on the reporter's My reports.

use anyhow::bail;
use chrono::Utc;
use serde_json::{json, Value};

use crate::webhook::Event;
use crate::Context;

/// The manifest's `id`.
pub const ID: &str = "street-defects";
/// The municipal-service listing the module serves (the demo city has it); it is the
/// Open311 `service_code`.
pub const LISTING: &str = "report-street-defect";

/// The module's manifest: one report service with its Open311 attributes (the kind of
/// defect, and optional details), the place and photo as the only data it receives.
pub fn manifest(webhook_url: &str) -> Value {
    let base = webhook_url
        .split_once("/webhooks/")
        .map_or(webhook_url, |(b, _)| b);
    json!({
        "manifest_version": 1,
        "id": ID,
        "name": {"de": "Straßenschäden (Beispielmodul)", "en": "Street defects (example module)"},
        "operator": "public-works",
        "base_url": base,
        "contact": {"email": "maengelmelder@stadt.example"},
        "services": [{
            "listing": LISTING,
            "capability": "report",
            // Where, and the photo: enough to repair it. Nobody's name or address.
            "data": ["location", "attachments"],
            "purpose": {
                "de": "Den gemeldeten Schaden finden, sichern und beheben.",
                "en": "Finding, securing and repairing the reported defect."
            },
            "legal_basis": {
                "de": "Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit der Straßenbaulast (§ 9 StrG).",
                "en": "Art. 6(1)(e) GDPR in conjunction with the road authority's duty of maintenance."
            },
            // Its Open311 attributes: what the crew needs beyond place, description and
            // photo.
            "form": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "x-order": ["kind", "light_number", "blocking"],
                "required": ["kind"],
                "additionalProperties": false,
                "properties": {
                    "kind": {
                        "type": "string",
                        "enum": ["pothole", "street_light", "pavement", "traffic_sign", "other"],
                        "x-title": {"de": "Art des Schadens", "en": "Kind of defect"},
                        "x-enum-labels": {
                            "pothole": {"de": "Schlagloch", "en": "Pothole"},
                            "street_light": {"de": "Straßenlaterne defekt", "en": "Broken street light"},
                            "pavement": {"de": "Gehweg beschädigt", "en": "Damaged pavement"},
                            "traffic_sign": {"de": "Verkehrsschild beschädigt", "en": "Damaged traffic sign"},
                            "other": {"de": "Anderes", "en": "Something else"}
                        }
                    },
                    "light_number": {
                        "type": "string",
                        "maxLength": 20,
                        "x-title": {"de": "Nummer am Laternenmast", "en": "Number on the lamp post"},
                        "x-help": {"de": "Nur bei Straßenlaternen, falls lesbar.", "en": "Street lights only, if you can read it."}
                    },
                    "blocking": {
                        "type": "boolean",
                        "x-title": {"de": "Versperrt den Weg oder ist gefährlich", "en": "Blocks the way or is dangerous"}
                    }
                }
            }
        }],
        "scopes": ["module:cases:read", "module:cases:status", "module:cases:messages"],
        "events": ["report.submitted"],
        "webhook_url": webhook_url
    })
}

/// The steps a report goes through, by its kind: each a state and its public note, in
/// the reporter's language (`en`, or else German).
pub fn plan(attributes: &Value, locale: &str) -> Vec<(&'static str, String)> {
    let en = locale == "en";
    let say = |de: &str, english: &str| if en { english } else { de }.to_string();
    let urgent = attributes["blocking"] == true;
    let ack = if urgent {
        say(
            "Danke für Ihre Meldung. Da die Stelle gefährlich ist, sichert ein Trupp sie noch heute.",
            "Thank you for your report. As the place is dangerous, a crew will secure it today.",
        )
    } else {
        say(
            "Danke für Ihre Meldung. Ein Trupp sieht sich die Stelle an.",
            "Thank you for your report. A crew will inspect the place.",
        )
    };
    let (work_state, work) = match attributes["kind"].as_str() {
        Some("street_light") => (
            "action_scheduled",
            say(
                "Die Reparatur der Laterne ist bei der Elektrowerkstatt beauftragt.",
                "The electricians have been asked to repair the light.",
            ),
        ),
        Some("pothole") => (
            "in_progress",
            say(
                "Das Schlagloch wird ausgebessert.",
                "The pothole is being filled.",
            ),
        ),
        _ => (
            "in_progress",
            say("Die Reparatur läuft.", "The repair is under way."),
        ),
    };
    vec![
        ("investigating", ack),
        (work_state, work),
        (
            "fixed",
            say(
                "Behoben. Danke, dass Sie geholfen haben, die Straßen sicher zu halten.",
                "Fixed. Thank you for helping to keep the streets safe.",
            ),
        ),
    ]
}

/// Acts on one event.
pub async fn handle(cx: &Context, e: &Event) -> anyhow::Result<()> {
    if e.kind != "report.submitted" {
        return Ok(());
    }
    let Some(id) = e.data["report_id"].as_str() else {
        bail!("report.submitted without a report_id");
    };
    // The report with its place and photo (what the manifest asks for).
    let report = cx.portal.get(&format!("/module/reports/{id}")).await?;
    if report["report"]["status"] == "closed" {
        return Ok(()); // someone closed it already
    }
    // The public notes in the reporter's language, as the event names it.
    let locale = e.data["locale"].as_str().unwrap_or("de");
    for (state, note) in plan(&report["report"]["attributes"], locale) {
        tokio::time::sleep(cx.delay).await;
        let mut body = json!({"state": state, "note": note});
        if state == "action_scheduled" || state == "in_progress" {
            // When the crew expects to be done: Open311's `expected_datetime`.
            body["expected_datetime"] = json!(Utc::now() + chrono::Duration::days(3));
        }
        cx.portal
            .post(&format!("/module/reports/{id}/status"), &body)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn street_lights_are_scheduled_and_everything_ends_fixed() {
        let light = plan(&json!({"kind": "street_light"}), "de");
        let states: Vec<&str> = light.iter().map(|(s, _)| *s).collect();
        assert_eq!(states, ["investigating", "action_scheduled", "fixed"]);
        let hole = plan(&json!({"kind": "pothole", "blocking": true}), "en");
        assert_eq!(hole[1].0, "in_progress");
        assert!(hole[0].1.contains("today"));
        // One language only: the reporter's.
        assert!(!hole[0].1.contains("heute"), "{}", hole[0].1);
        assert!(light[0].1.starts_with("Danke"));
        assert!(!light[0].1.contains("Thank"), "{}", light[0].1);
        assert_eq!(
            manifest("http://127.0.0.1:1/webhooks/portal")["services"][0]["listing"],
            LISTING
        );
    }
}
