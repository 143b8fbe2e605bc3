//! Static files (CSS, JS), fingerprinted by content so they can be cached for a year.

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// The embedded static files of `frontend/static`.
const STATIC: &[(&str, &str, &[u8])] = &[
    (
        "site.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../frontend/static/site.css"),
    ),
    (
        "enhance.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../frontend/static/enhance.js"),
    ),
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../frontend/static/leaflet.js"),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../frontend/static/leaflet.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../../frontend/static/favicon.svg"),
    ),
    (
        "docs.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../frontend/static/docs.js"),
    ),
];

/// Swagger UI's script and stylesheet, as poem-openapi ships them: it only offers them
/// inline in its own page, which the pages' Content-Security-Policy refuses, so they are
/// taken out of that page and served as files of their own for `/docs`.
fn swagger_ui_files() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let page = poem_openapi::OpenApiService::new((), "", "").swagger_ui_html();
    let between = |from: &str, to: &str| -> Option<Vec<u8>> {
        let start = page.find(from)? + from.len();
        let end = start + page[start..].find(to)?;
        Some(page.as_bytes()[start..end].to_vec())
    };
    let mut files = Vec::new();
    if let Some(css) = between("<style charset=\"UTF-8\">", "</style>") {
        files.push(("swagger-ui.css", "text/css; charset=utf-8", css));
    }
    if let Some(js) = between("<script charset=\"UTF-8\">", "</script>") {
        files.push(("swagger-ui-bundle.js", "text/javascript; charset=utf-8", js));
    }
    files
}

/// A static file with its fingerprinted name.
pub struct Asset {
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub fingerprinted: String,
}

/// Static files by fingerprinted name, and the name a template asks for.
pub struct Assets {
    by_fingerprint: HashMap<String, Arc<Asset>>,
    by_name: HashMap<String, String>,
}

impl Assets {
    /// The embedded files, each replaced by `THEME_DIR/static/<name>` when present.
    pub fn load(theme_dir: Option<&std::path::Path>) -> Assets {
        let mut by_fingerprint = HashMap::new();
        let mut by_name = HashMap::new();
        let files = STATIC
            .iter()
            .map(|(name, content_type, embedded)| {
                let body = theme_dir
                    .and_then(|d| std::fs::read(d.join("static").join(name)).ok())
                    .unwrap_or_else(|| embedded.to_vec());
                (*name, *content_type, body)
            })
            .chain(swagger_ui_files());
        for (name, content_type, body) in files {
            let hash = hex::encode(&Sha256::digest(&body)[..6]);
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            let fingerprinted = format!("{stem}.{hash}.{ext}");
            by_name.insert(name.to_string(), format!("/static/{fingerprinted}"));
            by_fingerprint.insert(
                fingerprinted.clone(),
                Arc::new(Asset {
                    content_type,
                    body,
                    fingerprinted,
                }),
            );
        }
        Assets {
            by_fingerprint,
            by_name,
        }
    }

    /// The file with this fingerprinted name.
    pub fn get(&self, fingerprinted: &str) -> Option<&Arc<Asset>> {
        self.by_fingerprint.get(fingerprinted)
    }

    /// The file a template asks for by this name (e.g. `favicon.svg`).
    pub fn by_name(&self, name: &str) -> Option<&Arc<Asset>> {
        let url = self.by_name.get(name)?;
        self.by_fingerprint.get(url.strip_prefix("/static/")?)
    }

    /// The URL of a static file, e.g. `/static/site.3f2a9c1b0d4e.css`.
    pub fn url(&self, name: &str) -> String {
        self.by_name
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("/static/{name}"))
    }
}
