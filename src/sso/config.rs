//! SSO profiles as the AWS SDKs read them (`sso_session` with an `[sso-session]`
//! section, or the legacy `sso_start_url`/`sso_region` on the profile), plus the
//! profiles Granted's `sso populate` wrote (`granted_sso_*`), so Granted users switch
//! without editing their config.

use crate::chain::Base;
use crate::chain::SsoTarget;
use crate::config::{ConfigSet, Section};
use crate::suggest;
use anyhow::{Result, anyhow, bail};

const SSO_KEYS: [&str; 5] = [
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "granted_sso_start_url",
];

pub fn is_sso_profile(profile: &Section) -> bool {
    SSO_KEYS.iter().any(|k| profile.get(k).is_some())
}

/// The [`Base::Sso`] of profile `name`.
pub fn base(config: &ConfigSet, name: &str, profile: &Section) -> Result<Base> {
    let granted = profile.get("granted_sso_start_url").is_some()
        && profile.get("sso_start_url").is_none()
        && profile.get("sso_session").is_none();
    let (prefix, target) = if granted {
        ("granted_sso_", granted_target(config, name, profile)?)
    } else {
        ("sso_", profile_target(config, name, profile)?)
    };
    let account_key = format!("{prefix}account_id");
    let role_key = format!("{prefix}role_name");
    let required = |key: &str| {
        profile.get(key).map(str::to_string).ok_or_else(|| {
            anyhow!(
                "profile `{name}`{} signs in with IAM Identity Center but has no {key}; add `{key} = ...`",
                declared(config, profile)
            )
        })
    };
    let account_id = required(&account_key)?;
    let role_name = required(&role_key)?;
    Ok(Base::Sso {
        profile: name.to_string(),
        target,
        account_id,
        role_name,
    })
}

/// The sign-in a profile uses (for `hat sso login --profile P`).
pub fn profile_target(config: &ConfigSet, name: &str, profile: &Section) -> Result<SsoTarget> {
    if profile.get("granted_sso_start_url").is_some()
        && profile.get("sso_start_url").is_none()
        && profile.get("sso_session").is_none()
    {
        return granted_target(config, name, profile);
    }
    if let Some(session) = profile.get("sso_session") {
        let mut target = session_target(config, session).map_err(|e| {
            anyhow!(
                "profile `{name}` has sso_session = {session} ({}), but {e:#}",
                config.locate(name, "sso_session").unwrap_or_default()
            )
        })?;
        // A profile may repeat the start URL; the SDKs insist that it agrees.
        if let Some(url) = profile.get("sso_start_url")
            && url != target.start_url
        {
            bail!(
                "profile `{name}` has sso_start_url = {url} ({}), which differs from the sso_start_url of [sso-session {session}]; remove it from the profile",
                config.locate(name, "sso_start_url").unwrap_or_default()
            );
        }
        target.session = Some(session.to_string());
        return Ok(target);
    }
    let start_url = profile.get("sso_start_url");
    let region = profile.get("sso_region");
    let missing = match (start_url, region) {
        (Some(url), Some(region)) => {
            return Ok(SsoTarget {
                session: None,
                start_url: url.to_string(),
                region: region.to_string(),
                scopes: None,
            });
        }
        (None, _) => "sso_start_url",
        (_, None) => "sso_region",
    };
    bail!(
        "profile `{name}`{} signs in with IAM Identity Center but has no {missing}; add `{missing} = ...`, or `sso_session = NAME` naming an [sso-session NAME] section",
        declared(config, profile)
    )
}

/// The sign-in of `[sso-session NAME]`.
pub fn session_target(config: &ConfigSet, session: &str) -> Result<SsoTarget> {
    let Some(section) = config.sso_session(session) else {
        let hint = suggest::did_you_mean(config.sso_session_names(), session).unwrap_or_else(|| {
            format!(
                "add an [sso-session {session}] section with sso_start_url and sso_region to {}",
                config.config_path.display()
            )
        });
        bail!("there is no [sso-session {session}]; {hint}");
    };
    let get = |key: &str| {
        section.get(key).map(str::to_string).ok_or_else(|| {
            anyhow!(
                "[sso-session {session}]{} has no {key}; add `{key} = ...`",
                declared(config, section)
            )
        })
    };
    Ok(SsoTarget {
        session: Some(session.to_string()),
        start_url: get("sso_start_url")?,
        region: get("sso_region")?,
        scopes: scopes(section.get("sso_registration_scopes")),
    })
}

fn granted_target(config: &ConfigSet, name: &str, profile: &Section) -> Result<SsoTarget> {
    let start_url = profile.get("granted_sso_start_url").unwrap_or_default();
    let Some(region) = profile.get("granted_sso_region") else {
        bail!(
            "profile `{name}`{} has granted_sso_start_url but no granted_sso_region; add `granted_sso_region = ...`",
            declared(config, profile)
        );
    };
    Ok(SsoTarget {
        session: None,
        start_url: start_url.to_string(),
        region: region.to_string(),
        scopes: scopes(profile.get("granted_sso_registration_scopes")),
    })
}

/// `sso_registration_scopes = a, b`, as the CLI v2's `parse_sso_registration_scopes`
/// (an empty value is an empty list); `None` when the key is absent.
fn scopes(value: Option<&str>) -> Option<Vec<String>> {
    value.map(|v| {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// ` (FILE, line N)` where a section was declared.
fn declared(config: &ConfigSet, section: &Section) -> String {
    match section.declared {
        Some((file, line)) => format!(" ({}, line {line})", config.path(file).display()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::resolve;
    use std::path::Path;

    fn config(text: &str) -> ConfigSet {
        ConfigSet::from_texts(Path::new("cfg"), text, Path::new("creds"), "").unwrap()
    }

    const SSO: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, extra
[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
[profile legacy]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = Read
[profile granted]
granted_sso_start_url = https://g.awsapps.com/start
granted_sso_region = ap-southeast-2
granted_sso_account_id = 333333333333
granted_sso_role_name = Dev
credential_process = granted credential-process --profile granted
common_fate_generated_from = aws-sso
[profile chained]
role_arn = arn:aws:iam::444444444444:role/x
source_profile = dev
[profile typo]
sso_session = crop
sso_account_id = 1
sso_role_name = r
[profile noregion]
sso_start_url = https://x/start
sso_account_id = 1
sso_role_name = r
";

    #[test]
    fn sso_session_profiles_take_the_sessions_url_region_and_scopes() {
        let chain = resolve(&config(SSO), "dev").unwrap();
        assert_eq!(
            chain.base,
            Base::Sso {
                profile: "dev".into(),
                target: SsoTarget {
                    session: Some("corp".into()),
                    start_url: "https://corp.awsapps.com/start".into(),
                    region: "eu-west-1".into(),
                    scopes: Some(vec!["sso:account:access".into(), "extra".into()]),
                },
                account_id: "111111111111".into(),
                role_name: "Admin".into(),
            }
        );
    }

    #[test]
    fn legacy_and_granted_profiles_are_keyed_by_start_url() {
        let cfg = config(SSO);
        let Base::Sso { target, .. } = resolve(&cfg, "legacy").unwrap().base else {
            panic!()
        };
        assert_eq!(
            (target.session, target.region.as_str()),
            (None, "us-east-1")
        );
        let Base::Sso {
            target,
            account_id,
            role_name,
            ..
        } = resolve(&cfg, "granted").unwrap().base
        else {
            panic!("granted's credential_process must be ignored")
        };
        assert_eq!(target.start_url, "https://g.awsapps.com/start");
        assert_eq!(
            (account_id.as_str(), role_name.as_str()),
            ("333333333333", "Dev")
        );
    }

    #[test]
    fn roles_chain_on_top_of_sso() {
        let chain = resolve(&config(SSO), "chained").unwrap();
        assert!(matches!(chain.base, Base::Sso { ref profile, .. } if profile == "dev"));
        assert_eq!(chain.hops.len(), 1);
    }

    #[test]
    fn unknown_session_and_missing_keys_say_what_to_fix() {
        let cfg = config(SSO);
        let e = format!("{:#}", resolve(&cfg, "typo").unwrap_err());
        assert!(e.contains("sso_session = crop (cfg, line 25)"), "{e}");
        assert!(e.contains("did you mean `corp`?"), "{e}");
        let e = format!("{:#}", resolve(&cfg, "noregion").unwrap_err());
        assert!(
            e.contains("(cfg, line 28)") && e.contains("no sso_region"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            resolve(&config("[sso-session s]\nsso_region = x\n[profile p]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n"), "p").unwrap_err()
        );
        assert!(
            e.contains("[sso-session s] (cfg, line 1) has no sso_start_url"),
            "{e}"
        );
    }
}
