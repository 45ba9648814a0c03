//! HTTP outside the AWS SDK, in one place: the reqwest clients (rustls with ring, the
//! provider the SDK uses, so the binary carries one TLS stack) for what is not an SDK
//! call (the console's federation endpoint over the internet; the instance metadata
//! service and container endpoints on this machine), and hyper's HTTP/1 server for
//! hat's two loopback listeners (`hat exec --server` and the SSO sign-in callback).
//! Both run on the tokio runtime of [`crate::sdk::Sdk`].

use anyhow::{Result, anyhow};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Sent with every request hat makes itself.
pub const USER_AGENT: &str = concat!("hat/", env!("CARGO_PKG_VERSION"));

/// Off EC2 or outside a container nothing answers at the local endpoints: fail fast.
pub const LOCAL_TIMEOUT: Duration = Duration::from_secs(2);

/// The client for endpoints on the internet (the federation endpoint): TLS, the
/// standard proxy variables (as the SDK's client reads them), and timeouts that fail
/// an unreachable endpoint in seconds instead of hanging a shell.
pub fn client() -> Result<reqwest::Client> {
    build(
        builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20)),
    )
}

/// The client for the instance metadata service and container endpoints: link-local
/// or loopback addresses, so never through a proxy, and a short timeout.
pub fn local_client() -> Result<reqwest::Client> {
    build(builder().no_proxy().timeout(LOCAL_TIMEOUT))
}

fn builder() -> reqwest::ClientBuilder {
    // Fails only when a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().user_agent(USER_AGENT)
}

fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client> {
    builder
        .build()
        .map_err(|e| anyhow!("could not set up HTTP: {}", error_chain(&e)))
}

/// An error and its causes, `: `-separated (reqwest and hyper wrap the useful part).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The innermost cause of `e` ("Connection refused (os error 111)").
pub fn root_cause(e: &dyn std::error::Error) -> String {
    let mut source = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// Serves `listener` (bound to loopback by the caller) until the runtime stops: one
/// task per connection, each request answered by `handler`.
pub async fn serve<H, F>(listener: TcpListener, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            // Out of file descriptors, say: wait instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // The listeners bind 127.0.0.1, so this holds; checked anyway, it costs nothing.
        if !peer.ip().is_loopback() {
            continue;
        }
        tokio::spawn(connection(stream, true, handler.clone()));
    }
}

/// Serves one connection with `handler` until it closes; with `keep_alive` off it
/// closes after the first answer, so the caller knows when that answer has been sent.
pub async fn connection<H, F>(stream: TcpStream, keep_alive: bool, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Send + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let service = service_fn(move |request| {
        let answer = handler(request);
        async move { Ok::<_, Infallible>(answer.await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(keep_alive)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
