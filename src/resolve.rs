//! From a profile name to the chain of credential sources that produce its
//! credentials: one base source (static keys, the environment, a credential_process,
//! a web identity token) and the roles assumed on top of it, in order. The rules are
//! the AWS SDKs' (`source_profile` chains, static keys winning in source profiles,
//! self-referencing profiles); the errors say what to change and where.

use crate::chain::{self, Base, Chain, Hop, Tagging};
use crate::config::{ConfigSet, Section};
use crate::creds::Credentials;
use crate::suggest;
use anyhow::{Result, anyhow, bail};

pub fn resolve(config: &ConfigSet, selected: &str) -> Result<Chain> {
    let mut visited: Vec<String> = Vec::new();
    let mut hops: Vec<Hop> = Vec::new();
    let mut name = selected.to_string();

    let base = loop {
        let Some(profile) = config.profile(&name) else {
            return Err(match visited.last() {
                None => unknown_profile(config, &name),
                Some(referrer) => anyhow!(
                    "profile `{referrer}` has source_profile = {name}, but there is no profile `{name}` ({}). {}",
                    config
                        .locate(referrer, "source_profile")
                        .unwrap_or_default(),
                    suggest::sentence(config.profile_names(), &name).unwrap_or_else(|| {
                        "Define it, or point source_profile at a profile that exists.".into()
                    })
                ),
            });
        };
        if visited.contains(&name) {
            visited.push(name.clone());
            let at = config
                .locate(&visited[visited.len() - 2], "source_profile")
                .unwrap_or_default();
            bail!(
                "source_profile cycle: {} ({at}). Break the loop: one profile in it needs its own credentials",
                visited.join(" -> ")
            );
        }
        visited.push(name.clone());
        let first = visited.len() == 1;

        // In a source profile, static keys win over everything else (as in the SDKs).
        if !first && has_static_keys(profile) {
            break static_base(config, &name, profile, false)?;
        }
        // Keys moved to hat's store count as static keys there too.
        if !first && !has_static_keys(profile) && keeps_keys_in_hat(&name, profile) {
            break store_base(&name, profile, false);
        }

        let Some(hop) = role_hop(config, &name, profile)? else {
            break base_source(config, &name, profile, first)?;
        };
        let source_profile = profile.get("source_profile");
        let credential_source = profile.get("credential_source");
        hops.push(hop);
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => bail!(
                "profile `{name}` sets both source_profile and credential_source ({}); keep only one",
                config
                    .locate(&name, "credential_source")
                    .unwrap_or_default()
            ),
            (None, None) => bail!(
                "profile `{name}` has role_arn but no source_profile or credential_source ({}): add `source_profile = NAME` naming the profile whose credentials assume the role",
                config.locate(&name, "role_arn").unwrap_or_default()
            ),
            (Some(source), None) if source == name => {
                if !has_static_keys(profile) && keeps_keys_in_hat(&name, profile) {
                    break store_base(&name, profile, false);
                }
                break static_base(config, &name, profile, false)?;
            }
            (Some(source), None) => name = source.to_string(),
            (None, Some(source)) => break named_source(config, &name, source)?,
        }
    };
    hops.reverse();
    Ok(Chain {
        profile: selected.to_string(),
        base,
        hops,
    })
}

fn has_static_keys(profile: &Section) -> bool {
    profile.get("aws_access_key_id").is_some() || profile.get("aws_secret_access_key").is_some()
}

fn role_hop(config: &ConfigSet, name: &str, profile: &Section) -> Result<Option<Hop>> {
    // A web identity profile's role is its base, not a hop.
    if profile.get("web_identity_token_file").is_some() {
        return Ok(None);
    }
    let Some(role_arn) = profile.get("role_arn") else {
        return Ok(None);
    };
    Ok(Some(Hop {
        profile: name.to_string(),
        role_arn: role_arn.to_string(),
        external_id: profile.get("external_id").map(str::to_string),
        session_name: profile.get("role_session_name").map(str::to_string),
        duration: duration_setting(config, name, profile)?,
        mfa_serial: profile.get("mfa_serial").map(str::to_string),
        tagging: tagging(config, name, profile)?,
    }))
}

/// aws-vault's `session_tags = k1=v1,k2=v2`, `transitive_session_tags = k1,k2` and
/// `source_identity = NAME` (which may use `{user}`, filled in when planned).
fn tagging(config: &ConfigSet, name: &str, profile: &Section) -> Result<Tagging> {
    let tags = match profile.get("session_tags") {
        None => Vec::new(),
        Some(text) => chain::parse_tags(text).map_err(|e| {
            anyhow!(
                "profile `{name}` has session_tags = {text}: {e}; write them as key1=value1,key2=value2 ({})",
                config.locate(name, "session_tags").unwrap_or_default()
            )
        })?,
    };
    let transitive: Vec<String> = profile
        .get("transitive_session_tags")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(key) = transitive
        .iter()
        .find(|k| !tags.iter().any(|(t, _)| t == *k))
    {
        bail!(
            "profile `{name}` lists `{key}` in transitive_session_tags, but session_tags has no such key ({})",
            config
                .locate(name, "transitive_session_tags")
                .unwrap_or_default()
        );
    }
    Ok(Tagging {
        tags,
        transitive,
        source_identity: profile.get("source_identity").map(str::to_string),
    })
}

fn duration_setting(config: &ConfigSet, name: &str, profile: &Section) -> Result<Option<u32>> {
    match profile.get("duration_seconds") {
        None => Ok(None),
        Some(text) => text.parse::<u32>().map(Some).map_err(|_| {
            anyhow!(
                "profile `{name}` has duration_seconds = {text}, which is not a whole number of seconds ({})",
                config.locate(name, "duration_seconds").unwrap_or_default()
            )
        }),
    }
}

fn base_source(config: &ConfigSet, name: &str, profile: &Section, first: bool) -> Result<Base> {
    if let Some(source) = profile.get("credential_source") {
        return named_source(config, name, source);
    }
    match (
        profile.get("web_identity_token_file"),
        profile.get("role_arn"),
    ) {
        (Some(token_file), Some(role_arn)) => {
            return Ok(Base::WebIdentity {
                profile: name.to_string(),
                role_arn: role_arn.to_string(),
                token_file: token_file.to_string(),
                session_name: profile.get("role_session_name").map(str::to_string),
                duration: duration_setting(config, name, profile)?,
            });
        }
        (Some(_), None) => bail!(
            "profile `{name}` has web_identity_token_file but no role_arn ({}); add the role_arn to assume with the token",
            config
                .locate(name, "web_identity_token_file")
                .unwrap_or_default()
        ),
        _ => {}
    }
    // As in botocore, SSO comes before static keys and credential_process (which
    // Granted's profiles carry as `credential_process = granted ...`: hat ignores it).
    if crate::sso::config::is_sso_profile(profile) {
        return crate::sso::config::base(config, name, profile);
    }
    if let Some(session) = profile.get("login_session") {
        return Ok(Base::Login {
            profile: name.to_string(),
            session: session.trim().to_string(),
        });
    }
    if has_static_keys(profile) {
        return static_base(config, name, profile, first);
    }
    if keeps_keys_in_hat(name, profile) {
        return Ok(store_base(name, profile, first));
    }
    if let Some(command) = profile.get("credential_process") {
        return Ok(Base::Process {
            profile: name.to_string(),
            command: command.to_string(),
        });
    }
    let location = match profile.declared {
        Some((file, line)) => format!(" ({}, line {line})", config.path(file).display()),
        None => String::new(),
    };
    bail!(
        "profile `{name}`{location} has no credentials: give it aws_access_key_id and aws_secret_access_key, role_arn with source_profile or credential_source, credential_process, web_identity_token_file with role_arn, sso_session with sso_account_id and sso_role_name, or login_session (from `aws login`)"
    )
}

/// `credential_process = hat credential-process --profile NAME` with the profile's own name.
fn keeps_keys_in_hat(name: &str, profile: &Section) -> bool {
    profile
        .get("credential_process")
        .is_some_and(|command| crate::process_line::is_own_line(command, name))
}

fn store_base(name: &str, profile: &Section, first: bool) -> Base {
    Base::Store {
        profile: name.to_string(),
        mfa_serial: first
            .then(|| profile.get("mfa_serial").map(str::to_string))
            .flatten(),
    }
}

fn static_base(config: &ConfigSet, name: &str, profile: &Section, first: bool) -> Result<Base> {
    let key = profile.get("aws_access_key_id");
    let secret = profile.get("aws_secret_access_key");
    let (Some(key), Some(secret)) = (key, secret) else {
        let missing = if key.is_none() {
            "aws_access_key_id"
        } else {
            "aws_secret_access_key"
        };
        let present = if key.is_none() {
            "aws_secret_access_key"
        } else {
            "aws_access_key_id"
        };
        bail!(
            "profile `{name}` has {present} but no {missing} ({}); add it next to the other key",
            config.locate(name, present).unwrap_or_default()
        );
    };
    Ok(Base::Static {
        profile: name.to_string(),
        credentials: Credentials {
            access_key_id: key.to_string(),
            secret_access_key: secret.to_string(),
            session_token: profile
                .get("aws_session_token")
                .or_else(|| profile.get("aws_security_token"))
                .map(str::to_string),
            expiration: None,
        },
        mfa_serial: first
            .then(|| profile.get("mfa_serial").map(str::to_string))
            .flatten(),
    })
}

fn named_source(config: &ConfigSet, name: &str, source: &str) -> Result<Base> {
    match source {
        "Environment" => Ok(Base::Environment {
            profile: name.to_string(),
        }),
        "Ec2InstanceMetadata" => Ok(Base::Ec2InstanceMetadata {
            profile: name.to_string(),
        }),
        "EcsContainer" => Ok(Base::EcsContainer {
            profile: name.to_string(),
        }),
        other => bail!(
            "profile `{name}` has credential_source = {other} ({}); the valid values are Environment, Ec2InstanceMetadata and EcsContainer",
            config.locate(name, "credential_source").unwrap_or_default()
        ),
    }
}

fn unknown_profile(config: &ConfigSet, name: &str) -> anyhow::Error {
    let files = format!(
        "{} or {}",
        config.config_path.display(),
        config.credentials_path.display()
    );
    if config.has_no_profiles() {
        return anyhow!(
            "no profile named `{name}`: no profiles are defined in {files}. Add one, e.g. with `aws configure --profile {name}`"
        );
    }
    let hint = suggest::sentence(config.profile_names(), name)
        .unwrap_or_else(|| "Run `hat config` to list the profiles hat can see.".into());
    anyhow!("no profile named `{name}` in {files}. {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> ConfigSet {
        ConfigSet::from_texts(Path::new("cfg"), text, Path::new("creds"), "").unwrap()
    }

    const CHAIN: &str = "
[profile base]
aws_access_key_id = AKIABASE
aws_secret_access_key = secret
[profile a]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = base
mfa_serial = arn:aws:iam::000000000000:mfa/me
[profile b]
role_arn = arn:aws:iam::222222222222:role/b
source_profile = a
external_id = ext
[profile c]
role_arn = arn:aws:iam::333333333333:role/c
source_profile = b
role_session_name = me
duration_seconds = 1800
";

    #[test]
    fn three_hop_chain_resolves_in_order() {
        let chain = resolve(&config(CHAIN), "c").unwrap();
        assert!(
            matches!(&chain.base, Base::Static { profile, mfa_serial: None, .. } if profile == "base")
        );
        let roles: Vec<&str> = chain.hops.iter().map(|h| h.role_arn.as_str()).collect();
        assert_eq!(
            roles,
            [
                "arn:aws:iam::111111111111:role/a",
                "arn:aws:iam::222222222222:role/b",
                "arn:aws:iam::333333333333:role/c"
            ]
        );
        assert_eq!(
            chain.hops[0].mfa_serial.as_deref(),
            Some("arn:aws:iam::000000000000:mfa/me")
        );
        assert_eq!(chain.hops[1].external_id.as_deref(), Some("ext"));
        assert_eq!(chain.hops[2].session_name.as_deref(), Some("me"));
        assert_eq!(chain.hops[2].duration, Some(1800));
        assert_eq!(chain.describe(), "base -> a -> b -> c");
    }

    #[test]
    fn static_keys_win_in_source_profiles_but_not_in_the_selected_one() {
        let cfg = config(
            "[profile s]\naws_access_key_id = K\naws_secret_access_key = S\nrole_arn = arn:aws:iam::1:role/ignored\nsource_profile = x\n[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = s\n",
        );
        let chain = resolve(&cfg, "r").unwrap();
        assert_eq!(chain.hops.len(), 1);
        assert!(matches!(chain.base, Base::Static { .. }));
        // Selected directly, `s` is a role profile whose source `x` does not exist.
        let e = resolve(&cfg, "s").unwrap_err().to_string();
        assert!(
            e.contains("source_profile = x") && e.contains("cfg, line 5"),
            "{e}"
        );
    }

    #[test]
    fn self_referencing_profile_uses_its_own_keys() {
        let cfg = config(
            "[profile me]\naws_access_key_id = K\naws_secret_access_key = S\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = me\n",
        );
        let chain = resolve(&cfg, "me").unwrap();
        assert_eq!(chain.hops.len(), 1);
        assert!(matches!(chain.base, Base::Static { .. }));
    }

    #[test]
    fn cycles_print_the_chain() {
        let cfg = config(
            "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n",
        );
        let e = resolve(&cfg, "a").unwrap_err().to_string();
        assert!(e.contains("source_profile cycle: a -> b -> c -> a"), "{e}");
        assert!(e.contains("cfg, line 9"), "{e}");
    }

    #[test]
    fn unknown_profiles_suggest_close_names() {
        let e = resolve(&config(CHAIN), "bse").unwrap_err().to_string();
        assert!(e.contains("Did you mean `base`?"), "{e}");
        let e = resolve(&config(CHAIN), "zzzzzz").unwrap_err().to_string();
        assert!(e.contains("hat config"), "{e}");
    }

    #[test]
    fn other_sources_resolve() {
        let cfg = config(
            "[profile env]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n[profile proc]\ncredential_process = /bin/creds --x\n[profile web]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = /tok\n[profile mfa]\naws_access_key_id = K\naws_secret_access_key = S\nmfa_serial = arn:aws:iam::1:mfa/u\n",
        );
        let env = resolve(&cfg, "env").unwrap();
        assert!(matches!(env.base, Base::Environment { .. }) && env.hops.len() == 1);
        assert!(
            matches!(resolve(&cfg, "proc").unwrap().base, Base::Process { ref command, .. } if command == "/bin/creds --x")
        );
        let web = resolve(&cfg, "web").unwrap();
        assert!(matches!(web.base, Base::WebIdentity { .. }) && web.hops.is_empty());
        assert!(matches!(
            resolve(&cfg, "mfa").unwrap().base,
            Base::Static {
                mfa_serial: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn hats_own_credential_process_line_means_keys_in_hats_store() {
        let cfg = config(
            "[profile work]\ncredential_process = hat credential-process --profile work\nmfa_serial = arn:aws:iam::1:mfa/me\n[profile prod]\nrole_arn = arn:aws:iam::1:role/p\nsource_profile = work\n[profile other]\ncredential_process = hat credential-process --profile prod\n",
        );
        assert_eq!(
            resolve(&cfg, "work").unwrap().base,
            Base::Store {
                profile: "work".into(),
                mfa_serial: Some("arn:aws:iam::1:mfa/me".into())
            }
        );
        let prod = resolve(&cfg, "prod").unwrap();
        assert_eq!(
            prod.base,
            Base::Store {
                profile: "work".into(),
                mfa_serial: None
            }
        );
        assert_eq!(prod.hops.len(), 1);
        // A role profile that names itself as its source uses its stored keys.
        let own = config(
            "[profile me]\ncredential_process = hat credential-process --profile me\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = me\n",
        );
        let chain = resolve(&own, "me").unwrap();
        assert!(matches!(chain.base, Base::Store { .. }) && chain.hops.len() == 1);
        // Another profile's name is an ordinary credential_process.
        assert!(matches!(
            resolve(&cfg, "other").unwrap().base,
            Base::Process { .. }
        ));
    }

    #[test]
    fn login_sessions_are_a_base_roles_chain_on() {
        let cfg = config(
            "[profile me]\nlogin_session = arn:aws:iam::1:user/me \nregion = eu-west-1\n[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = me\n",
        );
        let me = resolve(&cfg, "me").unwrap();
        assert_eq!(
            me.base,
            Base::Login {
                profile: "me".into(),
                session: "arn:aws:iam::1:user/me".into()
            }
        );
        assert!(me.hops.is_empty());
        let admin = resolve(&cfg, "admin").unwrap();
        assert!(matches!(admin.base, Base::Login { ref profile, .. } if profile == "me"));
        assert_eq!(admin.describe(), "me -> admin");
    }

    #[test]
    fn broken_profiles_say_what_to_add() {
        let cfg = config(
            "[profile norole]\nrole_arn = arn:aws:iam::1:role/x\n[profile half]\naws_access_key_id = K\n[profile empty]\nregion = us-east-1\n[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = half\ncredential_source = Environment\n[profile dur]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = half\nduration_seconds = 1h\n",
        );
        let msg = |p: &str| resolve(&cfg, p).unwrap_err().to_string();
        assert!(
            msg("norole").contains("add `source_profile = NAME`"),
            "{}",
            msg("norole")
        );
        assert!(
            msg("half").contains("no aws_secret_access_key"),
            "{}",
            msg("half")
        );
        assert!(
            msg("empty").contains("has no credentials"),
            "{}",
            msg("empty")
        );
        assert!(msg("both").contains("keep only one"), "{}", msg("both"));
        assert!(msg("dur").contains("not a whole number"), "{}", msg("dur"));
    }
}
