//! A stateful fake of IAM Identity Center: SSO OIDC (RegisterClient,
//! StartDeviceAuthorization, CreateToken with the device-code, authorization-code and
//! refresh-token grants, and the `/authorize` page a browser visits) and the SSO
//! portal (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout). It speaks the
//! restJson1 wire format the Rust SDK and botocore use (paths, JSON field names, the
//! `x-amz-sso_bearer_token` header, errors named by `x-amzn-ErrorType`), counts calls,
//! and injects faults: pending then approved, slow_down, denial, expiry, throttling,
//! 5xx, latency, revoked tokens, refresh with or without a new refresh token.

use crate::server::{Response, Server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a device-code sign-in ends once the pending polls are used up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceOutcome {
    Approve,
    Deny,
    Expire,
}

#[derive(Clone, Debug)]
pub struct Options {
    /// (account id, account name, roles).
    pub accounts: Vec<(String, String, Vec<String>)>,
    /// Polls answered SlowDown first, then AuthorizationPending, then the outcome.
    pub slow_down_polls: u32,
    pub pending_polls: u32,
    /// Polls are also answered AuthorizationPending until this long after
    /// StartDeviceAuthorization, as while a person approves the code (the demo's 3 s).
    pub approve_after: Option<Duration>,
    pub device_outcome: DeviceOutcome,
    pub refresh_gives_new_refresh_token: bool,
    /// `expiresIn` of issued access tokens.
    pub token_lifetime: i64,
    /// Added to every answer.
    pub latency: Duration,
    /// Every Nth ListAccounts/ListAccountRoles answer is TooManyRequests.
    pub throttle_every: Option<u32>,
    /// The next N requests of any kind fail with 500.
    pub fail_5xx: u32,
    pub page_size: usize,
    /// `verificationUri` of a device authorization (`?user_code=` is added for the
    /// complete one).
    pub verification_uri: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            accounts: vec![(
                "111111111111".into(),
                "dev".into(),
                vec!["Admin".into(), "ReadOnly".into()],
            )],
            slow_down_polls: 0,
            pending_polls: 1,
            approve_after: None,
            device_outcome: DeviceOutcome::Approve,
            refresh_gives_new_refresh_token: true,
            token_lifetime: 8 * 3600,
            latency: Duration::ZERO,
            throttle_every: None,
            fail_5xx: 0,
            page_size: 20,
            verification_uri: "http://fake.invalid/device".into(),
        }
    }
}

pub struct FakeSso {
    pub url: String,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    options: Options,
    calls: HashMap<String, u32>,
    serial: u64,
    clients: HashMap<String, String>,
    access_tokens: HashSet<String>,
    refresh_tokens: HashSet<String>,
    /// code -> (challenge, redirect_uri)
    codes: HashMap<String, (String, String)>,
    device_polls: u32,
    device_started: Option<Instant>,
    list_requests: u32,
    /// Bodies of RegisterClient requests, in order.
    registrations: Vec<serde_json::Value>,
    device_authorizations: Vec<serde_json::Value>,
}

/// Access tokens the fake hands out start with this, for leak checks.
pub const ACCESS_PREFIX: &str = "ssoAccess";
pub const REFRESH_PREFIX: &str = "ssoRefresh";
pub const SECRET_PREFIX: &str = "ssoClientSecret";
pub const ROLE_SECRET_PREFIX: &str = "ssoRoleSecret";

impl FakeSso {
    pub fn start(options: Options) -> FakeSso {
        Self::bind(0, options).expect("could not serve on 127.0.0.1")
    }

    /// Serves on 127.0.0.1:`port` (0 for a free one).
    pub fn bind(port: u16, options: Options) -> std::io::Result<FakeSso> {
        let state = Arc::new(Mutex::new(State {
            options,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        let server = Server::bind(port, move |r| serve(&r, &shared))?;
        Ok(FakeSso {
            url: server.url(),
            state,
        })
    }

    /// How many times an operation was called (`CreateToken:refresh_token`, `ListAccounts`...).
    pub fn calls(&self, op: &str) -> u32 {
        *self.state.lock().unwrap().calls.get(op).unwrap_or(&0)
    }

    /// The JSON bodies of the RegisterClient requests received, in order.
    pub fn registrations(&self) -> Vec<serde_json::Value> {
        self.state.lock().unwrap().registrations.clone()
    }

    /// The JSON bodies of the StartDeviceAuthorization requests received, in order.
    pub fn device_authorizations(&self) -> Vec<serde_json::Value> {
        self.state.lock().unwrap().device_authorizations.clone()
    }

    pub fn total_calls(&self) -> u32 {
        self.state.lock().unwrap().calls.values().sum()
    }

    pub fn set(&self, change: impl FnOnce(&mut Options)) {
        change(&mut self.state.lock().unwrap().options);
    }

    /// A client, an access token and a refresh token, as if `aws sso login` had run:
    /// (client id, client secret, access token, refresh token).
    pub fn mint(&self) -> (String, String, String, String) {
        let mut s = self.state.lock().unwrap();
        let (id, secret) = s.new_client();
        let access = s.new_access();
        let refresh = s.new_refresh();
        (id, secret, access, refresh)
    }

    /// Revokes every access and refresh token (an administrator's sign-out).
    pub fn revoke_all(&self) {
        let mut s = self.state.lock().unwrap();
        s.access_tokens.clear();
        s.refresh_tokens.clear();
    }

    pub fn is_valid_access_token(&self, token: &str) -> bool {
        self.state.lock().unwrap().access_tokens.contains(token)
    }
}

impl State {
    fn next(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }
    fn new_client(&mut self) -> (String, String) {
        let n = self.next();
        let (id, secret) = (format!("client{n}"), format!("{SECRET_PREFIX}{n}"));
        self.clients.insert(id.clone(), secret.clone());
        (id, secret)
    }
    fn new_access(&mut self) -> String {
        let n = self.next();
        let t = format!("{ACCESS_PREFIX}{n}");
        self.access_tokens.insert(t.clone());
        t
    }
    fn new_refresh(&mut self) -> String {
        let n = self.next();
        let t = format!("{REFRESH_PREFIX}{n}");
        self.refresh_tokens.insert(t.clone());
        t
    }
}

struct Request {
    method: String,
    path: String,
    query: HashMap<String, String>,
    headers: HashMap<String, String>,
    body: Value,
}

impl Request {
    fn from(r: &crate::server::Request) -> Request {
        Request {
            method: r.method.clone(),
            path: r.path.clone(),
            query: r.query.iter().cloned().collect(),
            headers: r.headers.iter().cloned().collect(),
            body: serde_json::from_slice(&r.body).unwrap_or(Value::Null),
        }
    }
}

struct Answer {
    status: u16,
    error: Option<&'static str>,
    body: String,
    location: Option<String>,
}

fn ok(body: Value) -> Answer {
    Answer {
        status: 200,
        error: None,
        body: body.to_string(),
        location: None,
    }
}

fn fail(status: u16, code: &'static str, body: Value) -> Answer {
    Answer {
        status,
        error: Some(code),
        body: body.to_string(),
        location: None,
    }
}

fn oidc_error(status: u16, code: &'static str, error: &str) -> Answer {
    fail(
        status,
        code,
        json!({"error": error, "error_description": format!("fake: {code}")}),
    )
}

fn portal_error(status: u16, code: &'static str, message: &str) -> Answer {
    fail(status, code, json!({"message": message}))
}

fn serve(request: &crate::server::Request, state: &Mutex<State>) -> Response {
    let request = Request::from(request);
    let latency = state.lock().unwrap().options.latency;
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
    let answer = handle(&request, &mut state.lock().unwrap());
    let mut response = Response::new(answer.status, "application/json", answer.body);
    if let Some(code) = answer.error {
        response = response.header("x-amzn-ErrorType", code);
    }
    if let Some(location) = &answer.location {
        response = response.header("Location", location);
    }
    response
}

fn count(s: &mut State, op: &str) {
    *s.calls.entry(op.to_string()).or_default() += 1;
}

fn handle(r: &Request, s: &mut State) -> Answer {
    let op = match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/client/register") => "RegisterClient",
        ("POST", "/device_authorization") => "StartDeviceAuthorization",
        ("POST", "/token") => "CreateToken",
        ("GET", "/authorize") => "Authorize",
        ("GET", "/device") => "DevicePage",
        ("GET", "/federation/credentials") => "GetRoleCredentials",
        ("GET", "/assignment/accounts") => "ListAccounts",
        ("GET", "/assignment/roles") => "ListAccountRoles",
        ("POST", "/logout") => "Logout",
        _ => return portal_error(404, "NotFound", "no such operation in the fake"),
    };
    if op == "CreateToken" {
        let grant = r.body["grantType"].as_str().unwrap_or("");
        let short = grant.rsplit(':').next().unwrap_or(grant);
        count(s, &format!("CreateToken:{short}"));
    } else {
        count(s, op);
    }
    if s.options.fail_5xx > 0 && op != "Authorize" {
        s.options.fail_5xx -= 1;
        return portal_error(500, "InternalServerException", "fake: server fault");
    }
    let str_of = |k: &str| r.body[k].as_str().unwrap_or("").to_string();
    match op {
        "RegisterClient" => {
            s.registrations.push(r.body.clone());
            if str_of("clientType") != "public" || str_of("clientName").is_empty() {
                return oidc_error(400, "InvalidRequestException", "invalid_request");
            }
            let (id, secret) = s.new_client();
            let now = crate::now();
            ok(json!({
                "clientId": id,
                "clientSecret": secret,
                "clientIdIssuedAt": now,
                "clientSecretExpiresAt": now + 90 * 86400,
            }))
        }
        "StartDeviceAuthorization" => {
            s.device_authorizations.push(r.body.clone());
            if s.clients.get(&str_of("clientId")) != Some(&str_of("clientSecret")) {
                return oidc_error(401, "InvalidClientException", "invalid_client");
            }
            s.device_polls = 0;
            s.device_started = Some(Instant::now());
            let uri = s.options.verification_uri.clone();
            ok(json!({
                "deviceCode": "device-code-1",
                "userCode": "ABCD-EFGH",
                "verificationUri": uri,
                "verificationUriComplete": format!("{uri}?user_code=ABCD-EFGH"),
                "expiresIn": 600,
                "interval": 1,
            }))
        }
        "Authorize" => {
            let q = |k: &str| r.query.get(k).cloned().unwrap_or_default();
            if q("response_type") != "code"
                || q("code_challenge_method") != "S256"
                || !s.clients.contains_key(&q("client_id"))
            {
                return portal_error(400, "InvalidRequestException", "bad authorize request");
            }
            let n = s.next();
            let code = format!("authcode{n}");
            s.codes
                .insert(code.clone(), (q("code_challenge"), q("redirect_uri")));
            let mut location = url::Url::parse(&q("redirect_uri")).unwrap();
            location
                .query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", &q("state"));
            Answer {
                status: 302,
                error: None,
                body: String::new(),
                location: Some(location.to_string()),
            }
        }
        "DevicePage" => ok(json!({"page": "device"})),
        "CreateToken" => create_token(r, s),
        _ => portal(op, r, s),
    }
}

fn issue(s: &mut State, with_refresh: bool) -> Answer {
    let access = s.new_access();
    let mut body = json!({
        "accessToken": access,
        "tokenType": "Bearer",
        "expiresIn": s.options.token_lifetime,
    });
    if with_refresh {
        body["refreshToken"] = Value::from(s.new_refresh());
    }
    ok(body)
}

fn create_token(r: &Request, s: &mut State) -> Answer {
    let str_of = |k: &str| r.body[k].as_str().unwrap_or("").to_string();
    if s.clients.get(&str_of("clientId")) != Some(&str_of("clientSecret")) {
        return oidc_error(401, "InvalidClientException", "invalid_client");
    }
    match str_of("grantType").as_str() {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            s.device_polls += 1;
            let o = &s.options;
            if s.device_polls <= o.slow_down_polls {
                return oidc_error(400, "SlowDownException", "slow_down");
            }
            let waiting = o
                .approve_after
                .zip(s.device_started)
                .is_some_and(|(after, started)| started.elapsed() < after);
            if waiting || s.device_polls <= o.slow_down_polls + o.pending_polls {
                return oidc_error(
                    400,
                    "AuthorizationPendingException",
                    "authorization_pending",
                );
            }
            match o.device_outcome {
                DeviceOutcome::Approve => issue(s, true),
                DeviceOutcome::Deny => oidc_error(400, "AccessDeniedException", "access_denied"),
                DeviceOutcome::Expire => oidc_error(400, "ExpiredTokenException", "expired_token"),
            }
        }
        "authorization_code" => {
            let Some((challenge, redirect)) = s.codes.remove(&str_of("code")) else {
                return oidc_error(400, "InvalidGrantException", "invalid_grant");
            };
            let verifier = str_of("codeVerifier");
            let digest = Sha256::digest(verifier.as_bytes());
            let computed = base64url(&digest);
            if computed != challenge || redirect != str_of("redirectUri") {
                return oidc_error(400, "InvalidGrantException", "invalid_grant");
            }
            issue(s, true)
        }
        "refresh_token" => {
            let old = str_of("refreshToken");
            if !s.refresh_tokens.contains(&old) {
                return oidc_error(400, "InvalidGrantException", "invalid_grant");
            }
            let with_new = s.options.refresh_gives_new_refresh_token;
            if with_new {
                s.refresh_tokens.remove(&old);
            }
            issue(s, with_new)
        }
        _ => oidc_error(
            400,
            "UnsupportedGrantTypeException",
            "unsupported_grant_type",
        ),
    }
}

fn portal(op: &str, r: &Request, s: &mut State) -> Answer {
    let token = r
        .headers
        .get("x-amz-sso_bearer_token")
        .cloned()
        .unwrap_or_default();
    if !s.access_tokens.contains(&token) {
        return portal_error(
            401,
            "UnauthorizedException",
            "Session token not found or invalid",
        );
    }
    let q = |k: &str| r.query.get(k).cloned().unwrap_or_default();
    if matches!(op, "ListAccounts" | "ListAccountRoles") {
        s.list_requests += 1;
        if let Some(n) = s.options.throttle_every
            && s.list_requests.is_multiple_of(n)
        {
            return portal_error(429, "TooManyRequestsException", "Rate exceeded");
        }
    }
    let page = |len: usize, s: &State| {
        let start: usize = q("next_token").parse().unwrap_or(0);
        let size = q("max_result")
            .parse::<usize>()
            .unwrap_or(s.options.page_size)
            .min(s.options.page_size);
        let end = (start + size).min(len);
        let next = (end < len).then(|| end.to_string());
        (start.min(len), end, next)
    };
    match op {
        "GetRoleCredentials" => {
            let (account, role) = (q("account_id"), q("role_name"));
            let allowed = s
                .options
                .accounts
                .iter()
                .any(|(id, _, roles)| *id == account && roles.contains(&role));
            if !allowed {
                return portal_error(403, "ForbiddenException", "No access");
            }
            let n = s.next();
            ok(json!({"roleCredentials": {
                "accessKeyId": format!("ASIASSO{n:013}"),
                "secretAccessKey": format!("{ROLE_SECRET_PREFIX}{n}"),
                "sessionToken": format!("ssoSessionToken{n}"),
                "expiration": (crate::now() + 3600) * 1000,
            }}))
        }
        "ListAccounts" => {
            let (start, end, next) = page(s.options.accounts.len(), s);
            let list: Vec<Value> = s.options.accounts[start..end]
                .iter()
                .map(|(id, name, _)| json!({"accountId": id, "accountName": name, "emailAddress": format!("{id}@example.com")}))
                .collect();
            ok(json!({"accountList": list, "nextToken": next}))
        }
        "ListAccountRoles" => {
            let account = q("account_id");
            let roles = s
                .options
                .accounts
                .iter()
                .find(|(id, _, _)| *id == account)
                .map(|(_, _, roles)| roles.clone())
                .unwrap_or_default();
            let (start, end, next) = page(roles.len(), s);
            let list: Vec<Value> = roles[start..end]
                .iter()
                .map(|r| json!({"roleName": r, "accountId": account}))
                .collect();
            ok(json!({"roleList": list, "nextToken": next}))
        }
        "Logout" => {
            s.access_tokens.remove(&token);
            ok(json!({}))
        }
        _ => portal_error(404, "NotFound", "no such operation"),
    }
}

/// Unpadded base64url (RFC 4648 section 5), as PKCE's S256 challenge is written.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// POSTs JSON on a fresh connection: (status, the answer's error type, body).
    fn post(url: &str, path: &str, body: &Value) -> (u16, String, Value) {
        let mut stream = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
        let body = body.to_string();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let status = head[9..12].parse().unwrap();
        let error = head
            .lines()
            .find_map(|l| l.strip_prefix("x-amzn-errortype: "))
            .unwrap_or("")
            .to_string();
        (
            status,
            error,
            serde_json::from_str(body).unwrap_or(Value::Null),
        )
    }

    #[test]
    fn a_device_code_is_approved_once_approve_after_has_passed() {
        let fake = FakeSso::start(Options {
            pending_polls: 0,
            approve_after: Some(Duration::from_millis(1500)),
            verification_uri: "http://127.0.0.1:1/device".into(),
            ..Options::default()
        });
        let (_, _, client) = post(
            &fake.url,
            "/client/register",
            &json!({"clientName": "t", "clientType": "public"}),
        );
        let (id, secret) = (&client["clientId"], &client["clientSecret"]);
        let (status, _, device) = post(
            &fake.url,
            "/device_authorization",
            &json!({"clientId": id, "clientSecret": secret, "startUrl": "https://x"}),
        );
        assert_eq!(status, 200);
        assert_eq!(
            device["verificationUriComplete"],
            "http://127.0.0.1:1/device?user_code=ABCD-EFGH"
        );
        let poll = json!({
            "clientId": id,
            "clientSecret": secret,
            "grantType": "urn:ietf:params:oauth:grant-type:device_code",
            "deviceCode": device["deviceCode"],
        });
        let (status, error, _) = post(&fake.url, "/token", &poll);
        assert_eq!(
            (status, error.as_str()),
            (400, "AuthorizationPendingException")
        );
        std::thread::sleep(Duration::from_millis(1600));
        let (status, _, token) = post(&fake.url, "/token", &poll);
        assert_eq!(status, 200, "{token}");
        assert!(fake.is_valid_access_token(token["accessToken"].as_str().unwrap()));
        assert_eq!(fake.calls("CreateToken:device_code"), 2);
    }

    #[test]
    fn base64url_matches_rfc_7636_appendix_b() {
        let digest = Sha256::digest(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            base64url(&digest),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
    }
}
