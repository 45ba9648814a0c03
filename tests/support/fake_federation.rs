//! A fake of the AWS sign-in federation endpoint (`/federation?Action=getSigninToken`),
//! for `HAT_FEDERATION_ENDPOINT`. It checks that `Session` is JSON with exactly
//! `sessionId`, `sessionKey` and `sessionToken` (answering 400 otherwise, as AWS does),
//! answers `{"SigninToken": "..."}`, and records every request so a test can compare
//! the session with the credentials it expects and see whether `SessionDuration` came.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/federation", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            reply,
            requests: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        FakeFederation { url, state }
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

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    // The headers: read and ignored (GET has no body).
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim_end().is_empty() {
            break;
        }
    }
    let url = url::Url::parse(&format!("http://fake{target}")).unwrap();
    let params: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    let session = params.get("Session").and_then(|s| parse_session(s));
    let reply = {
        let mut s = state.lock().unwrap();
        s.requests.push(Request {
            path: url.path().to_string(),
            params: params.clone(),
            session: session.clone(),
        });
        s.reply.clone()
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
        Reply::Token => {
            let n = state.lock().unwrap().requests.len();
            (200, format!("{{\"SigninToken\":\"{TOKEN_PREFIX}{n}\"}}"))
        }
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = writer.write_all(response.as_bytes());
    let _ = writer.flush();
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
