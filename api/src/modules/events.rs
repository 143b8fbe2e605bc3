//! The events the portal sends to a module's webhook, as the Module API document
//! (`openapi/module-api.json`, its `webhooks`) describes them: the body is
//! `{"type", "timestamp", "data"}`, signed per Standard Webhooks (see `delivery`).
//!
//! These types are the published shape of what `delivery` sends; the Module API
//! checker (`check`) builds its synthetic events from them, and the tests hold real
//! deliveries against the published document.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use serde_json::Value;
use uuid::Uuid;

/// A file of an application, by reference: the webhook never carries file bytes. The
/// module fetches it at `href` (`GET /api/v1/module/applications/{id}/files/{file_id}`
/// with `module:resident-data:read`; each fetch is in the resident's access log). A
/// sealed file is served as its compact JWE (`application/jose`; RSA-OAEP-256,
/// A256GCM) to the module's key, its name is inside the sealed `data.sealed`.
#[derive(Object, Clone, Debug)]
#[oai(rename = "WebhookAttachment")]
pub struct Attachment {
    pub id: Uuid,
    /// The form field it answers.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    /// `attachment` (the resident's).
    pub role: String,
    /// The type the portal checked its bytes against (of the sealed content, when
    /// sealed).
    pub content_type: String,
    /// The size in bytes of what `href` serves (the JWE, when sealed).
    pub size: i64,
    /// SHA-256 of what `href` serves (the JWE, when sealed), hex.
    pub sha256: String,
    /// Whether it is sealed to the module's key (served as `application/jose`).
    pub sealed: bool,
    /// The file's name as the resident uploaded it (in clear only).
    #[oai(skip_serializing_if_is_none)]
    pub file_name: Option<String>,
    /// Where to fetch it: the Module API path, from the portal's origin.
    pub href: String,
}

/// What every application event says about its case.
#[derive(Object, Clone, Debug)]
pub struct ApplicationSubmittedData {
    pub application_id: Uuid,
    /// The case's status when the event is sent (`submitted`, or later on a retry).
    pub status: String,
    /// The service's listing slug (as in the manifest's `services[].listing`).
    pub service: String,
    pub submitted_at: DateTime<Utc>,
    /// The language the resident reads (`de` or `en`): the module writes its messages,
    /// questions and documents in it.
    pub locale: String,
    /// The categories of resident data the resident agreed to send.
    pub data_categories: Vec<String>,
    /// The profile fields the resident agreed to send (`name`, `email`), in clear; not
    /// present when the module has a key.
    #[oai(skip_serializing_if_is_none)]
    pub resident: Option<Value>,
    /// The answers to the service's form, by field name, in clear; not present when the
    /// module has a key.
    #[oai(skip_serializing_if_is_none)]
    pub answers: Option<Value>,
    /// For a module with a key: `{"resident", "answers", "attachments": [{"id",
    /// "file_name"}]}` as a compact JWE (RSA-OAEP-256, A256GCM, `cty`
    /// `application/json`) to the key of its manifest. After delivery the portal keeps
    /// only this ciphertext.
    #[oai(skip_serializing_if_is_none)]
    pub sealed: Option<String>,
    /// The files the resident attached, by reference (no bytes).
    pub attachments: Vec<Attachment>,
}

/// A resident sent an application
#[derive(Object, Clone, Debug)]
pub struct ApplicationSubmittedEvent {
    /// `application.submitted`
    #[oai(rename = "type")]
    pub kind: String,
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    pub data: ApplicationSubmittedData,
}

/// The resident's answer to the module's question.
#[derive(Object, Clone, Debug)]
pub struct ApplicationAnsweredData {
    pub application_id: Uuid,
    /// The case's status (`in_progress` after an answer).
    pub status: String,
    pub service: String,
    pub submitted_at: DateTime<Utc>,
    /// The language the resident reads (`de` or `en`).
    pub locale: String,
    /// The answer, in clear; not present when the module has a key.
    #[oai(skip_serializing_if_is_none)]
    pub answer: Option<String>,
    /// For a case sealed to the module's key: `{"answer"}` as a compact JWE to its key,
    /// sealed when the resident answered (the portal keeps only this).
    #[oai(skip_serializing_if_is_none)]
    pub sealed: Option<String>,
}

/// The resident answered the module's question
#[derive(Object, Clone, Debug)]
pub struct ApplicationAnsweredEvent {
    /// `application.answered`
    #[oai(rename = "type")]
    pub kind: String,
    pub timestamp: DateTime<Utc>,
    pub data: ApplicationAnsweredData,
}

/// A case the resident withdrew.
#[derive(Object, Clone, Debug)]
pub struct ApplicationWithdrawnData {
    pub application_id: Uuid,
    /// `withdrawn`.
    pub status: String,
    pub service: String,
    pub submitted_at: DateTime<Utc>,
    /// The language the resident reads (`de` or `en`).
    pub locale: String,
}

/// The resident withdrew their application
#[derive(Object, Clone, Debug)]
pub struct ApplicationWithdrawnEvent {
    /// `application.withdrawn`
    #[oai(rename = "type")]
    pub kind: String,
    pub timestamp: DateTime<Utc>,
    pub data: ApplicationWithdrawnData,
}

/// The resident deleted their account: the portal erased the case with everything in it,
/// and the module deletes its own copy. Only the case's id, nothing about the resident.
/// It may name a case whose submission never reached the module (erased on its way):
/// nothing to delete then.
#[derive(Object, Clone, Debug)]
pub struct ApplicationErasedData {
    pub application_id: Uuid,
    /// The service's listing slug.
    pub service: String,
}

/// The resident's account was deleted: delete the case
#[derive(Object, Clone, Debug)]
pub struct ApplicationErasedEvent {
    /// `application.erased`
    #[oai(rename = "type")]
    pub kind: String,
    pub timestamp: DateTime<Utc>,
    pub data: ApplicationErasedData,
}

/// A new report. Its details (description, place, photo, and the reporter's contact
/// details only with `module:resident-data:read`) are read with
/// `GET /api/v1/module/reports/{report_id}`.
#[derive(Object, Clone, Debug)]
pub struct ReportSubmittedData {
    pub report_id: Uuid,
    /// The Open311 service code (the listing slug).
    pub service_code: String,
    /// The module's id.
    pub module: String,
    /// `open`.
    pub status: String,
    pub requested_datetime: DateTime<Utc>,
    /// The language the reporter reads (`de` or `en`): the one they reported in (the
    /// portal page's, or an Open311 app's `Accept-Language`, else the city's default).
    /// Write the public notes in it.
    pub locale: String,
}

/// A report was submitted (in the portal or by an Open311 app)
#[derive(Object, Clone, Debug)]
pub struct ReportSubmittedEvent {
    /// `report.submitted`
    #[oai(rename = "type")]
    pub kind: String,
    pub timestamp: DateTime<Utc>,
    pub data: ReportSubmittedData,
}

/// The reporter's comment on their report (read it with the report).
#[derive(Object, Clone, Debug)]
pub struct ReportCommentedData {
    pub report_id: Uuid,
    /// The comment's id among the report's `updates`.
    pub update_id: Uuid,
    pub service_code: String,
    pub commented_datetime: DateTime<Utc>,
    /// The language the reporter reads (`de` or `en`): their account's, else the
    /// city's default.
    pub locale: String,
}

/// The reporter commented on a report
#[derive(Object, Clone, Debug)]
pub struct ReportCommentedEvent {
    /// `report.commented`
    #[oai(rename = "type")]
    pub kind: String,
    pub timestamp: DateTime<Utc>,
    pub data: ReportCommentedData,
}

/// A booking of one of the module's appointment services changed. The booking itself
/// lives in the module's Partner Booking API implementation; this is a hint, without
/// resident data.
#[derive(Object, Clone, Debug)]
pub struct BookingEventData {
    /// The portal's booking.
    pub booking_id: Uuid,
    /// The portal's offer booked.
    pub offer_id: Uuid,
    /// The booking's status: `held`, `confirmed` or `cancelled`.
    pub status: String,
    /// The status before.
    #[oai(skip_serializing_if_is_none)]
    pub from: Option<String>,
}

/// A booking was held, confirmed or cancelled
#[derive(Object, Clone, Debug)]
pub struct BookingEvent {
    /// `booking.held`, `booking.confirmed` or `booking.cancelled`
    #[oai(rename = "type")]
    pub kind: String,
    pub timestamp: DateTime<Utc>,
    pub data: BookingEventData,
}

/// The published component schema of the body of `event_type`.
pub fn schema_of(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "application.submitted" => "ApplicationSubmittedEvent",
        "application.answered" => "ApplicationAnsweredEvent",
        "application.withdrawn" => "ApplicationWithdrawnEvent",
        "application.erased" => "ApplicationErasedEvent",
        "report.submitted" => "ReportSubmittedEvent",
        "report.commented" => "ReportCommentedEvent",
        "booking.held" | "booking.confirmed" | "booking.cancelled" => "BookingEvent",
        _ => return None,
    })
}

/// The concrete event types a subscription names (`application.*` stands for all of
/// its family), in the order of [`super::manifest::EVENTS`].
pub fn concrete(events: &[String]) -> Vec<&'static str> {
    super::manifest::EVENTS
        .into_iter()
        .filter(|e| !e.ends_with(".*") && super::manifest::subscribes(events, e))
        .collect()
}
