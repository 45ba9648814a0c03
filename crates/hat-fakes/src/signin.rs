//! A stateful fake of the AWS Sign-In service's CreateOAuth2Token, as `aws login`
//! sessions refresh: `POST /v1/token` with the restJson1 body the SDK sends
//! (`clientId`, `grantType = refresh_token`, `refreshToken`) and a `DPoP` header. The
//! fake verifies the proof as the service must: three parts, header `typ` `dpop+jwt`,
//! `alg` ES256 and a `jwk` that is the public half of the session's key, an ES256
//! signature that verifies with it, `htm` POST, `htu` the URL the request was sent to,
//! `iat` within a minute of now, a `jti` never seen before. It rotates refresh tokens,
//! counts calls, and injects faults: 5xx, an expired session (AccessDeniedException
//! `TOKEN_EXPIRED`), `invalid_grant`, latency.

use crate::server::{Response, Server};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A P-256 key as the AWS CLI stores it in `dpopKey` (SEC1 PEM); aws-config's test key.
pub const TEST_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBMB/RwQERsVoqWRQG4zK8CnaAa5dfrpbm+9tFdBh3z4oAoGCCqGSM49\nAwEHoUQDQgAEWb1VLi1EA2hJaTz4yYuxSELvY+1GAfL+8rUTCAdiFid87Bf6GY+s\n2+1RpqDv0RpZiDIMCrZrsAh+RK9S3QCaGA==\n-----END EC PRIVATE KEY-----\n";
/// Another valid key (aws-config's cache example): a proof signed with it does not
/// match a session minted for [`TEST_KEY`].
pub const OTHER_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFDZHUzOG1Pzq+6F0mjMlOSp1syN9LRPBuHMoCFXTcXhoAoGCCqGSM49\nAwEHoUQDQgAE9qhj+KtcdHj1kVgwxWWWw++tqoh7H7UHs7oXh8jBbgF47rrYGC+t\ndjiIaHK3dBvvdE7MGj5HsepzLm3Kj91bqA==\n-----END EC PRIVATE KEY-----\n";

/// Secrets the fake hands out start with these, for leak checks.
pub const SECRET_PREFIX: &str = "signinSecret";
pub const REFRESH_PREFIX: &str = "signinRefresh";

#[derive(Clone, Debug)]
pub struct Options {
    /// `expiresIn` of refreshed credentials.
    pub lifetime: i64,
    /// The next N requests fail with 500.
    pub fail_5xx: u32,
    /// Every refresh is refused with AccessDeniedException and this `error` code
    /// (`TOKEN_EXPIRED`, `invalid_grant`, ...).
    pub deny: Option<&'static str>,
    /// Added to every answer.
    pub latency: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lifetime: 900,
            fail_5xx: 0,
            deny: None,
            latency: Duration::ZERO,
        }
    }
}

pub struct FakeSignin {
    pub url: String,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    options: Options,
    serial: u64,
    /// refresh token -> (client id, the session key's public point `x`, `y`).
    sessions: HashMap<String, (String, String, String)>,
    jtis: HashSet<String>,
    calls: u32,
    /// Why each refused request was refused, in order.
    rejections: Vec<String>,
}

impl FakeSignin {
    pub fn start(options: Options) -> FakeSignin {
        let state = Arc::new(Mutex::new(State {
            options,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        let server = Server::start(move |r| serve(&r, &shared));
        FakeSignin {
            url: server.url(),
            state,
        }
    }

    /// A refresh token for `client_id` bound to the key `pem`, as `aws login` leaves.
    pub fn mint(&self, client_id: &str, pem: &str) -> String {
        let (x, y) = public_point(pem).expect("a P-256 SEC1 PEM key");
        let mut s = self.state.lock().unwrap();
        s.serial += 1;
        let token = format!("{REFRESH_PREFIX}{}", s.serial);
        s.sessions
            .insert(token.clone(), (client_id.to_string(), x, y));
        token
    }

    /// CreateOAuth2Token requests received (refused ones too).
    pub fn calls(&self) -> u32 {
        self.state.lock().unwrap().calls
    }

    /// Why each refused request was refused.
    pub fn rejections(&self) -> Vec<String> {
        self.state.lock().unwrap().rejections.clone()
    }

    pub fn set(&self, change: impl FnOnce(&mut Options)) {
        change(&mut self.state.lock().unwrap().options);
    }
}

/// The public point of a SEC1 PEM key, base64url as in a JWK.
fn public_point(pem: &str) -> Option<(String, String)> {
    let secret = p256::SecretKey::from_sec1_pem(pem).ok()?;
    let point = secret.public_key().to_sec1_point(false);
    Some((
        URL_SAFE_NO_PAD.encode(point.x()?.as_slice()),
        URL_SAFE_NO_PAD.encode(point.y()?.as_slice()),
    ))
}

fn error(status: u16, kind: &str, body: Value) -> Response {
    Response::json(status, &body).header("x-amzn-ErrorType", kind)
}

fn serve(request: &crate::server::Request, state: &Arc<Mutex<State>>) -> Response {
    let latency = {
        let mut s = state.lock().unwrap();
        s.calls += 1;
        s.options.latency
    };
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
    let mut s = state.lock().unwrap();
    if s.options.fail_5xx > 0 {
        s.options.fail_5xx -= 1;
        return error(
            500,
            "InternalServerException",
            json!({"error": "server_error", "message": "injected failure"}),
        );
    }
    match check(request, &mut s) {
        Ok(refresh) => {
            if let Some(code) = s.options.deny {
                return error(
                    400,
                    "AccessDeniedException",
                    json!({"error": code, "message": "Your session has expired"}),
                );
            }
            let binding = s.sessions.remove(&refresh).expect("checked");
            s.serial += 1;
            let n = s.serial;
            let next = format!("{REFRESH_PREFIX}{n}");
            s.sessions.insert(next.clone(), binding);
            Response::json(
                200,
                &json!({
                    "accessToken": {
                        "accessKeyId": format!("ASIASIGNIN{n:08}"),
                        "secretAccessKey": format!("{SECRET_PREFIX}{n}"),
                        "sessionToken": format!("signinSession{n}"),
                    },
                    "tokenType": "aws_sigv4",
                    "expiresIn": s.options.lifetime,
                    "refreshToken": next,
                }),
            )
        }
        Err(why) => {
            s.rejections.push(why.clone());
            error(
                400,
                "ValidationException",
                json!({"error": "invalid_request", "message": why}),
            )
        }
    }
}

/// The request's refresh token when everything about it is right, else why not.
fn check(request: &crate::server::Request, s: &mut State) -> Result<String, String> {
    if request.method != "POST" || request.path != "/v1/token" {
        return Err(format!("unexpected {} {}", request.method, request.path));
    }
    let body: Value = serde_json::from_slice(&request.body).map_err(|e| format!("body: {e}"))?;
    if body["grantType"] != "refresh_token" {
        return Err(format!("grantType {}", body["grantType"]));
    }
    let refresh = body["refreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let Some((client, x, y)) = s.sessions.get(&refresh).cloned() else {
        return Err("unknown refresh token".into());
    };
    if body["clientId"] != client.as_str() {
        return Err(format!("clientId {}", body["clientId"]));
    }
    let proof = request.header("dpop").ok_or("no DPoP header")?;
    let parts: Vec<&str> = proof.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("the proof is not three parts".into());
    };
    let decode = |part: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let (h, c) = (decode(header)?, decode(claims)?);
    if h["typ"] != "dpop+jwt" || h["alg"] != "ES256" || h["jwk"]["kty"] != "EC" {
        return Err(format!("header {h}"));
    }
    if h["jwk"]["crv"] != "P-256" || h["jwk"]["x"] != x.as_str() || h["jwk"]["y"] != y.as_str() {
        return Err("the jwk is not the session's key".into());
    }
    let point = [
        &[4u8][..],
        &URL_SAFE_NO_PAD.decode(&x).unwrap(),
        &URL_SAFE_NO_PAD.decode(&y).unwrap(),
    ]
    .concat();
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).map_err(|e| e.to_string())?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|b| p256::ecdsa::Signature::from_slice(&b).ok())
        .ok_or("the signature is not 64 bytes of r and s")?;
    key.verify(format!("{header}.{claims}").as_bytes(), &signature)
        .map_err(|_| "the signature does not verify".to_string())?;
    if c["htm"] != "POST" {
        return Err(format!("htm {}", c["htm"]));
    }
    let host = request.header("host").unwrap_or_default();
    let sent_to = format!("http://{host}{}", request.target);
    if c["htu"] != sent_to.as_str() {
        return Err(format!("htu {} for {sent_to}", c["htu"]));
    }
    let iat = c["iat"].as_i64().ok_or("no iat")?;
    if (iat - crate::now()).abs() > 60 {
        return Err(format!("iat {iat} is more than a minute off"));
    }
    let jti = c["jti"]
        .as_str()
        .filter(|j| !j.is_empty())
        .ok_or("no jti")?;
    if !s.jtis.insert(jti.to_string()) {
        return Err(format!("jti {jti} replayed"));
    }
    Ok(refresh)
}
