//! The chain of credential sources a profile resolves to ([`Chain`]: one [`Base`] and
//! the roles assumed on top of it, [`Hop`]), and the rules about it that several
//! layers ask: is the answer a role session, does the base need an MFA session, what
//! can the console do with it. Those rules are methods here, so providers, the console
//! and the commands all get the same answer. Depends on nothing but [`crate::creds`].

use crate::creds::Credentials;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The profile the user asked for.
    pub profile: String,
    pub base: Base,
    /// Roles to assume after the base, first to last.
    pub hops: Vec<Hop>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `aws_access_key_id` / `aws_secret_access_key` (and maybe `aws_session_token`).
    /// `mfa_serial` is set only when this is the profile asked for: its keys are then
    /// exchanged for an MFA session.
    Static {
        profile: String,
        credentials: Credentials,
        mfa_serial: Option<String>,
    },
    /// `credential_source = Environment`.
    Environment { profile: String },
    /// `credential_process = COMMAND`.
    Process { profile: String, command: String },
    /// `web_identity_token_file` with `role_arn`.
    WebIdentity {
        profile: String,
        role_arn: String,
        token_file: String,
        session_name: Option<String>,
        duration: Option<u32>,
    },
    /// `credential_source = Ec2InstanceMetadata`: the instance profile's role (IMDSv2).
    Ec2InstanceMetadata { profile: String },
    /// `credential_source = EcsContainer`: the container credentials endpoint (ECS,
    /// EKS Pod Identity, `hat exec --server`).
    EcsContainer { profile: String },
    /// IAM Identity Center: GetRoleCredentials for `account_id`/`role_name` with the
    /// token of the sign-in `target` (an `[sso-session]`, or the start URL for the
    /// legacy form and Granted's `granted_sso_*` keys).
    Sso {
        profile: String,
        target: SsoTarget,
        account_id: String,
        role_name: String,
    },
    /// `credential_process = hat credential-process --profile NAME` naming the profile
    /// itself: its long-term keys are in hat's key store ([`crate::keys`]: the OS
    /// keychain or the encrypted file), read directly instead of running hat again.
    /// `mfa_serial` as for [`Base::Static`].
    Store {
        profile: String,
        mfa_serial: Option<String>,
    },
    /// `login_session = ARN`: the AWS CLI's `aws login` (console credentials) session,
    /// whose credentials and refresh token are in `~/.aws/login/cache`.
    Login { profile: String, session: String },
}

/// The scope that makes SSO tokens refreshable; the AWS CLI's default for sso-sessions.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// Where one IAM Identity Center sign-in lives: the start URL and region, and the
/// sso-session name when there is one (it names the token file; else the start URL
/// does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoTarget {
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    /// `sso_registration_scopes` as configured; `None` when absent, which the AWS CLI
    /// v2's registration cache key tells apart from any list (`"scopes": null`).
    pub scopes: Option<Vec<String>>,
}

impl SsoTarget {
    /// What a person calls this sign-in: the session name, else the start URL.
    pub fn name(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }

    /// The scopes hat asks for: the configured ones, else `sso:account:access`, so the
    /// tokens can be refreshed (the CLI v2's PKCE default).
    pub fn request_scopes(&self) -> Vec<String> {
        match &self.scopes {
            Some(list) if !list.is_empty() => list.clone(),
            _ => vec![DEFAULT_SCOPE.to_string()],
        }
    }

    /// The command that signs in to this target again.
    pub fn login_command(&self) -> String {
        match &self.session {
            Some(s) => format!("hat sso login --sso-session {s}"),
            None => format!(
                "hat sso login --sso-start-url {} --sso-region {}",
                self.start_url, self.region
            ),
        }
    }
}

/// One AssumeRole call, with the settings of the profile that names the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub profile: String,
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    pub duration: Option<u32>,
    pub mfa_serial: Option<String>,
    /// `session_tags`, `transitive_session_tags`, `source_identity`.
    pub tagging: Tagging,
}

/// What a role session carries for an auditor: session tags (in order, keys unique),
/// the keys among them that pass on to chained roles, and the source identity. The
/// same names as aws-vault's profile keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tagging {
    pub tags: Vec<(String, String)>,
    pub transitive: Vec<String>,
    pub source_identity: Option<String>,
}

impl Tagging {
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.transitive.is_empty() && self.source_identity.is_none()
    }

    /// `self` with `over` on top: its tags replace those of the same key, its source
    /// identity wins.
    pub fn overlaid(&self, over: &Tagging) -> Tagging {
        let mut tags = self.tags.clone();
        for (key, value) in &over.tags {
            match tags.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => tags.push((key.clone(), value.clone())),
            }
        }
        let mut transitive = self.transitive.clone();
        for key in &over.transitive {
            if !transitive.contains(key) {
                transitive.push(key.clone());
            }
        }
        Tagging {
            tags,
            transitive,
            source_identity: over
                .source_identity
                .clone()
                .or_else(|| self.source_identity.clone()),
        }
    }

    /// The parts of a cache key: a tagged session is never an untagged one.
    pub fn key_parts(&self) -> String {
        if self.is_empty() {
            return String::new();
        }
        let tags: Vec<String> = self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(
            "tags:{}|transitive:{}|source:{}",
            tags.join(","),
            self.transitive.join(","),
            self.source_identity.as_deref().unwrap_or("")
        )
    }
}

/// `k1=v1,k2=v2` (aws-vault's `session_tags`; also one `--session-tag K=V` each): the
/// pairs in order, white space around each part dropped. `Err` says what is wrong.
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(format!("`{part}` is not KEY=VALUE"));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("`{part}` has no key"));
        }
        if tags.iter().any(|(k, _)| k == key) {
            return Err(format!("the key `{key}` is given twice"));
        }
        tags.push((key.to_string(), value.trim().to_string()));
    }
    Ok(tags)
}

/// What the console can do with a chain's credentials, known before they are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleUse {
    /// A role session (AssumeRole*, SSO, instance or container role): it signs in, and
    /// may ask for a `SessionDuration`.
    Role,
    /// An MFA session (GetSessionToken): AWS refuses it at the federation endpoint.
    MfaSession,
    /// Keys used as they are (static keys, the store, the environment, a process): what
    /// they are shows only once they are here (long-term keys go through
    /// GetFederationToken; temporary ones are tried as they are).
    AsIs,
}

impl Base {
    pub fn profile(&self) -> &str {
        match self {
            Base::Static { profile, .. }
            | Base::Environment { profile }
            | Base::Process { profile, .. }
            | Base::WebIdentity { profile, .. }
            | Base::Ec2InstanceMetadata { profile }
            | Base::EcsContainer { profile }
            | Base::Sso { profile, .. }
            | Base::Store { profile, .. }
            | Base::Login { profile, .. } => profile,
        }
    }

    /// The MFA device whose code turns the base's long-term keys into an MFA session
    /// (GetSessionToken); `None`: the keys are used as they are, or the base is no keys.
    pub fn mfa_serial(&self) -> Option<&str> {
        match self {
            Base::Static { mfa_serial, .. } | Base::Store { mfa_serial, .. } => {
                mfa_serial.as_deref()
            }
            _ => None,
        }
    }

    /// Whether the base's credentials are a role session (so a role on top of them is
    /// role chaining, and they may sign in to the console with a session length).
    pub fn is_role_session(&self) -> bool {
        match self {
            Base::WebIdentity { .. }
            | Base::Ec2InstanceMetadata { .. }
            | Base::EcsContainer { .. }
            | Base::Sso { .. } => true,
            // `aws login` as a role (assumed-role/ROLE/NAME) hands out that role's
            // session; as an IAM user, temporary keys of the user.
            Base::Login { session, .. } => session.contains(":assumed-role/"),
            _ => false,
        }
    }

    /// Whether the base asks STS for a session whose length hat chooses (`-d` applies
    /// to it): an MFA session or AssumeRoleWithWebIdentity. Every other base hands its
    /// credentials over as they come.
    pub fn asks_for_a_session(&self) -> bool {
        self.mfa_serial().is_some() || matches!(self, Base::WebIdentity { .. })
    }

    /// The role the base's credentials act as, when the profile names it.
    pub fn role_arn(&self) -> Option<&str> {
        match self {
            Base::WebIdentity { role_arn, .. } => Some(role_arn),
            _ => None,
        }
    }
}

impl Chain {
    /// `base -> a -> b`: the profiles the chain walks through, for messages.
    pub fn describe(&self) -> String {
        let mut names = vec![self.base.profile().to_string()];
        for hop in &self.hops {
            if names.last() != Some(&hop.profile) {
                names.push(hop.profile.clone());
            }
        }
        names.join(" -> ")
    }

    /// Whether the final credentials are a role session.
    pub fn is_role_session(&self) -> bool {
        !self.hops.is_empty() || self.base.is_role_session()
    }

    /// aws-vault's `--no-session` for the base: its long-term keys are handed over as
    /// they are instead of being exchanged for an MFA session (GetSessionToken). Returns
    /// whether there was such a session to skip. (A role's MFA is the role's: see
    /// `providers::Request::no_mfa_session`.)
    pub fn skip_mfa_session(&mut self) -> bool {
        match &mut self.base {
            Base::Static { mfa_serial, .. } | Base::Store { mfa_serial, .. } => {
                mfa_serial.take().is_some()
            }
            _ => false,
        }
    }

    /// The MFA device of the base's MFA session, when the chain's answer is that
    /// session itself (no role on top).
    pub fn mfa_session_serial(&self) -> Option<&str> {
        if self.hops.is_empty() {
            self.base.mfa_serial()
        } else {
            None
        }
    }

    /// What the console can do with the chain's credentials.
    pub fn console_use(&self) -> ConsoleUse {
        if self.is_role_session() {
            ConsoleUse::Role
        } else if self.mfa_session_serial().is_some() {
            ConsoleUse::MfaSession
        } else {
            ConsoleUse::AsIs
        }
    }

    /// Whether `-d` can only be the console's (or its federation token's) length: the
    /// credentials come as they are, with no STS session hat could size.
    pub fn duration_is_console_only(&self) -> bool {
        self.console_use() == ConsoleUse::AsIs
    }

    /// The role the final credentials act as: the last hop's, else the base's own.
    pub fn role_arn(&self) -> Option<&str> {
        match self.hops.last() {
            Some(hop) => Some(&hop.role_arn),
            None => self.base.role_arn(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(name: &str) -> Hop {
        Hop {
            profile: name.into(),
            role_arn: format!("arn:aws:iam::1:role/{name}"),
            external_id: None,
            session_name: None,
            duration: None,
            mfa_serial: None,
            tagging: Tagging::default(),
        }
    }

    #[test]
    fn tags_parse_in_order_and_refuse_what_sts_would() {
        assert_eq!(
            parse_tags(" team = ops , cost=42,").unwrap(),
            [("team".into(), "ops".into()), ("cost".into(), "42".into())]
        );
        assert!(parse_tags("team").unwrap_err().contains("KEY=VALUE"));
        assert!(parse_tags("=x").unwrap_err().contains("no key"));
        assert!(parse_tags("a=1,a=2").unwrap_err().contains("twice"));
    }

    #[test]
    fn command_line_tags_replace_the_profile_ones_of_the_same_key() {
        let profile = Tagging {
            tags: vec![("team".into(), "ops".into()), ("env".into(), "prod".into())],
            transitive: vec!["team".into()],
            source_identity: Some("{user}".into()),
        };
        let flags = Tagging {
            tags: vec![
                ("env".into(), "dev".into()),
                ("ticket".into(), "T-1".into()),
            ],
            transitive: vec![],
            source_identity: None,
        };
        let both = profile.overlaid(&flags);
        assert_eq!(
            both.tags,
            [
                ("team".into(), "ops".into()),
                ("env".into(), "dev".into()),
                ("ticket".into(), "T-1".into())
            ]
        );
        assert_eq!(both.source_identity.as_deref(), Some("{user}"));
        assert_ne!(both.key_parts(), profile.key_parts());
        assert_eq!(Tagging::default().key_parts(), "");
    }

    fn chain(base: Base, hops: usize) -> Chain {
        Chain {
            profile: "p".into(),
            base,
            hops: (0..hops).map(|i| hop(&format!("r{i}"))).collect(),
        }
    }

    fn store(mfa: bool) -> Base {
        Base::Store {
            profile: "work".into(),
            mfa_serial: mfa.then(|| "arn:aws:iam::1:mfa/me".into()),
        }
    }

    fn web_identity() -> Base {
        Base::WebIdentity {
            profile: "w".into(),
            role_arn: "arn:aws:iam::1:role/w".into(),
            token_file: "/t".into(),
            session_name: None,
            duration: None,
        }
    }

    #[test]
    fn no_session_skips_the_mfa_session_of_keys_and_nothing_else() {
        // Issue 15: aws-vault's --no-session.
        let mut keys = chain(store(true), 0);
        assert!(keys.skip_mfa_session());
        assert_eq!(keys.mfa_session_serial(), None);
        assert_eq!(keys.console_use(), ConsoleUse::AsIs);
        assert!(
            !keys.skip_mfa_session(),
            "a second time there is nothing to skip"
        );
        let mut plain = chain(store(false), 0);
        assert!(!plain.skip_mfa_session());
        let mut web = chain(web_identity(), 0);
        assert!(!web.skip_mfa_session());
        assert!(web.base.asks_for_a_session());
    }

    #[test]
    fn keys_in_the_store_with_mfa_are_an_mfa_session_the_console_refuses() {
        // Issue 12: providers made an MFA session of these, the console thought they
        // were temporary credentials of unknown origin and asked for a code.
        assert_eq!(chain(store(true), 0).console_use(), ConsoleUse::MfaSession);
        assert_eq!(
            chain(store(true), 0).mfa_session_serial(),
            Some("arn:aws:iam::1:mfa/me")
        );
        assert_eq!(chain(store(true), 1).console_use(), ConsoleUse::Role);
        assert_eq!(chain(store(false), 0).console_use(), ConsoleUse::AsIs);
        assert!(chain(store(false), 0).duration_is_console_only());
        assert!(!chain(store(true), 0).duration_is_console_only());
    }

    #[test]
    fn role_sessions_come_from_hops_and_role_bases() {
        let sso = Base::Sso {
            profile: "dev".into(),
            target: SsoTarget {
                session: Some("corp".into()),
                start_url: "https://x/start".into(),
                region: "eu-west-1".into(),
                scopes: None,
            },
            account_id: "1".into(),
            role_name: "r".into(),
        };
        assert!(chain(sso, 0).is_role_session());
        assert!(
            chain(
                Base::EcsContainer {
                    profile: "c".into()
                },
                0
            )
            .is_role_session()
        );
        let env = Base::Environment {
            profile: "e".into(),
        };
        assert!(!chain(env.clone(), 0).is_role_session());
        // `aws login` as a role hands out a role session (it signs in to the console,
        // and a role on top of it is chaining); as a user, temporary keys as they are.
        let login = |arn: &str| Base::Login {
            profile: "l".into(),
            session: arn.into(),
        };
        let role = login("arn:aws:sts::1:assumed-role/Admin/me");
        assert_eq!(chain(role.clone(), 0).console_use(), ConsoleUse::Role);
        assert!(!role.asks_for_a_session() && role.mfa_serial().is_none());
        let user = login("arn:aws:iam::1:user/me");
        assert_eq!(chain(user.clone(), 0).console_use(), ConsoleUse::AsIs);
        assert_eq!(chain(user, 1).console_use(), ConsoleUse::Role);
        assert!(chain(env.clone(), 2).is_role_session());
        assert_eq!(chain(env, 2).role_arn(), Some("arn:aws:iam::1:role/r1"));
    }

    #[test]
    fn only_mfa_and_web_identity_bases_ask_for_a_session() {
        assert!(store(true).asks_for_a_session());
        assert!(!store(false).asks_for_a_session());
        assert!(web_identity().asks_for_a_session());
        assert!(
            !Base::Process {
                profile: "p".into(),
                command: "x".into()
            }
            .asks_for_a_session()
        );
    }
}
