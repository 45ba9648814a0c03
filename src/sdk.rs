//! What every AWS SDK client hat builds shares: one current-thread tokio runtime and
//! one SDK config (the HTTP client: hyper + rustls with ring and the standard proxy
//! variables; the behaviour version, retries and timeouts), made only when a command
//! needs the network. STS, SSO, SSO OIDC and IAM clients all derive their config from
//! [`Sdk::config`] and add only their region, endpoint and credentials. A CA bundle
//! (`AWS_CA_BUNDLE` / `ca_bundle`) is added to the system's roots here, and handed to
//! hat's own HTTP client through [`Sdk::ca_bundle`].

use crate::endpoint::Endpoints;
use crate::env::Env;
use anyhow::{Result, anyhow};
use aws_smithy_http_client::Connector;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::tls::{TlsContext, TrustStore};
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
/// it, and a command that makes none never starts it. The first caller's limits win:
/// the credential fetch passes the profile's ([`shared_with`]), later callers take it.
pub fn shared(env: &Env) -> Result<Rc<Sdk>> {
    shared_or(|| Sdk::for_env(env, &Endpoints::from_env(env)))
}

/// [`shared`], made with `limits` and the CA bundle of `endpoints` when it does not
/// exist yet.
pub fn shared_with(limits: Limits, endpoints: &Endpoints) -> Result<Rc<Sdk>> {
    shared_or(|| Sdk::with_limits(limits, endpoints))
}

fn shared_or(make: impl FnOnce() -> Result<Sdk>) -> Result<Rc<Sdk>> {
    SHARED.with(|cell| {
        if let Some(sdk) = cell.get() {
            return Ok(Rc::clone(sdk));
        }
        let sdk = Rc::new(make()?);
        let _ = cell.set(Rc::clone(&sdk));
        Ok(sdk)
    })
}

pub struct Sdk {
    runtime: tokio::runtime::Runtime,
    config: SdkConfig,
    limits: Limits,
    ca_bundle: Option<Vec<u8>>,
}

/// How long and how often a call may try before hat gives up: bounded so an
/// interactive `assume` fails within 10 s on an endpoint that never answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The TCP (and TLS) connect timeout of one attempt.
    pub connect: Duration,
    /// All attempts of one call together, backoff included.
    pub total: Duration,
    /// Attempts of one call (the first included).
    pub attempts: u32,
    /// `retry_mode = adaptive` (client-side rate limiting) instead of standard.
    pub adaptive: bool,
    /// One request to the instance metadata service or the container endpoint.
    pub metadata: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect: Duration::from_secs(3),
            total: Duration::from_secs(9),
            attempts: 3,
            adaptive: false,
            metadata: Duration::from_secs(2),
        }
    }
}

impl Limits {
    /// The defaults, then `[network]` in hat's settings file, then the variables the
    /// SDKs read (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`, `AWS_METADATA_SERVICE_TIMEOUT`);
    /// the profile's `max_attempts` / `retry_mode` come in with [`Limits::for_profile`].
    /// A value that does not parse is an error naming it.
    pub fn load(env: &Env) -> Result<Limits> {
        let mut limits = Limits::default();
        let network = crate::settings::load(env)?.network;
        if let Some(s) = network.connect_timeout {
            limits.connect = positive("connect_timeout in hat's settings", s)?;
        }
        if let Some(s) = network.timeout {
            limits.total = positive("timeout in hat's settings", s)?;
        }
        if let Some(s) = network.metadata_timeout {
            limits.metadata = positive("metadata_timeout in hat's settings", s)?;
        }
        if let Some(v) = env.get("AWS_MAX_ATTEMPTS") {
            limits.attempts = attempts("AWS_MAX_ATTEMPTS", v)?;
        }
        if let Some(v) = env.get("AWS_RETRY_MODE") {
            limits.adaptive = adaptive("AWS_RETRY_MODE", v)?;
        }
        if let Some(v) = env.get("AWS_METADATA_SERVICE_TIMEOUT") {
            let secs = v.trim().parse::<f64>().map_err(|_| {
                anyhow!("AWS_METADATA_SERVICE_TIMEOUT is `{v}`, not a number of seconds")
            })?;
            limits.metadata = positive("AWS_METADATA_SERVICE_TIMEOUT", secs)?;
        }
        Ok(limits)
    }

    /// The profile's `max_attempts` and `retry_mode`, unless the environment set them
    /// (the SDKs' order: environment, then profile).
    pub fn for_profile(
        mut self,
        env: &Env,
        max_attempts: Option<&str>,
        retry_mode: Option<&str>,
    ) -> Result<Limits> {
        if let (None, Some(v)) = (env.get("AWS_MAX_ATTEMPTS"), max_attempts) {
            self.attempts = attempts("max_attempts in the profile", v)?;
        }
        if let (None, Some(v)) = (env.get("AWS_RETRY_MODE"), retry_mode) {
            self.adaptive = adaptive("retry_mode in the profile", v)?;
        }
        Ok(self)
    }

    /// One attempt's share of the total: two full attempts fit, so a black hole costs
    /// at most [`Limits::total`] while a lost packet still gets its retry.
    pub fn attempt(&self) -> Duration {
        if self.attempts <= 1 {
            self.total
        } else {
            self.total / 2
        }
    }
}

fn positive(what: &str, secs: f64) -> Result<Duration> {
    if secs.is_finite() && secs > 0.0 && secs <= 3600.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(anyhow!(
            "{what} is {secs}: give a number of seconds between 0 and 3600"
        ))
    }
}

fn attempts(what: &str, v: &str) -> Result<u32> {
    match v.trim().parse::<u32>() {
        Ok(n) if (1..=10).contains(&n) => Ok(n),
        _ => Err(anyhow!("{what} is `{v}`: give a whole number from 1 to 10")),
    }
}

fn adaptive(what: &str, v: &str) -> Result<bool> {
    match v.trim() {
        "standard" | "legacy" => Ok(false),
        "adaptive" => Ok(true),
        _ => Err(anyhow!("{what} is `{v}`: use standard, legacy or adaptive")),
    }
}

impl Sdk {
    /// With the default [`Limits`].
    pub fn new() -> Result<Sdk> {
        Sdk::with_limits(Limits::default(), &Endpoints::default())
    }

    /// With the [`Limits`] the settings and environment give, for calls where
    /// `endpoints` says (its CA bundle trusted besides the system's roots).
    pub fn for_env(env: &Env, endpoints: &Endpoints) -> Result<Sdk> {
        Sdk::with_limits(Limits::load(env)?, endpoints)
    }

    pub fn with_limits(limits: Limits, endpoints: &Endpoints) -> Result<Sdk> {
        let ca_bundle = match endpoints.ca_bundle() {
            Some(path) => Some(read_ca_bundle(path)?),
            None => None,
        };
        let mut trust = TrustStore::default();
        if let Some(pem) = &ca_bundle {
            trust = trust.with_pem_certificate(pem.clone());
        }
        let tls_context = TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .map_err(|e| anyhow!("could not set up TLS with the CA bundle: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // The crate's ready-made HTTPS client has no way to take a proxy, so build its
        // connector here the way it does, plus the standard proxy variables
        // (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, either case). Those are read
        // by the SDK itself: the one environment read that does not go through `Env`.
        let http = aws_smithy_http_client::Builder::new().build_with_connector_fn(
            move |settings, components| {
                let mut builder = Connector::builder();
                builder.set_connector_settings(settings.cloned());
                builder.set_sleep_impl(components.and_then(|c| c.sleep_impl()));
                builder
                    .proxy_config(ProxyConfig::from_env())
                    .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
                    .tls_context(tls_context.clone())
                    .build()
            },
        );
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(http)
            .retry_config(retry_for(&limits))
            .timeout_config(timeouts_for(&limits))
            .build();
        Ok(Sdk {
            runtime,
            config,
            limits,
            ca_bundle,
        })
    }

    /// The CA bundle's PEM text, for [`crate::net::client`].
    pub fn ca_bundle(&self) -> Option<&[u8]> {
        self.ca_bundle.as_deref()
    }

    /// The limits the clients run under, for messages ("did not answer within 9s").
    pub fn limits(&self) -> &Limits {
        &self.limits
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

/// The default retries: three attempts with the SDK's standard backoff (throttling,
/// 5xx and timeouts are retried); in [`Sdk::config`], so only a client that retries
/// differently names it.
pub fn retry() -> RetryConfig {
    retry_for(&Limits::default())
}

pub fn retry_for(limits: &Limits) -> RetryConfig {
    let config = if limits.adaptive {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    };
    config.with_max_attempts(limits.attempts)
}

/// Fail fast on an unreachable endpoint instead of hanging a shell: a connect timeout,
/// a per-attempt timeout, and a bound on the whole call with its retries.
pub fn timeouts_for(limits: &Limits) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(limits.connect)
        .operation_attempt_timeout(limits.attempt())
        .operation_timeout(limits.total)
        .build()
}

/// The PEM file named by `AWS_CA_BUNDLE` or `ca_bundle`: read, and checked to hold at
/// least one certificate, so a wrong path fails here rather than as a TLS error later.
pub fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<u8>> {
    let pem = std::fs::read(path).map_err(|e| {
        anyhow!(
            "could not read the CA bundle {} (AWS_CA_BUNDLE or ca_bundle): {e}",
            path.display()
        )
    })?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        anyhow::bail!(
            "the CA bundle {} (AWS_CA_BUNDLE or ca_bundle) holds no PEM certificate",
            path.display()
        );
    }
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_environment_then_the_profile() {
        let env = Env::from_pairs([("HOME", "/nonexistent")]);
        let limits = Limits::load(&env).unwrap();
        assert_eq!(limits, Limits::default());
        assert!(limits.total < Duration::from_secs(10));
        let limits = limits
            .for_profile(&env, Some("5"), Some("adaptive"))
            .unwrap();
        assert_eq!((limits.attempts, limits.adaptive), (5, true));

        let env = Env::from_pairs([
            ("HOME", "/nonexistent"),
            ("AWS_MAX_ATTEMPTS", "2"),
            ("AWS_METADATA_SERVICE_TIMEOUT", "0.5"),
        ]);
        let limits = Limits::load(&env)
            .unwrap()
            .for_profile(&env, Some("5"), None)
            .unwrap();
        assert_eq!(limits.attempts, 2);
        assert_eq!(limits.metadata, Duration::from_millis(500));

        let env = Env::from_pairs([("HOME", "/nonexistent"), ("AWS_MAX_ATTEMPTS", "lots")]);
        let e = Limits::load(&env).unwrap_err().to_string();
        assert_eq!(
            e,
            "AWS_MAX_ATTEMPTS is `lots`: give a whole number from 1 to 10"
        );
    }

    #[test]
    fn a_process_makes_one_sdk_however_many_callers_ask() {
        let env = Env::from_pairs([("HOME", "/nonexistent")]);
        let first = shared(&env).unwrap();
        let second = shared(&env).unwrap();
        assert!(Rc::ptr_eq(&first, &second));
    }
}
