//! One profile as a list shows it ([`Row`]: type, account, role, region, and whether
//! hat holds good cached credentials for it), for `hat list` and the picker alike.
//! Reads only the few settings shown, so 50,000 rows stay cheap.

use crate::cache::Cache;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::session;

/// What a list or the picker shows about one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    /// role, sso, keys, process, web-identity, or `-` (settings only).
    pub kind: &'static str,
    pub account: String,
    pub role: String,
    pub region: String,
    /// Seconds left on good cached credentials.
    pub cached: Option<i64>,
}

/// Whether looking in the cache is worth it at all: an empty cache answers for every
/// profile at once, which keeps a first `hat list` of 50,000 profiles cheap.
pub fn cache_has_entries(env: &Env) -> bool {
    std::fs::read_dir(Cache::new(&env.cache_dir()).dir())
        .map(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".json")))
        })
        .unwrap_or(false)
}

/// One profile's row. Reads only the few settings shown (no merging of the whole
/// profile) unless `peek_cache` asks for the cached-credential check.
pub fn row(config: &ConfigSet, env: &Env, name: &str, peek_cache: bool, now: i64) -> Row {
    let value = |key: &str| config.profile_value(name, key);
    let role_arn = value("role_arn");
    let login = value("login_session");
    let kind = if role_arn.is_some() {
        if value("web_identity_token_file").is_some() {
            "web-identity"
        } else {
            "role"
        }
    } else if value("sso_account_id").is_some()
        || value("sso_session").is_some()
        || value("sso_start_url").is_some()
        || value("granted_sso_account_id").is_some()
    {
        "sso"
    } else if login.is_some() {
        "login"
    } else if value("credential_process").is_some() {
        "process"
    } else if value("aws_access_key_id").is_some() {
        "keys"
    } else {
        "-"
    };
    let (account, role) = match role_arn.as_deref().or(login.as_deref()) {
        // arn:PARTITION:iam::ACCOUNT:role/PATH/NAME
        Some(arn) => {
            let mut parts = arn.splitn(6, ':');
            let account = parts.nth(4).unwrap_or("").to_string();
            let resource = parts.next().unwrap_or("");
            // `aws login` names a user or a role session (assumed-role/ROLE/SESSION).
            let resource = resource
                .strip_prefix("assumed-role/")
                .map_or(resource, |r| r.split('/').next().unwrap_or(r));
            let resource = if resource.starts_with("user/") {
                ""
            } else {
                resource
            };
            let role = resource
                .strip_prefix("role/")
                .map(|r| r.rsplit('/').next().unwrap_or(r))
                .unwrap_or(resource);
            (account, role.to_string())
        }
        None => (
            value("sso_account_id")
                .or_else(|| value("granted_sso_account_id"))
                .map(|v| v.into_owned())
                .unwrap_or_default(),
            value("sso_role_name")
                .or_else(|| value("granted_sso_role_name"))
                .map(|v| v.into_owned())
                .unwrap_or_default(),
        ),
    };
    let cached = if peek_cache {
        session::peek(config, env, name).and_then(|c| c.remaining(now))
    } else {
        None
    };
    Row {
        name: name.to_string(),
        kind,
        account,
        role,
        region: value("region").map(|v| v.into_owned()).unwrap_or_default(),
        cached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn rows_say_type_account_role_and_region() {
        let config = ConfigSet::from_texts(
            Path::new("c"),
            "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/team/Admin\nsource_profile = k\nregion = eu-west-1\n\
             [profile s]\nsso_session = corp\nsso_account_id = 210987654321\nsso_role_name = Reader\n\
             [profile p]\ncredential_process = x\n\
             [profile l]\nlogin_session = arn:aws:sts::012345678910:assumed-role/Admin/alice\n\
             [profile u]\nlogin_session = arn:aws:iam::012345678910:user/alice\n",
            Path::new("k"),
            "[k]\naws_access_key_id = A\naws_secret_access_key = B\n",
        )
        .unwrap();
        let env = Env::default();
        let r = row(&config, &env, "r", false, 0);
        assert_eq!(
            (
                r.kind,
                r.account.as_str(),
                r.role.as_str(),
                r.region.as_str()
            ),
            ("role", "123456789012", "Admin", "eu-west-1")
        );
        let s = row(&config, &env, "s", false, 0);
        assert_eq!(
            (s.kind, s.account.as_str(), s.role.as_str()),
            ("sso", "210987654321", "Reader")
        );
        assert_eq!(row(&config, &env, "p", false, 0).kind, "process");
        assert_eq!(row(&config, &env, "k", false, 0).kind, "keys");
        let l = row(&config, &env, "l", false, 0);
        assert_eq!(
            (l.kind, l.account.as_str(), l.role.as_str()),
            ("login", "012345678910", "Admin")
        );
        let u = row(&config, &env, "u", false, 0);
        assert_eq!(
            (u.kind, u.account.as_str(), u.role.as_str()),
            ("login", "012345678910", "")
        );
    }
}
