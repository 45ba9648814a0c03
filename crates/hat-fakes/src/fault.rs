//! A loopback front for moto's IAM (or STS) that passes every request through except
//! the one action it is told to fail, which gets AWS's AccessDenied document (or, for
//! STS, InvalidClientTokenId for keys it has not been told to accept). It lets a test
//! break `hat keys rotate` between two steps while every other call is real.

use crate::server::{Request, Response, Server, forward};
use std::sync::{Arc, Mutex};

pub struct IamFault {
    pub url: String,
    failed: Arc<Mutex<Vec<String>>>,
}

impl IamFault {
    /// Forwards to `upstream` (moto's URL), failing every request whose Action is `action`.
    pub fn start(upstream: &str, action: &'static str) -> IamFault {
        Self::start_unless(upstream, action, None)
    }

    /// Like [`IamFault::start`], but requests signed with `key_id` pass: STS that
    /// refuses every key but the old one, as while a new key has not propagated.
    pub fn start_unless(upstream: &str, action: &'static str, key_id: Option<&str>) -> IamFault {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let failed = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&failed);
        let allowed = key_id.map(|k| format!("Credential={k}/"));
        let server =
            Server::start(move |r| serve(&r, &upstream, action, allowed.as_deref(), &shared));
        IamFault {
            url: server.url(),
            failed,
        }
    }

    /// The failed requests' bodies.
    pub fn failed(&self) -> Vec<String> {
        self.failed.lock().unwrap().clone()
    }
}

fn serve(
    r: &Request,
    upstream: &str,
    action: &str,
    allowed: Option<&str>,
    failed: &Mutex<Vec<String>>,
) -> Response {
    let text = r.body_text();
    let signed_by_allowed = allowed.is_some_and(|a| {
        r.header("authorization")
            .is_some_and(|value| value.contains(a))
    });
    let wanted = format!("Action={action}");
    if !text.split('&').any(|p| p == wanted) || signed_by_allowed {
        return forward(upstream, r);
    }
    failed.lock().unwrap().push(text);
    let (code, message) = if allowed.is_some() {
        (
            "InvalidClientTokenId",
            "The security token included in the request is invalid.".to_string(),
        )
    } else {
        (
            "AccessDenied",
            format!("User is not authorized to perform: iam:{action}"),
        )
    };
    Response::new(
        403,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        ),
    )
}
