//! The Partner Booking API as the sandbox serves it: the contract's operations.

use std::sync::Arc;

use chrono::Utc;
use poem::web::Data;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaRequest, Registry};
use poem_openapi::types::ToJSON;
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, OpenApi, Tags,
};
use serde_json::{json, Value};

use crate::errors::ApiError;
use crate::model::{
    AvailabilityRequest, AvailabilityResponse, Booking, ConfirmRequest, Health, HealthStatus,
    HoldRequest, OfferList, RescheduleRequest,
};
use crate::oauth::{PartnerAuth, PartnerScopes};
use crate::server::Shared;
use crate::store::{local, Outcome};

/// The groups of the Partner Booking API.
#[derive(Tags)]
pub enum ApiTags {
    /// OAuth2 client credentials: how the portal gets an access token.
    Authentication,
    /// Whether the booking system works.
    Health,
    /// What can be booked and when.
    Availability,
    /// Holds and bookings: create, confirm, cancel, reschedule, read.
    Bookings,
}

/// The answer of a hold.
#[derive(ApiResponse)]
pub(crate) enum HoldResponse {
    /// The hold: seats are reserved until `hold_expires_at`. A repeat with the same
    /// `Idempotency-Key` and body answers this again, with `Idempotent-Replayed: true`.
    #[oai(status = 201)]
    Created(
        Json<Booking>,
        /// The booking's URL.
        #[oai(header = "Location")]
        String,
        /// `true` when this is the stored answer to an earlier request with the same
        /// `Idempotency-Key`.
        #[oai(header = "Idempotent-Replayed")]
        Option<String>,
    ),
}

/// The answer of a change to a booking.
#[derive(ApiResponse)]
pub(crate) enum ChangeResponse {
    /// The booking after the change. A repeat with the same `Idempotency-Key` answers
    /// this again, with `Idempotent-Replayed: true`.
    #[oai(status = 200)]
    Ok(
        Json<Booking>,
        /// `true` when this is the stored answer to an earlier request with the same
        /// `Idempotency-Key`.
        #[oai(header = "Idempotent-Replayed")]
        Option<String>,
    ),
}

fn hold_response(outcome: Outcome, replayed: bool) -> Result<HoldResponse, ApiError> {
    let marker = replayed.then(|| "true".to_string());
    match outcome {
        Outcome::Created(b) | Outcome::Ok(b) => {
            let location = format!("/partner/v1/bookings/{}", b.booking_id);
            Ok(HoldResponse::Created(Json(b), location, marker))
        }
        Outcome::Failed(p) => Err(p.into()),
    }
}

fn change_response(outcome: Outcome, replayed: bool) -> Result<ChangeResponse, ApiError> {
    match outcome {
        Outcome::Created(b) | Outcome::Ok(b) => {
            Ok(ChangeResponse::Ok(Json(b), replayed.then(|| "true".into())))
        }
        Outcome::Failed(p) => Err(p.into()),
    }
}

/// The body of a confirmation as received: its JSON, or `None` when there is none. The
/// store reads it against the booked offer ([`ConfirmRequest::from_body`]), so that a
/// confirmation without the resident's data is a 422 naming the missing field rather than
/// an unreadable request; the document shows [`ConfirmRequest`] as the required body.
pub(crate) struct ConfirmBody(Option<Value>);

impl<'a> ApiExtractor<'a> for ConfirmBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Json<ConfirmRequest> as ApiExtractor>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        <Json<ConfirmRequest> as ApiExtractor>::request_meta()
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        if let Some(ct) = request.content_type() {
            if !Json::<ConfirmRequest>::check_content_type(ct) {
                return Err(poem_openapi::error::ContentTypeError::NotSupported {
                    content_type: ct.to_string(),
                }
                .into());
            }
        }
        let bytes = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ConfirmBody(None));
        }
        serde_json::from_slice(&bytes)
            .map(|v| ConfirmBody(Some(v)))
            .map_err(|e| {
                poem_openapi::error::ParseRequestPayloadError {
                    reason: e.to_string(),
                }
                .into()
            })
    }
}

pub(crate) struct PartnerApi;

#[OpenApi]
impl PartnerApi {
    /// Check that the booking system works
    ///
    /// The portal calls this when a connection is set up and before it sends residents to
    /// the partner after an outage. Answer fast and without side effects.
    #[oai(
        path = "/partner/v1/health",
        method = "get",
        operation_id = "get_health",
        tag = "ApiTags::Health"
    )]
    async fn health(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] _auth: PartnerAuth,
    ) -> Result<Json<Health>, ApiError> {
        Ok(Json(Health {
            status: HealthStatus::Ok,
            time: local(&shared.config.catalogue, Utc::now()),
        }))
    }

    /// List the bookable offers
    ///
    /// Every offer the partner takes bookings for through the portal: its kind, how it is
    /// confirmed and which resident data its confirmation carries (`resident_fields`). The
    /// business links each to an offer on its portal listing by `offer_id`.
    #[oai(
        path = "/partner/v1/offers",
        method = "get",
        operation_id = "list_offers",
        tag = "ApiTags::Availability"
    )]
    async fn offers(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] _auth: PartnerAuth,
    ) -> Result<Json<OfferList>, ApiError> {
        let cat = &shared.config.catalogue;
        Ok(Json(OfferList {
            offers: cat.offers.iter().map(|o| o.to_api()).collect(),
            time_zone: cat.time_zone.name().to_string(),
        }))
    }

    /// Look up availability of several offers
    ///
    /// Slots (appointments), sessions (classes) or start dates (memberships) starting in
    /// `[from, to)`, each with its capacity and the seats still free. Read-only: no
    /// `Idempotency-Key`, safe to retry. The window may span at most 62 days.
    #[oai(
        path = "/partner/v1/availability",
        method = "post",
        operation_id = "lookup_availability",
        tag = "ApiTags::Availability"
    )]
    async fn availability(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] _auth: PartnerAuth,
        body: Json<AvailabilityRequest>,
    ) -> Result<Json<AvailabilityResponse>, ApiError> {
        let now = Utc::now();
        let result = shared.store().availability(&shared.config, &body.0, now);
        result.map(Json).map_err(Into::into)
    }

    /// Hold seats
    ///
    /// Reserves `seats` in one slot of an offer until `hold_expires_at` (status `held`).
    /// Confirm before then, or the hold expires (status `expired`, a `booking.expired`
    /// webhook) and the seats are free again. A slot without enough seats left answers
    /// 409 `slot-full`. The hold carries no personal data: nothing about the resident is
    /// sent before they confirm, and then only with the confirmation.
    #[oai(
        path = "/partner/v1/holds",
        method = "post",
        operation_id = "create_hold",
        tag = "ApiTags::Bookings"
    )]
    async fn create_hold(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] auth: PartnerAuth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        /// A unique key per intended change (e.g. a UUID), at most 255 characters. A
        /// repeat with the same key and body answers the first response again; with
        /// another body or operation, 422 `idempotency-key-reused`. Kept ≥ 24 hours.
        key: Header<String>,
        body: Json<HoldRequest>,
    ) -> Result<HoldResponse, ApiError> {
        let now = Utc::now();
        let fingerprint = json!({"op": "create_hold", "body": body.0.to_json()});
        let (outcome, replayed) =
            shared
                .store()
                .idempotent(&auth.0.client_id, &key.0, fingerprint, now, |store| {
                    store.hold(&shared.config, &auth.0.client_id, body.0, now)
                });
        hold_response(outcome, replayed)
    }

    /// Get a booking
    ///
    /// The booking's current status. The portal reads it to settle bookings whose outcome
    /// it does not know (e.g. after a timeout) and when a webhook seems to be missing.
    #[oai(
        path = "/partner/v1/bookings/:booking_id",
        method = "get",
        operation_id = "get_booking",
        tag = "ApiTags::Bookings"
    )]
    async fn get_booking(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] auth: PartnerAuth,
        /// The partner's booking id.
        booking_id: Path<String>,
    ) -> Result<Json<Booking>, ApiError> {
        let now = Utc::now();
        let result = shared
            .store()
            .get(&shared.config, &auth.0.client_id, &booking_id.0, now);
        result.map(Json).map_err(Into::into)
    }

    /// Confirm a held booking
    ///
    /// The resident has confirmed and agreed to share their data: `held` becomes
    /// `confirmed`, or `pending` for offers with `confirmation: approval` (the business
    /// decides later; a `booking.confirmed` or `booking.rejected` webhook follows).
    ///
    /// The body carries the resident's data, the first the partner receives: exactly the
    /// fields the offer lists in `resident_fields` (`name` always). A confirmation without
    /// a body, without `resident` or without one of those fields, or with a field the
    /// offer does not list, answers 422 `validation` naming each field (`resident`,
    /// `resident.email`, …) and changes nothing; the partner never stores a field the
    /// offer does not ask for. Store the resident only from a successful confirmation.
    ///
    /// Confirming a `confirmed` or `pending` booking again (with a valid body) changes
    /// nothing, the stored resident data included, and answers 200. An expired hold
    /// answers 409 `hold-expired`.
    #[oai(
        path = "/partner/v1/bookings/:booking_id/confirm",
        method = "post",
        operation_id = "confirm_booking",
        tag = "ApiTags::Bookings"
    )]
    async fn confirm(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] auth: PartnerAuth,
        /// The partner's booking id.
        booking_id: Path<String>,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        /// A unique key per intended change (e.g. a UUID), at most 255 characters. A
        /// repeat with the same key and body answers the first response again; with
        /// another body or operation, 422 `idempotency-key-reused`. Kept ≥ 24 hours.
        key: Header<String>,
        /// The resident's data, exactly as the offer's `resident_fields` ask for it.
        body: ConfirmBody,
    ) -> Result<ChangeResponse, ApiError> {
        let now = Utc::now();
        let id = booking_id.0;
        let fingerprint = json!({
            "op": "confirm_booking",
            "booking_id": id,
            "body": body.0.clone().unwrap_or(Value::Null),
        });
        let (outcome, replayed) =
            shared
                .store()
                .idempotent(&auth.0.client_id, &key.0, fingerprint, now, |store| {
                    store.confirm(&shared.config, &auth.0.client_id, &id, body.0.as_ref(), now)
                });
        change_response(outcome, replayed)
    }

    /// Cancel a booking
    ///
    /// A `held`, `pending` or `confirmed` booking becomes `cancelled` and its seats are
    /// free again. Cancelling a `cancelled` booking changes nothing and answers 200. A
    /// partner may refuse a cancellation after its deadline with 409
    /// `cancellation-deadline-passed`.
    #[oai(
        path = "/partner/v1/bookings/:booking_id/cancel",
        method = "post",
        operation_id = "cancel_booking",
        tag = "ApiTags::Bookings"
    )]
    async fn cancel(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] auth: PartnerAuth,
        /// The partner's booking id.
        booking_id: Path<String>,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        /// A unique key per intended change (e.g. a UUID), at most 255 characters. A
        /// repeat with the same key and body answers the first response again; with
        /// another body or operation, 422 `idempotency-key-reused`. Kept ≥ 24 hours.
        key: Header<String>,
    ) -> Result<ChangeResponse, ApiError> {
        let now = Utc::now();
        let id = booking_id.0;
        let fingerprint = json!({"op": "cancel_booking", "booking_id": id});
        let (outcome, replayed) =
            shared
                .store()
                .idempotent(&auth.0.client_id, &key.0, fingerprint, now, |store| {
                    store.cancel(
                        &shared.config,
                        &auth.0.client_id,
                        &id,
                        now,
                        shared.cancel_deadline(),
                    )
                });
        change_response(outcome, replayed)
    }

    /// Move a booking to another slot
    ///
    /// Moves a `held`, `pending` or `confirmed` booking to another slot of the same offer,
    /// keeping its id, status and seats (a `booking.rescheduled` webhook follows). The new
    /// slot needs enough free seats (409 `slot-full`); the old seats are free again. The
    /// same start as now changes nothing.
    #[oai(
        path = "/partner/v1/bookings/:booking_id/reschedule",
        method = "post",
        operation_id = "reschedule_booking",
        tag = "ApiTags::Bookings"
    )]
    async fn reschedule(
        &self,
        shared: Data<&Arc<Shared>>,
        #[oai(scope = "PartnerScopes::Bookings")] auth: PartnerAuth,
        /// The partner's booking id.
        booking_id: Path<String>,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        /// A unique key per intended change (e.g. a UUID), at most 255 characters. A
        /// repeat with the same key and body answers the first response again; with
        /// another body or operation, 422 `idempotency-key-reused`. Kept ≥ 24 hours.
        key: Header<String>,
        body: Json<RescheduleRequest>,
    ) -> Result<ChangeResponse, ApiError> {
        let now = Utc::now();
        let id = booking_id.0;
        let fingerprint = json!({
            "op": "reschedule_booking",
            "booking_id": id,
            "body": body.0.to_json().unwrap_or(Value::Null),
        });
        let (outcome, replayed) =
            shared
                .store()
                .idempotent(&auth.0.client_id, &key.0, fingerprint, now, |store| {
                    store.reschedule(&shared.config, &auth.0.client_id, &id, body.0.start, now)
                });
        change_response(outcome, replayed)
    }
}
