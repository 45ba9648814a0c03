//! A stateful fake of STS's query API for what moto cannot do: refuse an MFA code,
//! answer ExpiredToken, throttle, fail with 5xx, or answer slowly. It speaks the real
//! wire format (form-encoded requests, XML answers) and records every request so a test
//! can count calls and read parameters.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Reply {
    /// Credentials for whatever was asked (AssumeRole, GetSessionToken, ...).
    Ok,
    /// An STS error document with this HTTP status.
    Error {
        status: u16,
        code: &'static str,
        message: &'static str,
    },
    /// Waits, then gives the next reply.
    Slow(Duration, Box<Reply>),
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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            replies,
            requests: Vec::new(),
            issued: 0,
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        FakeSts { url, state }
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
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut length = 0usize;
    let mut line = String::new();
    // Request line, then headers.
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    let (reply, serial) = {
        let mut s = state.lock().unwrap();
        s.requests.push(body.clone());
        let index = (s.requests.len() - 1).min(s.replies.len() - 1);
        s.issued += 1;
        (s.replies[index].clone(), s.issued)
    };
    let action = param(&body, "Action").unwrap_or_default();
    let (status, xml) = render(&reply, &action, serial);
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
        xml.len()
    );
    let _ = writer.write_all(response.as_bytes());
    let _ = writer.flush();
}

fn render(reply: &Reply, action: &str, serial: u32) -> (u16, String) {
    match reply {
        Reply::Slow(delay, next) => {
            std::thread::sleep(*delay);
            render(next, action, serial)
        }
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
        Reply::Ok => {
            let expiration = hat::clock::to_rfc3339(hat::clock::now() + 3600);
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
