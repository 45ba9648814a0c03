//! HTTP outside the AWS SDK, in one place: the reqwest clients (rustls with ring, the
//! provider the SDK uses, so the binary carries one TLS stack) for what is not an SDK
//! call (the console's federation endpoint over the internet; the instance metadata
//! service and container endpoints on this machine), and hyper's HTTP/1 server for
//! hat's two loopback listeners (`hat exec --server` and the SSO sign-in callback).
//! Both run on the tokio runtime of [`crate::sdk::Sdk`].

use crate::sdk::Limits;
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

/// The client for endpoints on the internet (the federation endpoint): TLS, the
/// standard proxy variables (as the SDK's client reads them), and the [`Limits`]'
/// connect timeout and total, so an unreachable endpoint fails in seconds instead of
/// hanging a shell. `ca_bundle` ([`crate::sdk::Sdk::ca_bundle`]) adds trust roots, as
/// for the SDK clients.
pub fn client(limits: &Limits, ca_bundle: Option<&[u8]>) -> Result<reqwest::Client> {
    with_roots(
        builder()
            .connect_timeout(limits.connect)
            .timeout(limits.total),
        ca_bundle,
    )
}

/// `builder` trusting `ca_bundle`'s certificates too.
fn with_roots(
    mut builder: reqwest::ClientBuilder,
    ca_bundle: Option<&[u8]>,
) -> Result<reqwest::Client> {
    if let Some(pem) = ca_bundle {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| anyhow!("the CA bundle is not PEM certificates: {e}"))?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    build(builder)
}

/// A [`client`] that reports redirects instead of following them, within `total`: for
/// asking a vanity SSO start URL where it leads ([`crate::sso::start_url`]), as the AWS
/// CLI does (one hop, read from the answer).
pub fn client_without_redirects(
    limits: &Limits,
    ca_bundle: Option<&[u8]>,
    total: Duration,
) -> Result<reqwest::Client> {
    let limits = Limits { total, ..*limits };
    with_roots(
        builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(limits.connect)
            .timeout(limits.total),
        ca_bundle,
    )
}

/// Said after a failed call whose error shows an untrusted certificate: how to fix it.
pub fn tls_hint(error: &str) -> &'static str {
    let lower = error.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        ". The server's certificate was not trusted: if a proxy inspects TLS, set AWS_CA_BUNDLE (or ca_bundle in the profile) to its CA certificate file"
    } else {
        ""
    }
}

/// The client for the instance metadata service and container endpoints: link-local
/// or loopback addresses, so never through a proxy, and the short metadata timeout
/// (off EC2 or outside a container nothing answers there: fail fast).
pub fn local_client(limits: &Limits) -> Result<reqwest::Client> {
    build(
        builder()
            .no_proxy()
            .connect_timeout(limits.metadata)
            .timeout(limits.metadata),
    )
}

fn builder() -> reqwest::ClientBuilder {
    // Fails only when a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().user_agent(USER_AGENT)
}

fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client> {
    builder.build().map_err(|e| {
        anyhow!(
            "could not set up HTTP: {}",
            crate::failure::http(&e, Duration::ZERO)
        )
    })
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
