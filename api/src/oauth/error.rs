//! What managing OAuth clients and grants can fail with, and the token endpoint's
//! errors (RFC 6749 5.2), which answer in OAuth's own JSON format.

use crate::core::error::{ErrorCode, FieldMessage, Invalid};

/// An error of registering or changing a client, or of a resident's grants.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// 422: a field of the client is invalid.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// 404: no such client (or grant) here.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// 409: a public client has no secret to rotate.
    #[error("a public client has no secret")]
    PublicClient,
    /// The database failed (500, logged).
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for OAuthError {
    fn code(&self) -> &'static str {
        match self {
            OAuthError::Invalid(i) => i.code(),
            OAuthError::NotFound(_) => "not-found",
            OAuthError::PublicClient => "oauth-public-client",
            OAuthError::Db(e) => crate::core::error::db_code(e),
        }
    }
    fn status(&self) -> u16 {
        match self {
            OAuthError::Invalid(i) => i.status(),
            OAuthError::NotFound(_) => 404,
            OAuthError::PublicClient => 409,
            OAuthError::Db(e) => crate::core::error::db_status(e),
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::core::message::Arg)> {
        match self {
            OAuthError::NotFound(what) => vec![("what", (*what).into())],
            _ => Vec::new(),
        }
    }
    fn fields(&self) -> &[FieldMessage] {
        match self {
            OAuthError::Invalid(i) => i.fields(),
            _ => &[],
        }
    }
    fn internal(&self) -> Option<String> {
        match self {
            OAuthError::Db(e) => Some(e.to_string()),
            _ => None,
        }
    }
}

/// An error of the token, revocation or introspection endpoint (RFC 6749 5.2); `why`
/// is the id of its English `error_description` in `errors-oauth.ftl`.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    /// 401: the client is unknown, disabled, or its secret is wrong.
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope")]
    InvalidScope,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl TokenError {
    /// The `error` code of RFC 6749 5.2.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidRequest(_) => "invalid_request",
            TokenError::InvalidClient => "invalid_client",
            TokenError::InvalidGrant(_) => "invalid_grant",
            TokenError::UnauthorizedClient(_) => "unauthorized_client",
            TokenError::UnsupportedGrantType => "unsupported_grant_type",
            TokenError::InvalidScope => "invalid_scope",
            TokenError::Db(_) => "server_error",
        }
    }

    /// The message id of its `error_description`.
    pub fn description_key(&self) -> String {
        let why = match self {
            TokenError::InvalidRequest(w)
            | TokenError::InvalidGrant(w)
            | TokenError::UnauthorizedClient(w) => w,
            TokenError::InvalidClient => "client",
            TokenError::UnsupportedGrantType => "grant-type",
            TokenError::InvalidScope => "scope",
            TokenError::Db(_) => "server",
        };
        format!("oauth-error-{why}")
    }

    /// Its HTTP status: 401 for a failed client authentication, 500 for the database,
    /// else 400.
    pub fn status(&self) -> u16 {
        match self {
            TokenError::InvalidClient => 401,
            TokenError::Db(e) => crate::core::error::db_status(e),
            _ => 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::i18n::I18n;
    use crate::core::locale::Locale;
    use crate::core::problem::assert_codes;
    use crate::msg;

    #[test]
    fn oauth_errors_have_codes_statuses_and_texts() {
        assert_codes(&[
            (
                OAuthError::Invalid(Invalid::field(
                    "name",
                    msg!("v-oauth-client-name", max = 100),
                )),
                422,
            ),
            (OAuthError::NotFound("client"), 404),
            (OAuthError::PublicClient, 409),
        ]);
    }

    /// Every `error_description` the token, revocation and introspection endpoints send
    /// has its words, in both languages.
    #[test]
    fn every_token_error_has_a_description() {
        let whys = [
            "content-type",
            "body",
            "duplicate",
            "two-methods",
            "grant-type-missing",
            "code-missing",
            "refresh-missing",
            "token-missing",
            "verifier-missing",
        ];
        let grants = [
            "code",
            "code-reused",
            "code-expired",
            "redirect-uri",
            "verifier",
            "refresh",
            "refresh-reused",
        ];
        let mut errors: Vec<TokenError> =
            whys.into_iter().map(TokenError::InvalidRequest).collect();
        errors.extend(grants.into_iter().map(TokenError::InvalidGrant));
        errors.extend([
            TokenError::InvalidClient,
            TokenError::UnauthorizedClient("public-client-credentials"),
            TokenError::UnsupportedGrantType,
            TokenError::InvalidScope,
            TokenError::Db(sea_orm::DbErr::Custom("x".into())),
        ]);
        let i18n = I18n::embedded();
        for e in &errors {
            for l in [Locale::En, Locale::De] {
                assert!(
                    i18n.has(l, &e.description_key()),
                    "{} in {l:?}",
                    e.description_key()
                );
            }
        }
        assert_eq!(TokenError::InvalidClient.status(), 401);
        assert_eq!(TokenError::InvalidScope.status(), 400);
    }
}
