//! What every AWS SDK client hat builds shares: one current-thread tokio runtime and
//! one HTTP client (hyper + rustls with ring, the standard proxy variables), made only
//! when a command needs the network, plus the retry and timeout settings. STS, SSO,
//! SSO OIDC and IAM clients are all built from one [`Sdk`].

use anyhow::Result;
use aws_smithy_http_client::Connector;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::future::Future;
use std::time::Duration;

pub struct Sdk {
    runtime: tokio::runtime::Runtime,
    http: SharedHttpClient,
}

impl Sdk {
    pub fn new() -> Result<Sdk> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // The crate's ready-made HTTPS client has no way to take a proxy, so build its
        // connector here the way it does, plus the standard proxy variables
        // (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, either case). Those are read
        // by the SDK itself: the one environment read that does not go through `Env`.
        let http = aws_smithy_http_client::Builder::new().build_with_connector_fn(
            |settings, components| {
                let mut builder = Connector::builder();
                builder.set_connector_settings(settings.cloned());
                builder.set_sleep_impl(components.and_then(|c| c.sleep_impl()));
                builder
                    .proxy_config(ProxyConfig::from_env())
                    .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
                    .build()
            },
        );
        Ok(Sdk { runtime, http })
    }

    /// The HTTP client to hand to every SDK client's config.
    pub fn http(&self) -> SharedHttpClient {
        self.http.clone()
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

/// Three attempts with the SDK's standard backoff (throttling and 5xx are retried).
pub fn retry() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(3)
}

/// Fail fast on an unreachable endpoint instead of hanging a shell.
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(20))
        .build()
}
