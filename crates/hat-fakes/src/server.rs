//! The one HTTP server every fake runs on: hyper's HTTP/1 server on a tokio
//! current-thread runtime in a thread of its own, bound to 127.0.0.1 only. A fake is a
//! plain function from a whole [`Request`] (method, target, headers, body) to a
//! [`Response`]; it runs on tokio's blocking pool, so a fake that sleeps to inject
//! latency holds up only its own connection, as the thread-per-connection fakes did.
//! [`forward`] passes a request on to another server, for the fakes that front moto.
//! [`Server::start_tls`] serves the same over TLS, for fakes that must be https.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

/// One request, read whole.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// As sent: `/path?query`, or `http://host:port/path` through a proxy.
    pub target: String,
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Header names in lower case, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter, decoded; empty when absent.
    pub fn query(&self, name: &str) -> String {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The request line as a proxy log shows it: `POST http://127.0.0.1:1234/ HTTP/1.1`.
    pub fn line(&self) -> String {
        format!("{} {} HTTP/1.1", self.method, self.target)
    }
}

/// An answer: status, headers and body.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response::new(status, "application/json", body.to_string())
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = dyn Fn(Request) -> Response + Send + Sync;

/// A running server. It serves until the process ends.
pub struct Server {
    addr: SocketAddr,
    tls: bool,
}

impl Server {
    /// Serves `handler` on a free port of 127.0.0.1.
    pub fn start(handler: impl Fn(Request) -> Response + Send + Sync + 'static) -> Server {
        Server::bind(0, handler).expect("could not serve on 127.0.0.1")
    }

    /// Serves `handler` on 127.0.0.1:`port` (0 for a free one).
    pub fn bind(
        port: u16,
        handler: impl Fn(Request) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Server> {
        Server::serve(port, None, handler)
    }

    /// Serves `handler` over TLS on a free port of 127.0.0.1, with the certificate and
    /// key (PEM) given; the URL is still [`Server::url`]'s with `https`.
    pub fn start_tls(
        cert_pem: &str,
        key_pem: &str,
        handler: impl Fn(Request) -> Response + Send + Sync + 'static,
    ) -> Server {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("a PEM certificate");
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("a PEM key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
            .expect("a usable certificate and key");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        Server::serve(0, Some(acceptor), handler).expect("could not serve on 127.0.0.1")
    }

    fn serve(
        port: u16,
        tls: Option<tokio_rustls::TlsAcceptor>,
        handler: impl Fn(Request) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handler: Arc<Handler> = Arc::new(handler);
        let server = Server {
            addr,
            tls: tls.is_some(),
        };
        std::thread::Builder::new()
            .name(format!("hat-fakes:{}", addr.port()))
            .spawn(move || runtime.block_on(accept(listener, tls, handler)))?;
        Ok(server)
    }

    /// `http://127.0.0.1:PORT` (`https` for [`Server::start_tls`]), without a trailing
    /// slash.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

async fn accept(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    handler: Arc<Handler>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait for some to close instead of spinning.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let handler = Arc::clone(&handler);
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let handler = Arc::clone(&handler);
                async move { answer(request, handler).await }
            });
            let http = hyper::server::conn::http1::Builder::new();
            // A client that hangs up mid-request (or mid-handshake) is its own business.
            match tls {
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
                Some(tls) => {
                    if let Ok(stream) = tls.accept(stream).await {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            }
        });
    }
}

async fn answer(
    request: hyper::Request<Incoming>,
    handler: Arc<Handler>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let request = from_parts(&parts, body);
    let response = tokio::task::spawn_blocking(move || handler(request))
        .await
        .unwrap_or_else(|_| Response::new(500, "text/plain", "the fake panicked"));
    Ok(into_hyper(response))
}

fn from_parts(parts: &http::request::Parts, body: Vec<u8>) -> Request {
    let target = parts.uri.to_string();
    let query = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        target,
        query,
        headers,
        body,
    }
}

fn into_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(response.body)))
        .unwrap_or_else(|_| {
            let mut fallback = hyper::Response::new(Full::new(Bytes::from_static(b"bad response")));
            *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
}

/// Sends `request` to `authority` (`127.0.0.1:PORT`) on a fresh connection and returns
/// its answer; a 502 when that server cannot be reached. Call it from a handler only.
pub fn forward(authority: &str, request: &Request) -> Response {
    let handle = tokio::runtime::Handle::current();
    handle
        .block_on(send(authority, request))
        .unwrap_or_else(|e| Response::new(502, "text/plain", format!("fake: {authority}: {e}")))
}

async fn send(authority: &str, request: &Request) -> Result<Response, Box<dyn std::error::Error>> {
    let stream = tokio::net::TcpStream::connect(authority).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    // Origin form for the upstream, whatever form the request came in.
    let uri: http::Uri = request.target.parse()?;
    let origin = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let mut builder = hyper::Request::builder()
        .method(request.method.as_str())
        .uri(origin);
    for (name, value) in &request.headers {
        if !is_hop_by_hop(name) {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    if request.header("host").is_none() {
        builder = builder.header("host", authority);
    }
    let answer = sender
        .send_request(builder.body(Full::new(Bytes::from(request.body.clone())))?)
        .await?;
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .filter(|(name, _)| !is_hop_by_hop(name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = answer.into_body().collect().await?.to_bytes().to_vec();
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// A GET of `url` (`http://127.0.0.1:PORT/...`) with `headers`, on a fresh connection:
/// for a fake that asks another server (the EKS API asking STS), from a handler or from
/// a test's own thread. A 502 when that server cannot be reached.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Response {
    let Some(rest) = url.strip_prefix("http://") else {
        return Response::new(
            502,
            "text/plain",
            format!("fake: not an http:// URL: {url}"),
        );
    };
    let (authority, target) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    let request = Request {
        method: "GET".into(),
        target: target.to_string(),
        path: target.split('?').next().unwrap_or("/").to_string(),
        query: Vec::new(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: Vec::new(),
    };
    let answer = match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.block_on(send(authority, &request)),
        Err(_) => match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(send(authority, &request)),
            Err(e) => Err(e.into()),
        },
    };
    answer.unwrap_or_else(|e| Response::new(502, "text/plain", format!("fake: {authority}: {e}")))
}

/// Headers that describe one connection, not the message (hyper sets its own).
fn is_hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "content-length",
        "upgrade",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn raw(url: &str, request: &str) -> String {
        let authority = url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(authority).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn hands_the_whole_request_to_the_handler() {
        let server = Server::start(|r| {
            Response::new(
                201,
                "text/plain",
                format!(
                    "{} {} {:?} {} {}",
                    r.method,
                    r.path,
                    r.query,
                    r.header("x-thing").unwrap_or("-"),
                    r.body_text()
                ),
            )
            .header("x-amzn-ErrorType", "Nope")
        });
        let answer = raw(
            &server.url(),
            "POST /a/b?x=1&y=two%20words HTTP/1.1\r\nHost: h\r\nX-Thing: yes\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        );
        assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
        assert!(answer.contains("x-amzn-errortype: Nope"), "{answer}");
        assert!(
            answer.ends_with(r#"POST /a/b [("x", "1"), ("y", "two words")] yes hello"#),
            "{answer}"
        );
    }

    #[test]
    fn a_slow_handler_does_not_hold_up_other_connections() {
        let server = Server::start(|r| {
            if r.path == "/slow" {
                std::thread::sleep(std::time::Duration::from_secs(3));
            }
            Response::new(200, "text/plain", "ok")
        });
        let url = server.url();
        let slow = std::thread::spawn({
            let url = url.clone();
            move || {
                raw(
                    &url,
                    "GET /slow HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
                )
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        let started = std::time::Instant::now();
        raw(
            &url,
            "GET /fast HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(slow.join().unwrap().ends_with("ok"));
    }

    #[test]
    fn forwards_to_another_server_and_relays_its_answer() {
        let origin = Server::start(|r| {
            Response::new(200, "text/xml", format!("{} {}", r.target, r.body_text()))
        });
        let front = Server::start({
            let authority = origin.url().trim_start_matches("http://").to_string();
            move |r| forward(&authority, &r)
        });
        let answer = raw(
            &front.url(),
            "POST /x?y=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("content-type: text/xml"), "{answer}");
        assert!(answer.ends_with("/x?y=1 abc"), "{answer}");
    }
}
