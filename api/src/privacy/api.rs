//! The access log API: a resident sees who read their data.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::log;
use crate::core::problem::ApiError;
use crate::core::scope::Scope;
use crate::web::api_locale::{self, ApiLocale};
use crate::web::api_tags::ApiTags;
use crate::web::auth::AppAuth;
use crate::web::state::AppState;

/// Reads of your data by someone else: one entry per reader, thing and reason on one day.
#[derive(Object)]
pub struct AccessEntry {
    /// The latest read.
    pub at: DateTime<Utc>,
    /// The earliest read of this entry (the same day, in the city's time zone).
    pub first_at: DateTime<Utc>,
    /// How many reads the entry stands for.
    pub count: u32,
    /// `city_staff`, `organization` or `module`.
    pub reader_kind: String,
    /// The organization's or module's name, or the staff member's name.
    pub reader: String,
    /// The role the reader read in: `owner` or `staff` of the organization, `admin` or
    /// `editor` of the city.
    #[oai(skip_serializing_if_is_none)]
    pub reader_role: Option<String>,
    /// Who, in words: the organization with the member and their role.
    pub who: String,
    /// What was read, in words.
    pub resource: String,
    /// Why.
    pub purpose: String,
}

pub struct PrivacyApi;

#[OpenApi(tag = "ApiTags::Accounts")]
impl PrivacyApi {
    /// Who read my data
    ///
    /// Every read of your data by city staff, an organization or a module, newest first;
    /// reads of the same thing by the same reader for the same reason on one day are one
    /// entry with a `count` (the account page shows the same entries). The texts are in
    /// `locale` (`de` or `en`), else in the language `Accept-Language` prefers, else in
    /// English.
    #[oai(
        path = "/accounts/me/access-log",
        method = "get",
        operation_id = "get_access_log"
    )]
    async fn access_log(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        #[oai(scope = "Scope::AccountRead")] auth: AppAuth,
        /// The texts' language; default: `Accept-Language`, else English.
        locale: Query<Option<ApiLocale>>,
    ) -> Result<Json<Vec<AccessEntry>>, ApiError> {
        let l = api_locale::resolve(locale.0, req);
        let entries = log::entries(
            &state.db,
            &state.i18n,
            l,
            state.city.timezone,
            auth.user(Scope::AccountRead)?.id,
        )
        .await?;
        Ok(Json(
            entries
                .into_iter()
                .map(|e| AccessEntry {
                    at: e.at,
                    first_at: e.first_at,
                    count: e.count,
                    reader_kind: e.reader_kind.to_string(),
                    reader: e.reader,
                    reader_role: e.reader_role,
                    who: e.who,
                    resource: e.what,
                    purpose: e.why,
                })
                .collect(),
        ))
    }
}
