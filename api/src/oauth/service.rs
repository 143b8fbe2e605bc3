//! The authorization server's logic: clients and their secrets, residents' grants,
//! codes, and access and refresh tokens. Tokens, codes and secrets are random and only
//! their SHA-256 hashes are stored (like personal API tokens).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::{OAuthError, TokenError};
use crate::core::error::Invalid;
use crate::core::scope::ScopeSet;
use crate::core::secrets::{random_secret, sha256_hex};
use crate::msg;
use entities::{oauth_client, oauth_client_secret, oauth_code, oauth_grant, oauth_token};

/// How long an authorization code is valid (RFC 6749 4.1.2: "a maximum authorization
/// code lifetime of 10 minutes is RECOMMENDED"; RFC 9700 advises short).
pub const CODE_TTL: Duration = Duration::seconds(60);
/// How long an access token is valid.
pub const ACCESS_TTL: Duration = Duration::minutes(10);
/// How long a refresh token is valid (each use replaces it).
pub const REFRESH_TTL: Duration = Duration::days(30);
/// How long a replaced client secret keeps working unless the rotation says otherwise.
pub const DEFAULT_OVERLAP: Duration = Duration::days(7);
/// The longest overlap a rotation may give.
pub const MAX_OVERLAP: Duration = Duration::days(30);

/// Prefix of an OAuth access token (personal API tokens begin with `cpt_`).
pub const ACCESS_PREFIX: &str = "cpo_";
const REFRESH_PREFIX: &str = "cpr_";
const CODE_PREFIX: &str = "cpc_";
const SECRET_PREFIX: &str = "cps_";

/// Whether a client keeps a secret (`confidential`) or cannot (`public`: a browser or
/// mobile app, code flow with PKCE only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
}

impl ClientKind {
    pub fn parse(s: &str) -> Option<ClientKind> {
        match s {
            "confidential" => Some(ClientKind::Confidential),
            "public" => Some(ClientKind::Public),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Confidential => "confidential",
            ClientKind::Public => "public",
        }
    }
}

/// A client as registered.
#[derive(Clone, Debug)]
pub struct Client {
    pub id: Uuid,
    pub name: String,
    pub kind: ClientKind,
    pub scopes: ScopeSet,
    pub redirect_uris: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl Client {
    fn from_model(m: oauth_client::Model) -> Client {
        Client {
            id: m.id,
            kind: ClientKind::parse(&m.kind).unwrap_or(ClientKind::Public),
            scopes: ScopeSet::parse(&m.scopes).unwrap_or_default(),
            redirect_uris: m
                .redirect_uris
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            name: m.name,
            created_at: m.created_at,
            disabled_at: m.disabled_at,
        }
    }

    /// Whether `uri` is one of its redirect URIs, compared byte for byte (RFC 6749
    /// 3.1.2.3, RFC 9700 2.1), except for a loopback IP redirect URI, whose port may be
    /// any at the time of the request (RFC 8252 7.3).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|r| r == uri || loopback_matches(r, uri))
    }
}

/// A client to register, checked.
pub struct NewClient {
    pub name: String,
    pub kind: ClientKind,
    pub scopes: ScopeSet,
    pub redirect_uris: Vec<String>,
}

impl NewClient {
    /// Checks the raw fields; every invalid one is named.
    pub fn parse(
        name: &str,
        kind: &str,
        scopes: &[String],
        redirect_uris: &[String],
    ) -> Result<NewClient, Invalid> {
        let mut errors = Vec::new();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(("name", msg!("v-oauth-client-name", max = 100)));
        } else if crate::core::validate::has_control_chars(name, false)
            || name
                .chars()
                .any(crate::core::validate::is_invisible_or_bidi)
        {
            // A NUL is more than PostgreSQL stores; a line break, an invisible
            // character or a bidi override would make the name on the consent page
            // read as something else.
            errors.push(("name", msg!("v-control-chars")));
        }
        let kind = ClientKind::parse(kind);
        if kind.is_none() {
            errors.push(("kind", msg!("v-oauth-client-kind")));
        }
        let parsed = ScopeSet::parse(&scopes.join(" "));
        match &parsed {
            Err(unknown) => errors.push(("scopes", msg!("v-oauth-scope", scope = unknown.clone()))),
            Ok(s) if s.is_empty() => errors.push(("scopes", msg!("v-oauth-scopes-empty"))),
            Ok(_) => {}
        }
        for (i, uri) in redirect_uris.iter().enumerate() {
            let index = i as i64;
            if uri.len() > MAX_REDIRECT_URI {
                errors.push((
                    "redirect_uris",
                    msg!(
                        "v-oauth-redirect-uri-long",
                        index = index,
                        max = MAX_REDIRECT_URI
                    ),
                ));
            } else if crate::core::validate::has_control_chars(uri, false) {
                errors.push((
                    "redirect_uris",
                    msg!("v-oauth-redirect-uri-control", index = index),
                ));
            } else if !redirect_uri_acceptable(uri) {
                errors.push(("redirect_uris", msg!("v-oauth-redirect-uri", index = index)));
            }
        }
        if kind == Some(ClientKind::Public) && redirect_uris.is_empty() {
            errors.push(("redirect_uris", msg!("v-oauth-redirect-uris-public")));
        }
        if redirect_uris.len() > 10 {
            errors.push((
                "redirect_uris",
                msg!("v-oauth-redirect-uris-many", max = 10),
            ));
        }
        if !errors.is_empty() {
            return Err(Invalid(
                errors
                    .into_iter()
                    .map(|(f, m)| crate::core::error::FieldMessage {
                        field: f.to_string(),
                        message: m,
                    })
                    .collect(),
            ));
        }
        Ok(NewClient {
            name: name.to_string(),
            kind: kind.expect("checked"),
            scopes: parsed.expect("checked"),
            redirect_uris: redirect_uris.to_vec(),
        })
    }
}

/// A loopback IP redirect URI split around its port: `http://127.0.0.1` or
/// `http://[::1]` written exactly so, an optional port, and the rest (path and query),
/// which must begin with `/` or `?` or be empty. Other spellings of the loopback
/// address (`127.1`, `localhost`) are no loopback IP redirect URI here (RFC 8252 7.3
/// names the literals; 8.3 advises against `localhost`, which may resolve elsewhere).
fn loopback_parts(uri: &str) -> Option<(&'static str, &str)> {
    let after_scheme = uri.strip_prefix("http://")?;
    let (host, after_host) = ["127.0.0.1", "[::1]"]
        .into_iter()
        .find_map(|h| after_scheme.strip_prefix(h).map(|rest| (h, rest)))?;
    let rest = match after_host.strip_prefix(':') {
        Some(p) => {
            let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
            p[..end].parse::<u16>().ok().filter(|port| *port != 0)?;
            &p[end..]
        }
        None => after_host,
    };
    (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')).then_some((host, rest))
}

/// RFC 8252 7.3: a request's loopback IP redirect URI matches a registered one that
/// differs only in the port (the app listens on whatever port the system gives it);
/// scheme, address literal, path and query must be the same byte for byte.
fn loopback_matches(registered: &str, requested: &str) -> bool {
    match (loopback_parts(registered), loopback_parts(requested)) {
        (Some(r), Some(q)) => r == q,
        _ => false,
    }
}

/// The longest redirect URI a client may register, in bytes.
pub const MAX_REDIRECT_URI: usize = 500;

/// A redirect URI the city may register: absolute, without a fragment (RFC 6749
/// 3.1.2), over HTTPS, or plain HTTP only to this machine (RFC 8252 7.3), at most
/// [`MAX_REDIRECT_URI`] bytes and without whitespace or control characters (they are
/// stored one a line, and the URL parser would quietly drop or encode some of them, so
/// that what is stored would not be what is matched).
pub fn redirect_uri_acceptable(uri: &str) -> bool {
    if uri.len() > MAX_REDIRECT_URI || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    if u.fragment().is_some() || uri.contains('#') {
        return false;
    }
    match u.scheme() {
        "https" => u.host().is_some(),
        // Plain HTTP only as a loopback IP redirect URI, written as RFC 8252 7.3 does:
        // not `localhost` (8.3: NOT RECOMMENDED, it may resolve to another interface or
        // be caught by a firewall) and not `127.1` or another spelling the URL parser
        // would turn into the literal, so that what is stored is what is matched.
        "http" => loopback_parts(uri).is_some(),
        _ => false,
    }
}

fn new_secret() -> (String, String) {
    let secret = format!("{SECRET_PREFIX}{}", random_secret());
    let hash = sha256_hex(&secret);
    (secret, hash)
}

/// Registers a client; a confidential one gets its first secret, returned once.
pub async fn register_client(
    db: &DatabaseConnection,
    city_id: Uuid,
    c: NewClient,
) -> Result<(Client, Option<String>), OAuthError> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let txn = db.begin().await?;
    let m = oauth_client::ActiveModel {
        id: Set(id),
        city_id: Set(city_id),
        name: Set(c.name),
        kind: Set(c.kind.as_str().to_string()),
        scopes: Set(c.scopes.to_string_list()),
        redirect_uris: Set(c.redirect_uris.join("\n")),
        created_at: Set(now),
        disabled_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let secret = if c.kind == ClientKind::Confidential {
        let (secret, hash) = new_secret();
        oauth_client_secret::ActiveModel {
            id: Set(Uuid::now_v7()),
            client_id: Set(id),
            secret_hash: Set(hash),
            created_at: Set(now),
            expires_at: Set(None),
        }
        .insert(&txn)
        .await?;
        Some(secret)
    } else {
        None
    };
    txn.commit().await?;
    Ok((Client::from_model(m), secret))
}

/// The city's clients, newest first.
pub async fn list_clients(
    db: &DatabaseConnection,
    city_id: Uuid,
) -> Result<Vec<Client>, OAuthError> {
    Ok(oauth_client::Entity::find()
        .filter(oauth_client::Column::CityId.eq(city_id))
        .order_by_desc(oauth_client::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(Client::from_model)
        .collect())
}

/// One of the city's clients, enabled or not.
pub async fn client(
    db: &impl ConnectionTrait,
    city_id: Uuid,
    id: Uuid,
) -> Result<Option<Client>, sea_orm::DbErr> {
    Ok(oauth_client::Entity::find_by_id(id)
        .filter(oauth_client::Column::CityId.eq(city_id))
        .one(db)
        .await?
        .map(Client::from_model))
}

/// Gives a confidential client a new secret (returned once); the secrets it had keep
/// working for `overlap` more (at most [`MAX_OVERLAP`]), so that the module can switch
/// without a gap. Returns the secret and when the old ones stop working.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    city_id: Uuid,
    id: Uuid,
    overlap: Duration,
) -> Result<(String, DateTime<Utc>), OAuthError> {
    let c = client(db, city_id, id)
        .await?
        .ok_or(OAuthError::NotFound("client"))?;
    if c.kind == ClientKind::Public {
        return Err(OAuthError::PublicClient);
    }
    let now = Utc::now();
    let until = now + overlap.clamp(Duration::zero(), MAX_OVERLAP);
    let txn = db.begin().await?;
    // Old secrets end at the overlap's end, unless they end sooner already.
    oauth_client_secret::Entity::update_many()
        .col_expr(oauth_client_secret::Column::ExpiresAt, Expr::value(until))
        .filter(oauth_client_secret::Column::ClientId.eq(id))
        .filter(
            oauth_client_secret::Column::ExpiresAt
                .is_null()
                .or(oauth_client_secret::Column::ExpiresAt.gt(until)),
        )
        .exec(&txn)
        .await?;
    let (secret, hash) = new_secret();
    oauth_client_secret::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(id),
        secret_hash: Set(hash),
        created_at: Set(now),
        expires_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok((secret, until))
}

/// Disables a client: it can no longer get tokens, and every token it holds stops
/// working at once.
pub async fn disable_client(
    db: &DatabaseConnection,
    city_id: Uuid,
    id: Uuid,
) -> Result<Client, OAuthError> {
    let c = client(db, city_id, id)
        .await?
        .ok_or(OAuthError::NotFound("client"))?;
    let now = Utc::now();
    let txn = db.begin().await?;
    oauth_client::Entity::update_many()
        .col_expr(oauth_client::Column::DisabledAt, Expr::value(now))
        .filter(oauth_client::Column::Id.eq(id))
        .filter(oauth_client::Column::DisabledAt.is_null())
        .exec(&txn)
        .await?;
    oauth_token::Entity::update_many()
        .col_expr(oauth_token::Column::RevokedAt, Expr::value(now))
        .filter(oauth_token::Column::ClientId.eq(id))
        .filter(oauth_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Client {
        disabled_at: c.disabled_at.or(Some(now)),
        ..c
    })
}

/// Enables a disabled client again (a resumed module): it can get tokens again; the
/// tokens revoked when it was disabled stay revoked.
pub async fn enable_client(
    conn: &impl ConnectionTrait,
    city_id: Uuid,
    id: Uuid,
) -> Result<(), OAuthError> {
    client(conn, city_id, id)
        .await?
        .ok_or(OAuthError::NotFound("client"))?;
    oauth_client::Entity::update_many()
        .col_expr(
            oauth_client::Column::DisabledAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(oauth_client::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Changes the scopes a client may ask for. Narrowing takes effect at once for what
/// it holds: each resident's grant keeps only the scopes still allowed (a grant left
/// with none is removed with its codes and tokens, as if the resident had taken it
/// back), and each live token and unspent code keeps only those too (one left with
/// none is revoked or removed). Tokens are narrowed, not all revoked: an app keeps
/// doing what it still may without asking the resident again. A token's use is also
/// checked against the client's scopes of the moment (see [`access`]), so a token
/// issued while this runs cannot outgrow them either. Widening changes no grant: the
/// residents have not agreed to more.
pub async fn set_client_scopes(
    db: &DatabaseConnection,
    city_id: Uuid,
    id: Uuid,
    scopes: &[String],
) -> Result<Client, OAuthError> {
    let allowed = match ScopeSet::parse(&scopes.join(" ")) {
        Err(unknown) => {
            return Err(Invalid::field("scopes", msg!("v-oauth-scope", scope = unknown)).into())
        }
        Ok(s) if s.is_empty() => {
            return Err(Invalid::field("scopes", msg!("v-oauth-scopes-empty")).into())
        }
        Ok(s) => s,
    };
    let txn = crate::core::db::begin_write(db).await?;
    let c = apply_client_scopes(&txn, city_id, id, &allowed).await?;
    txn.commit().await?;
    Ok(c)
}

/// [`set_client_scopes`] inside the caller's transaction, with scopes already checked
/// (a module's approved scopes are set in the transaction that puts its manifest in
/// force).
pub async fn apply_client_scopes(
    txn: &impl ConnectionTrait,
    city_id: Uuid,
    id: Uuid,
    allowed: &ScopeSet,
) -> Result<Client, OAuthError> {
    let c = client(txn, city_id, id)
        .await?
        .ok_or(OAuthError::NotFound("client"))?;
    let now = Utc::now();
    oauth_client::Entity::update_many()
        .col_expr(
            oauth_client::Column::Scopes,
            Expr::value(allowed.to_string_list()),
        )
        .filter(oauth_client::Column::Id.eq(id))
        .exec(txn)
        .await?;
    let narrowed = |stored: &str| {
        ScopeSet::parse(stored)
            .unwrap_or_default()
            .intersection(allowed)
    };
    let mut emptied = Vec::new();
    for g in oauth_grant::Entity::find()
        .filter(oauth_grant::Column::ClientId.eq(id))
        .all(txn)
        .await?
    {
        let kept = narrowed(&g.scopes);
        if kept.is_empty() {
            emptied.push(g.id);
        } else if kept.to_string_list() != g.scopes {
            oauth_grant::Entity::update_many()
                .col_expr(
                    oauth_grant::Column::Scopes,
                    Expr::value(kept.to_string_list()),
                )
                .col_expr(oauth_grant::Column::UpdatedAt, Expr::value(now))
                .filter(oauth_grant::Column::Id.eq(g.id))
                .exec(txn)
                .await?;
        }
    }
    if !emptied.is_empty() {
        delete_grants(txn, emptied).await?;
    }
    for t in oauth_token::Entity::find()
        .filter(oauth_token::Column::ClientId.eq(id))
        .filter(oauth_token::Column::RevokedAt.is_null())
        .filter(oauth_token::Column::ExpiresAt.gt(now))
        .all(txn)
        .await?
    {
        let kept = narrowed(&t.scopes);
        let update = oauth_token::Entity::update_many().filter(oauth_token::Column::Id.eq(t.id));
        if kept.is_empty() {
            update
                .col_expr(oauth_token::Column::RevokedAt, Expr::value(now))
                .exec(txn)
                .await?;
        } else if kept.to_string_list() != t.scopes {
            update
                .col_expr(
                    oauth_token::Column::Scopes,
                    Expr::value(kept.to_string_list()),
                )
                .exec(txn)
                .await?;
        }
    }
    for code in oauth_code::Entity::find()
        .filter(oauth_code::Column::ClientId.eq(id))
        .filter(oauth_code::Column::UsedAt.is_null())
        .all(txn)
        .await?
    {
        let kept = narrowed(&code.scopes);
        if kept.is_empty() {
            oauth_code::Entity::delete_by_id(code.id).exec(txn).await?;
        } else if kept.to_string_list() != code.scopes {
            oauth_code::Entity::update_many()
                .col_expr(
                    oauth_code::Column::Scopes,
                    Expr::value(kept.to_string_list()),
                )
                .filter(oauth_code::Column::Id.eq(code.id))
                .exec(txn)
                .await?;
        }
    }
    Ok(Client {
        scopes: allowed.clone(),
        ..c
    })
}

// ---------------------------------------------------------------------------
// Client authentication (RFC 6749 2.3)

/// The client that authenticated: an enabled client of the city, with a secret in use
/// if it is confidential, and none if public.
pub async fn authenticate_client(
    db: &DatabaseConnection,
    city_id: Uuid,
    client_id: &str,
    secret: Option<&str>,
) -> Result<Client, TokenError> {
    let id = Uuid::parse_str(client_id).map_err(|_| TokenError::InvalidClient)?;
    let c = client(db, city_id, id)
        .await?
        .filter(|c| c.disabled_at.is_none())
        .ok_or(TokenError::InvalidClient)?;
    match (c.kind, secret) {
        (ClientKind::Public, None) => Ok(c),
        (ClientKind::Public, Some(_)) | (ClientKind::Confidential, None) => {
            Err(TokenError::InvalidClient)
        }
        (ClientKind::Confidential, Some(secret)) => {
            let now = Utc::now();
            let found = oauth_client_secret::Entity::find()
                .filter(oauth_client_secret::Column::ClientId.eq(c.id))
                .filter(oauth_client_secret::Column::SecretHash.eq(sha256_hex(secret)))
                .filter(
                    oauth_client_secret::Column::ExpiresAt
                        .is_null()
                        .or(oauth_client_secret::Column::ExpiresAt.gt(now)),
                )
                .one(db)
                .await?;
            found.map(|_| c).ok_or(TokenError::InvalidClient)
        }
    }
}

// ---------------------------------------------------------------------------
// Tokens

/// What the token endpoint answers on success (RFC 6749 5.1).
#[derive(Debug, serde::Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

/// Whose a new token is.
struct Holder {
    client_id: Uuid,
    grant_id: Option<Uuid>,
    user_id: Option<Uuid>,
    family_id: Option<Uuid>,
}

async fn insert_token(
    conn: &impl ConnectionTrait,
    kind: &'static str,
    holder: &Holder,
    scopes: &ScopeSet,
    now: DateTime<Utc>,
) -> Result<String, sea_orm::DbErr> {
    let (prefix, ttl) = match kind {
        "access" => (ACCESS_PREFIX, ACCESS_TTL),
        _ => (REFRESH_PREFIX, REFRESH_TTL),
    };
    let token = format!("{prefix}{}", random_secret());
    oauth_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(sha256_hex(&token)),
        kind: Set(kind.to_string()),
        client_id: Set(holder.client_id),
        grant_id: Set(holder.grant_id),
        user_id: Set(holder.user_id),
        family_id: Set(holder.family_id),
        scopes: Set(scopes.to_string_list()),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// A machine client's own token (RFC 6749 4.4): confidential clients only, for the
/// scopes asked (all of its scopes if none are asked), never with a refresh token.
pub async fn client_credentials(
    db: &DatabaseConnection,
    c: &Client,
    scope: Option<&str>,
) -> Result<TokenResponse, TokenError> {
    if c.kind != ClientKind::Confidential {
        return Err(TokenError::UnauthorizedClient("public-client-credentials"));
    }
    let scopes = requested_scopes(scope, &c.scopes)?;
    let now = Utc::now();
    let holder = Holder {
        client_id: c.id,
        grant_id: None,
        user_id: None,
        family_id: None,
    };
    let access = insert_token(db, "access", &holder, &scopes, now).await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: ACCESS_TTL.num_seconds(),
        refresh_token: None,
        scope: scopes.to_string_list(),
    })
}

/// The scopes asked for, which must all be among `allowed`; none asked means all of
/// `allowed` (RFC 6749 3.3).
fn requested_scopes(scope: Option<&str>, allowed: &ScopeSet) -> Result<ScopeSet, TokenError> {
    match scope {
        None => Ok(allowed.clone()),
        Some(s) => {
            let asked = ScopeSet::parse(s).map_err(|_| TokenError::InvalidScope)?;
            if asked.is_empty() || !asked.is_subset(allowed) {
                return Err(TokenError::InvalidScope);
            }
            Ok(asked)
        }
    }
}

/// Whether `verifier` is a PKCE code verifier (RFC 7636 4.1: 43 to 128 unreserved
/// characters).
pub fn verifier_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `challenge` can be an S256 challenge: base64url of 32 bytes, unpadded.
pub fn challenge_well_formed(challenge: &str) -> bool {
    challenge.len() == 43
        && B64URL
            .decode(challenge)
            .is_ok_and(|bytes| bytes.len() == 32)
}

/// RFC 7636 4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let computed = B64URL.encode(Sha256::digest(verifier.as_bytes()));
    let (a, b) = (computed.as_bytes(), challenge.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A consent the resident just gave on the consent page, to turn into a code.
pub struct Consent<'a> {
    pub client: &'a Client,
    pub user_id: Uuid,
    pub redirect_uri: &'a str,
    pub scopes: &'a ScopeSet,
    pub code_challenge: &'a str,
}

/// Records the resident's grant (adding the scopes to one they gave the app before)
/// and issues a single-use code for it, valid for [`CODE_TTL`].
///
/// The grant is one per resident and app, whatever two consent pages answered at once:
/// it is created if missing (a concurrent first consent finds the other's row instead
/// of failing on the unique index) and then, locked, widened by the scopes just given.
/// Widened, not replaced: a code for the scopes of one consent must stay within the
/// grant that another consent given at the same moment leaves behind.
pub async fn issue_code(db: &DatabaseConnection, c: Consent<'_>) -> Result<String, sea_orm::DbErr> {
    let now = Utc::now();
    let txn = crate::core::db::begin_write(db).await?;
    oauth_grant::Entity::insert(oauth_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(c.client.id),
        user_id: Set(c.user_id),
        scopes: Set(c.scopes.to_string_list()),
        created_at: Set(now),
        updated_at: Set(now),
        last_used_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([oauth_grant::Column::ClientId, oauth_grant::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(&txn)
    .await?;
    let g = oauth_grant::Entity::find()
        .filter(oauth_grant::Column::ClientId.eq(c.client.id))
        .filter(oauth_grant::Column::UserId.eq(c.user_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("the grant just written".into()))?;
    let grant_id = g.id;
    let scopes = ScopeSet::parse(&g.scopes)
        .unwrap_or_default()
        .union(c.scopes);
    if scopes.to_string_list() != g.scopes {
        oauth_grant::Entity::update_many()
            .col_expr(
                oauth_grant::Column::Scopes,
                Expr::value(scopes.to_string_list()),
            )
            .col_expr(oauth_grant::Column::UpdatedAt, Expr::value(now))
            .filter(oauth_grant::Column::Id.eq(grant_id))
            .exec(&txn)
            .await?;
    }
    let code = format!("{CODE_PREFIX}{}", random_secret());
    oauth_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        code_hash: Set(sha256_hex(&code)),
        client_id: Set(c.client.id),
        grant_id: Set(grant_id),
        user_id: Set(c.user_id),
        redirect_uri: Set(c.redirect_uri.to_string()),
        scopes: Set(c.scopes.to_string_list()),
        code_challenge: Set(c.code_challenge.to_string()),
        family_id: Set(Uuid::now_v7()),
        created_at: Set(now),
        expires_at: Set(now + CODE_TTL),
        used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(code)
}

/// Revokes every token of a family (the tokens issued for one code and their refreshes).
async fn revoke_family(conn: &impl ConnectionTrait, family: Uuid) -> Result<(), sea_orm::DbErr> {
    oauth_token::Entity::update_many()
        .col_expr(oauth_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(oauth_token::Column::FamilyId.eq(family))
        .filter(oauth_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Issues an access token with `scopes` and a refresh token with `refresh_scopes` (the
/// grant's whole scope: RFC 6749 6), in the transaction that spent the code or the
/// refresh token, so that a second use waiting on it sees the new tokens to revoke.
async fn issue_pair(
    txn: sea_orm::DatabaseTransaction,
    holder: &Holder,
    scopes: &ScopeSet,
    refresh_scopes: &ScopeSet,
) -> Result<TokenResponse, TokenError> {
    let now = Utc::now();
    let access = insert_token(&txn, "access", holder, scopes, now).await?;
    let refresh = insert_token(&txn, "refresh", holder, refresh_scopes, now).await?;
    if let Some(grant) = holder.grant_id {
        oauth_grant::Entity::update_many()
            .col_expr(oauth_grant::Column::LastUsedAt, Expr::value(now))
            .filter(oauth_grant::Column::Id.eq(grant))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: ACCESS_TTL.num_seconds(),
        refresh_token: Some(refresh),
        scope: scopes.to_string_list(),
    })
}

/// Exchanges a code for tokens (RFC 6749 4.1.3, RFC 7636 4.6). The code must have been
/// issued to this client for this redirect URI, be unexpired and unused, and the
/// verifier must match its challenge. A code used twice is refused, and the tokens
/// issued for it are revoked (RFC 6749 4.1.2).
pub async fn exchange_code(
    db: &DatabaseConnection,
    c: &Client,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<TokenResponse, TokenError> {
    let Some(found) = oauth_code::Entity::find()
        .filter(oauth_code::Column::CodeHash.eq(sha256_hex(code)))
        .one(db)
        .await?
    else {
        return Err(TokenError::InvalidGrant("code"));
    };
    if found.client_id != c.id {
        return Err(TokenError::InvalidGrant("code"));
    }
    if found.used_at.is_some() {
        revoke_family(db, found.family_id).await?;
        return Err(TokenError::InvalidGrant("code-reused"));
    }
    if found.expires_at <= Utc::now() {
        return Err(TokenError::InvalidGrant("code-expired"));
    }
    if redirect_uri != Some(found.redirect_uri.as_str()) {
        return Err(TokenError::InvalidGrant("redirect-uri"));
    }
    let Some(verifier) = verifier else {
        return Err(TokenError::InvalidRequest("verifier-missing"));
    };
    if !verifier_well_formed(verifier) || !pkce_matches(verifier, &found.code_challenge) {
        return Err(TokenError::InvalidGrant("verifier"));
    }
    // Single use, also against a concurrent exchange of the same code: spent and its
    // tokens issued in one transaction; a second exchange waits for it, finds the code
    // spent, and revokes what the first issued.
    let txn = crate::core::db::begin_write(db).await?;
    let taken = oauth_code::Entity::update_many()
        .col_expr(oauth_code::Column::UsedAt, Expr::value(Utc::now()))
        .filter(oauth_code::Column::Id.eq(found.id))
        .filter(oauth_code::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        drop(txn);
        revoke_family(db, found.family_id).await?;
        return Err(TokenError::InvalidGrant("code-reused"));
    }
    // The resident may have revoked the grant since.
    if oauth_grant::Entity::find_by_id(found.grant_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(TokenError::InvalidGrant("code"));
    }
    // Never more than the client may hold now (see `set_client_scopes`).
    let scopes = ScopeSet::parse(&found.scopes)
        .unwrap_or_default()
        .intersection(&c.scopes);
    if scopes.is_empty() {
        return Err(TokenError::InvalidGrant("code"));
    }
    let holder = Holder {
        client_id: c.id,
        grant_id: Some(found.grant_id),
        user_id: Some(found.user_id),
        family_id: Some(found.family_id),
    };
    issue_pair(txn, &holder, &scopes, &scopes).await
}

/// Exchanges a refresh token for a new access token and a new refresh token (RFC 6749
/// 6); the old one is spent. A refresh token used again revokes its whole family (RFC
/// 9700 4.14.2).
pub async fn refresh(
    db: &DatabaseConnection,
    c: &Client,
    token: &str,
    scope: Option<&str>,
) -> Result<TokenResponse, TokenError> {
    let Some(found) = oauth_token::Entity::find()
        .filter(oauth_token::Column::TokenHash.eq(sha256_hex(token)))
        .filter(oauth_token::Column::Kind.eq("refresh"))
        .one(db)
        .await?
    else {
        return Err(TokenError::InvalidGrant("refresh"));
    };
    if found.client_id != c.id {
        return Err(TokenError::InvalidGrant("refresh"));
    }
    if found.used_at.is_some() {
        if let Some(f) = found.family_id {
            revoke_family(db, f).await?;
        }
        return Err(TokenError::InvalidGrant("refresh-reused"));
    }
    if found.revoked_at.is_some() || found.expires_at <= Utc::now() {
        return Err(TokenError::InvalidGrant("refresh"));
    }
    // Never more than the client may hold now (see `set_client_scopes`).
    let granted = ScopeSet::parse(&found.scopes)
        .unwrap_or_default()
        .intersection(&c.scopes);
    if granted.is_empty() {
        return Err(TokenError::InvalidGrant("refresh"));
    }
    let scopes = requested_scopes(scope, &granted)?;
    // Spent and replaced in one transaction (see `exchange_code`).
    let txn = crate::core::db::begin_write(db).await?;
    let taken = oauth_token::Entity::update_many()
        .col_expr(oauth_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(oauth_token::Column::Id.eq(found.id))
        .filter(oauth_token::Column::UsedAt.is_null())
        .filter(oauth_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        drop(txn);
        if let Some(f) = found.family_id {
            revoke_family(db, f).await?;
        }
        return Err(TokenError::InvalidGrant("refresh-reused"));
    }
    let holder = Holder {
        client_id: c.id,
        grant_id: found.grant_id,
        user_id: found.user_id,
        family_id: found.family_id,
    };
    issue_pair(txn, &holder, &scopes, &granted).await
}

/// Revokes a token the client holds (RFC 7009 2.1). A refresh token takes the tokens of
/// its family with it. An unknown token, or another client's, changes nothing: the
/// answer is the same either way (RFC 7009 2.2).
pub async fn revoke(db: &DatabaseConnection, c: &Client, token: &str) -> Result<(), TokenError> {
    let Some(found) = oauth_token::Entity::find()
        .filter(oauth_token::Column::TokenHash.eq(sha256_hex(token)))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if found.client_id != c.id {
        return Ok(());
    }
    match (found.kind.as_str(), found.family_id) {
        ("refresh", Some(f)) => revoke_family(db, f).await?,
        _ => {
            oauth_token::Entity::update_many()
                .col_expr(oauth_token::Column::RevokedAt, Expr::value(Utc::now()))
                .filter(oauth_token::Column::Id.eq(found.id))
                .filter(oauth_token::Column::RevokedAt.is_null())
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// A valid access token: which client holds it, for which resident (none for a
/// module's own token) and with which scopes.
#[derive(Clone, Debug)]
pub struct Access {
    pub client_id: Uuid,
    pub client_name: String,
    pub user_id: Option<Uuid>,
    pub scopes: ScopeSet,
    pub expires_at: DateTime<Utc>,
}

/// The access token's holder, if the token is valid: issued here, unexpired, not
/// revoked, and its client still enabled. One query, by the token's hash.
pub async fn access(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<Access>, sea_orm::DbErr> {
    if !token.starts_with(ACCESS_PREFIX) {
        return Ok(None);
    }
    let row = oauth_token::Entity::find()
        .filter(oauth_token::Column::TokenHash.eq(sha256_hex(token)))
        .find_also_related(oauth_client::Entity)
        .one(db)
        .await?;
    let now = Utc::now();
    Ok(row.and_then(|(t, c)| {
        let c = c?;
        (t.kind == "access"
            && t.revoked_at.is_none()
            && t.expires_at > now
            && c.disabled_at.is_none())
        .then(|| Access {
            client_id: c.id,
            client_name: c.name,
            user_id: t.user_id,
            // Never more than the client may hold now (see `set_client_scopes`).
            scopes: ScopeSet::parse(&t.scopes)
                .unwrap_or_default()
                .intersection(&ScopeSet::parse(&c.scopes).unwrap_or_default()),
            expires_at: t.expires_at,
        })
    }))
}

// ---------------------------------------------------------------------------
// A resident's grants

/// An app a resident let act for them.
#[derive(Clone, Debug)]
pub struct Grant {
    pub id: Uuid,
    pub client_id: Uuid,
    pub app: String,
    pub scopes: ScopeSet,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The resident's grants, the app's name first.
pub async fn grants_of(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<Grant>, sea_orm::DbErr> {
    let grants = oauth_grant::Entity::find()
        .filter(oauth_grant::Column::UserId.eq(user_id))
        .all(conn)
        .await?;
    let clients = oauth_client::Entity::find()
        .filter(oauth_client::Column::Id.is_in(grants.iter().map(|g| g.client_id)))
        .all(conn)
        .await?;
    let mut out: Vec<Grant> = grants
        .into_iter()
        .map(|g| Grant {
            app: clients
                .iter()
                .find(|c| c.id == g.client_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            id: g.id,
            client_id: g.client_id,
            scopes: ScopeSet::parse(&g.scopes).unwrap_or_default(),
            created_at: g.created_at,
            updated_at: g.updated_at,
            last_used_at: g.last_used_at,
        })
        .collect();
    out.sort_by(|a, b| a.app.cmp(&b.app).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Removes a grant of the resident with its codes and tokens: the app can no longer act
/// for them, at once. `false` if they have no such grant.
pub async fn revoke_grant(
    db: &DatabaseConnection,
    user_id: Uuid,
    grant_id: Uuid,
) -> Result<bool, sea_orm::DbErr> {
    let txn = db.begin().await?;
    let found = oauth_grant::Entity::find_by_id(grant_id)
        .filter(oauth_grant::Column::UserId.eq(user_id))
        .one(&txn)
        .await?;
    if found.is_none() {
        return Ok(false);
    }
    delete_grants(&txn, vec![grant_id]).await?;
    txn.commit().await?;
    Ok(true)
}

async fn delete_grants(conn: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<(), sea_orm::DbErr> {
    oauth_token::Entity::delete_many()
        .filter(oauth_token::Column::GrantId.is_in(ids.clone()))
        .exec(conn)
        .await?;
    oauth_code::Entity::delete_many()
        .filter(oauth_code::Column::GrantId.is_in(ids.clone()))
        .exec(conn)
        .await?;
    oauth_grant::Entity::delete_many()
        .filter(oauth_grant::Column::Id.is_in(ids))
        .exec(conn)
        .await?;
    Ok(())
}

/// Erasure: every grant of the resident, with its codes and tokens.
pub async fn erase_user(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), sea_orm::DbErr> {
    let ids = oauth_grant::Entity::find()
        .filter(oauth_grant::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    delete_grants(conn, ids).await?;
    oauth_token::Entity::delete_many()
        .filter(oauth_token::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    oauth_code::Entity::delete_many()
        .filter(oauth_code::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B: the example verifier and its S256 challenge.
    #[test]
    fn rfc7636_appendix_b_s256_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(verifier_well_formed(verifier));
        assert!(challenge_well_formed(challenge));
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(&verifier.replace('d', "e"), challenge));
    }

    /// RFC 7636 4.1: 43 to 128 unreserved characters.
    #[test]
    fn rfc7636_4_1_verifier_length_and_characters() {
        assert!(!verifier_well_formed(&"a".repeat(42)));
        assert!(verifier_well_formed(&"a".repeat(43)));
        assert!(verifier_well_formed(&"a".repeat(128)));
        assert!(!verifier_well_formed(&"a".repeat(129)));
        assert!(!verifier_well_formed(&format!("{}+", "a".repeat(43))));
    }

    /// RFC 6749 3.1.2: absolute, no fragment; RFC 8252 / RFC 9700 2.1: HTTPS, or HTTP
    /// only on loopback.
    #[test]
    fn rfc6749_3_1_2_redirect_uris_are_absolute_without_fragment() {
        assert!(redirect_uri_acceptable("https://app.example/cb"));
        assert!(redirect_uri_acceptable("http://127.0.0.1:8080/cb"));
        assert!(redirect_uri_acceptable("http://[::1]:8080/cb"));
        assert!(redirect_uri_acceptable("http://127.0.0.1/cb"));
        assert!(
            !redirect_uri_acceptable("http://localhost/cb"),
            "RFC 8252 8.3"
        );
        assert!(!redirect_uri_acceptable("http://127.1/cb"));
        assert!(!redirect_uri_acceptable("http://127.0.0.1:0/cb"));
        assert!(!redirect_uri_acceptable("http://127.0.0.1.example/cb"));
        assert!(!redirect_uri_acceptable("http://127.0.0.1@evil.example/cb"));
        assert!(!redirect_uri_acceptable("http://app.example/cb"));
        assert!(!redirect_uri_acceptable("https://app.example/cb#x"));
        assert!(!redirect_uri_acceptable("/cb"));
        assert!(!redirect_uri_acceptable("javascript:alert(1)"));
        assert!(!redirect_uri_acceptable("https://app.example/c b"));
    }

    /// RFC 8252 7.3: any port at request time for a loopback IP redirect URI; the rest
    /// exactly as registered; never for `https`, another host or `localhost`.
    #[test]
    fn rfc8252_7_3_loopback_redirect_uris_match_on_any_port() {
        assert!(loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:51004/cb"
        ));
        assert!(loopback_matches(
            "http://127.0.0.1:8080/cb",
            "http://127.0.0.1:9/cb"
        ));
        assert!(loopback_matches(
            "http://127.0.0.1:8080/cb",
            "http://127.0.0.1/cb"
        ));
        assert!(loopback_matches(
            "http://[::1]:1/cb?x=1",
            "http://[::1]:61023/cb?x=1"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5/cb/"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5/CB"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://[::1]:5/cb"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5/cb?x"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:99999/cb"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:/cb"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5@evil.example/cb"
        ));
        assert!(!loopback_matches(
            "http://localhost/cb",
            "http://localhost:5/cb"
        ));
        assert!(!loopback_matches(
            "https://127.0.0.1/cb",
            "https://127.0.0.1:5/cb"
        ));
        assert!(!loopback_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1.evil.example:5/cb"
        ));
    }
}
