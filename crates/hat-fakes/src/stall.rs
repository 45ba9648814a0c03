//! Endpoints that never finish, for hat's bounded failures: a [`BlackHole`] accepts
//! connections and never answers; a [`SlowLoris`] starts an answer and then sends one
//! header byte a second forever. Plain sockets (no HTTP server can be this rude), a
//! thread per connection, all on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct BlackHole {
    pub url: String,
    _held: Arc<Mutex<Vec<TcpStream>>>,
}

impl BlackHole {
    /// Accepts every connection and holds it open, reading nothing, writing nothing.
    pub fn start() -> BlackHole {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let held = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&held);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                keep.lock().unwrap().push(stream);
            }
        });
        BlackHole { url, _held: held }
    }
}

pub struct SlowLoris {
    pub url: String,
}

impl SlowLoris {
    /// Reads the request, sends a status line, then a byte of a header each second.
    pub fn start() -> SlowLoris {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || trickle(stream));
            }
        });
        SlowLoris { url }
    }
}

fn trickle(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = stream.read(&mut buf);
    if stream.write_all(b"HTTP/1.1 200 OK\r\nX-Slow: ").is_err() {
        return;
    }
    loop {
        std::thread::sleep(Duration::from_secs(1));
        if stream
            .write_all(b"a")
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}
