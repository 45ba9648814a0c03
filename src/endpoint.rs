//! Where calls to each AWS service go, by the SDKs' precedence: the service's own
//! variable (`AWS_ENDPOINT_URL_STS`), then `AWS_ENDPOINT_URL`, then the profile's
//! `[services NAME]` entry for the service, then the profile's `endpoint_url`; all of
//! it off when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
//! `ignore_configured_endpoint_urls = true`). One mechanism for STS, SSO, SSO OIDC, IAM, EKS and
//! Sign-In.
//!
//! Without a configured URL the host comes from each service crate's own endpoint
//! resolver, with FIPS (`AWS_USE_FIPS_ENDPOINT`, then the profile's
//! `use_fips_endpoint`) and dual-stack (`AWS_USE_DUALSTACK_ENDPOINT`, then
//! `use_dualstack_endpoint`) as the SDKs read them. A configured URL wins over both,
//! as in botocore, which drops FIPS and dual-stack when an endpoint URL is given.

use crate::config::{ConfigSet, Section};
use crate::env::Env;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Sts,
    Sso,
    SsoOidc,
    Iam,
    Eks,
    /// The AWS Sign-In service (`aws login` sessions' token refresh).
    Signin,
}

impl Service {
    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>`.
    fn env_suffix(self) -> &'static str {
        match self {
            Service::Sts => "STS",
            Service::Sso => "SSO",
            Service::SsoOidc => "SSO_OIDC",
            Service::Iam => "IAM",
            Service::Eks => "EKS",
            Service::Signin => "SIGNIN",
        }
    }

    /// The first labels of its usual host, for a message when the resolver has no answer.
    fn host(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Sso => "portal.sso",
            Service::SsoOidc => "oidc",
            Service::Iam => "iam",
            Service::Eks => "eks",
            Service::Signin => "signin",
        }
    }

    /// The key inside a `[services NAME]` section.
    fn config_key(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Sso => "sso",
            Service::SsoOidc => "sso_oidc",
            Service::Iam => "iam",
            Service::Eks => "eks",
            Service::Signin => "signin",
        }
    }
}

/// The configured endpoints for one profile, worked out once per run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    sts: Option<String>,
    sso: Option<String>,
    sso_oidc: Option<String>,
    iam: Option<String>,
    fips: bool,
    dual_stack: bool,
    ca_bundle: Option<std::path::PathBuf>,
    eks: Option<String>,
    signin: Option<String>,
}

impl Endpoints {
    /// The endpoints for `profile` (which may not exist: then only the environment counts).
    pub fn new(env: &Env, config: &ConfigSet, profile: Option<&str>) -> Endpoints {
        let section = profile.and_then(|p| config.profile(p));
        let flag = |var: &str, key: &str| {
            env.get(var)
                .or_else(|| section.and_then(|s| s.get(key)))
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        let fips = flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
        let dual_stack = flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
        let ca_bundle = env
            .get("AWS_CA_BUNDLE")
            .or_else(|| section.and_then(|s| s.get("ca_bundle")))
            .map(|path| env.expand_tilde(path));
        let ignored = env
            .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .or_else(|| section.and_then(|s| s.get("ignore_configured_endpoint_urls")))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if ignored {
            return Endpoints {
                fips,
                dual_stack,
                ca_bundle,
                ..Endpoints::default()
            };
        }
        let services = section
            .and_then(|s| s.get("services"))
            .and_then(|name| config.services_section(name));
        let one = |service: Service| resolve(env, section, services, service);
        Endpoints {
            sts: one(Service::Sts),
            sso: one(Service::Sso),
            sso_oidc: one(Service::SsoOidc),
            iam: one(Service::Iam),
            fips,
            dual_stack,
            ca_bundle,
            eks: one(Service::Eks),
            signin: one(Service::Signin),
        }
    }

    /// The extra trust roots (`AWS_CA_BUNDLE`, then the profile's `ca_bundle`): a PEM
    /// file whose certificates every HTTPS client of hat trusts besides the system's.
    pub fn ca_bundle(&self) -> Option<&std::path::Path> {
        self.ca_bundle.as_deref()
    }

    /// From the environment alone (no profile file), for commands that have none.
    pub fn from_env(env: &Env) -> Endpoints {
        Endpoints::new(env, &ConfigSet::default(), None)
    }

    pub fn get(&self, service: Service) -> Option<&str> {
        match service {
            Service::Sts => self.sts.as_deref(),
            Service::Sso => self.sso.as_deref(),
            Service::SsoOidc => self.sso_oidc.as_deref(),
            Service::Iam => self.iam.as_deref(),
            Service::Eks => self.eks.as_deref(),
            Service::Signin => self.signin.as_deref(),
        }
    }

    /// Whether the client for `service` asks its resolver for a FIPS endpoint: never
    /// when a URL is configured for it (that URL wins).
    pub fn fips(&self, service: Service) -> bool {
        self.fips && self.get(service).is_none()
    }

    /// Whether the client for `service` asks its resolver for a dual-stack endpoint.
    pub fn dual_stack(&self, service: Service) -> bool {
        self.dual_stack && self.get(service).is_none()
    }

    /// Where calls to `service` in `region` go: the configured URL, else what the
    /// service crate's endpoint resolver computes (`https://sts-fips.us-east-1.api.aws`
    /// with both FIPS and dual-stack on). For messages and for the browser sign-in
    /// URL, which the CLI derives from the OIDC client's resolved endpoint.
    pub fn url(&self, service: Service, region: &str) -> String {
        if let Some(url) = self.get(service) {
            return url.trim_end_matches('/').to_string();
        }
        let (fips, dual_stack) = (self.fips, self.dual_stack);
        // Each service crate's own resolver: the same parameters, a different crate.
        macro_rules! resolve {
            ($service:ident) => {{
                use $service::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
                Params::builder()
                    .region(region)
                    .use_fips(fips)
                    .use_dual_stack(dual_stack)
                    .build()
                    .ok()
                    .and_then(|p| ready(DefaultResolver::new().resolve_endpoint(&p)))
            }};
        }
        let resolved = match service {
            Service::Sts => resolve!(aws_sdk_sts),
            Service::Sso => resolve!(aws_sdk_sso),
            Service::SsoOidc => resolve!(aws_sdk_ssooidc),
            Service::Iam => resolve!(aws_sdk_iam),
            Service::Eks => resolve!(aws_sdk_eks),
            Service::Signin => resolve!(aws_sdk_signin),
        };
        // The resolvers fail only for combinations a partition lacks (dual-stack where
        // there is none); the client reports that itself when it calls.
        resolved.unwrap_or_else(|| format!("https://{}.{region}.amazonaws.com", service.host()))
    }
}

/// The resolvers' futures are ready at once (rules evaluated in memory): take the
/// answer without a runtime, so messages and URLs cost no async machinery.
fn ready<F, E>(future: F) -> Option<String>
where
    F: std::future::Future<Output = Result<aws_smithy_types::endpoint::Endpoint, E>>,
{
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Ok(endpoint)) => {
            Some(endpoint.url().trim_end_matches('/').to_string())
        }
        _ => None,
    }
}

fn resolve(
    env: &Env,
    profile: Option<&Section>,
    services: Option<&Section>,
    service: Service,
) -> Option<String> {
    let from_env = env
        .get(&format!("AWS_ENDPOINT_URL_{}", service.env_suffix()))
        .or_else(|| env.get("AWS_ENDPOINT_URL"));
    if let Some(url) = from_env {
        return Some(url.to_string());
    }
    let from_services = services
        .and_then(|s| s.get(service.config_key()))
        .and_then(|block| subproperty(block, "endpoint_url"));
    if let Some(url) = from_services {
        return Some(url.to_string());
    }
    profile
        .and_then(|p| p.get("endpoint_url"))
        .map(str::to_string)
}

/// `key` from a sub-property block (`\nendpoint_url = http://x\nother = y`).
fn subproperty<'a>(block: &'a str, key: &str) -> Option<&'a str> {
    block.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CONFIG: &str = "\
[profile p]
endpoint_url = http://profile
services = local
[profile plain]
region = eu-west-1
[services local]
sso_oidc =
  endpoint_url = http://oidc-from-services
sts =
  endpoint_url = http://sts-from-services
";

    fn config() -> ConfigSet {
        ConfigSet::from_texts(Path::new("c"), CONFIG, Path::new("k"), "").unwrap()
    }

    #[test]
    fn sdk_precedence_env_service_then_env_global_then_services_then_profile() {
        let cfg = config();
        let none = Env::default();
        let e = Endpoints::new(&none, &cfg, Some("p"));
        assert_eq!(e.get(Service::Sts), Some("http://sts-from-services"));
        assert_eq!(e.get(Service::SsoOidc), Some("http://oidc-from-services"));
        assert_eq!(e.get(Service::Sso), Some("http://profile"));

        let global = Env::from_pairs([("AWS_ENDPOINT_URL", "http://global")]);
        let e = Endpoints::new(&global, &cfg, Some("p"));
        assert_eq!(e.get(Service::Sts), Some("http://global"));

        let both = Env::from_pairs([
            ("AWS_ENDPOINT_URL", "http://global"),
            ("AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc"),
        ]);
        let e = Endpoints::new(&both, &cfg, Some("p"));
        assert_eq!(e.get(Service::SsoOidc), Some("http://oidc"));
        assert_eq!(e.get(Service::Iam), Some("http://global"));

        assert_eq!(
            Endpoints::new(&none, &cfg, Some("plain")),
            Endpoints::default()
        );
        assert_eq!(
            Endpoints::new(&none, &cfg, Some("missing")),
            Endpoints::default()
        );
    }

    #[test]
    fn ignore_configured_endpoints_turns_everything_off() {
        let cfg = config();
        let env = Env::from_pairs([
            ("AWS_ENDPOINT_URL_STS", "http://sts"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"),
        ]);
        assert_eq!(Endpoints::new(&env, &cfg, Some("p")), Endpoints::default());
    }

    #[test]
    fn fips_and_dual_stack_hosts_come_from_the_service_resolvers() {
        let cfg = ConfigSet::from_texts(
            Path::new("c"),
            "[profile f]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n[profile off]\nuse_fips_endpoint = true\n",
            Path::new("k"),
            "",
        )
        .unwrap();
        let e = Endpoints::new(&Env::default(), &cfg, Some("f"));
        assert_eq!(
            e.url(Service::Sts, "us-east-1"),
            "https://sts-fips.us-east-1.api.aws"
        );
        assert_eq!(
            e.url(Service::Sso, "us-east-2"),
            "https://portal.sso-fips.us-east-2.api.aws"
        );
        assert_eq!(
            e.url(Service::SsoOidc, "us-east-2"),
            "https://oidc-fips.us-east-2.api.aws"
        );
        let plain = Endpoints::default();
        assert_eq!(
            plain.url(Service::SsoOidc, "cn-north-1"),
            "https://oidc.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            plain.url(Service::Sts, "eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com"
        );
        // The environment wins over the profile, in either direction.
        let env_off = Env::from_pairs([("AWS_USE_FIPS_ENDPOINT", "false")]);
        let e = Endpoints::new(&env_off, &cfg, Some("off"));
        assert_eq!(
            e.url(Service::Sts, "us-east-1"),
            "https://sts.us-east-1.amazonaws.com"
        );
        let env_on = Env::from_pairs([("AWS_USE_FIPS_ENDPOINT", "TRUE")]);
        let e = Endpoints::new(&env_on, &ConfigSet::default(), None);
        assert_eq!(
            e.url(Service::Sts, "us-gov-west-1"),
            "https://sts.us-gov-west-1.amazonaws.com"
        );
        assert!(e.fips(Service::Sts));
        assert_eq!(
            e.url(Service::SsoOidc, "us-west-2"),
            "https://oidc-fips.us-west-2.amazonaws.com"
        );
        // A configured URL wins: the client does not ask for FIPS at all.
        let url = Env::from_pairs([
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/"),
        ]);
        let e = Endpoints::new(&url, &ConfigSet::default(), None);
        assert!(!e.fips(Service::Sts));
        assert!(e.fips(Service::Sso));
        assert_eq!(e.url(Service::Sts, "us-east-1"), "http://127.0.0.1:9");
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let env = Env::from_pairs([
            ("AWS_ENDPOINT_URL_STS", ""),
            ("AWS_ENDPOINT_URL", "http://a"),
        ]);
        assert_eq!(
            Endpoints::from_env(&env).get(Service::Sts),
            Some("http://a")
        );
    }
}
