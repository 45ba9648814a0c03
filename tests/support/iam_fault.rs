//! A loopback front for moto's IAM (or STS) that passes every request through except
//! the one action it is told to fail, which gets AWS's AccessDenied document (or, for
//! STS, InvalidClientTokenId for keys it has not been told to accept). It lets a test
//! break `hat keys rotate` between two steps while every other call is real.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let failed = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&failed);
        let allowed = key_id.map(|k| format!("Credential={k}/"));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let upstream = upstream.clone();
                let failed = Arc::clone(&shared);
                let allowed = allowed.clone();
                std::thread::spawn(move || {
                    serve(client, &upstream, action, allowed.as_deref(), &failed)
                });
            }
        });
        IamFault { url, failed }
    }

    /// The failed requests' bodies.
    pub fn failed(&self) -> Vec<String> {
        self.failed.lock().unwrap().clone()
    }
}

fn serve(
    client: TcpStream,
    upstream: &str,
    action: &str,
    allowed: Option<&str>,
    failed: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut writer = client;
    let mut head = String::new();
    let mut length = 0usize;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    head.push_str(&line);
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
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            if name.eq_ignore_ascii_case("connection") {
                continue;
            }
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let signed_by_allowed = allowed.is_some_and(|a| head.contains(a));
    let response = if text.split('&').any(|p| p == format!("Action={action}")) && !signed_by_allowed
    {
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
        let xml = format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        );
        format!(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
            xml.len()
        )
        .into_bytes()
    } else {
        forward(upstream, &head, &body)
    };
    let _ = writer.write_all(&response);
    let _ = writer.flush();
}

/// Sends the request on a fresh connection and returns the answer with `Connection: close`.
fn forward(upstream: &str, head: &str, body: &[u8]) -> Vec<u8> {
    let mut server = TcpStream::connect(upstream).unwrap();
    server
        .write_all(format!("{head}Connection: close\r\n\r\n").as_bytes())
        .unwrap();
    server.write_all(body).unwrap();
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).unwrap();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let mut out = String::new();
    for line in head.split("\r\n") {
        if line
            .split_once(':')
            .is_some_and(|(n, _)| n.eq_ignore_ascii_case("connection"))
        {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&answer[split + 4..]);
    bytes
}
