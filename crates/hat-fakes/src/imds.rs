//! A small IMDSv2 fake: `PUT /latest/api/token` hands out a session token, and with it
//! `GET /latest/meta-data/iam/security-credentials/` names a role and
//! `GET .../security-credentials/<role>` gives its credentials, as an EC2 instance's
//! metadata service does. Requests without the token are refused (401), and every
//! request is recorded so a test can check the IMDSv2 sequence.

use crate::server::{Request, Response, Server};
use std::sync::{Arc, Mutex};

pub const ROLE: &str = "hat-instance-role";
pub const KEY_ID: &str = "ASIAIMDSFAKE00000001";
const TOKEN: &str = "fake-imds-session-token";
const CREDENTIALS: &str = "/latest/meta-data/iam/security-credentials/";

/// One request: method, path, and whether it carried the session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub with_token: bool,
}

pub struct FakeImds {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeImds {
    pub fn start() -> FakeImds {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&seen);
        let server = Server::start(move |r| serve(&r, &shared));
        FakeImds {
            url: server.url(),
            seen,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(r: &Request, seen: &Mutex<Vec<Seen>>) -> Response {
    let with_token = r.header("x-aws-ec2-metadata-token").map(str::trim) == Some(TOKEN);
    let ttl = r.header("x-aws-ec2-metadata-token-ttl-seconds").is_some();
    seen.lock().unwrap().push(Seen {
        method: r.method.clone(),
        path: r.target.clone(),
        with_token,
    });
    let (status, body) = match (r.method.as_str(), r.target.as_str()) {
        ("PUT", "/latest/api/token") if ttl => (200, TOKEN.to_string()),
        ("PUT", _) => (400, String::new()),
        _ if !with_token => (401, String::new()),
        ("GET", p) if p == CREDENTIALS => (200, ROLE.to_string()),
        ("GET", p) if p == format!("{CREDENTIALS}{ROLE}") => {
            let expiration = crate::rfc3339(crate::now() + 6 * 3600);
            (
                200,
                format!(
                    r#"{{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"{KEY_ID}","SecretAccessKey":"imdsSecret","Token":"imdsToken","Expiration":"{expiration}"}}"#
                ),
            )
        }
        _ => (404, String::new()),
    };
    Response::new(status, "text/plain", body)
}
