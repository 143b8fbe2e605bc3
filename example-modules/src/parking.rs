//! Residents' parking permits: an `application` service.
//!
//! The resident fills in the form of this module's manifest in the portal (number plate,
//! parking zone, home address, proof of address, start date, the fee and a
//! confirmation). The portal checks the answers against the form's schema, stores them
//! and sends `application.submitted`. This module then:
//!
//! 1. moves the case to `received`, and after a pause to `in_progress`;
//! 2. after another pause decides by its own rules:
//!    - the number plate must be a German plate ([`check_plate`]) — else **refused**,
//!      with the reason;
//!    - a proof of address must have come — else **needs information** (a question the
//!      resident answers in the portal; the answer, `application.answered`, lets the
//!      module go on);
//!    - otherwise **approved**, with the permit as a PDF document.
//!
//! The portal emails the resident at each step; the module writes its messages in the
//! resident's language, which every event names (`data.locale`). The proof of address
//! is not in the webhook: the module fetches it through the Module API (each fetch is
//! in the resident's access log), and opens its JWE when sealed. When the resident
//! withdraws or their account is deleted (`application.erased`) the module deletes what
//! it holds of the case.

use anyhow::{bail, Context as _};
use base64::Engine;
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use crate::portal::CallError;
use crate::webhook::Event;
use crate::{jwe, pdf, Context};

/// The manifest's `id`.
pub const ID: &str = "parking-permits";
/// The municipal-service listing the module serves (the demo city has it).
pub const LISTING: &str = "residents-parking-permit";
/// The fee, as the service's listing states it.
pub const FEE_DE: &str = "60,00 € für ein Jahr";
pub const FEE_EN: &str = "€60.00 for one year";

/// The module's manifest (see `openapi/module-manifest.schema.json`): who runs it, the
/// service it provides with its form, exactly which resident data it receives and why,
/// the Module API scopes it needs, the events it wants and where. With `key`, the
/// public half is published and every submission is sealed to it.
pub fn manifest(webhook_url: &str, key: Option<&jwe::PrivateKey>) -> Value {
    let base = webhook_url
        .split_once("/webhooks/")
        .map_or(webhook_url, |(b, _)| b);
    let mut m = json!({
        "manifest_version": 1,
        "id": ID,
        "name": {"de": "Bewohnerparken (Beispielmodul)", "en": "Residents' parking (example module)"},
        // The city department that runs it: an organization of the portal.
        "operator": "road-traffic-office",
        "base_url": base,
        "contact": {"email": "bewohnerparken@stadt.example"},
        "services": [{
            "listing": LISTING,
            "capability": "application",
            // Only what the decision needs: no email, phone or date of birth.
            "data": ["name", "postal_address", "form_answers", "attachments"],
            "purpose": {
                "de": "Prüfen, ob Sie im Bewohnerparkgebiet wohnen, und Ihren Bewohnerparkausweis ausstellen.",
                "en": "Checking that you live in the residents' parking zone, and issuing your residents' parking permit."
            },
            "legal_basis": {
                "de": "Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 45 Abs. 1b Nr. 2a StVO.",
                "en": "Art. 6(1)(e) GDPR in conjunction with § 45(1b) no. 2a of the German Road Traffic Regulations (StVO)."
            },
            "form": form()
        }],
        // Read cases (and the resident's data, each read in their access log), move
        // them on, post messages and documents.
        "scopes": [
            "module:cases:read",
            "module:cases:status",
            "module:cases:messages",
            "module:resident-data:read"
        ],
        "events": ["application.*"],
        "webhook_url": webhook_url
    });
    if let Some(k) = key {
        m["encryption_key"] = k.public_jwk();
    }
    m
}

/// The form: a JSON Schema in the portal's subset (`openapi/module-form-subset.md`).
/// The plate is only limited in length here: the module checks it by its own rule, and
/// says why when it refuses. The proof is optional: without it the module asks.
fn form() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Residents' parking permit",
        "type": "object",
        "x-order": ["plate", "zone", "address", "proof", "start", "fee", "confirm"],
        "required": ["plate", "zone", "address", "start", "fee", "confirm"],
        "additionalProperties": false,
        "properties": {
            "plate": {
                "type": "string",
                "minLength": 3,
                "maxLength": 12,
                "x-title": {"de": "Kfz-Kennzeichen", "en": "Number plate"},
                "x-help": {"de": "Wie auf dem Schild, z. B. S-AB 1234.", "en": "As on the plate, e.g. S-AB 1234."}
            },
            "zone": {
                "type": "string",
                "enum": ["mitte", "west", "ost"],
                "x-title": {"de": "Parkzone", "en": "Parking zone"},
                "x-enum-labels": {
                    "mitte": {"de": "Mitte (M1–M5)", "en": "Centre (M1–M5)"},
                    "west": {"de": "West (W1–W3)", "en": "West (W1–W3)"},
                    "ost": {"de": "Ost (O1–O4)", "en": "East (O1–O4)"}
                }
            },
            "address": {
                "type": "object",
                "x-address": true,
                "x-title": {"de": "Ihre Wohnadresse", "en": "Your home address"}
            },
            "proof": {
                "type": "string",
                "x-file": {"max_bytes": 5_242_880, "content_types": ["application/pdf", "image/jpeg", "image/png"]},
                "x-title": {"de": "Nachweis der Wohnadresse", "en": "Proof of address"},
                "x-help": {
                    "de": "Meldebescheinigung oder Mietvertrag (PDF, JPEG oder PNG, höchstens 5 MB). Ohne Nachweis fragen wir nach.",
                    "en": "Certificate of registration or tenancy agreement (PDF, JPEG or PNG, at most 5 MB). Without one we will ask you."
                }
            },
            "start": {
                "type": "string",
                "format": "date",
                "x-min-date": "today",
                "x-max-date": "today+90",
                "x-title": {"de": "Gültig ab", "en": "Valid from"}
            },
            "fee": {
                "type": "boolean",
                "const": true,
                "x-title": {"de": "Ich zahle die Gebühr nach Erhalt des Ausweises.", "en": "I will pay the fee once I have the permit."},
                "x-help": {
                    "de": format!("Gebühr: {FEE_DE}. Die Zahlungsangaben stehen auf dem Ausweis."),
                    "en": format!("Fee: {FEE_EN}. How to pay is printed on the permit.")
                }
            },
            "confirm": {
                "type": "boolean",
                "const": true,
                "x-title": {
                    "de": "Ich bestätige, dass das Fahrzeug auf mich zugelassen ist oder mir dauerhaft zur Nutzung überlassen wurde.",
                    "en": "I confirm that the vehicle is registered to me or permanently at my disposal."
                }
            }
        }
    })
}

/// Why a number plate is refused, in German and English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlateProblem {
    /// Not `AREA-LETTERS NUMBER`, e.g. `S-AB 1234`.
    Format,
    /// More than eight letters and digits (§ 8 Abs. 1 FZV).
    TooLong,
    /// Letters that are never issued (§ 8 Abs. 1 FZV: offensive combinations).
    NotIssued,
}

impl PlateProblem {
    pub fn explain(self) -> (&'static str, &'static str) {
        match self {
            PlateProblem::Format => (
                "Das Kennzeichen hat nicht die Form eines deutschen Kennzeichens (Unterscheidungszeichen, Bindestrich, ein oder zwei Buchstaben, Leerzeichen, eine Zahl ohne führende Null, z. B. S-AB 1234).",
                "The number plate does not have the form of a German plate (area code, hyphen, one or two letters, space, a number without a leading zero, e.g. S-AB 1234).",
            ),
            PlateProblem::TooLong => (
                "Ein Kennzeichen hat höchstens acht Buchstaben und Ziffern.",
                "A number plate has at most eight letters and digits.",
            ),
            PlateProblem::NotIssued => (
                "Diese Buchstabenkombination wird nicht vergeben.",
                "This combination of letters is never issued.",
            ),
        }
    }
}

/// Checks a German number plate by the module's own rule and returns it normalised
/// (upper case, single spaces): an area code of one to three letters, a hyphen, one or
/// two letters, a space, one to four digits without a leading zero, optionally `E`
/// (electric) or `H` (historic); at most eight letters and digits in all; and none of
/// the letter combinations that are never issued.
pub fn check_plate(raw: &str) -> Result<String, PlateProblem> {
    let plate = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    let (area, rest) = plate.split_once('-').ok_or(PlateProblem::Format)?;
    let (letters, number) = rest.split_once(' ').ok_or(PlateProblem::Format)?;
    let area_ok = (1..=3).contains(&area.chars().count())
        && area
            .chars()
            .all(|c| c.is_ascii_uppercase() || "ÄÖÜ".contains(c));
    let letters_ok =
        (1..=2).contains(&letters.len()) && letters.chars().all(|c| c.is_ascii_uppercase());
    let digits = number.trim_end_matches(['E', 'H']);
    let suffix = number.len() - digits.len();
    let number_ok = (1..=4).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
        && suffix <= 1;
    if !(area_ok && letters_ok && number_ok) {
        return Err(PlateProblem::Format);
    }
    if area.chars().count() + letters.len() + digits.len() > 8 {
        return Err(PlateProblem::TooLong);
    }
    if ["HJ", "KZ", "NS", "SA", "SS"].contains(&letters) {
        return Err(PlateProblem::NotIssued);
    }
    Ok(plate)
}

/// What the module needs of a submission.
struct Submission {
    answers: Value,
    /// Whether a proof of address came, and opened.
    proof: bool,
}

/// Reads `application.submitted`'s data: in clear, or sealed (`sealed`, one JWE of
/// `{resident, answers, attachments}`); the proof of address, if one came, is fetched
/// at its `href` (its own JWE when sealed).
async fn read_submission(cx: &Context, data: &Value) -> anyhow::Result<Submission> {
    let attachments = data["attachments"].as_array().cloned().unwrap_or_default();
    let answers = match data["sealed"].as_str() {
        Some(jwe) => {
            let key = cx
                .key
                .as_ref()
                .context("the submission is sealed, but the module has no private key")?;
            key.open_json(jwe)?["answers"].clone()
        }
        None => data["answers"].clone(),
    };
    let Some(proof_id) = answers["proof"].as_str() else {
        return Ok(Submission {
            answers,
            proof: false,
        });
    };
    // The file is referenced beside the answers: fetched through the Module API.
    let bytes = match attachments
        .iter()
        .find(|a| a["id"] == proof_id)
        .and_then(|a| a["href"].as_str().map(|h| (h, a["sealed"] == true)))
    {
        Some((href, sealed)) => {
            let (content_type, bytes) = cx.portal.fetch(href).await?;
            match (sealed, &cx.key) {
                (true, Some(key)) => {
                    anyhow::ensure!(
                        content_type.starts_with("application/jose"),
                        "a sealed file came as {content_type}"
                    );
                    key.open(std::str::from_utf8(&bytes)?)?.1
                }
                (true, None) => bail!("the file is sealed, but the module has no private key"),
                (false, _) => bytes,
            }
        }
        None => Vec::new(),
    };
    // A real office would now look at the document; the example only checks it came.
    Ok(Submission {
        answers,
        proof: !bytes.is_empty(),
    })
}

/// The resident's language, as the event names it (`de` unless it says `en`).
fn locale(data: &Value) -> Lang {
    if data["locale"] == "en" {
        Lang::En
    } else {
        Lang::De
    }
}

/// The language the module writes a case's messages in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    fn pick(self, de: String, en: String) -> String {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

/// Acts on one event.
pub async fn handle(cx: &Context, e: &Event) -> anyhow::Result<()> {
    let Some(id) = e.data["application_id"].as_str() else {
        bail!("{} without an application_id", e.kind);
    };
    let lang = locale(&e.data);
    match e.kind.as_str() {
        "application.submitted" => {
            let sub = read_submission(cx, &e.data).await?;
            cx.cases
                .lock()
                .expect("the cases")
                .insert(id.to_string(), sub.answers.clone());
            if !step(cx, id, json!({"status": "received"})).await? {
                return Ok(());
            }
            tokio::time::sleep(cx.delay).await;
            if !step(cx, id, json!({"status": "in_progress"})).await? {
                return Ok(());
            }
            tokio::time::sleep(cx.delay).await;
            decide(cx, id, &sub, lang).await
        }
        "application.answered" => {
            // The resident answered our question (the portal put the case back in
            // progress). The answers come from what the module holds, or else from
            // the case read again (that read is in the resident's access log).
            tokio::time::sleep(cx.delay).await;
            let held = cx.cases.lock().expect("the cases").get(id).cloned();
            let answers = match held {
                Some(a) => a,
                None => {
                    let case = cx.portal.get(&format!("/module/applications/{id}")).await?;
                    match case["data"]["sealed"].as_str() {
                        Some(jwe) => match &cx.key {
                            Some(k) => k.open_json(jwe)?["answers"].clone(),
                            None => bail!("the case is sealed, but the module has no private key"),
                        },
                        None => case["data"]["answers"].clone(),
                    }
                }
            };
            // The answer stands in for the proof: the office checks the register.
            decide(
                cx,
                id,
                &Submission {
                    answers,
                    proof: true,
                },
                lang,
            )
            .await
        }
        // Withdrawn, or erased with the resident's account: the module deletes what it
        // holds of the case (the portal refuses further steps anyway).
        "application.withdrawn" | "application.erased" => {
            cx.cases.lock().expect("the cases").remove(id);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Posts a step of the case. `Ok(false)` when the portal says the case is past it
/// (409: withdrawn meanwhile, or another worker was quicker): the module stops there.
async fn step(cx: &Context, id: &str, body: Value) -> anyhow::Result<bool> {
    match cx
        .portal
        .post(&format!("/module/applications/{id}/status"), &body)
        .await
    {
        Ok(_) => Ok(true),
        Err(
            e @ CallError::Refused {
                status: 404 | 409, ..
            },
        ) => {
            // Moved on, or gone (erased with the resident's account): stop, and forget it.
            tracing::info!(case = id, error = %e, "the case has moved on; stopping");
            cx.cases.lock().expect("the cases").remove(id);
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// The decision, by the module's rules.
async fn decide(cx: &Context, id: &str, sub: &Submission, lang: Lang) -> anyhow::Result<()> {
    let plate = sub.answers["plate"].as_str().unwrap_or_default();
    let body = match check_plate(plate) {
        Err(problem) => {
            let (de, en) = problem.explain();
            json!({
                "status": "refused",
                "message": lang.pick(
                    format!("Wir können Ihnen keinen Bewohnerparkausweis ausstellen. {de} Sie können mit dem richtigen Kennzeichen neu beantragen."),
                    format!("We cannot issue a residents' parking permit. {en} You can apply again with the right number plate."),
                )
            })
        }
        Ok(_) if !sub.proof => json!({
            "status": "needs_information",
            "question": lang.pick(
                "Uns fehlt der Nachweis Ihrer Wohnadresse. Seit wann sind Sie unter dieser Adresse gemeldet? Wir prüfen es dann im Melderegister.".into(),
                "We have no proof of your address. Since when have you been registered at this address? We will then check the population register.".into(),
            )
        }),
        Ok(plate) => {
            let permit = permit_pdf(id, &plate, &sub.answers);
            json!({
                "status": "approved",
                "message": lang.pick(
                    format!("Ihr Bewohnerparkausweis für {plate} ist genehmigt. Drucken Sie den beigefügten Ausweis aus und legen Sie ihn gut sichtbar hinter die Windschutzscheibe. Gebühr: {FEE_DE}."),
                    format!("Your residents' parking permit for {plate} is approved. Print the attached permit and put it behind the windscreen where it can be seen. Fee: {FEE_EN}."),
                ),
                "document": {
                    "file_name": format!("parkausweis-{}.pdf", plate.replace([' ', '-'], "")),
                    "content_type": "application/pdf",
                    "data": base64::engine::general_purpose::STANDARD.encode(permit)
                }
            })
        }
    };
    step(cx, id, body).await.map(|_| ())
}

/// The permit: number, plate, zone and validity, as a one-page PDF.
pub fn permit_pdf(case_id: &str, plate: &str, answers: &Value) -> Vec<u8> {
    let zone = match answers["zone"].as_str() {
        Some("mitte") => "Mitte / Centre (M1-M5)",
        Some("west") => "West (W1-W3)",
        Some("ost") => "Ost / East (O1-O4)",
        _ => "-",
    };
    let start = answers["start"]
        .as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let validity = start.map_or_else(
        || "-".to_string(),
        |s| {
            let end = s
                .with_year(s.year() + 1)
                .unwrap_or(s + chrono::Days::new(365))
                - chrono::Days::new(1);
            format!("{} - {}", s.format("%d.%m.%Y"), end.format("%d.%m.%Y"))
        },
    );
    let number: String = case_id.chars().filter(|c| *c != '-').take(10).collect();
    pdf::text_pdf(
        "Bewohnerparkausweis / Residents' parking permit",
        &[
            format!(
                "Ausweisnummer / Permit number: BP-{}",
                number.to_uppercase()
            ),
            format!("Kennzeichen / Number plate: {plate}"),
            format!("Zone: {zone}"),
            format!("Gültig / Valid: {validity}"),
            String::new(),
            "Nur gültig für das eingetragene Kennzeichen in der genannten Zone.".into(),
            "Valid only for the number plate above, in the zone above.".into(),
            format!("Gebühr / Fee: {FEE_DE} / {FEE_EN}"),
            String::new(),
            "Straßenverkehrsamt / Road traffic office (example module)".into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_by_the_modules_own_rule() {
        assert_eq!(check_plate(" s-ab  1234 ").unwrap(), "S-AB 1234");
        assert_eq!(check_plate("M-X 1E").unwrap(), "M-X 1E");
        assert_eq!(check_plate("LÖ-C 77H").unwrap(), "LÖ-C 77H");
        for bad in [
            "SAB1234",
            "S-AB1234",
            "S-AB 0123",
            "S-ABC 1",
            "S-1B 12",
            "S-AB 12345",
            "S-AB 12EH",
            "ABCD-A 1",
        ] {
            assert_eq!(check_plate(bad), Err(PlateProblem::Format), "{bad}");
        }
        assert_eq!(check_plate("ABC-DE 1234"), Err(PlateProblem::TooLong));
        assert_eq!(check_plate("B-SS 12"), Err(PlateProblem::NotIssued));
    }

    #[test]
    fn the_permit_is_a_pdf_with_the_plate() {
        let pdf = permit_pdf(
            "0193a8c2-1111-7000-8000-000000000000",
            "S-AB 1234",
            &json!({"zone": "ost", "start": "2026-12-24"}),
        );
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("S-AB 1234"));
        assert!(text.contains("24.12.2026 - 23.12.2027"), "{text}");
        assert!(text.contains("BP-0193A8C211"));
    }

    #[test]
    fn the_manifest_names_its_webhook_and_key() {
        let m = manifest("http://127.0.0.1:9000/webhooks/portal", None);
        assert_eq!(m["webhook_url"], "http://127.0.0.1:9000/webhooks/portal");
        assert_eq!(m["base_url"], "http://127.0.0.1:9000");
        assert!(m.get("encryption_key").is_none());
        assert_eq!(m["services"][0]["listing"], LISTING);
    }
}
