//! The Partner Booking API document as the sandbox implements it. The published one is
//! the contract's (`partner_contract::spec_json`); a test keeps the two the same.

use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApiService, Webhook};

use crate::api::PartnerApi;
use crate::model::WebhookEvent;
use crate::oauth::TokenApi;
use crate::{OPERATION_ERRORS, VERSION};

const DESCRIPTION: &str = r#"The API a business's own booking system implements so that residents can book its
appointments, classes and memberships on the City Portal. The portal calls the partner;
the partner pushes status changes back with signed webhooks.

## Base URL and versioning

The business enters its **base URL** in the portal (e.g. `https://booking.example.com`);
every path below is relative to it and starts with `/partner/v1`. This document's
version (`info.version`) follows semantic versioning: a minor or patch version only adds
optional request fields, response fields and enum values (ignore what you do not know);
a major version changes what an implementation must do, and *Changes* below says what.

## Authentication: OAuth2 client credentials

The business also enters a **token URL** (e.g. `https://booking.example.com/oauth/token`,
or its identity provider's), a **client id** and a **client secret**. The portal fetches
an access token with the client credentials grant (`grant_type=client_credentials`,
RFC 6749 §4.4; see `POST /oauth/token`,
client authentication by HTTP Basic or form fields), caches it until `expires_in` has
passed and sends `Authorization: Bearer <access_token>` with every call. A call without a
valid token must answer `401` with a problem; the portal then fetches a new token once and
retries. The only scope is `bookings`.

## Idempotency

Every write (`POST /holds`, `/confirm`, `/cancel`, `/reschedule`) carries an
`Idempotency-Key` header, unique per intended change. The partner stores the first final
answer per client and key for at least 24 hours:

* the same key with the same operation and body answers that first response again
  (same status, same body; add `Idempotent-Replayed: true`) and changes nothing;
* the same key with another operation or body answers `422` `idempotency-key-reused`;
* while the first request with a key is still being processed, `409`
  `idempotency-key-in-flight`;
* a write without the header answers `400` `idempotency-key-missing`.

The portal retries writes after timeouts, `5xx` and connection errors with the same key
and the same body (a retried confirmation carries the same resident data), so a retried
hold never books twice; repeating a hold whose answer was lost is also how it learns the
booking id of that hold. In addition `client_token` (the portal's own
reference of the booking) is unique per booking: a second hold with a `client_token`
that already has a booking answers `409` `duplicate-client-token`.

## Capacity

A partner must never hold or confirm more seats than a slot has. A hold (or a
reschedule) that needs more seats than are left answers `409` `slot-full`. Held seats count
as taken until the hold is confirmed, cancelled or expires.

## Booking lifecycle

`POST /holds` → `held` (seats reserved until `hold_expires_at`; no personal data yet) →
`POST /confirm` with the resident's data → `confirmed`, or `pending` for offers with
`confirmation: approval` (memberships), which the business later turns into `confirmed`
or `rejected`. An unconfirmed hold becomes `expired`. `held`, `pending` and `confirmed`
bookings can be cancelled (`cancelled`) or moved to another slot of the same offer
(`POST /reschedule`). `cancelled`, `expired` and `rejected` are final.

## Webhooks

On **every** status change — including those the partner makes on its own (expiry,
approval, rejection, a cancellation by the business) — and on every reschedule, the
partner POSTs a `WebhookEvent` (see *webhooks* below) to the URL the portal shows for the
connection (`https://<portal>/api/v1/partner-webhooks/{connection}`), signed per
[Standard Webhooks](https://www.standardwebhooks.com/):

* `webhook-id`: unique per event (e.g. `msg_<random>`), the same on every retry;
* `webhook-timestamp`: Unix seconds of this attempt;
* `webhook-signature`: `v1,<base64 HMAC-SHA256>` over `{webhook-id}.{webhook-timestamp}.{body}`
  (the exact bytes sent), keyed with the base64-decoded part of the connection's
  `whsec_<base64>` webhook secret. Several space-separated signatures are allowed while
  a secret is rotated.

The portal rejects a signature that does not verify or a timestamp more than 5 minutes
from its clock (`401`), ignores an id it has already processed (`200`), and answers `2xx`
within 10 seconds otherwise. On any other answer or no answer, retry with exponential
backoff (e.g. 0.5 s, 1 s, 2 s, 4 s, …) for at least a few minutes, re-signing each attempt
with a fresh timestamp. Deliver a booking's events in order. Webhooks carry no resident
data; they are a hint that `GET /bookings/{booking_id}` confirms when in doubt.

## Errors

Every error is an RFC 9457 `application/problem+json` document with `type`, `title` and
`status` (equal to the HTTP status); `type` is a URI reference whose last path segment is
a stable code the portal acts on (`/problems/slot-full`). Codes: `bad-request`,
`idempotency-key-missing` (400), `unauthorized` (401), `not-found` (404), `slot-full`,
`invalid-transition`, `hold-expired`, `duplicate-client-token`,
`idempotency-key-in-flight`, `cancellation-deadline-passed` (409), `validation` (with
`errors`), `idempotency-key-reused` (422), `internal` (500), `unavailable` (503, with
`Retry-After` when known). Never answer `200` with an error in the body.

## Time

All instants are RFC 3339 with an offset; the partner answers in its own time zone
(`time_zone` of `GET /offers`). Slots are identified by their exact `start` instant.

## Privacy: consent before sharing

The portal promises residents that their data reaches a business only when they confirm
a booking, never while a time is merely held. So a hold (`POST /holds`) carries **no
personal data**: only the offer, the slot, the seats and the portal's `client_token`.
The resident's data arrives with the confirmation (`POST /bookings/{booking_id}/confirm`,
body `ConfirmRequest`): exactly the fields the offer lists in `resident_fields` — `name`
always, `email` and `phone` only when listed. A confirmation without it (no body, no
`resident`, or a listed field missing) answers `422` `validation` with `errors` naming
each field (`resident`, `resident.name`, `resident.email`, `resident.phone`); so does one
carrying a field the offer does not list: the partner refuses it rather than dropping it,
and never stores it. A refused confirmation changes nothing; the hold stays `held`.

Store resident data only from a successful confirmation: a held, expired or never
confirmed booking has none. The partner never returns it: bookings and webhooks identify
the resident by nothing but the booking. Keep it only as long as the booking needs it:
a booking that will not take place (`cancelled`, `rejected`, `expired`) keeps none. The
portal cancels every upcoming booking of a resident who erases their account; that
cancellation is also the resident's request to delete their data.

## Changes

**2.0.0** (breaking; consent before sharing): `HoldRequest` no longer has `resident`; a
hold carries no personal data. `POST /bookings/{booking_id}/confirm` now takes a
required JSON body, `ConfirmRequest` (`{"resident": {"name", "email"?, "phone"?}}`),
checked against the offer's `resident_fields` as described under *Privacy*;
`resident_fields` now says what the confirmation carries. The paths stay under
`/partner/v1`.

**1.0.0**: the first published version.

## Testing your implementation

`city-portal partner check <base-url>` runs the portal's conformance checks against a
test environment of yours (it creates and cancels real holds). The `partner-sandbox`
binary implements this contract and can act slow, down or wrong."#;

/// What the webhook receiver answers.
#[derive(ApiResponse)]
pub enum WebhookAck {
    /// Received, or a duplicate `webhook-id` that was ignored. Any `2xx` counts; any other
    /// answer (or none within 10 seconds) is retried.
    #[oai(status = 200)]
    Received,
}

/// The webhooks the partner sends to the portal.
#[Webhook]
pub trait PartnerWebhooks {
    /// A booking changed
    ///
    /// Sent to the connection's webhook URL on every status change and reschedule of a
    /// booking, signed per Standard Webhooks (see the description above).
    #[oai(name = "booking", method = "post", operation_id = "booking_changed")]
    fn booking_changed(
        &self,
        /// Unique per event, the same on every retry; the portal ignores ids it has seen.
        #[oai(name = "webhook-id")]
        id: Header<String>,
        /// Unix seconds of this attempt; more than 5 minutes off is rejected.
        #[oai(name = "webhook-timestamp")]
        timestamp: Header<i64>,
        /// `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed
        /// with the base64-decoded webhook secret; several may be space-separated.
        #[oai(name = "webhook-signature")]
        signature: Header<String>,
        event: Json<WebhookEvent>,
    ) -> WebhookAck;
}

/// The token endpoint and the Partner Booking API, with the webhooks, as one service.
pub(crate) fn service() -> OpenApiService<(TokenApi, PartnerApi), &'static dyn PartnerWebhooks> {
    OpenApiService::new((TokenApi, PartnerApi), "Partner Booking API", VERSION)
        .summary(
            "What a business's booking system implements to take bookings from the City Portal",
        )
        .description(DESCRIPTION)
        .webhooks::<&dyn PartnerWebhooks>()
}

/// The OpenAPI document (3.1, because of its `webhooks`) generated from the sandbox's
/// implementation. It must equal the published one, `openapi/partner-booking-api.json`
/// ([`partner_contract::spec_json`]); `partner-sandbox openapi` prints it to regenerate
/// that file.
pub fn generated_spec_json() -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&service().spec()).expect("poem-openapi emits JSON");
    // poem-openapi writes 3.0.0 but emits the 3.1 `webhooks` section.
    doc["openapi"] = "3.1.0".into();
    // The token endpoint answers RFC 6749 errors, and 503 problems when the partner is
    // down; the booking operations answer problems.
    let unavailable = doc["paths"]["/partner/v1/health"]["get"]["responses"]["503"].clone();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                let id = op["operationId"].as_str().unwrap_or_default().to_string();
                let allowed = OPERATION_ERRORS
                    .iter()
                    .find(|(op_id, _)| *op_id == id)
                    .map(|(_, codes)| *codes);
                if let (Some(allowed), Some(responses)) = (allowed, op["responses"].as_object_mut())
                {
                    responses.retain(|code, _| {
                        code.starts_with('2')
                            || code.parse::<u16>().is_ok_and(|c| allowed.contains(&c))
                    });
                    if id == "get_token" && allowed.contains(&503) {
                        responses.insert("503".into(), unavailable.clone());
                    }
                }
            }
        }
    }
    // Plain OpenAPI 3.1 (see `openapi_tidy`). Its optional fields are left out rather
    // than `null` (the portal reads them so), so they stay non-nullable.
    openapi_tidy::tidy(
        &mut doc,
        &openapi_tidy::Tidy {
            servers: serde_json::json!([{
                "url": "{base_url}",
                "description": "The business's booking system: the base URL it enters in the \
                                portal.",
                "variables": {"base_url": {"default": "https://booking.example.com"}}
            }]),
            nullable_optionals: false,
        },
    );
    let mut s = serde_json::to_string_pretty(&doc).expect("serializes");
    s.push('\n');
    s
}
