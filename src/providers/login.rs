//! `login_session = ARN` profiles: the AWS CLI's `aws login` (console credentials).
//! The CLI keeps the session in `~/.aws/login/cache/<sha256hex(ARN)>.json`
//! (`AWS_LOGIN_CACHE_DIRECTORY` moves it, as in aws-config): temporary credentials
//! under `accessToken`, a refresh token, the client id and an EC P-256 key (`dpopKey`,
//! SEC1 PEM). The credentials are used while more than [`REFRESH_MARGIN`] is left;
//! then CreateOAuth2Token (grant `refresh_token`) on the Sign-In service, proved with a
//! DPoP header signed with that key (RFC 9449, built as aws-config's `login` module
//! builds it), and the answer written back into the same file, keeping every field
//! hat does not know. Called inside `fetch_once`, so parallel shells refresh once.

use crate::cache::REFRESH_MARGIN;
use crate::clock;
use crate::creds::Credentials;
use crate::endpoint::{Endpoints, Service};
use crate::env::Env;
use crate::sdk::Sdk;
use crate::verbose;
use anyhow::{Result, anyhow, bail};
use aws_sdk_signin::operation::create_o_auth2_token::CreateOAuth2TokenError;
use aws_sdk_signin::types::{CreateOAuth2TokenRequestBody, OAuth2ErrorCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer as _;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// One `aws login` session, as a profile names it.
pub struct Session<'a> {
    pub profile: &'a str,
    pub arn: &'a str,
    /// The profile's region: the Sign-In service called for a refresh is regional.
    pub region: Option<&'a str>,
}

/// Where the AWS CLI keeps the session `arn`.
pub fn cache_file(env: &Env, arn: &str) -> PathBuf {
    let name = hex::encode(Sha256::digest(arn.trim().as_bytes()));
    env.login_cache_dir().join(format!("{name}.json"))
}

/// The session's credentials: the cached ones while they last, else refreshed (the
/// SDK made by `sdk` only then).
pub fn credentials(
    sdk: impl FnOnce() -> Result<Rc<Sdk>>,
    env: &Env,
    endpoints: &Endpoints,
    session: &Session<'_>,
) -> Result<Credentials> {
    let path = cache_file(env, session.arn);
    let again = format!("run `aws login --profile {}`", session.profile);
    let text = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!(
            "profile `{}` uses the `aws login` session {}, but you are not signed in to it ({} does not exist); {again}",
            session.profile,
            session.arn,
            path.display()
        ),
        _ => anyhow!("could not read {} ({e}); {again}", path.display()),
    })?;
    let file = Cached::parse(&text, &path, &again)?;
    let now = clock::now();
    if file.expires_at - now > REFRESH_MARGIN {
        verbose!(
            "profile {}: `aws login` credentials in {}",
            session.profile,
            path.display()
        );
        return Ok(file.credentials());
    }
    verbose!(
        "profile {}: refreshing the `aws login` session {}",
        session.profile,
        session.arn
    );
    let refreshed = refresh(sdk()?, endpoints, session, &file, &again)?;
    let text = file.updated(&refreshed, now)?;
    crate::fs::write(&path, text)?;
    Ok(Credentials {
        access_key_id: refreshed.access_key_id,
        secret_access_key: refreshed.secret_access_key,
        session_token: Some(refreshed.session_token),
        expiration: Some(now + refreshed.expires_in),
    })
}

/// The fields of the CLI's file hat uses, and the whole document to write back.
struct Cached {
    document: Map<String, Value>,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expires_at: i64,
    refresh_token: String,
    client_id: String,
    dpop_key: String,
}

impl Cached {
    fn parse(text: &[u8], path: &Path, again: &str) -> Result<Cached> {
        let Ok(Value::Object(document)) = serde_json::from_slice::<Value>(text) else {
            bail!(
                "{} is not an `aws login` session file; {again}",
                path.display()
            );
        };
        let missing = |field: &str| {
            anyhow!(
                "the `aws login` session in {} has no `{field}`; {again}",
                path.display()
            )
        };
        let text_of = |object: &Map<String, Value>, field: &str, name: &str| {
            object
                .get(field)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| missing(name))
        };
        let access = document
            .get("accessToken")
            .and_then(Value::as_object)
            .ok_or_else(|| missing("accessToken"))?;
        let expires = text_of(access, "expiresAt", "accessToken.expiresAt")?;
        let expires_at = clock::parse_rfc3339(&expires).ok_or_else(|| {
            anyhow!(
                "the `aws login` session in {} has an unreadable `accessToken.expiresAt` ({expires}); {again}",
                path.display()
            )
        })?;
        Ok(Cached {
            access_key_id: text_of(access, "accessKeyId", "accessToken.accessKeyId")?,
            secret_access_key: text_of(access, "secretAccessKey", "accessToken.secretAccessKey")?,
            session_token: text_of(access, "sessionToken", "accessToken.sessionToken")?,
            expires_at,
            refresh_token: text_of(&document, "refreshToken", "refreshToken")?,
            client_id: text_of(&document, "clientId", "clientId")?,
            dpop_key: text_of(&document, "dpopKey", "dpopKey")?,
            document,
        })
    }

    fn credentials(&self) -> Credentials {
        Credentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: Some(self.session_token.clone()),
            expiration: Some(self.expires_at),
        }
    }

    /// The file with the refreshed credentials and refresh token, every other field
    /// (`accountId`, `idToken`, `tokenType`, what a later CLI adds) as it was.
    fn updated(&self, new: &Refreshed, now: i64) -> Result<String> {
        let mut document = self.document.clone();
        if let Some(Value::Object(access)) = document.get_mut("accessToken") {
            access.insert("accessKeyId".into(), new.access_key_id.clone().into());
            access.insert(
                "secretAccessKey".into(),
                new.secret_access_key.clone().into(),
            );
            access.insert("sessionToken".into(), new.session_token.clone().into());
            access.insert(
                "expiresAt".into(),
                clock::to_rfc3339(now + new.expires_in).into(),
            );
        }
        document.insert("refreshToken".into(), new.refresh_token.clone().into());
        Ok(serde_json::to_string(&Value::Object(document))?)
    }
}

struct Refreshed {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expires_in: i64,
    refresh_token: String,
}

fn refresh(
    sdk: Rc<Sdk>,
    endpoints: &Endpoints,
    session: &Session<'_>,
    file: &Cached,
    again: &str,
) -> Result<Refreshed> {
    let key = p256::SecretKey::from_sec1_pem(&file.dpop_key).map_err(|_| {
        anyhow!(
            "the `dpopKey` of the `aws login` session for profile `{}` is not an EC private key; {again}",
            session.profile
        )
    })?;
    let proof = Arc::new(Proof::new(&key));
    let region = session.region.unwrap_or("us-east-1").to_string();
    let mut config = aws_sdk_signin::config::Builder::from(sdk.config())
        .region(aws_sdk_signin::config::Region::new(region.clone()))
        .use_fips(endpoints.fips(Service::Signin))
        .use_dual_stack(endpoints.dual_stack(Service::Signin));
    if let Some(url) = endpoints.get(Service::Signin) {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_signin::Client::from_conf(config.build());
    let body = CreateOAuth2TokenRequestBody::builder()
        .client_id(&file.client_id)
        .grant_type("refresh_token")
        .refresh_token(&file.refresh_token)
        .build()?;
    let started = std::time::Instant::now();
    // The proof names the URL the request goes to, known once the endpoint is
    // resolved: signed per attempt, so each retry carries a fresh `jti`.
    let answer = sdk.block_on(
        client
            .create_o_auth2_token()
            .token_input(body)
            .customize()
            .mutate_request(move |request| {
                let header = proof.sign(request.uri(), clock::now());
                request.headers_mut().insert("DPoP", header);
            })
            .send(),
    );
    let output = match answer {
        Ok(output) => output,
        Err(e) => {
            let service = endpoints.url(Service::Signin, &region);
            let why = match e.as_service_error() {
                Some(CreateOAuth2TokenError::AccessDeniedException(denied)) => match denied.error {
                    OAuth2ErrorCode::TokenExpired | OAuth2ErrorCode::OauthInvalidGrant => {
                        "the session has expired".to_string()
                    }
                    OAuth2ErrorCode::UserCredentialsChanged => {
                        "your password changed since you signed in".to_string()
                    }
                    OAuth2ErrorCode::InsufficientPermissions => {
                        "you lack permission for signin:CreateOAuth2Token".to_string()
                    }
                    _ => format!("the service refused ({})", denied.error.as_str()),
                },
                Some(other) => {
                    match aws_smithy_types::error::metadata::ProvideErrorMetadata::code(other) {
                        Some(code) => format!("the service answered {code}"),
                        None => crate::failure::sdk(&e, started.elapsed()),
                    }
                }
                None => crate::failure::sdk(&e, started.elapsed()),
            };
            bail!(
                "could not refresh the `aws login` session of profile `{}` at {service}: {why}; {again}",
                session.profile
            );
        }
    };
    let Some(token) = output.token_output else {
        bail!(
            "the Sign-In service answered without credentials for profile `{}`; {again}",
            session.profile
        );
    };
    let Some(access) = token.access_token else {
        bail!(
            "the Sign-In service answered without credentials for profile `{}`; {again}",
            session.profile
        );
    };
    Ok(Refreshed {
        access_key_id: access.access_key_id,
        secret_access_key: access.secret_access_key,
        session_token: access.session_token,
        expires_in: i64::from(token.expires_in),
        refresh_token: token.refresh_token,
    })
}

/// The DPoP proof (RFC 9449) as aws-config builds it: header `typ`/`alg`/`jwk` (the
/// key's public point), claims `jti`/`htm`/`htu`/`iat`, ES256 over `header.claims`.
struct Proof {
    key: SigningKey,
    header: String,
}

impl Proof {
    fn new(secret: &p256::SecretKey) -> Proof {
        let point = secret.public_key().to_sec1_point(false);
        let coordinate = |c: Option<&[u8]>| URL_SAFE_NO_PAD.encode(c.unwrap_or_default());
        let header = serde_json::json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": {
                "kty": "EC",
                "x": coordinate(point.x().map(|x| x.as_slice())),
                "y": coordinate(point.y().map(|y| y.as_slice())),
                "crv": "P-256",
            },
        });
        Proof {
            key: SigningKey::from(secret),
            header: URL_SAFE_NO_PAD.encode(header.to_string()),
        }
    }

    fn sign(&self, url: &str, now: i64) -> String {
        let claims = serde_json::json!({
            "jti": jti(),
            "htm": "POST",
            "htu": url,
            "iat": now,
        });
        let message = format!(
            "{}.{}",
            self.header,
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: p256::ecdsa::Signature = self.key.sign(message.as_bytes());
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

/// A random UUID (version 4), as aws-config's `jti`.
fn jti() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // aws-config's test key (src/login/dpop.rs) and the public point it derives.
    const KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBMB/RwQERsVoqWRQG4zK8CnaAa5dfrpbm+9tFdBh3z4oAoGCCqGSM49\nAwEHoUQDQgAEWb1VLi1EA2hJaTz4yYuxSELvY+1GAfL+8rUTCAdiFid87Bf6GY+s\n2+1RpqDv0RpZiDIMCrZrsAh+RK9S3QCaGA==\n-----END EC PRIVATE KEY-----\n";

    fn part(text: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).unwrap()).unwrap()
    }

    #[test]
    fn the_proof_carries_the_public_point_and_verifies() {
        use p256::ecdsa::signature::Verifier as _;
        let secret = p256::SecretKey::from_sec1_pem(KEY).unwrap();
        let proof = Proof::new(&secret);
        let jwt = proof.sign("https://signin.aws.amazon.com/v1/token", 1651516560);
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = part(parts[0]);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["crv"], "P-256");
        assert_eq!(
            header["jwk"]["x"],
            "Wb1VLi1EA2hJaTz4yYuxSELvY-1GAfL-8rUTCAdiFic"
        );
        assert_eq!(
            header["jwk"]["y"],
            "fOwX-hmPrNvtUaag79EaWYgyDAq2a7AIfkSvUt0Amhg"
        );
        let claims = part(parts[1]);
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://signin.aws.amazon.com/v1/token");
        assert_eq!(claims["iat"], 1651516560);
        assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
        let signature =
            p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let public = p256::ecdsa::VerifyingKey::from(&SigningKey::from(&secret));
        public
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .unwrap();
        let again = proof.sign("https://x/v1/token", 1);
        assert_ne!(part(again.split('.').nth(1).unwrap())["jti"], claims["jti"]);
    }

    #[test]
    fn the_file_name_is_the_sha256_of_the_trimmed_arn() {
        let env = Env::from_pairs([("HOME", "/h")]);
        let arn = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
        let expected = hex::encode(Sha256::digest(arn.as_bytes()));
        assert_eq!(
            cache_file(&env, &format!(" {arn} ")),
            PathBuf::from(format!("/h/.aws/login/cache/{expected}.json"))
        );
        let moved = Env::from_pairs([("HOME", "/h"), ("AWS_LOGIN_CACHE_DIRECTORY", "/c")]);
        assert!(cache_file(&moved, arn).starts_with("/c"));
    }

    #[test]
    fn a_refresh_keeps_the_fields_hat_does_not_know() {
        let text = br#"{"accessToken":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","accountId":"012345678901","expiresAt":"2025-09-14T04:05:45Z"},"tokenType":"aws_sigv4","refreshToken":"R","idToken":"I","clientId":"arn:aws:signin:::devtools/same-device","dpopKey":"K","later":{"x":1}}"#;
        let file = Cached::parse(text, Path::new("f"), "again").unwrap();
        let new = Refreshed {
            access_key_id: "A2".into(),
            secret_access_key: "S2".into(),
            session_token: "T2".into(),
            expires_in: 900,
            refresh_token: "R2".into(),
        };
        let out: Value = serde_json::from_str(&file.updated(&new, 1_757_822_745).unwrap()).unwrap();
        assert_eq!(out["accessToken"]["accessKeyId"], "A2");
        assert_eq!(out["accessToken"]["accountId"], "012345678901");
        assert_eq!(out["accessToken"]["expiresAt"], "2025-09-14T04:20:45Z");
        assert_eq!(out["refreshToken"], "R2");
        assert_eq!(out["tokenType"], "aws_sigv4");
        assert_eq!(out["idToken"], "I");
        assert_eq!(out["later"]["x"], 1);
    }
}
