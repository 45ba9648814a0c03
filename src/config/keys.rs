//! The one list of settings hat reads from the AWS files: the key names of profiles,
//! `[sso-session]` and `[services]` sections and the credentials file. Reading a key
//! that is not listed here is a bug that debug builds catch (see [`check`]), and a test
//! checks this list against the table in docs/configuration.md, both ways.

/// Every key hat reads, in the order of the table in docs/configuration.md.
pub const KEYS: &[&str] = &[
    // Where credentials come from.
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "expiration",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    // Roles.
    "role_arn",
    "external_id",
    "role_session_name",
    "duration_seconds",
    "mfa_serial",
    "session_tags",
    "transitive_session_tags",
    "source_identity",
    "mfa_process",
    "region",
    // `aws login` (the AWS CLI's console-credentials sign-in).
    "login_session",
    // IAM Identity Center, in profiles and [sso-session NAME] sections.
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_registration_scopes",
    // Profiles written by Granted.
    "granted_sso_start_url",
    "granted_sso_region",
    "granted_sso_account_id",
    "granted_sso_role_name",
    "granted_sso_registration_scopes",
    "granted_color",
    "granted_icon",
    // aws-vault's own keys, which the SDKs do not read: `hat migrate aws-vault` names
    // the profiles that have them.
    "include_profile",
    "web_identity_token_process",
    "granted_browser_profile",
    // awsume's marks on the credentials it writes (`hat migrate awsume` names them).
    "manager",
    "autoawsume",
    // Endpoints: the profile's, and the services in a [services NAME] section, each
    // with an `endpoint_url` in its sub-property block.
    "endpoint_url",
    "ignore_configured_endpoint_urls",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "ca_bundle",
    "services",
    "sts",
    "sso",
    "sso_oidc",
    "iam",
    "eks",
    "signin",
    // How hard calls try (the SDKs' retry settings).
    "max_attempts",
    "retry_mode",
];

/// Whether hat knows `key`.
pub fn is_known(key: &str) -> bool {
    KEYS.contains(&key)
}

/// Every read of a setting passes here: in debug builds (what the tests run) a key
/// missing from [`KEYS`] stops hat, so a new setting cannot go undocumented. The unit
/// tests of the parser read made-up keys and are exempt.
#[inline]
pub fn check(key: &str) {
    debug_assert!(
        cfg!(test) || is_known(key),
        "hat reads the setting `{key}`, which is not in src/config/keys.rs: add it there and to the table in docs/configuration.md"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lowercase_and_listed_once() {
        for (i, key) in KEYS.iter().enumerate() {
            assert_eq!(key.to_ascii_lowercase(), *key, "keys are stored lowercased");
            assert!(!KEYS[..i].contains(key), "`{key}` is listed twice");
        }
    }
}
