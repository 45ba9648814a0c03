//! Signing in through SSO OIDC. The default is the authorization-code flow with PKCE:
//! a listener on 127.0.0.1 only (hyper, through [`crate::net`]), the browser sent to
//! `<oidc>/authorize`, the callback's `state` checked. The device-code flow (RFC 8628) is used with `--use-device-code`
//! and whenever no browser can be opened (SSH, no display): it prints the code and
//! URL on stderr and polls, treating AuthorizationPending as "keep polling" and
//! SlowDown as "wait 5 s longer". Both work with no terminal at all; the spinner is
//! drawn only when stderr is one. Clients are registered with scopes, so the tokens can
//! be refreshed, and the registration is reused until it expires.

use super::portal::{CallError, Grant, Oidc};
use super::start_url;
use super::token::{Registration, Store, Token};
use crate::chain::SsoTarget;
use crate::env::Env;
use crate::{clock, log, net, verbose};
use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::Full;
use sha2::{Digest, Sha256};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the browser has to come back to the callback listener.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// The redirect URI registered with the client; the port is chosen per sign-in, which
/// OIDC allows for loopback addresses (RFC 8252).
const REGISTERED_REDIRECT: &str = "http://127.0.0.1/oauth/callback";
/// What a PKCE registration lists (the CLI v2's); a device registration lists none.
const PKCE_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];
/// The CLI's margin: a registration expiring sooner than this is not reused.
const REGISTRATION_MARGIN: i64 = 15 * 60;

#[derive(Debug, Default, Clone, Copy)]
pub struct LoginOptions {
    /// `--use-device-code`: skip the browser callback.
    pub device_code: bool,
}

/// Signs in to `target` and stores the token. The caller holds the token's lock.
pub fn login(oidc: &Oidc, env: &Env, target: &SsoTarget, options: LoginOptions) -> Result<Token> {
    let store = Store::new(env);
    // What SSO OIDC is told; the caches keep the configured URL (the CLI v2's rule).
    let issuer = start_url::resolve(oidc.sdk(), &target.start_url)?;
    let issuer = issuer.as_str();
    let browser = browser_available(env);
    let (registration, new) = if options.device_code || !browser {
        if !options.device_code {
            notify("no browser can be opened here (no DISPLAY or BROWSER); using a device code");
        }
        let registration = registration(oidc, &store, target, DEVICE_GRANT, issuer)?;
        let token = device_flow(oidc, target, &registration, browser, issuer)?;
        (registration, token)
    } else {
        let registration = registration(oidc, &store, target, CODE_GRANT, issuer)?;
        match pkce_flow(oidc, target, &registration)? {
            Some(token) => (registration, token),
            None => {
                let registration =
                    registration_for(oidc, &store, target, DEVICE_GRANT, registration, issuer)?;
                let token = device_flow(oidc, target, &registration, false, issuer)?;
                (registration, token)
            }
        }
    };
    let token = Token {
        start_url: target.start_url.clone(),
        region: target.region.clone(),
        access_token: new.access_token,
        expires_at: clock::now() + new.expires_in,
        client_id: Some(registration.client_id.clone()),
        client_secret: Some(registration.client_secret.clone()),
        registration_expires_at: Some(registration.expires_at),
        refresh_token: new.refresh_token,
    };
    store.save(target, &token)?;
    notify(&format!(
        "signed in to {}; the session lasts {}",
        target.name(),
        clock::human(token.remaining(clock::now()))
    ));
    Ok(token)
}

/// Tells the person signing in what to do: on stderr, unless stderr is not a terminal
/// and there is one (under `credential_process` the caller hides stderr, and the device
/// code must still reach the person). With no terminal at all, stderr it is.
fn notify(message: &str) {
    if !std::io::stderr().is_terminal() && crate::tty::available() {
        crate::tty::tell(&format!("hat: {message}\n"));
    } else {
        log::info(message);
    }
}

const CODE_GRANT: &str = "authorization_code";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Whether a registration fits `grant` for at least another 15 minutes, as the CLI v2
/// decides: the PKCE flow needs one that lists `authorization_code`, the device flow
/// refuses one that does (the CLI registers for the device code without grant types).
fn usable(r: &Registration, target: &SsoTarget, grant: &str) -> bool {
    let lists_code = r.grant_types.iter().any(|g| g == CODE_GRANT);
    let granted = if grant == CODE_GRANT {
        lists_code
    } else {
        !lists_code
    };
    // With no scopes configured the registration is the one the CLI shares (the same
    // `"scopes": null` key): its device registration lists none, its PKCE one the default.
    let scopes_agree = r.scopes == target.request_scopes()
        || ((target.session.is_none() || target.scopes.is_none()) && r.scopes.is_empty());
    granted && scopes_agree && r.expires_at > clock::now() + REGISTRATION_MARGIN
}

/// `current` if it allows `grant`, else a registration that does.
fn registration_for(
    oidc: &Oidc,
    store: &Store,
    target: &SsoTarget,
    grant: &str,
    current: Registration,
    issuer: &str,
) -> Result<Registration> {
    if usable(&current, target, grant) {
        Ok(current)
    } else {
        register(oidc, store, target, grant, issuer)
    }
}

/// The cached client registration (the AWS CLI's or hat's) while it fits `grant`
/// and has 15 minutes left, else a new one.
fn registration(
    oidc: &Oidc,
    store: &Store,
    target: &SsoTarget,
    grant: &str,
    issuer: &str,
) -> Result<Registration> {
    if let Some(r) = store.load_registration(target)
        && usable(&r, target, grant)
    {
        verbose!("SSO: reusing the client registration for {}", target.name());
        return Ok(r);
    }
    register(oidc, store, target, grant, issuer)
}

/// Registers hat for one flow, shaped as the AWS CLI v2's registration for it, so the
/// cached registration means to the CLI what it means to hat. `issuer` is the resolved
/// start URL ([`start_url::resolve`]).
fn register(
    oidc: &Oidc,
    store: &Store,
    target: &SsoTarget,
    grant: &str,
    issuer: &str,
) -> Result<Registration> {
    verbose!("SSO: RegisterClient for {}", target.name());
    let pkce = grant == CODE_GRANT;
    let scopes = target.request_scopes();
    let new = oidc
        .register_client(&scopes, pkce.then_some((issuer, REGISTERED_REDIRECT)))
        .map_err(|e| anyhow!("could not register hat with IAM Identity Center: {e}"))?;
    let grant_types = if pkce {
        PKCE_GRANT_TYPES.iter().map(|s| s.to_string()).collect()
    } else {
        Vec::new()
    };
    let registration = Registration {
        client_id: new.client_id,
        client_secret: new.client_secret,
        expires_at: new.expires_at,
        scopes,
        grant_types,
    };
    store.save_registration(target, &registration)?;
    Ok(registration)
}

/// Whether a graphical browser can plausibly be opened: `$BROWSER`, a display, or a
/// desktop OS.
fn browser_available(env: &Env) -> bool {
    if env.get("BROWSER").is_some() {
        return true;
    }
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    env.get("DISPLAY").is_some() || env.get("WAYLAND_DISPLAY").is_some()
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness from the system: {e}"))?;
    Ok(bytes)
}

/// Base64url without padding (RFC 7636).
fn base64url(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// The authorization-code flow; `None` when no browser could be opened.
fn pkce_flow(
    oidc: &Oidc,
    target: &SsoTarget,
    registration: &Registration,
) -> Result<Option<super::portal::NewToken>> {
    let verifier = base64url(&random_bytes::<32>()?);
    let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
    let state = base64url(&random_bytes::<16>()?);
    // Bound before the browser opens, so an early callback waits in the backlog.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| anyhow!("could not listen on 127.0.0.1 for the sign-in callback: {e}"))?;
    let port = listener
        .local_addr()
        .context("the callback listener has no port")?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/oauth/callback");
    let scopes = target.request_scopes().join(" ");
    let url = authorize_url(
        oidc.endpoint(),
        &[
            ("response_type", "code"),
            ("client_id", registration.client_id.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("state", state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("scopes", scopes.as_str()),
        ],
    );
    if let Err(e) = webbrowser::open(&url) {
        notify(&format!(
            "could not open a browser ({e}); using a device code instead"
        ));
        return Ok(None);
    }
    notify(&format!(
        "approve the sign-in to {} in your browser; if it did not open, visit:\n    {url}",
        target.name()
    ));
    let waiting = Waiting::new("waiting for the browser", CALLBACK_TIMEOUT);
    let code = match oidc.block_on(wait_for_callback(listener, state, &waiting))? {
        Some(Outcome::Code(code)) => code,
        Some(Outcome::Refused(error)) => bail!(
            "the sign-in to {} was refused in the browser ({error})",
            target.name()
        ),
        None => bail!(
            "the browser did not come back within {}; run `{}` again, or add --use-device-code",
            clock::human(CALLBACK_TIMEOUT.as_secs() as i64),
            target.login_command()
        ),
    };
    waiting.done();
    verbose!(
        "SSO: CreateToken (authorization code) for {}",
        target.name()
    );
    let token = oidc
        .create_token(
            &registration.client_id,
            &registration.client_secret,
            Grant::AuthorizationCode {
                code: &code,
                verifier: &verifier,
                redirect_uri: &redirect_uri,
            },
        )
        .map_err(|e| anyhow!("could not finish the sign-in to {}: {e}", target.name()))?;
    Ok(Some(token))
}

enum Callback {
    Code(String),
    Refused(String),
    Ignore(u16, &'static str),
}

/// What the sign-in's callback brought.
enum Outcome {
    Code(String),
    Refused(String),
}

/// Serves the callback listener ([`net::connection`], hyper) until a request with our
/// `state` carries a code or a refusal, answering every request with a page; `None`
/// when [`CALLBACK_TIMEOUT`] passes first. Connections are not kept alive, so the
/// outcome is handed over only once its page has been sent to the browser.
async fn wait_for_callback(
    listener: std::net::TcpListener,
    state: String,
    waiting: &Waiting,
) -> Result<Option<Outcome>> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .context("could not listen on 127.0.0.1 for the sign-in callback")?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let state = Arc::new(state);
    let acceptor = tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            if !peer.ip().is_loopback() {
                continue;
            }
            let (tx, state) = (tx.clone(), Arc::clone(&state));
            tokio::spawn(async move {
                let outcome = Arc::new(Mutex::new(None));
                let seen = Arc::clone(&outcome);
                net::connection(stream, false, move |request: http::Request<_>| {
                    let target = request
                        .uri()
                        .path_and_query()
                        .map_or("/", |p| p.as_str())
                        .to_string();
                    let (status, text) = match callback(&target, &state) {
                        Callback::Code(code) => {
                            *seen.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some(Outcome::Code(code));
                            (
                                200,
                                "Signed in. You can close this tab and return to your terminal.",
                            )
                        }
                        Callback::Refused(error) => {
                            *seen.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some(Outcome::Refused(error));
                            (200, "The sign-in was refused. You can close this tab.")
                        }
                        Callback::Ignore(status, page) => (status, page),
                    };
                    std::future::ready(page(status, text))
                })
                .await;
                let taken = outcome.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(outcome) = taken {
                    let _ = tx.send(outcome);
                }
            });
        }
    });
    let outcome = loop {
        if waiting.expired() {
            break None;
        }
        waiting.tick();
        if let Ok(outcome) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            break outcome;
        }
    };
    acceptor.abort();
    Ok(outcome)
}

/// What a request to the listener (`/oauth/callback?code=...&state=...`) means.
fn callback(target: &str, expected_state: &str) -> Callback {
    let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
        return Callback::Ignore(400, "Bad request.");
    };
    if url.path() != "/oauth/callback" {
        return Callback::Ignore(404, "Not found.");
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    // A request without our state did not come from this sign-in: ignore it.
    if param("state").as_deref() != Some(expected_state) {
        return Callback::Ignore(400, "This sign-in link is not the one hat is waiting for.");
    }
    if let Some(error) = param("error") {
        return Callback::Refused(error);
    }
    match param("code") {
        Some(code) if !code.is_empty() => Callback::Code(code),
        _ => Callback::Ignore(400, "The callback carried no code."),
    }
}

fn page(status: u16, text: &str) -> http::Response<Full<Bytes>> {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>hat</title></head><body><p>{text}</p></body></html>"
    );
    let mut response = http::Response::new(Full::new(Bytes::from(page)));
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The device-code flow: print the code and URL, then poll CreateToken.
fn device_flow(
    oidc: &Oidc,
    target: &SsoTarget,
    registration: &Registration,
    open_browser: bool,
    issuer: &str,
) -> Result<super::portal::NewToken> {
    verbose!("SSO: StartDeviceAuthorization for {}", target.name());
    let auth = oidc
        .start_device_authorization(&registration.client_id, &registration.client_secret, issuer)
        .map_err(|e| anyhow!("could not start the sign-in to {}: {e}", target.name()))?;
    let complete = auth
        .verification_uri_complete
        .clone()
        .unwrap_or_else(|| auth.verification_uri.clone());
    notify(&format!(
        "to sign in to {}, open {}\n    and enter the code {}\n    (or open {complete})",
        target.name(),
        auth.verification_uri,
        auth.user_code
    ));
    if open_browser && webbrowser::open(&complete).is_err() {
        verbose!("SSO: no browser could be opened");
    }
    let interval = Duration::from_secs(poll_interval(auth.interval));
    let lifetime = Duration::from_secs(u64::try_from(auth.expires_in.max(1)).unwrap_or(600));
    let waiting = Waiting::new("waiting for approval", lifetime);
    let outcome = poll_for_token(
        interval,
        |pause| {
            waiting.sleep(pause);
            !waiting.expired()
        },
        || {
            oidc.create_token(
                &registration.client_id,
                &registration.client_secret,
                Grant::Device(&auth.device_code),
            )
        },
    );
    waiting.done();
    match outcome {
        Some(Ok(token)) => Ok(token),
        Some(Err(e)) => Err(device_error(e, target)),
        None => bail!(
            "the code for {} expired before it was approved; run `{}` again",
            target.name(),
            target.login_command()
        ),
    }
}

/// botocore's device-code schedule (`SSOTokenFetcher._poll_for_token`): one CreateToken
/// at once, then one every `interval`, 5 s longer after each SlowDown, while
/// AuthorizationPending. `wait` pauses and says whether the code is still alive; `None`
/// when it expired first.
fn poll_for_token<T>(
    mut interval: Duration,
    mut wait: impl FnMut(Duration) -> bool,
    mut poll: impl FnMut() -> Result<T, CallError>,
) -> Option<Result<T, CallError>> {
    let mut first = true;
    loop {
        if !first && !wait(interval) {
            return None;
        }
        first = false;
        match poll() {
            Err(e) if e.is("AuthorizationPendingException") => {}
            Err(e) if e.is("SlowDownException") => {
                interval += Duration::from_secs(5);
                verbose!(
                    "SSO: asked to slow down; polling every {}s",
                    interval.as_secs()
                );
            }
            done => return Some(done),
        }
    }
}

/// The seconds between polls: the interval StartDeviceAuthorization returned, 5 when
/// it returned none (RFC 8628's default, and botocore's).
fn poll_interval(returned: u64) -> u64 {
    if returned == 0 { 5 } else { returned }
}

fn device_error(e: CallError, target: &SsoTarget) -> anyhow::Error {
    if e.is("ExpiredTokenException") {
        anyhow!(
            "the code for {} expired before it was approved; run `{}` again",
            target.name(),
            target.login_command()
        )
    } else if e.is("AccessDeniedException") {
        anyhow!(
            "the sign-in to {} was denied in the browser; run `{}` again to retry",
            target.name(),
            target.login_command()
        )
    } else {
        anyhow!("the sign-in to {} failed: {e}", target.name())
    }
}

/// A spinner with the time left, on stderr and only when stderr is a terminal.
struct Waiting {
    bar: Option<indicatif::ProgressBar>,
    what: &'static str,
    deadline: Instant,
}

impl Waiting {
    fn new(what: &'static str, limit: Duration) -> Waiting {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        });
        let waiting = Waiting {
            bar,
            what,
            deadline: Instant::now() + limit,
        };
        waiting.tick();
        waiting
    }

    fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }

    fn tick(&self) {
        if let Some(bar) = &self.bar {
            let left = self.deadline.saturating_duration_since(Instant::now());
            bar.set_message(format!(
                "{} ({} left)",
                self.what,
                clock::human(left.as_secs() as i64)
            ));
            bar.tick();
        }
    }

    /// Sleeps `total` (not past the deadline), keeping the spinner moving.
    fn sleep(&self, total: Duration) {
        let end = (Instant::now() + total).min(self.deadline);
        while Instant::now() < end {
            self.tick();
            std::thread::sleep(Duration::from_millis(100).min(end - Instant::now()));
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The browser's sign-in URL: `<resolved OIDC endpoint>/authorize?…`, the query
/// encoded as the CLI v2's `percent_encode_sequence` (`urllib.parse.quote` with
/// `-_.~` safe: `%20` for a space, `%3A` and `%2F` inside values).
pub fn authorize_url(endpoint: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    format!(
        "{}/authorize?{}",
        endpoint.trim_end_matches('/'),
        query.join("&")
    )
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_answers_every_request_and_hands_over_only_ours_once_answered() {
        use std::io::{Read, Write};
        let sdk = crate::sdk::Sdk::new().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let browser = std::thread::spawn(move || {
            let get = |path: &str| {
                let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
                let mut answer = String::new();
                stream.read_to_string(&mut answer).unwrap();
                answer
            };
            [
                get("/favicon.ico"),
                get("/oauth/callback?code=stolen&state=other"),
                get("/oauth/callback?code=abc&state=ours"),
            ]
        });
        let waiting = Waiting::new("test", Duration::from_secs(30));
        let outcome = sdk
            .block_on(wait_for_callback(listener, "ours".into(), &waiting))
            .unwrap();
        assert!(matches!(outcome, Some(Outcome::Code(ref c)) if c == "abc"));
        let [favicon, other, ours] = browser.join().unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
        assert!(other.starts_with("HTTP/1.1 400"), "{other}");
        assert!(ours.starts_with("HTTP/1.1 200"), "{ours}");
        assert!(
            ours.contains("text/html") && ours.contains("Signed in."),
            "{ours}"
        );
    }

    #[test]
    fn the_authorize_url_is_on_the_resolved_oidc_host_in_every_partition() {
        use crate::config::ConfigSet;
        use crate::endpoint::{Endpoints, Service};
        use crate::env::Env;
        let params = [
            ("client_id", "c"),
            ("redirect_uri", "http://127.0.0.1:5/oauth/callback"),
            ("scopes", "sso:account:access openid"),
        ];
        let plain = Endpoints::default();
        assert_eq!(
            authorize_url(&plain.url(Service::SsoOidc, "cn-north-1"), &params),
            // Python: urllib.parse.quote(v, safe="-_.~") for each value, as the CLI v2.
            "https://oidc.cn-north-1.amazonaws.com.cn/authorize?client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Foauth%2Fcallback&scopes=sso%3Aaccount%3Aaccess%20openid"
        );
        let fips = Endpoints::new(
            &Env::from_pairs([("AWS_USE_FIPS_ENDPOINT", "true")]),
            &ConfigSet::default(),
            None,
        );
        assert!(
            authorize_url(&fips.url(Service::SsoOidc, "us-east-1"), &params)
                .starts_with("https://oidc-fips.us-east-1.amazonaws.com/authorize?"),
        );
        // GovCloud's regular OIDC host is its FIPS host (the service's own rules).
        assert!(
            authorize_url(&fips.url(Service::SsoOidc, "us-gov-east-1"), &params)
                .starts_with("https://oidc.us-gov-east-1.amazonaws.com/authorize?"),
        );
        let custom = Endpoints::new(
            &Env::from_pairs([("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9/")]),
            &ConfigSet::default(),
            None,
        );
        assert!(
            authorize_url(&custom.url(Service::SsoOidc, "eu-west-1"), &params)
                .starts_with("http://127.0.0.1:9/authorize?client_id=c&")
        );
        assert_eq!(percent_encode("a~b*c"), "a~b%2Ac");
    }

    #[test]
    fn device_polling_waits_the_returned_interval_or_five_seconds() {
        assert_eq!(poll_interval(0), 5);
        assert_eq!(poll_interval(3), 3);
    }

    fn answer(code: &str) -> CallError {
        CallError {
            code: Some(code.to_string()),
            status: Some(400),
            message: code.to_string(),
        }
    }

    /// Runs the schedule against scripted answers; returns the pauses taken before
    /// each poll (`None` for one made at once) and the outcome.
    fn schedule(
        interval: u64,
        answers: &[&str],
        alive: usize,
    ) -> (Vec<Option<u64>>, Option<Result<&'static str, String>>) {
        let log = std::cell::RefCell::new(Vec::new());
        let pending = std::cell::Cell::new(None);
        let mut answers = answers.iter();
        let mut waits = 0;
        let outcome = poll_for_token(
            Duration::from_secs(poll_interval(interval)),
            |pause| {
                waits += 1;
                pending.set(Some(pause.as_secs()));
                waits <= alive
            },
            || {
                log.borrow_mut().push(pending.take());
                match answers.next() {
                    Some(&"ok") => Ok("token"),
                    Some(code) => Err(answer(code)),
                    None => panic!("polled after the script ended"),
                }
            },
        );
        (log.into_inner(), outcome.map(|r| r.map_err(|e| e.message)))
    }

    #[test]
    fn device_polling_follows_botocores_schedule() {
        // Issue 13: at once, then the returned interval; +5 s for each SlowDown.
        let (pauses, outcome) = schedule(
            2,
            &[
                "AuthorizationPendingException",
                "SlowDownException",
                "AuthorizationPendingException",
                "SlowDownException",
                "ok",
            ],
            10,
        );
        assert_eq!(pauses, [None, Some(2), Some(7), Some(7), Some(12)]);
        assert_eq!(outcome, Some(Ok("token")));
        // No interval returned: 5 s.
        let (pauses, _) = schedule(0, &["AuthorizationPendingException", "ok"], 10);
        assert_eq!(pauses, [None, Some(5)]);
        // Approved before the first pause: one poll, no wait.
        assert_eq!(schedule(3, &["ok"], 0), (vec![None], Some(Ok("token"))));
        // Any other error ends the polling at once.
        let (pauses, outcome) = schedule(1, &["AccessDeniedException"], 10);
        assert_eq!(pauses, [None]);
        assert_eq!(outcome, Some(Err("AccessDeniedException".into())));
        // The code's lifetime ends while still pending: no poll after it.
        let (pauses, outcome) = schedule(1, &["AuthorizationPendingException"; 3], 2);
        assert_eq!(pauses, [None, Some(1), Some(1)]);
        assert_eq!(outcome, None);
    }

    #[test]
    fn pkce_challenge_is_rfc_7636() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            base64url(&Sha256::digest(verifier.as_bytes())),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_callback_needs_our_state_and_path() {
        let code = |r: Callback| match r {
            Callback::Code(c) => format!("code {c}"),
            Callback::Refused(e) => format!("refused {e}"),
            Callback::Ignore(status, _) => format!("ignored {status}"),
        };
        assert_eq!(
            code(callback("/oauth/callback?code=c1&state=s", "s")),
            "code c1"
        );
        assert_eq!(
            code(callback("/oauth/callback?code=c1&state=other", "s")),
            "ignored 400"
        );
        assert_eq!(
            code(callback("/oauth/callback?code=c1", "s")),
            "ignored 400"
        );
        assert_eq!(code(callback("/favicon.ico", "s")), "ignored 404");
        assert_eq!(
            code(callback("/oauth/callback?error=access_denied&state=s", "s")),
            "refused access_denied"
        );
        // A refusal without our state is someone else's page: ignored.
        assert_eq!(
            code(callback("/oauth/callback?error=x", "s")),
            "ignored 400"
        );
    }

    #[test]
    fn only_a_display_or_browser_means_a_browser_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(!browser_available(&Env::default()));
            assert!(browser_available(&Env::from_pairs([("DISPLAY", ":0")])));
            assert!(browser_available(&Env::from_pairs([("BROWSER", "x")])));
        }
    }
}
