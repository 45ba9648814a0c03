//! A small IMDSv2 fake: `PUT /latest/api/token` hands out a session token, and with it
//! `GET /latest/meta-data/iam/security-credentials/` names a role and
//! `GET .../security-credentials/<role>` gives its credentials, as an EC2 instance's
//! metadata service does. Requests without the token are refused (401), and every
//! request is recorded so a test can check the IMDSv2 sequence.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub const ROLE: &str = "hat-instance-role";
pub const KEY_ID: &str = "ASIAIMDSFAKE00000001";
const TOKEN: &str = "fake-imds-session-token";

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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &seen));
            }
        });
        FakeImds { url, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let (mut with_token, mut ttl) = (false, false);
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            with_token |= name == "x-aws-ec2-metadata-token" && value.trim() == TOKEN;
            ttl |= name == "x-aws-ec2-metadata-token-ttl-seconds";
        }
    }
    seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        with_token,
    });
    let creds_path = "/latest/meta-data/iam/security-credentials/";
    let (status, body) = match (method.as_str(), path.as_str()) {
        ("PUT", "/latest/api/token") if ttl => (200, TOKEN.to_string()),
        ("PUT", _) => (400, String::new()),
        _ if !with_token => (401, String::new()),
        ("GET", p) if p == creds_path => (200, ROLE.to_string()),
        ("GET", p) if p == format!("{creds_path}{ROLE}") => {
            let expiration = hat::clock::to_rfc3339(hat::clock::now() + 6 * 3600);
            (
                200,
                format!(
                    r#"{{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"{KEY_ID}","SecretAccessKey":"imdsSecret","Token":"imdsToken","Expiration":"{expiration}"}}"#
                ),
            )
        }
        _ => (404, String::new()),
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = writer.write_all(response.as_bytes());
    let _ = writer.flush();
}
