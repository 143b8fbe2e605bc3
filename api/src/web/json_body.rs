//! A JSON response body serialized ahead of time, for answers served from a cache:
//! the OpenAPI document shows the same schema as `Json<T>`, but the bytes are reused
//! instead of being rebuilt for every request.

use std::marker::PhantomData;

use bytes::Bytes;
use poem::{IntoResponse, Response};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};

/// `T` as JSON, already serialized.
pub struct PreJson<T> {
    bytes: Bytes,
    schema: PhantomData<fn() -> T>,
}

impl<T: ToJSON> PreJson<T> {
    /// Serializes `value` exactly as `Json<T>` would.
    pub fn new(value: &T) -> PreJson<T> {
        let json = value.to_json().unwrap_or(serde_json::Value::Null);
        PreJson::from_bytes(Bytes::from(
            serde_json::to_vec(&json).expect("a JSON value always serializes"),
        ))
    }
}

impl<T> PreJson<T> {
    /// Bytes produced by [`PreJson::new`] earlier.
    pub fn from_bytes(bytes: Bytes) -> PreJson<T> {
        PreJson {
            bytes,
            schema: PhantomData,
        }
    }

    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl<T: Type> Payload for PreJson<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for PreJson<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(<Json<serde_json::Value> as Payload>::CONTENT_TYPE)
            .body(self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(poem_openapi::Object)]
    struct Sample {
        name: String,
        count: u32,
    }

    #[tokio::test]
    async fn same_bytes_and_content_type_as_json() {
        let value = Sample {
            name: "Café \"Eins\" <b>".into(),
            count: 3,
        };
        let expected = Json(Sample {
            name: value.name.clone(),
            count: 3,
        })
        .into_response();
        let expected_type = expected.content_type().map(str::to_string);
        let expected_body = expected.into_body().into_bytes().await.unwrap();
        let pre = PreJson::new(&value).into_response();
        assert_eq!(pre.content_type().map(str::to_string), expected_type);
        assert_eq!(pre.into_body().into_bytes().await.unwrap(), expected_body);
    }
}
