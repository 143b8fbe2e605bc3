//! Partner secrets at rest: AES-256-GCM with a key from configuration
//! (`PARTNER_SECRETS_KEY`, 32 bytes in base64) or, in the embedded setup, a random key
//! generated once into a file beside the database (`data/partner-secrets.key`).
//!
//! A stored secret is `base64(nonce || ciphertext)` with a fresh 96-bit nonce each time;
//! the key never appears in logs (its `Debug` is redacted).

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

/// Why a secrets key could not be read, or a stored secret not opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("the key is not 32 bytes in base64")]
    BadKey,
    #[error("cannot read or create the key file: {0}")]
    KeyFile(#[from] std::io::Error),
    #[error("a stored secret cannot be decrypted with this key")]
    Undecryptable,
}

/// The key that encrypts partner secrets at rest.
#[derive(Clone)]
pub struct SecretsKey(Box<[u8; 32]>);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey([redacted])")
    }
}

impl SecretsKey {
    /// Parses 32 bytes given in base64 (standard alphabet, padded).
    pub fn parse(base64: &str) -> Result<SecretsKey, SecretsError> {
        let bytes = B64
            .decode(base64.trim())
            .map_err(|_| SecretsError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretsError::BadKey)?;
        Ok(SecretsKey(Box::new(key)))
    }

    /// A new random key.
    pub fn generate() -> SecretsKey {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        SecretsKey(Box::new(key))
    }

    /// The key in `path`, or a new random one written there (owner-only on Unix) on
    /// first use, so an embedded portal keeps reading its secrets after a restart.
    pub fn load_or_create(path: &Path) -> Result<SecretsKey, SecretsError> {
        match std::fs::read_to_string(path) {
            Ok(s) => SecretsKey::parse(&s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                let key = SecretsKey::generate();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(path) {
                    Ok(mut f) => {
                        std::io::Write::write_all(&mut f, B64.encode(*key.0).as_bytes())?;
                        Ok(key)
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        SecretsKey::parse(&std::fs::read_to_string(path)?)
                    }
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0[..]))
    }

    /// Encrypts a secret for storage: `base64(nonce || ciphertext)`.
    pub fn encrypt(&self, plain: &SecretString) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), plain.expose_secret().as_bytes())
            .expect("AES-GCM encryption of a short secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        B64.encode(out)
    }

    /// Opens a secret stored by [`SecretsKey::encrypt`].
    pub fn decrypt(&self, stored: &str) -> Result<SecretString, SecretsError> {
        let bytes = B64
            .decode(stored)
            .map_err(|_| SecretsError::Undecryptable)?;
        if bytes.len() < 12 + 16 {
            return Err(SecretsError::Undecryptable);
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = self
            .cipher()
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| SecretsError::Undecryptable)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| SecretsError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_hides_the_secret_and_varies_the_nonce() {
        let key = SecretsKey::generate();
        let secret = SecretString::from("s3cret-client-value");
        let a = key.encrypt(&secret);
        let b = key.encrypt(&secret);
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("s3cret"));
        assert_eq!(
            key.decrypt(&a).unwrap().expose_secret(),
            "s3cret-client-value"
        );
        assert!(matches!(
            SecretsKey::generate().decrypt(&a),
            Err(SecretsError::Undecryptable)
        ));
        assert!(!format!("{key:?}").contains(&B64.encode(*key.0)));
    }

    #[test]
    fn parse_wants_32_bytes() {
        assert!(SecretsKey::parse(&B64.encode([7u8; 32])).is_ok());
        assert!(matches!(
            SecretsKey::parse(&B64.encode([7u8; 16])),
            Err(SecretsError::BadKey)
        ));
        assert!(matches!(
            SecretsKey::parse("not base64!"),
            Err(SecretsError::BadKey)
        ));
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("partner-secrets.key");
        let k1 = SecretsKey::load_or_create(&path).unwrap();
        let k2 = SecretsKey::load_or_create(&path).unwrap();
        let stored = k1.encrypt(&SecretString::from("x"));
        assert_eq!(k2.decrypt(&stored).unwrap().expose_secret(), "x");
    }
}
