//! The page handlers' extractors: the visitor's page context ([`PageCtx`]), a visitor who
//! must be logged in ([`PageUser`]) and a form whose CSRF token was checked
//! ([`CheckedForm`]). A handler that names them never sees a request they refuse: a
//! logged-out visitor is sent to the login page first, then a form without this
//! browser's token is refused with 403.

use std::future::Future;

use minijinja::context;
use poem::http::{Method, StatusCode};
use poem::web::Form;
use poem::{FromRequest, Request, RequestBody, Response};
use serde::de::DeserializeOwned;

use crate::core::identity::AuthUser;
use crate::web::auth;
use crate::web::pages::{here, render, status_title_key, to_login, PageCtx, CSRF_COOKIE};
use crate::web::state::AppState;

/// The application state of a request (every route carries it).
fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>().ok_or_else(|| {
        poem::Error::from_string(
            "the application state is missing",
            StatusCode::INTERNAL_SERVER_ERROR,
        )
    })
}

impl<'a> FromRequest<'a> for PageCtx {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(PageCtx::new(state(req)?, req).await)
    }
}

/// Where a form's route sends a logged-out visitor after logging in: the page that shows
/// the form. `{name}` parts are filled with the request's path parameters, e.g.
/// `ReturnTo("/offers/{id}")` on `POST /offers/:id/hold`. Routes add it with
/// `.data(ReturnTo(..))`; a form without it comes back to its own path.
#[derive(Clone, Copy, Debug)]
pub struct ReturnTo(pub &'static str);

impl ReturnTo {
    /// The path for this request: the template with its path parameters filled in.
    pub fn path(&self, req: &Request) -> String {
        let mut out = String::new();
        let mut rest = self.0;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            out.push_str(&rest[..open]);
            let name = &rest[open + 1..open + close];
            let value = req.raw_path_param(name).unwrap_or_default();
            out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Where the login page should come back to for this request: the page itself for a
/// GET, the page that shows the form for a form.
pub fn return_path(req: &Request) -> String {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return here(req);
    }
    match req.data::<ReturnTo>() {
        Some(to) => to.path(req),
        None => req.uri().path().to_string(),
    }
}

/// A logged-in visitor with the page context. A logged-out one is redirected to the
/// login page, which comes back to [`return_path`] afterwards; one whose session cannot
/// be read now (the session store is away) gets a 503 page.
pub struct PageUser {
    pub pc: PageCtx,
    pub user: AuthUser,
}

impl<'a> FromRequest<'a> for PageUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let state = state(req)?;
        let pc = PageCtx::new(state, req).await;
        match pc.user.clone() {
            Some(user) => Ok(PageUser { pc, user }),
            None if pc.sessions_unavailable => {
                Err(poem::Error::from_response(sessions_away(state, &pc, req)))
            }
            None => Err(poem::Error::from_response(to_login(&return_path(req)))),
        }
    }
}

/// A logged-in member of the city's staff. Others see a 403 page; a logged-out visitor
/// is sent to the login page as for [`PageUser`].
pub struct StaffUser {
    pub pc: PageCtx,
    pub user: AuthUser,
}

impl<'a> FromRequest<'a> for StaffUser {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let PageUser { pc, user } = PageUser::from_request(req, body).await?;
        let state = state(req)?;
        if user.staff_step_up {
            // The city asks staff for a city login at a higher level (`OIDC_STEP_UP`
            // with `admin`): the step-up, then back here (a form's page for a form).
            let next = if req.method() == poem::http::Method::GET {
                return_path(req)
            } else {
                "/admin".to_string()
            };
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("action", "admin")
                .append_pair("next", &next)
                .finish();
            let to = format!("/auth/oidc/step-up?{query}");
            return Err(poem::Error::from_response(
                poem::IntoResponse::into_response(poem::web::Redirect::see_other(to)),
            ));
        }
        if user.is_staff() {
            return Ok(StaffUser { pc, user });
        }
        let page = message_page(state, &pc, req, StatusCode::FORBIDDEN, "error-staff-only");
        Err(poem::Error::from_response(page))
    }
}

/// A form that carries the CSRF token of its page.
pub trait ProtectedForm: DeserializeOwned + Send {
    /// The submitted `csrf` field.
    fn csrf(&self) -> &str;

    /// The answer when the token does not match this browser's cookie: by default a
    /// 403 page saying the form expired. Forms whose typing is worth keeping (login,
    /// registration) show themselves again instead.
    fn refused(
        self,
        state: &AppState,
        pc: PageCtx,
        req: &Request,
    ) -> impl Future<Output = Response> + Send {
        let resp = expired_page(state, &pc, req);
        async move { resp }
    }
}

/// A form of a button alone (cancel, leave, delete): its token and nothing else.
#[derive(serde::Deserialize, Default)]
pub struct TokenOnly {
    #[serde(default)]
    csrf: String,
}

/// Implements [`ProtectedForm`] for forms whose token is their `csrf` field and that are
/// refused with the page saying the form expired.
macro_rules! protected_form {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::web::extract::ProtectedForm for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use protected_form;

protected_form!(TokenOnly);

/// A form whose `csrf` field matches this browser's form-protection cookie; any other is
/// refused (see [`ProtectedForm::refused`]) before the handler runs.
pub struct CheckedForm<T>(pub T);

impl<'a, T: ProtectedForm> FromRequest<'a> for CheckedForm<T> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Form(form) = Form::<T>::from_request(req, body).await?;
        if token_matches(req, form.csrf()) {
            return Ok(CheckedForm(form));
        }
        let state = state(req)?;
        let pc = PageCtx::new(state, req).await;
        Err(poem::Error::from_response(
            form.refused(state, pc, req).await,
        ))
    }
}

/// Whether a submitted form carries the token of its page: signed for this browser's
/// form cookie and its session (a page on another site can make the browser send our
/// cookies, but can read neither them nor the token; a cookie planted by another host
/// is of no use without a token signed for the session).
pub fn token_matches(req: &Request, submitted: &str) -> bool {
    let Some(state) = req.data::<AppState>() else {
        return false;
    };
    match auth::cookie(req, CSRF_COOKIE) {
        Some(cookie) => {
            state
                .form_key
                .verify(&cookie, auth::session_id_from(req).as_deref(), submitted)
        }
        None => false,
    }
}

/// The 403 page of a form sent without this browser's token.
pub fn expired_page(state: &AppState, pc: &PageCtx, req: &Request) -> Response {
    message_page(state, pc, req, StatusCode::FORBIDDEN, "error-csrf")
}

/// The answer to a page that needs the visitor's session while the session store is
/// away: 503 with `Retry-After`, saying to try again in a moment.
pub fn sessions_away(state: &AppState, pc: &PageCtx, req: &Request) -> Response {
    let mut page = message_page(
        state,
        pc,
        req,
        StatusCode::SERVICE_UNAVAILABLE,
        "error-sessions-unavailable",
    );
    page.headers_mut().insert(
        poem::http::header::RETRY_AFTER,
        poem::http::HeaderValue::from_static("1"),
    );
    page
}

/// A page with the status's title and the message `key`.
pub fn message_page(
    state: &AppState,
    pc: &PageCtx,
    req: &Request,
    status: StatusCode,
    key: &str,
) -> Response {
    let title = pc.t(state, status_title_key(status.as_u16()));
    let text = pc.t(state, key);
    render(
        state,
        pc,
        req,
        "message.html",
        status,
        context! { title, text },
    )
}
