//! Where calls to each AWS service go, by the SDKs' precedence: the service's own
//! variable (`AWS_ENDPOINT_URL_STS`), then `AWS_ENDPOINT_URL`, then the profile's
//! `[services NAME]` entry for the service, then the profile's `endpoint_url`; all of
//! it off when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
//! `ignore_configured_endpoint_urls = true`). One mechanism for STS, SSO, SSO OIDC, IAM and EKS.

use crate::config::{ConfigSet, Section};
use crate::env::Env;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Sts,
    Sso,
    SsoOidc,
    Iam,
    Eks,
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
    eks: Option<String>,
}

impl Endpoints {
    /// The endpoints for `profile` (which may not exist: then only the environment counts).
    pub fn new(env: &Env, config: &ConfigSet, profile: Option<&str>) -> Endpoints {
        let section = profile.and_then(|p| config.profile(p));
        let ignored = env
            .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .or_else(|| section.and_then(|s| s.get("ignore_configured_endpoint_urls")))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if ignored {
            return Endpoints::default();
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
            eks: one(Service::Eks),
        }
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
        }
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
