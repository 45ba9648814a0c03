//! A forwarding HTTP proxy on loopback that records the requests sent through it, to
//! check that hat honours HTTP_PROXY / HTTPS_PROXY like the other AWS tools.

use crate::server::{Server, forward};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&seen);
        let server = Server::start(move |r| {
            shared.lock().unwrap().push(r.line());
            // An absolute-form target names the origin; the Host header otherwise.
            let origin = r
                .target
                .strip_prefix("http://")
                .and_then(|rest| rest.split('/').next())
                .or(r.header("host"))
                .unwrap_or_default()
                .to_string();
            forward(&origin, &r)
        });
        Proxy {
            url: server.url(),
            seen,
        }
    }

    /// Request lines received (`POST http://127.0.0.1:PORT/ HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}
