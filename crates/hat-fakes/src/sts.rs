//! A stateful fake of STS's query API for what moto cannot do: refuse an MFA code,
//! answer ExpiredToken, throttle, fail with 5xx, or answer slowly. It speaks the real
//! wire format (form-encoded requests, XML answers) and records every request so a test
//! can count calls and read parameters.

use crate::server::{Response, Server};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Reply {
    /// Credentials for whatever was asked (AssumeRole, GetSessionToken, ...).
    Ok,
    /// Credentials that expire this many seconds after they are issued.
    OkFor(i64),
    /// An STS error document with this HTTP status.
    Error {
        status: u16,
        code: &'static str,
        message: &'static str,
    },
    /// Waits, then gives the next reply.
    Slow(Duration, Box<Reply>),
    /// A 403 `SignatureDoesNotMatch` ("Signature expired"), as STS answers a request
    /// signed by a skewed clock, with a `Date` header this many seconds off the real
    /// time (negative: the server's clock is behind, so the client's is ahead).
    Skewed(i64),
}

pub struct FakeSts {
    pub url: String,
    state: Arc<Mutex<State>>,
}

struct State {
    replies: Vec<Reply>,
    requests: Vec<String>,
    issued: u32,
}

/// Secrets the fake hands out, for tests that check they never leak.
pub const ISSUED_SECRET_PREFIX: &str = "fakeSecret";
pub const ISSUED_TOKEN_PREFIX: &str = "fakeToken";

impl FakeSts {
    /// Serves `replies` in order; the last one repeats.
    pub fn start(replies: Vec<Reply>) -> FakeSts {
        assert!(!replies.is_empty());
        let state = Arc::new(Mutex::new(State {
            replies,
            requests: Vec::new(),
            issued: 0,
        }));
        let shared = Arc::clone(&state);
        let server = Server::start(move |r| serve(r.body_text(), &shared));
        FakeSts {
            url: server.url(),
            state,
        }
    }

    /// The form bodies received, in order.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The `Action` of each request.
    pub fn actions(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|body| param(body, "Action").unwrap_or_default())
            .collect()
    }
}

/// A parameter of a form-encoded body, decoded.
pub fn param(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn serve(body: String, state: &Mutex<State>) -> Response {
    let (reply, serial) = {
        let mut s = state.lock().unwrap();
        s.requests.push(body.clone());
        let index = (s.requests.len() - 1).min(s.replies.len() - 1);
        s.issued += 1;
        (s.replies[index].clone(), s.issued)
    };
    let action = param(&body, "Action").unwrap_or_default();
    let (status, xml) = render(&reply, &action, serial);
    let response = Response::new(status, "text/xml", xml);
    match reply {
        Reply::Skewed(offset) => response.header("Date", &http_date(crate::now() + offset)),
        _ => response,
    }
}

fn render(reply: &Reply, action: &str, serial: u32) -> (u16, String) {
    match reply {
        Reply::Slow(delay, next) => {
            std::thread::sleep(*delay);
            render(next, action, serial)
        }
        Reply::Skewed(_) => render(
            &Reply::Error {
                status: 403,
                code: "SignatureDoesNotMatch",
                message: "Signature expired: 20261202T100000Z is now earlier than 20261202T101500Z (20261202T102000Z - 5 min.)",
            },
            action,
            serial,
        ),
        Reply::Error {
            status,
            code,
            message,
        } => (
            *status,
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake-{serial}</RequestId></ErrorResponse>"
            ),
        ),
        Reply::Ok => render(&Reply::OkFor(3600), action, serial),
        Reply::OkFor(lifetime) => {
            let expiration = crate::rfc3339(crate::now() + lifetime);
            let creds = format!(
                "<Credentials><AccessKeyId>ASIAFAKE{serial:012}</AccessKeyId><SecretAccessKey>{ISSUED_SECRET_PREFIX}{serial}</SecretAccessKey><SessionToken>{ISSUED_TOKEN_PREFIX}{serial}</SessionToken><Expiration>{expiration}</Expiration></Credentials>"
            );
            let user = "<AssumedRoleUser><AssumedRoleId>AROAFAKE:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser>";
            let extra = if action == "GetSessionToken" {
                ""
            } else {
                user
            };
            (
                200,
                format!(
                    "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>{creds}{extra}</{action}Result><ResponseMetadata><RequestId>fake-{serial}</RequestId></ResponseMetadata></{action}Response>"
                ),
            )
        }
    }
}

/// `Wed, 02 Dec 2026 10:00:00 GMT`.
fn http_date(epoch: i64) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from_unix_timestamp(epoch)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::param;

    #[test]
    fn form_parameters_are_decoded() {
        let body =
            "Action=AssumeRole&RoleSessionName=a+b&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fme";
        assert_eq!(param(body, "Action").as_deref(), Some("AssumeRole"));
        assert_eq!(param(body, "RoleSessionName").as_deref(), Some("a b"));
        assert_eq!(
            param(body, "SerialNumber").as_deref(),
            Some("arn:aws:iam::1:mfa/me")
        );
        assert_eq!(param(body, "TokenCode"), None);
    }
}
