//! The two sides of EKS authentication, on loopback: an STS that verifies presigned
//! `GetCallerIdentity` URLs the way STS does (the SigV4 query signature recomputed with
//! the secret it issued or was given, the signed headers, the session token, the
//! expiry) and issues role credentials through AssumeRole; and a Kubernetes API server
//! that accepts a bearer token only when that STS does, as the EKS authenticator
//! (aws-iam-authenticator) does: decode `k8s-aws-v1.`, check the URL, send it to STS
//! with the `x-k8s-aws-id` header of its own cluster, and take the identity STS names.
//! The signature check is written here from the SigV4 specification, independently
//! of the aws-sigv4 crate that hat signs with.

use crate::server::{Request, Response, Server};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const ACCOUNT: &str = "123456789012";
/// The identity of the long-term keys [`StsVerifier::start`] is given.
pub const BASE_ARN: &str = "arn:aws:iam::123456789012:user/base";

#[derive(Clone, Debug)]
struct Identity {
    secret: String,
    token: Option<String>,
    arn: String,
}

#[derive(Default)]
struct StsState {
    keys: HashMap<String, Identity>,
    issued: u32,
    assumed: Vec<(String, String)>,
    verified: Vec<(String, String)>,
    refused: Vec<String>,
}

pub struct StsVerifier {
    pub url: String,
    state: Arc<Mutex<StsState>>,
}

impl StsVerifier {
    /// Knows the long-term key `key_id` (with `secret`) as [`BASE_ARN`].
    pub fn start(key_id: &str, secret: &str) -> StsVerifier {
        let state = Arc::new(Mutex::new(StsState::default()));
        state.lock().unwrap().keys.insert(
            key_id.into(),
            Identity {
                secret: secret.into(),
                token: None,
                arn: BASE_ARN.into(),
            },
        );
        let shared = Arc::clone(&state);
        let server = Server::start(move |request| serve_sts(&request, &shared));
        StsVerifier {
            url: server.url(),
            state,
        }
    }

    /// Makes `key_id` (with `token`, if a session's) known as `arn`.
    pub fn add_key(&self, key_id: &str, secret: &str, token: Option<&str>, arn: &str) {
        self.state.lock().unwrap().keys.insert(
            key_id.into(),
            Identity {
                secret: secret.into(),
                token: token.map(str::to_string),
                arn: arn.into(),
            },
        );
    }

    /// (role ARN, session name) of each AssumeRole answered.
    pub fn assumed(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().assumed.clone()
    }

    /// (x-k8s-aws-id, caller ARN) of each presigned GetCallerIdentity accepted.
    pub fn verified(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().verified.clone()
    }

    /// Why each presigned request was refused.
    pub fn refused(&self) -> Vec<String> {
        self.state.lock().unwrap().refused.clone()
    }
}

fn sts_error(code: &str, message: &str) -> Response {
    Response::new(
        403,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
        ),
    )
}

/// A form's (or query's) parameter, decoded.
fn param(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn serve_sts(request: &Request, state: &Mutex<StsState>) -> Response {
    let form: Vec<(String, String)> = if request.method == "POST" {
        url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect()
    } else {
        request.query.clone()
    };
    let action = param(&form, "Action");
    match action.as_str() {
        "AssumeRole" => {
            let role = param(&form, "RoleArn");
            let session = param(&form, "RoleSessionName");
            let account = role.split(':').nth(4).unwrap_or(ACCOUNT).to_string();
            let role_name = role.rsplit('/').next().unwrap_or("role").to_string();
            let arn = format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}");
            let mut s = state.lock().unwrap();
            s.issued += 1;
            let n = s.issued;
            let id = format!("ASIAEKS{n:013}");
            let nonce: u64 = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64;
            let identity = Identity {
                secret: format!("eksSecret{n}x{nonce:x}/+="),
                token: Some(format!("eksToken{n}/+=")),
                arn: arn.clone(),
            };
            s.keys.insert(id.clone(), identity.clone());
            s.assumed.push((role, session));
            drop(s);
            let expiration = crate::rfc3339(crate::now() + 3600);
            let xml = format!(
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>{id}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEKS:{n}</AssumedRoleId><Arn>{arn}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>fake-{n}</RequestId></ResponseMetadata></AssumeRoleResponse>",
                xml_escape(&identity.secret),
                xml_escape(identity.token.as_deref().unwrap_or_default())
            );
            Response::new(200, "text/xml", xml)
        }
        "GetCallerIdentity" if request.method == "GET" => {
            let keys = state.lock().unwrap().keys.clone();
            match verify_presigned(request, &keys, crate::now()) {
                Ok(identity) => {
                    let cluster = request
                        .header("x-k8s-aws-id")
                        .unwrap_or_default()
                        .to_string();
                    state
                        .lock()
                        .unwrap()
                        .verified
                        .push((cluster, identity.arn.clone()));
                    let xml = format!(
                        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>{}</Arn><UserId>AIDAFAKE</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
                        identity.arn
                    );
                    Response::new(200, "text/xml", xml)
                }
                Err((code, why)) => {
                    state.lock().unwrap().refused.push(format!("{code}: {why}"));
                    sts_error(code, &why)
                }
            }
        }
        other => sts_error("InvalidAction", &format!("this fake does not do {other}")),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// SigV4's URI encoding: everything but `A-Za-z0-9-_.~` as `%XX`.
pub fn uri_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn signature(
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
    string_to_sign: &str,
) -> String {
    let k = hmac(format!("AWS4{secret}").as_bytes(), date);
    let k = hmac(&k, region);
    let k = hmac(&k, service);
    let k = hmac(&k, "aws4_request");
    hex(&hmac(&k, string_to_sign))
}

/// `20260822T173000Z` as epoch seconds.
fn amz_date(text: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

fn to_amz_date(epoch: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch).unwrap();
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    t.format(&format).unwrap()
}

/// The canonical request of a presigned GET (the query without the signature, sorted;
/// the signed headers; the hash of the empty body).
fn canonical_request(
    path: &str,
    params: &[(String, String)],
    headers: &[(String, String)],
    signed: &str,
) -> String {
    let mut query: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "X-Amz-Signature")
        .map(|(k, v)| (uri_encode(k), uri_encode(v)))
        .collect();
    query.sort();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let canonical_headers: String = headers
        .iter()
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    format!(
        "GET\n{path}\n{}\n{canonical_headers}\n{signed}\n{}",
        query.join("&"),
        hex(&Sha256::digest(b""))
    )
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn verify_presigned(
    request: &Request,
    keys: &HashMap<String, Identity>,
    now: i64,
) -> Result<Identity, (&'static str, String)> {
    let params = &request.query;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let refuse = |why: String| Err(("SignatureDoesNotMatch", why));
    if get("X-Amz-Algorithm").as_deref() != Some("AWS4-HMAC-SHA256") {
        return refuse("X-Amz-Algorithm is not AWS4-HMAC-SHA256".into());
    }
    let credential = get("X-Amz-Credential").unwrap_or_default();
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, "aws4_request"] = scope[..] else {
        return refuse(format!("bad credential scope {credential}"));
    };
    if service != "sts" {
        return refuse(format!("signed for {service}, not sts"));
    }
    let Some(identity) = keys.get(key_id) else {
        return Err(("InvalidClientTokenId", format!("unknown key {key_id}")));
    };
    let when = get("X-Amz-Date").unwrap_or_default();
    let Some(signed_at) = amz_date(&when) else {
        return refuse(format!("bad X-Amz-Date {when}"));
    };
    if !when.starts_with(date) {
        return refuse("the scope's date is not X-Amz-Date's".into());
    }
    let expires: i64 = get("X-Amz-Expires")
        .and_then(|e| e.parse().ok())
        .unwrap_or(-1);
    if !(1..=604_800).contains(&expires) {
        return refuse(format!("bad X-Amz-Expires {expires}"));
    }
    if now > signed_at + expires {
        return Err((
            "AccessDenied",
            format!("Request has expired (signed at {when}, valid {expires} s)"),
        ));
    }
    if signed_at > now + 300 {
        return refuse(format!("signed in the future ({when})"));
    }
    if get("X-Amz-Security-Token") != identity.token {
        return Err((
            "InvalidClientTokenId",
            "the security token is not the one issued with the key".into(),
        ));
    }
    let signed = get("X-Amz-SignedHeaders").unwrap_or_default();
    let mut headers = Vec::new();
    for name in signed.split(';') {
        let Some(value) = request.header(name) else {
            return refuse(format!("signed header {name} was not sent"));
        };
        headers.push((name.to_string(), value.to_string()));
    }
    let creq = canonical_request(&request.path, params, &headers, &signed);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{when}\n{date}/{region}/sts/aws4_request\n{}",
        hex(&Sha256::digest(creq.as_bytes()))
    );
    let expected = signature(&identity.secret, date, region, "sts", &string_to_sign);
    if get("X-Amz-Signature").as_deref() != Some(expected.as_str()) {
        return refuse(format!(
            "The request signature we calculated does not match the signature you provided; canonical request:\n{creq}"
        ));
    }
    Ok(identity.clone())
}

/// A presigned GetCallerIdentity URL made by this file's own signer (for checking the
/// verifier itself, e.g. with an old date).
pub fn presign(
    sts_url: &str,
    key_id: &str,
    secret: &str,
    region: &str,
    cluster: &str,
    at: i64,
) -> String {
    let when = to_amz_date(at);
    let date = &when[..8];
    let host = sts_url.trim_start_matches("http://").trim_end_matches('/');
    let params: Vec<(String, String)> = [
        ("Action", "GetCallerIdentity".to_string()),
        ("Version", "2011-06-15".into()),
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".into()),
        (
            "X-Amz-Credential",
            format!("{key_id}/{date}/{region}/sts/aws4_request"),
        ),
        ("X-Amz-Date", when.clone()),
        ("X-Amz-Expires", "60".into()),
        ("X-Amz-SignedHeaders", "host;x-k8s-aws-id".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let headers = vec![
        ("host".to_string(), host.to_string()),
        ("x-k8s-aws-id".to_string(), cluster.to_string()),
    ];
    let creq = canonical_request("/", &params, &headers, "host;x-k8s-aws-id");
    let sts = format!(
        "AWS4-HMAC-SHA256\n{when}\n{date}/{region}/sts/aws4_request\n{}",
        hex(&Sha256::digest(creq.as_bytes()))
    );
    let sig = signature(secret, date, region, "sts", &sts);
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", uri_encode(v)))
        .collect();
    format!(
        "{}/?{}&X-Amz-Signature={sig}",
        sts_url.trim_end_matches('/'),
        query.join("&")
    )
}

/// `k8s-aws-v1.` + unpadded base64url of `url`.
pub fn token_for(url: &str) -> String {
    format!(
        "k8s-aws-v1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    )
}

/// The presigned URL inside a token.
pub fn url_of(token: &str) -> String {
    let body = token
        .strip_prefix("k8s-aws-v1.")
        .expect("k8s-aws-v1. prefix");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .expect("unpadded base64url");
    String::from_utf8(bytes).unwrap()
}

#[derive(Default)]
struct ApiState {
    users: Vec<String>,
    refusals: Vec<String>,
}

/// The fake API server's certificate (self-signed for 127.0.0.1, valid until 2126;
/// made with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
/// -subj "/CN=hat test Kubernetes API" -addext subjectAltName=IP:127.0.0.1,DNS:localhost
/// -days 36500`). kubectl runs exec plugins only for TLS servers, so the fake speaks TLS.
pub const CA_PEM: &str = include_str!("eks_tls/cert.pem");
const KEY_PEM: &str = include_str!("eks_tls/key.pem");

/// The Kubernetes API of one cluster (HTTPS on loopback), authenticating as EKS does.
pub struct FakeKubeApi {
    pub url: String,
    api: Arc<Api>,
}

/// What the server knows: its cluster's name, the STS it asks, and what it saw.
struct Api {
    cluster: String,
    sts_url: String,
    state: Mutex<ApiState>,
}

impl FakeKubeApi {
    pub fn start(cluster: &str, sts_url: &str) -> FakeKubeApi {
        let api = Arc::new(Api {
            cluster: cluster.to_string(),
            sts_url: sts_url.to_string(),
            state: Mutex::new(ApiState::default()),
        });
        let serving = Arc::clone(&api);
        let server = Server::start_tls(CA_PEM, KEY_PEM, move |request| serving.serve(&request));
        FakeKubeApi {
            url: server.url(),
            api,
        }
    }

    /// The caller ARN of each request let in.
    pub fn users(&self) -> Vec<String> {
        self.api.state.lock().unwrap().users.clone()
    }

    pub fn refusals(&self) -> Vec<String> {
        self.api.state.lock().unwrap().refusals.clone()
    }

    /// Whether a request with this `Authorization` header would be let in: the same
    /// check the server makes, for tests that hold a token and no HTTPS client.
    pub fn admits(&self, authorization: &str) -> bool {
        self.api.authenticate(Some(authorization)).is_some()
    }
}

impl Api {
    fn authenticate(&self, authorization: Option<&str>) -> Option<String> {
        match authenticate(authorization, &self.cluster, &self.sts_url) {
            Ok(arn) => {
                self.state.lock().unwrap().users.push(arn.clone());
                Some(arn)
            }
            Err(why) => {
                self.state.lock().unwrap().refusals.push(why);
                None
            }
        }
    }

    fn serve(&self, request: &Request) -> Response {
        if self.authenticate(request.header("authorization")).is_none() {
            Response::new(
                401,
                "application/json",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}",
            )
        } else if request.path == "/api" {
            let host = request.header("host").unwrap_or("127.0.0.1");
            Response::new(
                200,
                "application/json",
                format!(
                    "{{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"{host}\"}}]}}"
                ),
            )
        } else {
            Response::new(
                404,
                "application/json",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"not found\",\"reason\":\"NotFound\",\"code\":404}",
            )
        }
    }
}

/// The EKS authenticator's checks, then STS's word: the caller's ARN, or why not.
fn authenticate(
    authorization: Option<&str>,
    cluster: &str,
    sts_url: &str,
) -> Result<String, String> {
    let bearer = authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .ok_or("no bearer token")?;
    let body = bearer
        .strip_prefix("k8s-aws-v1.")
        .ok_or("the token lacks the k8s-aws-v1. prefix")?;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|e| format!("the token is not unpadded base64url: {e}"))?;
    let url = String::from_utf8(url).map_err(|_| "the token is not UTF-8")?;
    let query = url
        .strip_prefix(&format!("{}/?", sts_url.trim_end_matches('/')))
        .ok_or_else(|| format!("the token's URL is not this STS's: {url}"))?;
    const ALLOWED: &[&str] = &[
        "Action",
        "Version",
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-Security-Token",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
    ];
    let params = query_pairs(query);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some((k, _)) = params.iter().find(|(k, _)| !ALLOWED.contains(&k.as_str())) {
        return Err(format!("parameter {k} is not allowed in a token"));
    }
    if get("Action") != Some("GetCallerIdentity") {
        return Err("the token is not for GetCallerIdentity".into());
    }
    if !get("X-Amz-SignedHeaders")
        .unwrap_or("")
        .split(';')
        .any(|h| h == "x-k8s-aws-id")
    {
        return Err("x-k8s-aws-id is not signed".into());
    }
    if get("X-Amz-Expires") != Some("60") {
        return Err(format!(
            "X-Amz-Expires is {:?}, not 60",
            get("X-Amz-Expires")
        ));
    }
    let response = crate::server::get(
        &url,
        &[("x-k8s-aws-id", cluster), ("Accept", "application/xml")],
    );
    let (status, answer) = (response.status, String::from_utf8_lossy(&response.body));
    if status != 200 {
        return Err(format!("STS said {status}: {answer}"));
    }
    let arn = answer
        .split_once("<Arn>")
        .and_then(|(_, rest)| rest.split_once("</Arn>"))
        .map(|(arn, _)| arn.to_string())
        .ok_or("STS named no ARN")?;
    Ok(arn)
}
