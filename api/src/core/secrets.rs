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
use hmac::Mac;
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

    /// A key for `purpose` derived from this one (HMAC-SHA256 of the purpose), so the
    /// one configured secret serves other uses without one use's outputs telling
    /// anything about another's.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac =
            <HmacSha256 as hmac::Mac>::new_from_slice(&self.0[..]).expect("HMAC takes any key");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A new random key.
    pub fn generate() -> SecretsKey {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        SecretsKey(Box::new(key))
    }

    /// The key in `path`, or a new random one written there (owner-only on Unix) on
    /// first use, so an embedded portal keeps reading its secrets after a restart.
    ///
    /// The file appears whole or not at all: the key is written to a temporary file in
    /// the same folder (mode 0600), synced, and then linked into place, which fails if
    /// the file exists (unlike a rename, it never replaces another process's key that
    /// may already encrypt secrets); then that process's key is used. The folder is
    /// synced so the new name survives a crash.
    pub fn load_or_create(path: &Path) -> Result<SecretsKey, SecretsError> {
        match std::fs::read_to_string(path) {
            Ok(s) => return SecretsKey::parse(&s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let key = SecretsKey::generate();
        let tmp = TempKeyFile::write(dir, &key)?;
        match place_new(&tmp.0, path) {
            Ok(()) => {
                sync_dir(dir);
                Ok(key)
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                SecretsKey::parse(&std::fs::read_to_string(path)?)
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

/// Where the key comes from, as configured: parsed from `PARTNER_SECRETS_KEY`, or,
/// without it, a key file beside the SQLite database (created on first start).
#[derive(Clone, Debug)]
pub enum SecretsKeySource {
    /// Given in the configuration.
    Given(SecretsKey),
    /// The key in this file, created on first use ([`SecretsKey::load_or_create`]).
    File(std::path::PathBuf),
    /// A new random key for each start: for an in-memory database, whose stored
    /// secrets do not outlive the process either.
    Ephemeral,
}

impl SecretsKeySource {
    /// The key: the given one, the one in the file (created if missing), or a new one.
    pub fn load(&self) -> Result<SecretsKey, SecretsError> {
        match self {
            SecretsKeySource::Given(key) => Ok(key.clone()),
            SecretsKeySource::File(path) => SecretsKey::load_or_create(path),
            SecretsKeySource::Ephemeral => Ok(SecretsKey::generate()),
        }
    }
}

/// A key written to a fresh temporary file beside the key file; removed when dropped
/// (once it is linked into place the key file keeps the contents).
struct TempKeyFile(std::path::PathBuf);

impl TempKeyFile {
    fn write(dir: &Path, key: &SecretsKey) -> std::io::Result<TempKeyFile> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut suffix = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut suffix);
        let path = dir.join(format!(
            ".partner-secrets.key.{}.tmp",
            suffix
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ));
        let mut f = options.open(&path)?;
        let tmp = TempKeyFile(path);
        f.write_all(B64.encode(*key.0).as_bytes())?;
        f.sync_all()?;
        Ok(tmp)
    }
}

impl Drop for TempKeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Gives the complete file `from` the name `to`, atomically, unless `to` exists
/// (`AlreadyExists`). A hard link does that; where the file system has none, a rename
/// after a check (a race there is left to the rare case of two first starts at once).
fn place_new(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if !to.exists() => std::fs::rename(from, to),
        Err(_) => Err(std::io::ErrorKind::AlreadyExists.into()),
    }
}

/// Makes a new name in `dir` durable (Unix; elsewhere renames are durable or cannot be
/// synced this way). Best effort: the key is in place either way.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

// ---------------------------------------------------------------------------
// Passwords, random secrets and hashes of credentials.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash that never matches, used when the account does not exist so that the time a
/// failed login takes does not reveal whether an email is registered.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password("not a real password, only for timing").expect("argon2 works")
    })
}

type HmacSha256 = hmac::Hmac<Sha256>;

/// Signs the form tokens of pages (CSRF): a page's token is the HMAC of the browser's
/// form cookie and its session, so a token works only with the cookie it was made for
/// and only in the session it was shown in. A cookie planted by another host is of no
/// use without a token signed for the victim's session.
pub struct FormKey([u8; 32]);

impl std::fmt::Debug for FormKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormKey([redacted])")
    }
}

impl FormKey {
    pub fn new(key: [u8; 32]) -> FormKey {
        FormKey(key)
    }

    fn mac(&self, cookie: &str, session: Option<&str>) -> HmacSha256 {
        let mut mac =
            <HmacSha256 as hmac::Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(b"form-token\0");
        mac.update(cookie.as_bytes());
        mac.update(b"\0");
        mac.update(session.unwrap_or("").as_bytes());
        mac
    }

    /// The token of the form cookie `cookie` in `session` (none for a visitor who is not
    /// logged in): 43 URL-safe characters.
    pub fn token(&self, cookie: &str, session: Option<&str>) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(self.mac(cookie, session).finalize().into_bytes())
    }

    /// Whether `submitted` is the token of `cookie` in `session` (compared in constant
    /// time).
    pub fn verify(&self, cookie: &str, session: Option<&str>, submitted: &str) -> bool {
        let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(submitted) else {
            return false;
        };
        self.mac(cookie, session).verify_slice(&tag).is_ok()
    }
}

/// A random URL-safe secret of 32 bytes.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 in hex: how session ids and tokens are keyed, so a leaked store or table
/// does not hand out working credentials.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_tokens_are_bound_to_their_cookie_and_session() {
        let key = FormKey::new(SecretsKey::generate().derive("form tokens"));
        let t = key.token("cookie-a", Some("session-1"));
        assert_eq!(t.len(), 43);
        assert!(key.verify("cookie-a", Some("session-1"), &t));
        assert!(!key.verify("cookie-b", Some("session-1"), &t));
        assert!(!key.verify("cookie-a", Some("session-2"), &t));
        assert!(!key.verify("cookie-a", None, &t));
        let anonymous = key.token("cookie-a", None);
        assert!(key.verify("cookie-a", None, &anonymous));
        assert!(!key.verify("cookie-a", Some("session-1"), &anonymous));
        // The cookie itself, or a token of another key, is not a token.
        assert!(!key.verify("cookie-a", None, "cookie-a"));
        let other = FormKey::new(SecretsKey::generate().derive("form tokens"));
        assert!(!other.verify("cookie-a", Some("session-1"), &t));
        // Derived keys differ by purpose.
        let k = SecretsKey::generate();
        assert_ne!(k.derive("a"), k.derive("b"));
        assert_eq!(k.derive("a"), k.derive("a"));
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", dummy_hash()));
    }

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

    /// Several first starts at once get one key, the one in the file, which is
    /// complete, owner-only, and the only file left in the folder.
    #[test]
    fn concurrent_first_starts_share_one_key() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("partner-secrets.key");
            let start = std::sync::Arc::new(std::sync::Barrier::new(8));
            let keys: Vec<SecretsKey> = (0..8)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        SecretsKey::load_or_create(&path).unwrap()
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|t| t.join().unwrap())
                .collect();
            let stored = SecretsKey::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert!(keys.iter().all(|k| k.0 == stored.0), "one key for all");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{mode:o}");
            }
            let files: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(files, vec![std::ffi::OsString::from("partner-secrets.key")]);
        }
    }

    /// A reader never sees a partial file: while starts race, every read of an
    /// existing key file parses.
    #[test]
    fn key_file_is_never_seen_partial() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("partner-secrets.key");
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (path, done) = (path.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    if let Ok(s) = std::fs::read_to_string(&path) {
                        SecretsKey::parse(&s).expect("a complete key");
                    }
                }
            })
        };
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || SecretsKey::load_or_create(&path).unwrap())
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        reader.join().unwrap();
    }
}
