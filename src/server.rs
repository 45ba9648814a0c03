//! The local container-credentials endpoint behind `hat exec --server`: hyper's HTTP/1
//! server ([`crate::net::serve`]) on 127.0.0.1 at a port the system picks, one random
//! token checked on every request, and the answer every AWS SDK's container provider
//! reads (`{AccessKeyId, SecretAccessKey, Token, Expiration}`). Credentials are
//! fetched again before they expire, through whatever `fetch` the caller gives (for
//! `hat exec`, the same resolution and cache as every other command), on a thread of
//! its own so that a prompt or an STS call never blocks the server's runtime.

use crate::clock;
use crate::creds::Credentials;
use crate::log;
use anyhow::{Context, Result};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use serde::Serialize;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

/// The only path served; anything else is 404.
pub const PATH: &str = "/hat/credentials";

/// Credentials are fetched again once less than this is left (botocore starts its own
/// advisory refresh 15 minutes before expiry), or less than half their lifetime.
pub const REFRESH_BEFORE: i64 = 15 * 60;

/// Long-term keys never expire; callers still need an `Expiration`, so they are told to
/// come back within the hour.
const LONG_TERM_LEASE: i64 = 3600;

/// Gets fresh credentials; called on a plain thread (it may block, prompt or call STS).
pub type Fetch = dyn Fn() -> Result<Credentials> + Send + Sync;

/// What the child is told: the URL and the token its SDK sends back.
pub struct Endpoint {
    pub url: String,
    pub token: String,
}

pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

struct Shared {
    token: String,
    fetch: Arc<Fetch>,
    held: Mutex<Option<Held>>,
}

struct Held {
    credentials: Credentials,
    /// When the server got them: half their lifetime from then on is the refresh point.
    since: i64,
}

impl Held {
    fn stale(&self, now: i64) -> bool {
        match self.credentials.expiration {
            None => false,
            Some(expiration) => {
                let lifetime = (expiration - self.since).max(0);
                expiration - now < REFRESH_BEFORE.min(lifetime / 2)
            }
        }
    }
}

/// The answer's JSON: note `Token`, not `SessionToken`.
#[derive(Serialize)]
struct Answer<'a> {
    #[serde(rename = "AccessKeyId")]
    access_key_id: &'a str,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: &'a str,
    #[serde(rename = "Token", skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(rename = "Expiration")]
    expiration: String,
}

impl Server {
    /// Binds 127.0.0.1 on a free port. `first` are credentials already in hand (the
    /// caller checked the profile before starting anything).
    pub async fn bind(fetch: Arc<Fetch>, first: Option<Credentials>) -> Result<(Server, Endpoint)> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("could not bind a port on 127.0.0.1 for the credentials server")?;
        let port = listener.local_addr()?.port();
        let token = random_token()?;
        let now = clock::now();
        let shared = Arc::new(Shared {
            token: token.clone(),
            fetch,
            held: Mutex::new(first.map(|credentials| Held {
                credentials,
                since: now,
            })),
        });
        let endpoint = Endpoint {
            url: format!("http://127.0.0.1:{port}{PATH}"),
            token,
        };
        Ok((Server { listener, shared }, endpoint))
    }

    /// Serves until the runtime stops (when the child has exited).
    pub async fn serve(self) {
        let shared = self.shared;
        crate::net::serve(self.listener, move |request| {
            let shared = Arc::clone(&shared);
            async move { shared.answer(request).await }
        })
        .await;
    }
}

impl Shared {
    async fn answer(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !same(given, self.token.as_bytes()) {
            return reply(
                StatusCode::UNAUTHORIZED,
                r#"{"message":"missing or wrong Authorization token"}"#.into(),
            );
        }
        if request.uri().path() != PATH {
            return reply(StatusCode::NOT_FOUND, r#"{"message":"not found"}"#.into());
        }
        if request.method() != Method::GET {
            return reply(
                StatusCode::METHOD_NOT_ALLOWED,
                r#"{"message":"use GET"}"#.into(),
            );
        }
        match self.current().await {
            Ok(credentials) => match render(&credentials, clock::now()) {
                Ok(body) => reply(StatusCode::OK, body),
                Err(_) => reply(StatusCode::INTERNAL_SERVER_ERROR, "{}".into()),
            },
            Err(e) => {
                log::warn(&format!("the credentials server could not refresh: {e:#}"));
                let message = serde_json::json!({ "message": format!("{e:#}") });
                reply(StatusCode::INTERNAL_SERVER_ERROR, message.to_string())
            }
        }
    }

    /// The held credentials, fetched again first when they are close to expiry. One
    /// fetch at a time: concurrent requests wait for it and share the answer.
    async fn current(&self) -> Result<Credentials> {
        let mut held = self.held.lock().await;
        let now = clock::now();
        if let Some(h) = held.as_ref()
            && !h.stale(now)
        {
            return Ok(h.credentials.clone());
        }
        let fetch = Arc::clone(&self.fetch);
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(fetch());
        });
        let fetched = rx
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the refresh stopped before answering")));
        match fetched {
            Ok(credentials) => {
                *held = Some(Held {
                    credentials: credentials.clone(),
                    since: clock::now(),
                });
                Ok(credentials)
            }
            // Keep serving what still works; the next request tries again.
            Err(e) => match held.as_ref() {
                Some(h) if h.credentials.expiration.is_none_or(|x| x > now) => {
                    log::warn(&format!(
                        "the credentials server could not refresh, and serves the current credentials until they expire: {e:#}"
                    ));
                    Ok(h.credentials.clone())
                }
                _ => Err(e),
            },
        }
    }
}

fn render(credentials: &Credentials, now: i64) -> Result<String> {
    let expiration = credentials.expiration.unwrap_or(now + LONG_TERM_LEASE);
    Ok(serde_json::to_string(&Answer {
        access_key_id: &credentials.access_key_id,
        secret_access_key: &credentials.secret_access_key,
        token: credentials.session_token.as_deref(),
        expiration: clock::to_rfc3339(expiration),
    })?)
}

fn reply(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// 32 random bytes from the system, as 64 hex characters.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("could not get random bytes for the server token: {e}"))?;
    Ok(hex::encode(bytes))
}

/// Compares in time that does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expiration: Option<i64>) -> Credentials {
        Credentials {
            access_key_id: "A".into(),
            secret_access_key: "S".into(),
            session_token: expiration.map(|_| "T".into()),
            expiration,
        }
    }

    #[test]
    fn refreshes_fifteen_minutes_early_or_at_half_life() {
        let hour = Held {
            credentials: creds(Some(3600)),
            since: 0,
        };
        assert!(!hour.stale(3600 - 901));
        assert!(hour.stale(3600 - 899));
        let short = Held {
            credentials: creds(Some(60)),
            since: 0,
        };
        assert!(!short.stale(29));
        assert!(short.stale(31));
        let long_term = Held {
            credentials: creds(None),
            since: 0,
        };
        assert!(!long_term.stale(1_000_000));
    }

    #[test]
    fn answers_in_the_container_format() {
        let json = render(&creds(Some(1_787_419_800)), 0).unwrap();
        assert_eq!(
            json,
            r#"{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2026-08-22T17:30:00Z"}"#
        );
        let long_term = render(&creds(None), 1_787_416_200).unwrap();
        assert!(long_term.ends_with(r#""Expiration":"2026-08-22T17:30:00Z"}"#));
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(same(a.as_bytes(), a.as_bytes()) && !same(a.as_bytes(), b.as_bytes()));
        assert!(!same(b"", a.as_bytes()));
    }
}
