//! The trust pages: what the portal does with residents' data (`/privacy`, put together
//! from the code and this installation's configuration), the imprint (`/impressum`,
//! § 5 DDG) and the accessibility statement (`/accessibility`, BITV 2.0), and the
//! favicon.
//!
//! The privacy page never names a configuration variable and never shows a secret: a
//! processor is named in words (the tile server by its host, the mail server only as
//! configured or not).

use std::time::Duration;

use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::context;
use poem::http::{header, StatusCode};
use poem::web::Data;
use poem::{handler, Request, Response};

use crate::core::locale::Locale;
use crate::web::extract::message_page;
use crate::web::pages::{render, PageCtx};
use crate::web::state::AppState;

/// When the accessibility statement was prepared (and last reviewed): change it with
/// the statement.
pub const ACCESSIBILITY_STATEMENT_DATE: (i32, u32, u32) = (2026, 12, 6);

/// A duration in words, in the largest unit that measures it exactly ("5 minutes",
/// "14 Tage"); a day count only from two days on ("24 hours").
pub fn duration_words(state: &AppState, l: Locale, d: Duration) -> String {
    let s = d.as_secs();
    let (key, n) = if s >= 2 * 86_400 && s.is_multiple_of(86_400) {
        ("dur-days", s / 86_400)
    } else if s >= 3600 && s.is_multiple_of(3600) {
        ("dur-hours", s / 3600)
    } else if s >= 60 && s.is_multiple_of(60) {
        ("dur-minutes", s / 60)
    } else {
        ("dur-seconds", s)
    };
    let mut args = FluentArgs::new();
    args.set("n", FluentValue::from(n as i64));
    state.i18n.t(l, key, Some(&args))
}

/// The host (and port) of the map tile server, as the privacy page names it.
pub fn tile_host(tile_url: &str) -> String {
    let probe = tile_url
        .replace("{z}", "0")
        .replace("{x}", "0")
        .replace("{y}", "0")
        .replace("{s}", "a")
        .replace("{r}", "");
    url::Url::parse(&probe)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default()
}

/// The operator as every trust page names it.
fn operator(state: &AppState) -> minijinja::Value {
    let o = &state.config.operator;
    context! {
        name => o.name.clone(),
        address => o.address.clone(),
        email => o.email.as_str().to_string(),
        phone => o.phone.clone(),
        representative => o.representative.clone(),
        vat_id => o.vat_id.clone(),
        accessibility_email => o.accessibility_email.as_str().to_string(),
        is_demo => o.is_demo,
    }
}

#[handler]
pub async fn privacy(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let partners = match crate::partners::connections::in_use(&state.db, state.city.id).await {
        Ok(p) => p,
        Err(e) => {
            // Without them the page could not say who receives bookings: say nothing.
            tracing::error!(error = %e, "privacy page: reading the partner connections failed");
            return message_page(
                &state,
                &pc,
                req,
                StatusCode::SERVICE_UNAVAILABLE,
                "problem-internal",
            );
        }
    };
    let l = pc.locale;
    let c = &state.config;
    let words = |d: Duration| duration_words(&state, l, d);
    let link_lifetime = |p: crate::accounts::service::Purpose| {
        p.lifetime().to_std().unwrap_or(Duration::from_secs(3600))
    };
    let idempotency_keep = crate::booking::idempotency::KEEP
        .to_std()
        .unwrap_or(Duration::from_secs(24 * 3600));
    render(
        &state,
        &pc,
        req,
        "privacy.html",
        StatusCode::OK,
        context! {
            operator => operator(&state),
            operator_address => c.operator.address.join(", "),
            search_server => c.search.meili_url.is_some(),
            login_window => words(crate::web::auth::LOGIN_WINDOW),
            session_ttl => words(crate::web::auth::SESSION_TTL),
            verify_link => words(link_lifetime(crate::accounts::service::Purpose::Verify)),
            reset_link => words(link_lifetime(crate::accounts::service::Purpose::Reset)),
            reset_window => words(crate::accounts::service::LIMIT_WINDOW),
            sessions_in_redis => c.store.redis_url.is_some(),
            hold => words(c.booking.hold),
            claim => words(c.booking.waitlist_claim),
            idempotency_keep => words(idempotency_keep),
            partners => partners.into_iter().map(|(connection, organization)| context! { connection, organization }).collect::<Vec<_>>(),
            mail_server => c.notifications.smtp_url.is_some(),
            mail_from => c.notifications.smtp_from.email.to_string(),
            reminder => words(Duration::from_secs(u64::from(c.notifications.reminder_hours) * 3600)),
            events_retention => c.outbox.retention.map(words),
            report_contact_days => crate::reports::service::APP_CONTACT_RETENTION_DAYS,
            tile_host => tile_host(&c.theme.map_tile_url),
            city_login => c.oidc.as_ref().map(|o| context! {
                name => o.display_name.clone(),
                host => o.issuer.host_str().unwrap_or_default().to_string(),
                roles => o.roles_claim.is_some(),
            }),
        },
    )
}

#[handler]
pub async fn impressum(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    render(
        &state,
        &pc,
        req,
        "impressum.html",
        StatusCode::OK,
        context! { operator => operator(&state) },
    )
}

#[handler]
pub async fn accessibility(state: Data<&AppState>, req: &Request, pc: PageCtx) -> Response {
    let (y, m, d) = ACCESSIBILITY_STATEMENT_DATE;
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .map(|d| crate::core::i18n::format_date(pc.locale, d))
        .unwrap_or_default();
    render(
        &state,
        &pc,
        req,
        "accessibility.html",
        StatusCode::OK,
        context! {
            operator => operator(&state),
            statement_date => date,
            site_url => state.config.server.public_url.as_str().trim_end_matches('/').to_string(),
        },
    )
}

/// `/favicon.svg`: the icon of the pages (the static file `favicon.svg`, which a theme
/// may replace), for browsers and tools that ask for it by this name.
#[handler]
pub fn favicon_svg(state: Data<&AppState>) -> Response {
    match state.assets.by_name("favicon.svg") {
        Some(a) => Response::builder()
            .content_type(a.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=86400")
            .body(a.body.clone()),
        None => StatusCode::NOT_FOUND.into(),
    }
}

/// `/favicon.ico`: a 32×32 icon in the city's colour, for browsers that ask for it
/// without reading the page (the pages link the SVG icon).
#[handler]
pub fn favicon_ico(state: Data<&AppState>) -> Response {
    Response::builder()
        .content_type("image/x-icon")
        .header(header::CACHE_CONTROL, "public, max-age=86400")
        .body(ico(&state.config.theme.primary_color))
}

/// A 32×32 ICO (one 32-bit BMP image) of the portal's icon: a rounded square in
/// `colour` (`#rrggbb`) with a white house, as `favicon.svg` draws it.
pub fn ico(colour: &str) -> Vec<u8> {
    const N: u32 = 32;
    let hex = |i: usize| u8::from_str_radix(colour.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    let (r, g, b) = (hex(1), hex(3), hex(5));
    // The pixel at (x, y), y from the top: transparent, the colour or white.
    let pixel = |x: i32, y: i32| -> [u8; 4] {
        let (xf, yf) = (x as f32 + 0.5, y as f32 + 0.5);
        // Rounded square with corner radius 6.
        let corner = |c: f32| c.clamp(6.0, 26.0);
        let (dx, dy) = (xf - corner(xf), yf - corner(yf));
        if dx * dx + dy * dy > 36.0 {
            return [0, 0, 0, 0];
        }
        // The house: a roof (triangle 7..25 wide, rows 7..16) and a body (rows 16..25).
        let roof = (7.0..16.0).contains(&yf) && (xf - 16.0).abs() <= (yf - 7.0);
        let body = (16.0..25.0).contains(&yf) && (10.0..22.0).contains(&xf);
        let door = (19.0..25.0).contains(&yf) && (14.0..18.0).contains(&xf);
        if (roof || body) && !door {
            [255, 255, 255, 255]
        } else {
            [b, g, r, 255]
        }
    };
    let pixels = (N * N * 4) as usize;
    let mask = (N * N / 8) as usize; // 1 bit a pixel, rows of 4 bytes: all opaque (alpha rules)
    let image_len = 40 + pixels + mask;
    let mut out = Vec::with_capacity(6 + 16 + image_len);
    // ICONDIR: reserved, type 1 (icon), one image.
    out.extend_from_slice(&[0, 0, 1, 0, 1, 0]);
    // ICONDIRENTRY: width, height, colours, reserved, planes, bits, size, offset.
    out.extend_from_slice(&[N as u8, N as u8, 0, 0, 1, 0, 32, 0]);
    out.extend_from_slice(&(image_len as u32).to_le_bytes());
    out.extend_from_slice(&22u32.to_le_bytes());
    // BITMAPINFOHEADER: the height counts the image and its mask.
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&(N as i32).to_le_bytes());
    out.extend_from_slice(&(2 * N as i32).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&32u16.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // no compression
    out.extend_from_slice(&((pixels + mask) as u32).to_le_bytes());
    out.extend_from_slice(&[0; 16]); // resolution, palette
                                     // Rows bottom-up, each pixel B, G, R, A.
    for y in (0..N as i32).rev() {
        for x in 0..N as i32 {
            out.extend_from_slice(&pixel(x, y));
        }
    }
    out.extend(std::iter::repeat_n(0u8, mask));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ico_is_one_32_pixel_image_in_the_city_colour() {
        let ico = ico("#0b5cad");
        assert_eq!(&ico[..6], &[0, 0, 1, 0, 1, 0]);
        assert_eq!((ico[6], ico[7]), (32, 32));
        let size = u32::from_le_bytes(ico[14..18].try_into().unwrap()) as usize;
        let offset = u32::from_le_bytes(ico[18..22].try_into().unwrap()) as usize;
        assert_eq!(offset + size, ico.len());
        // A pixel near the middle of the left edge is the colour (B, G, R, A).
        let row = 16; // from the bottom
        let at = offset + 40 + (row * 32 + 2) * 4;
        assert_eq!(&ico[at..at + 4], &[0xad, 0x5c, 0x0b, 255]);
        // A corner is transparent.
        assert_eq!(&ico[offset + 40..offset + 44], &[0, 0, 0, 0]);
    }

    #[test]
    fn tile_hosts_are_named_without_the_template() {
        assert_eq!(
            tile_host("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            "tile.openstreetmap.org"
        );
        assert_eq!(
            tile_host("http://127.0.0.1:9000/{s}/{z}/{x}/{y}.png?key=x"),
            "127.0.0.1:9000"
        );
    }
}
