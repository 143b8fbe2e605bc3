//! Reading a `multipart/form-data` submission of a form within limits: every part
//! bounded, the whole body bounded, a too-large value its field's error.

use poem::web::Multipart;
use tokio::io::AsyncReadExt;

use crate::applications::form::{address_name, FormSpec, Kind, Submitted, ADDRESS_PARTS};
use crate::applications::upload::{Upload, MAX_TEXT_BYTES};

/// Why a multipart body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The body is larger than [`FormSpec::max_body_bytes`] or has too many parts.
    #[error("the form's body is too large")]
    TooLarge,
    /// The body is not well-formed `multipart/form-data`.
    #[error("the form's body is not multipart/form-data: {0}")]
    Malformed(String),
}

/// Reads a `multipart/form-data` body for `spec`: the texts of its fields (and any other
/// short text parts, e.g. the page's token), the files of its file fields. A file over
/// its field's limit, or a text over [`MAX_TEXT_BYTES`], is read no further and becomes
/// that field's error; parts of names the form does not know are skipped unread.
pub async fn read_multipart(spec: &FormSpec, mut body: Multipart) -> Result<Submitted, ReadError> {
    let mut sent = Submitted::default();
    let mut total: u64 = 0;
    let mut parts = 0usize;
    let budget = spec.max_body_bytes();
    let max_parts = spec.fields().len() * 4 + 16;
    let mut known: Vec<(String, Option<u64>)> = vec![];
    for f in spec.fields() {
        match &f.kind {
            Kind::File { max_bytes, .. } => known.push((f.name.clone(), Some(*max_bytes))),
            Kind::Address => {
                for part in ADDRESS_PARTS {
                    known.push((address_name(&f.name, part), None));
                }
            }
            _ => known.push((f.name.clone(), None)),
        }
    }
    while let Some(part) = body
        .next_field()
        .await
        .map_err(|e| ReadError::Malformed(e.to_string()))?
    {
        parts += 1;
        if parts > max_parts {
            return Err(ReadError::TooLarge);
        }
        let name = part.name().unwrap_or_default().to_string();
        let file_limit = known.iter().find(|(n, _)| *n == name).map(|(_, l)| *l);
        // Page fields beside the form's own (the token) are short texts.
        let limit = match file_limit {
            Some(Some(max)) => max,
            _ => MAX_TEXT_BYTES as u64,
        };
        let file_name = part.file_name().map(str::to_string);
        let content_type = part.content_type().map(str::to_string);
        let mut bytes = vec![];
        part.into_async_read()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| ReadError::Malformed(e.to_string()))?;
        total += bytes.len() as u64;
        if total > budget {
            return Err(ReadError::TooLarge);
        }
        if bytes.len() as u64 > limit {
            sent.add_oversize(name);
            continue;
        }
        match file_limit {
            Some(Some(_)) => sent.add_file(
                name,
                Upload {
                    file_name,
                    content_type,
                    bytes,
                },
            ),
            _ => match String::from_utf8(bytes) {
                Ok(text) => sent.add_text(name, text),
                // Not text: no answer can come of it.
                Err(_) => sent.add_oversize(name),
            },
        }
    }
    Ok(sent)
}
