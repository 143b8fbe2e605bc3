//! Sealing a submission to a module's public key: compact JWE (RFC 7516) with
//! `alg: RSA-OAEP-256` and `enc: A256GCM` (RFC 7518 §4.3 and §5.3), as Germany's
//! FIT-Connect does, so that after delivery the portal can keep only ciphertext.
//!
//! Like FIT-Connect, the answers and each attachment are sealed separately (one JWE
//! each): a module fetches and opens a large file only when it needs it.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rand::RngCore;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Oaep, RsaPublicKey};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::applications::form::Answers;

/// The shortest RSA key the portal encrypts to (bits), as BSI TR-02102-1 asks.
pub const MIN_BITS: usize = 2048;
/// The longest RSA key (bits): larger ones only cost time.
pub const MAX_BITS: usize = 4096;

/// Why a module's key cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// Not a JSON Web Key (RFC 7517) object with `n` and `e`.
    #[error("the key is not a JSON Web Key")]
    NotJwk,
    /// `kty` is not `RSA`.
    #[error("the key is not an RSA key")]
    NotRsa,
    /// The key says it is for something else (`use`, `alg` or `key_ops`).
    #[error("the key is not for RSA-OAEP-256 encryption")]
    WrongUse,
    /// The JWK holds the private key (`d`): a module must never publish it.
    #[error("the key is a private key")]
    Private,
    /// Shorter than [`MIN_BITS`] or longer than [`MAX_BITS`].
    #[error("the RSA key has {0} bits; 2048 to 4096 are accepted")]
    Size(usize),
}

/// Why sealing failed (randomness or the cipher refused; never the data).
#[derive(Debug, thiserror::Error)]
#[error("sealing failed: {0}")]
pub struct SealError(String);

/// A module's public encryption key, checked.
#[derive(Clone, Debug)]
pub struct ModuleKey {
    key: RsaPublicKey,
    kid: Option<String>,
}

impl ModuleKey {
    /// The key of a module's manifest, a public RSA JWK: `kty: RSA`, `n`, `e`, and if
    /// given `alg: RSA-OAEP-256`, `use: enc` (or `key_ops` with `wrapKey`/`encrypt`)
    /// and a `kid`.
    pub fn from_jwk(jwk: &Value) -> Result<ModuleKey, KeyError> {
        let o = jwk.as_object().ok_or(KeyError::NotJwk)?;
        match o.get("kty").and_then(Value::as_str) {
            Some("RSA") => {}
            Some(_) => return Err(KeyError::NotRsa),
            None => return Err(KeyError::NotJwk),
        }
        if ["d", "p", "q", "dp", "dq", "qi"]
            .iter()
            .any(|k| o.contains_key(*k))
        {
            return Err(KeyError::Private);
        }
        if o.get("alg")
            .is_some_and(|a| a.as_str() != Some("RSA-OAEP-256"))
            || o.get("use").is_some_and(|u| u.as_str() != Some("enc"))
        {
            return Err(KeyError::WrongUse);
        }
        if let Some(ops) = o.get("key_ops") {
            let ops = ops.as_array().ok_or(KeyError::WrongUse)?;
            if !ops
                .iter()
                .any(|op| matches!(op.as_str(), Some("wrapKey" | "encrypt")))
            {
                return Err(KeyError::WrongUse);
            }
        }
        let int = |name: &str| {
            o.get(name)
                .and_then(Value::as_str)
                .and_then(|s| B64.decode(s).ok())
                .filter(|b| !b.is_empty())
                .map(|b| BigUint::from_bytes_be(&b))
                .ok_or(KeyError::NotJwk)
        };
        let (n, e) = (int("n")?, int("e")?);
        let bits = n.bits();
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(KeyError::Size(bits));
        }
        let key = RsaPublicKey::new(n, e).map_err(|_| KeyError::NotJwk)?;
        let kid = o
            .get("kid")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty() && k.len() <= 200)
            .map(str::to_string);
        Ok(ModuleKey { key, kid })
    }

    /// The key's size in bits.
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }

    /// `plaintext` as a compact JWE to this key; `cty` names what it is.
    pub fn seal(&self, plaintext: &[u8], cty: &str) -> Result<String, SealError> {
        let mut header = json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": cty});
        if let Some(kid) = &self.kid {
            header["kid"] = Value::String(kid.clone());
        }
        let header = B64.encode(header.to_string());
        let mut rng = rand::rngs::OsRng;
        // A fresh content key and IV for every message (RFC 7516 §5.1 steps 2 and 9).
        let mut cek = [0u8; 32];
        rng.fill_bytes(&mut cek);
        let mut iv = [0u8; 12];
        rng.fill_bytes(&mut iv);
        let wrapped = self
            .key
            .encrypt(&mut rng, Oaep::new::<Sha256>(), &cek)
            .map_err(|e| SealError(e.to_string()))?;
        let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|e| SealError(e.to_string()))?;
        let mut sealed = cipher
            .encrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: plaintext,
                    aad: header.as_bytes(),
                },
            )
            .map_err(|e| SealError(e.to_string()))?;
        let tag = sealed.split_off(sealed.len() - 16);
        Ok(format!(
            "{header}.{}.{}.{}.{}",
            B64.encode(wrapped),
            B64.encode(iv),
            B64.encode(sealed),
            B64.encode(tag)
        ))
    }

    /// A resident's answers sealed: the JSON as one JWE, each attachment as its own.
    pub fn seal_answers(&self, answers: &Answers) -> Result<SealedAnswers, SealError> {
        let json = serde_json::to_vec(&answers.data).map_err(|e| SealError(e.to_string()))?;
        let data = self.seal(&json, "application/json")?;
        let attachments = answers
            .attachments
            .iter()
            .map(|a| Ok((a.id, self.seal(&a.bytes, a.content_type)?)))
            .collect::<Result<_, SealError>>()?;
        Ok(SealedAnswers { data, attachments })
    }
}

/// Answers sealed to a module: what the portal keeps after delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedAnswers {
    /// The answers' JSON as a compact JWE.
    pub data: String,
    /// Each attachment's id and its bytes as a compact JWE.
    pub attachments: Vec<(uuid::Uuid, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;

    fn vector() -> Value {
        serde_json::from_str(include_str!("testdata/seal-vector.json")).unwrap()
    }

    fn private_key(jwk: &Value) -> RsaPrivateKey {
        let int = |k: &str| BigUint::from_bytes_be(&B64.decode(jwk[k].as_str().unwrap()).unwrap());
        RsaPrivateKey::from_components(int("n"), int("e"), int("d"), vec![int("p"), int("q")])
            .unwrap()
    }

    /// What a module does with its private key: RFC 7516 §5.2, step by step.
    fn open(key: &RsaPrivateKey, jwe: &str) -> (Value, Vec<u8>) {
        let parts: Vec<&str> = jwe.split('.').collect();
        assert_eq!(parts.len(), 5, "compact JWE has five parts");
        let header: Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RSA-OAEP-256");
        assert_eq!(header["enc"], "A256GCM");
        let cek = key
            .decrypt(Oaep::new::<Sha256>(), &B64.decode(parts[1]).unwrap())
            .unwrap();
        let iv = B64.decode(parts[2]).unwrap();
        assert_eq!(iv.len(), 12);
        let mut ct = B64.decode(parts[3]).unwrap();
        let tag = B64.decode(parts[4]).unwrap();
        assert_eq!(tag.len(), 16);
        ct.extend_from_slice(&tag);
        let plain = Aes256Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: &ct,
                    aad: parts[0].as_bytes(),
                },
            )
            .expect("the tag is right");
        (header, plain)
    }

    fn public(jwk: &Value) -> Value {
        json!({"kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": jwk["kid"], "alg": "RSA-OAEP-256", "use": "enc"})
    }

    #[test]
    fn a_sealed_submission_opens_with_the_private_key_to_the_same_bytes() {
        let v = vector();
        let key = ModuleKey::from_jwk(&public(&v["private"])).unwrap();
        assert_eq!(key.bits(), 2048);
        let private = private_key(&v["private"]);
        let answers = Answers {
            data: json!({"plate": "S-AB 1234", "start": "2026-12-24", "confirm": true}),
            attachments: vec![crate::applications::form::Attachment {
                id: uuid::Uuid::new_v4(),
                field: "proof".into(),
                file_name: "Meldebescheinigung.pdf".into(),
                content_type: "application/pdf",
                bytes: b"%PDF-1.7\n\x00\xff binary \x01".to_vec(),
                sha256: String::new(),
            }],
        };
        let sealed = key.seal_answers(&answers).unwrap();
        let (header, plain) = open(&private, &sealed.data);
        assert_eq!(header["kid"], "parking-2026");
        assert_eq!(header["cty"], "application/json");
        assert_eq!(plain, serde_json::to_vec(&answers.data).unwrap());
        assert_eq!(sealed.attachments.len(), 1);
        assert_eq!(sealed.attachments[0].0, answers.attachments[0].id);
        let (header, bytes) = open(&private, &sealed.attachments[0].1);
        assert_eq!(header["cty"], "application/pdf");
        assert_eq!(bytes, answers.attachments[0].bytes);
        // A fresh content key and IV each time: the same answers never seal alike.
        let again = key.seal_answers(&answers).unwrap();
        assert_ne!(again.data, sealed.data);
        assert_ne!(again.data.split('.').nth(2), sealed.data.split('.').nth(2));
        // Nothing of the answers is readable in the sealed form.
        assert!(!sealed.data.contains("S-AB"));
        assert!(!String::from_utf8_lossy(
            &B64.decode(sealed.data.split('.').nth(3).unwrap()).unwrap()
        )
        .contains("S-AB"));
    }

    #[test]
    fn a_changed_ciphertext_or_header_does_not_open() {
        let v = vector();
        let key = ModuleKey::from_jwk(&public(&v["private"])).unwrap();
        let private = private_key(&v["private"]);
        let jwe = key.seal(b"{\"a\":1}", "application/json").unwrap();
        let mut parts: Vec<String> = jwe.split('.').map(str::to_string).collect();
        let other_header = B64.encode(r#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#);
        parts[0] = other_header;
        let tampered = parts.join(".");
        let result = std::panic::catch_unwind(|| open(&private, &tampered));
        assert!(result.is_err(), "the header is authenticated");
    }

    #[test]
    fn opens_what_an_independent_jose_implementation_sealed() {
        // The same steps as `open` read a JWE made by another library: the format is
        // the standard's.
        let v = vector();
        let private = private_key(&v["private"]);
        let (header, plain) = open(&private, v["jwe"].as_str().unwrap());
        assert_eq!(header["kid"], "parking-2026");
        assert_eq!(plain, br#"{"plate":"S-AB 1234","start":"2026-12-24"}"#);
    }

    #[test]
    fn keys_that_are_not_rsa_or_too_short_are_refused() {
        let v = vector();
        assert_eq!(ModuleKey::from_jwk(&v["ec"]).unwrap_err(), KeyError::NotRsa);
        assert_eq!(
            ModuleKey::from_jwk(&v["small"]).unwrap_err(),
            KeyError::Size(1024)
        );
        let mut wrong = public(&v["private"]);
        wrong["alg"] = json!("RSA1_5");
        assert_eq!(ModuleKey::from_jwk(&wrong).unwrap_err(), KeyError::WrongUse);
        let mut sig = public(&v["private"]);
        sig["use"] = json!("sig");
        assert_eq!(ModuleKey::from_jwk(&sig).unwrap_err(), KeyError::WrongUse);
        let mut ops = public(&v["private"]);
        ops.as_object_mut().unwrap().remove("use");
        ops["key_ops"] = json!(["verify"]);
        assert_eq!(ModuleKey::from_jwk(&ops).unwrap_err(), KeyError::WrongUse);
        for bad in [
            json!("RSA"),
            json!({"kty": "RSA"}),
            json!({"kty": "RSA", "n": "!!", "e": "AQAB"}),
            json!({"kty": "RSA", "n": "", "e": "AQAB"}),
            json!({"n": v["private"]["n"], "e": "AQAB"}),
        ] {
            assert_eq!(
                ModuleKey::from_jwk(&bad).unwrap_err(),
                KeyError::NotJwk,
                "{bad}"
            );
        }
        // A private key published by mistake is refused, not quietly used.
        assert_eq!(
            ModuleKey::from_jwk(&v["private"]).unwrap_err(),
            KeyError::Private
        );
    }
}
