//! A forwarding HTTP proxy on loopback that records the requests sent through it, to
//! check that hat honours HTTP_PROXY / HTTPS_PROXY like the other AWS tools.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&seen);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = Arc::clone(&shared);
                std::thread::spawn(move || forward(client, &seen));
            }
        });
        Proxy { url, seen }
    }

    /// Request lines received (`POST http://127.0.0.1:PORT/ HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one absolute-form request, sends it to its origin, relays the answer.
fn forward(client: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut head = String::new();
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let request_line = line.trim_end().to_string();
    seen.lock().unwrap().push(request_line.clone());
    let mut length = 0;
    head.push_str(&line);
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .and_then(|uri| uri.strip_prefix("http://"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    let Ok(mut origin) = TcpStream::connect(&target) else {
        return;
    };
    origin.write_all(head.as_bytes()).unwrap();
    origin.write_all(&body).unwrap();
    let mut answer = Vec::new();
    let _ = origin.read_to_end(&mut answer);
    let mut client = client;
    let _ = client.write_all(&answer);
}
