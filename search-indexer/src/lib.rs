//! The search side of City Portal: the document built from a listing, the index
//! settings, typed queries and their filters, the outbox consumer that keeps the index
//! in sync, and the zero-downtime reindex; and what the database search of the server
//! shares with it: the synonyms and the text rules.

pub mod consumer;
pub mod document;
pub mod query;
pub mod reindex;
pub mod search;
pub mod settings;
pub mod synonyms;
pub mod testing;
pub mod text;

use std::time::Duration;

/// Whether a Meilisearch server answers its health check within `timeout`.
pub async fn health(url: &str, api_key: Option<&str>, timeout: Duration) -> Result<(), String> {
    let client = meilisearch_sdk::client::Client::new(url, api_key).map_err(|e| e.to_string())?;
    health_of(&client, timeout).await
}

/// [`health`] with a client at hand.
pub async fn health_of(
    client: &meilisearch_sdk::client::Client,
    timeout: Duration,
) -> Result<(), String> {
    match tokio::time::timeout(timeout, client.health()).await {
        Ok(Ok(h)) if h.status == "available" => Ok(()),
        Ok(Ok(h)) => Err(format!("status {}", h.status)),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn unreachable_server_is_reported_not_hung() {
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let r = super::health(
            "http://127.0.0.1:9",
            None,
            std::time::Duration::from_millis(500),
        )
        .await;
        assert!(r.is_err());
    }

    #[tokio::test]
    async fn live_server_is_healthy_when_configured() {
        let Some((url, key)) = super::testing::live_meili() else {
            return;
        };
        super::health(&url, key.as_deref(), std::time::Duration::from_secs(2))
            .await
            .unwrap();
    }
}
