//! What every AWS SDK client hat builds shares: one current-thread tokio runtime and
//! one SDK config (the HTTP client: hyper + rustls with ring and the standard proxy
//! variables; the behaviour version, retries and timeouts), made only when a command
//! needs the network. STS, SSO, SSO OIDC and IAM clients all derive their config from
//! [`Sdk::config`] and add only their region, endpoint and credentials.

use anyhow::Result;
use aws_smithy_http_client::Connector;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::SdkConfig;
use std::cell::OnceCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

thread_local! {
    static SHARED: OnceCell<Rc<Sdk>> = const { OnceCell::new() };
}

/// The process's one runtime and SDK config, made on first use: every network call
/// of a command (the role's credentials, then `assume -c`'s federation call) runs on
/// it, and a command that makes none never starts it.
pub fn shared() -> Result<Rc<Sdk>> {
    SHARED.with(|cell| {
        if let Some(sdk) = cell.get() {
            return Ok(Rc::clone(sdk));
        }
        let sdk = Rc::new(Sdk::new()?);
        let _ = cell.set(Rc::clone(&sdk));
        Ok(sdk)
    })
}

pub struct Sdk {
    runtime: tokio::runtime::Runtime,
    config: SdkConfig,
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
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(http)
            .retry_config(retry())
            .timeout_config(timeouts())
            .build();
        Ok(Sdk { runtime, config })
    }

    /// What every client's config starts from: `aws_sdk_*::config::Builder::from(..)`.
    pub fn config(&self) -> &SdkConfig {
        &self.config
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

/// Three attempts with the SDK's standard backoff (throttling and 5xx are retried); in
/// [`Sdk::config`], so only a client that retries differently names it.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_makes_one_sdk_however_many_callers_ask() {
        let first = shared().unwrap();
        let second = shared().unwrap();
        assert!(Rc::ptr_eq(&first, &second));
    }
}
