//! The reports' pages: a report's photo; (below) the residents' report form, My
//! reports, the public list of open reports, and the admins' Open311 API keys.

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{IntoResponse, Response};
use uuid::Uuid;

use super::service::{self, Ctx};
use crate::web::state::AppState;

fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        db: &state.db,
        city_id: state.city.id,
    }
}

/// `/reports/<id>/photo`: a report's photo, as its bytes are (sniffed when stored).
#[poem::handler]
pub async fn photo(state: Data<&AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match service::photo(ctx(&state), id).await {
        Ok(p) => Response::builder()
            .content_type(p.content_type)
            .header("X-Content-Type-Options", "nosniff")
            .header("Cache-Control", "public, max-age=86400")
            .body(p.bytes),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
