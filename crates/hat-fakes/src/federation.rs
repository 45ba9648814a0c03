//! A fake of the AWS sign-in federation endpoint (`/federation?Action=getSigninToken`),
//! for `HAT_FEDERATION_ENDPOINT`. It checks that `Session` is JSON with exactly
//! `sessionId`, `sessionKey` and `sessionToken` (answering 400 otherwise, as AWS does),
//! answers `{"SigninToken": "..."}`, and records every request so a test can compare
//! the session with the credentials it expects and see whether `SessionDuration` came.

use crate::server::{Response, Server};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The prefix of every sign-in token the fake hands out.
pub const TOKEN_PREFIX: &str = "fakeSigninToken";

#[derive(Clone, Debug)]
pub enum Reply {
    Token,
    /// This status and body, whatever was asked.
    Error {
        status: u16,
        body: String,
    },
}

/// One getSigninToken request as received.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    /// Every query parameter, decoded.
    pub params: BTreeMap<String, String>,
    /// The `Session` JSON, when it had exactly the three keys.
    pub session: Option<Session>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub key: String,
    pub token: String,
}

pub struct FakeFederation {
    /// Goes into `HAT_FEDERATION_ENDPOINT`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

struct State {
    reply: Reply,
    requests: Vec<Request>,
}

impl FakeFederation {
    pub fn start() -> FakeFederation {
        FakeFederation::with_reply(Reply::Token)
    }

    pub fn with_reply(reply: Reply) -> FakeFederation {
        Self::bind(0, reply).expect("could not serve on 127.0.0.1")
    }

    /// Serves on 127.0.0.1:`port` (0 for a free one).
    pub fn bind(port: u16, reply: Reply) -> std::io::Result<FakeFederation> {
        let state = Arc::new(Mutex::new(State {
            reply,
            requests: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        let server = Server::bind(port, move |r| serve(&r, &shared))?;
        Ok(FakeFederation {
            url: format!("{}/federation", server.url()),
            state,
        })
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The only request, which must carry a well-formed session.
    #[track_caller]
    pub fn only_session(&self) -> (Session, Request) {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "{requests:#?}");
        let request = requests.into_iter().next().unwrap();
        let session = request.session.clone().expect("a well-formed Session");
        (session, request)
    }
}

fn serve(r: &crate::server::Request, state: &Mutex<State>) -> Response {
    let params: BTreeMap<String, String> = r.query.iter().cloned().collect();
    let session = params.get("Session").and_then(|s| parse_session(s));
    let (reply, n) = {
        let mut s = state.lock().unwrap();
        s.requests.push(Request {
            path: r.path.clone(),
            params: params.clone(),
            session: session.clone(),
        });
        (s.reply.clone(), s.requests.len())
    };
    let (status, body) = match reply {
        Reply::Error { status, body } => (status, body),
        Reply::Token if params.get("Action").map(String::as_str) != Some("getSigninToken") => {
            (400, "Action must be getSigninToken".to_string())
        }
        Reply::Token if session.is_none() => (
            400,
            "Session must be JSON with exactly sessionId, sessionKey, sessionToken".into(),
        ),
        Reply::Token => (200, format!("{{\"SigninToken\":\"{TOKEN_PREFIX}{n}\"}}")),
    };
    Response::new(status, "application/json", body)
}

fn parse_session(text: &str) -> Option<Session> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort();
    if keys != ["sessionId", "sessionKey", "sessionToken"] {
        return None;
    }
    let get = |k: &str| object.get(k)?.as_str().map(str::to_string);
    Some(Session {
        id: get("sessionId")?,
        key: get("sessionKey")?,
        token: get("sessionToken")?,
    })
}

/// A parsed login URL: its endpoint (without query) and query parameters.
pub fn login_params(url: &str) -> (String, BTreeMap<String, String>) {
    let parsed = url::Url::parse(url.trim()).unwrap_or_else(|e| panic!("{url:?}: {e}"));
    let params = parsed.query_pairs().into_owned().collect();
    let mut endpoint = parsed.clone();
    endpoint.set_query(None);
    (endpoint.to_string(), params)
}
