//! Opening what the portal sealed to the module: compact JWE (RFC 7516) with
//! `alg: RSA-OAEP-256` (the content key wrapped with the module's RSA public key) and
//! `enc: A256GCM` (the content encrypted with that key; the protected header is the
//! additional authenticated data), as Germany's FIT-Connect does.
//!
//! Any JOSE library opens these; the steps are written out here (RFC 7516 §5.2) so that
//! nothing is hidden from whoever copies this module.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{anyhow, bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, Oaep, RsaPrivateKey};
use serde_json::{json, Value};
use sha2::Sha256;

/// The module's RSA private key.
#[derive(Clone)]
pub struct PrivateKey {
    key: RsaPrivateKey,
    kid: Option<String>,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PrivateKey({:?}, {} bits)",
            self.kid,
            self.key.size() * 8
        )
    }
}

fn int(jwk: &Value, name: &str) -> anyhow::Result<BigUint> {
    let s = jwk[name]
        .as_str()
        .ok_or_else(|| anyhow!("the key has no {name}"))?;
    let bytes = B64
        .decode(s)
        .with_context(|| format!("the key's {name} is not base64url"))?;
    Ok(BigUint::from_bytes_be(&bytes))
}

fn b64(n: &BigUint) -> Value {
    Value::String(B64.encode(n.to_bytes_be()))
}

impl PrivateKey {
    /// A private RSA JSON Web Key (RFC 7517/7518 §6.3: `n`, `e`, `d`, `p`, `q`).
    pub fn from_jwk(jwk: &Value) -> anyhow::Result<PrivateKey> {
        if jwk["kty"] != "RSA" {
            bail!("the key is not an RSA key (kty)");
        }
        let key = RsaPrivateKey::from_components(
            int(jwk, "n")?,
            int(jwk, "e")?,
            int(jwk, "d")?,
            vec![int(jwk, "p")?, int(jwk, "q")?],
        )
        .context("the key's numbers do not make an RSA key")?;
        key.validate().context("the RSA key is not valid")?;
        Ok(PrivateKey {
            key,
            kid: jwk["kid"].as_str().map(str::to_string),
        })
    }

    /// A new 2048-bit key named `kid` (the smallest size the portal accepts, as BSI
    /// TR-02102-1 asks).
    pub fn generate(kid: &str) -> anyhow::Result<PrivateKey> {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
        Ok(PrivateKey {
            key,
            kid: Some(kid.to_string()),
        })
    }

    /// The key as a private JWK, to keep (secret!) and load again.
    pub fn to_jwk(&self) -> Value {
        let mut jwk = self.public_jwk();
        let primes = self.key.primes();
        jwk["d"] = b64(self.key.d());
        jwk["p"] = b64(&primes[0]);
        jwk["q"] = b64(&primes[1]);
        if let (Some(dp), Some(dq), Some(qi)) =
            (self.key.dp(), self.key.dq(), self.key.crt_coefficient())
        {
            jwk["dp"] = b64(dp);
            jwk["dq"] = b64(dq);
            jwk["qi"] = b64(&qi);
        }
        jwk
    }

    /// The public half, as the manifest's `encryption_key` publishes it.
    pub fn public_jwk(&self) -> Value {
        let mut jwk = json!({
            "kty": "RSA",
            "use": "enc",
            "alg": "RSA-OAEP-256",
            "n": b64(self.key.n()),
            "e": b64(self.key.e()),
        });
        if let Some(kid) = &self.kid {
            jwk["kid"] = Value::String(kid.clone());
        }
        jwk
    }

    /// Opens a compact JWE: its protected header and the plaintext. Refuses any other
    /// algorithm, a JWE for another key (`kid`), and anything changed on the way (the
    /// GCM tag covers the ciphertext and the header).
    pub fn open(&self, jwe: &str) -> anyhow::Result<(Value, Vec<u8>)> {
        let parts: Vec<&str> = jwe.trim().split('.').collect();
        let [header_b64, wrapped, iv, ciphertext, tag] = parts[..] else {
            bail!("not a compact JWE (five parts)");
        };
        let header: Value = serde_json::from_slice(&B64.decode(header_b64)?)
            .context("the JWE header is not JSON")?;
        if header["alg"] != "RSA-OAEP-256" || header["enc"] != "A256GCM" {
            bail!("the JWE is not RSA-OAEP-256 + A256GCM");
        }
        if let (Some(want), Some(got)) = (&self.kid, header["kid"].as_str()) {
            if want != got {
                bail!("the JWE is for another key");
            }
        }
        // 1. Unwrap the content encryption key with our private key.
        let cek = self
            .key
            .decrypt(Oaep::new::<Sha256>(), &B64.decode(wrapped)?)
            .context("the content key does not unwrap with this key")?;
        // 2. Decrypt and authenticate: AES-256-GCM, the header (as sent) as AAD.
        let iv = B64.decode(iv)?;
        if iv.len() != 12 {
            bail!("the JWE's IV is not 96 bits");
        }
        let mut sealed = B64.decode(ciphertext)?;
        sealed.extend(B64.decode(tag)?);
        let plain = Aes256Gcm::new_from_slice(&cek)
            .map_err(|_| anyhow!("the content key is not 256 bits"))?
            .decrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: &sealed,
                    aad: header_b64.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("the JWE does not authenticate"))?;
        Ok((header, plain))
    }

    /// Opens a JWE holding JSON.
    pub fn open_json(&self, jwe: &str) -> anyhow::Result<Value> {
        let (_, plain) = self.open(jwe)?;
        serde_json::from_slice(&plain).context("the sealed content is not JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seals as the portal does (`api::applications::seal`), for the test only.
    fn seal(public: &Value, plain: &[u8]) -> String {
        use rand::RngCore;
        let key =
            rsa::RsaPublicKey::new(int(public, "n").unwrap(), int(public, "e").unwrap()).unwrap();
        let header = B64.encode(
            json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": public["kid"], "cty": "application/json"})
                .to_string(),
        );
        let mut cek = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut cek);
        let iv = [7u8; 12];
        let wrapped = key
            .encrypt(&mut rand::thread_rng(), Oaep::new::<Sha256>(), &cek)
            .unwrap();
        let mut ct = Aes256Gcm::new_from_slice(&cek)
            .unwrap()
            .encrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: plain,
                    aad: header.as_bytes(),
                },
            )
            .unwrap();
        let tag = ct.split_off(ct.len() - 16);
        format!(
            "{header}.{}.{}.{}.{}",
            B64.encode(wrapped),
            B64.encode(iv),
            B64.encode(ct),
            B64.encode(tag)
        )
    }

    #[test]
    fn a_key_round_trips_and_opens_what_was_sealed_to_it() {
        // The portal's own test key (generating one is slow in a debug build).
        let vector: Value = serde_json::from_str(include_str!(
            "../../api/src/applications/testdata/seal-vector.json"
        ))
        .unwrap();
        let key = PrivateKey::from_jwk(&vector["private"]).unwrap();
        let again = PrivateKey::from_jwk(&key.to_jwk()).unwrap();
        assert_eq!(again.public_jwk(), key.public_jwk());
        assert!(
            key.public_jwk().get("d").is_none(),
            "the public half has no d"
        );
        let jwe = seal(&key.public_jwk(), br#"{"plate":"S-AB 1234"}"#);
        assert_eq!(again.open_json(&jwe).unwrap()["plate"], "S-AB 1234");
        // Changed on the way: refused.
        let mut parts: Vec<String> = jwe.split('.').map(str::to_string).collect();
        parts[3] = B64.encode(b"something else");
        assert!(again.open(&parts.join(".")).is_err());
        // For another key: refused.
        let mut other = key.clone();
        other.kid = Some("another-key".into());
        assert!(other.open(&jwe).is_err());
    }
}
