//! The one seam through which hat reads the process environment and locates the
//! user's files. Everything else asks an [`Env`], so tests can fill one by hand and
//! no test ever touches the real `~/.aws` or `AWS_*` variables.

use std::collections::HashMap;
use std::path::PathBuf;

/// Every variable hat reads through [`Env::get`]. A test checks this list (with
/// [`READ_BY_LIBRARIES`] and the `HAT_*` names the shell wrappers use) against the one
/// table of variables in docs/configuration.md, both ways; debug builds stop on a read
/// of a name missing here.
pub const READ: &[&str] = &[
    // The AWS files and hat's own directories.
    "HOME",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "HAT_CACHE_DIR",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_DATA_HOME",
    "HAT_CONFIG_FILE",
    "AWS_LOGIN_CACHE_DIRECTORY",
    // Credentials and the profile in the shell.
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "HAT_PROFILE",
    "HAT_SHELL_INIT",
    // What `hat doctor` looks at.
    "SHELL",
    "ZDOTDIR",
    "AWS_CA_BUNDLE",
    "HAT_EXPIRES",
    "HAT_EXEC_PROFILE",
    "HAT_PROCESS_DEPTH",
    // Granted's spellings of `assume --no-cache` and `assume --quiet`.
    "GRANTED_NO_CACHE",
    "GRANTED_QUIET",
    // Endpoints.
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_EKS",
    "AWS_ENDPOINT_URL_SIGNIN",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    // EKS.
    "KUBECONFIG",
    "KUBERNETES_EXEC_INFO",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_CA_BUNDLE",
    "HAT_FEDERATION_ENDPOINT",
    // Instance and container credentials.
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    // How long and how often calls try.
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_METADATA_SERVICE_TIMEOUT",
    // hat's key store.
    "HAT_KEYS_BACKEND",
    "HAT_KEYS_FILE",
    "HAT_KEYS_PASSPHRASE",
    "HAT_KEYS_ROTATE_WAIT",
    // aws-vault's stores, for `hat migrate aws-vault`.
    "AWS_VAULT_BACKEND",
    "AWS_VAULT_FILE_DIR",
    "AWS_VAULT_FILE_PASSPHRASE",
    "AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME",
    "AWS_VAULT_PROMPT",
    // The browser, and the user's name for role session names.
    "BROWSER",
    "GRANTED_BROWSER_PROFILE",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "PATH",
    "USER",
    "LOGNAME",
    "USERNAME",
    // The local time zone of awsume's AWSUME_EXPIRATION (`assume --awsume-variables`).
    "TZ",
];

/// Variables that libraries hat uses read by themselves, not through [`Env`]: the
/// proxy settings of the HTTP clients (either case), the D-Bus session bus of the
/// Secret Service (the keychain backend on Linux) and git's own ssh command (registries).
pub const READ_BY_LIBRARIES: &[&str] = &[
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
];

/// Whether the process environment sets `name`, for a variable that a program hat runs
/// reads by itself (one of [`READ_BY_LIBRARIES`]): hat only decides not to override it.
pub fn inherited(name: &str) -> bool {
    debug_assert!(
        READ_BY_LIBRARIES.contains(&name),
        "{name} is not in env::READ_BY_LIBRARIES"
    );
    std::env::var_os(name).is_some()
}

#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// A snapshot of this process's environment (variables that are not UTF-8 are skipped).
    pub fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Env { vars }
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// This environment with `name` set to `value`, for a flag that stands for a
    /// variable (`assume --aws-config-file FILE` is `AWS_CONFIG_FILE=FILE`, as in
    /// Granted): everything after it reads the flag's value through the same seam.
    pub fn with_var(&self, name: &str, value: &str) -> Env {
        let mut vars = self.vars.clone();
        vars.insert(name.to_string(), value.to_string());
        Env { vars }
    }

    /// The value of a variable; an empty value counts as unset, as the SDKs treat it.
    pub fn get(&self, name: &str) -> Option<&str> {
        debug_assert!(
            cfg!(test) || READ.contains(&name),
            "hat reads the variable {name}, which is not in env::READ: add it there and to the table in docs/configuration.md"
        );
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn home(&self) -> Option<PathBuf> {
        self.get("HOME").map(PathBuf::from)
    }

    /// Expands a leading `~/` the way the AWS SDKs do for file-path settings.
    pub fn expand_tilde(&self, path: &str) -> PathBuf {
        match (path.strip_prefix("~/"), self.home()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if path == "~" => self.home().unwrap_or_else(|| PathBuf::from(path)),
            _ => PathBuf::from(path),
        }
    }

    fn aws_file(&self, var: &str, default_name: &str) -> PathBuf {
        match self.get(var) {
            Some(p) => self.expand_tilde(p),
            None => self
                .home()
                .unwrap_or_default()
                .join(".aws")
                .join(default_name),
        }
    }

    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    pub fn config_file(&self) -> PathBuf {
        self.aws_file("AWS_CONFIG_FILE", "config")
    }

    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    pub fn credentials_file(&self) -> PathBuf {
        self.aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
    }

    /// hat's own cache directory: `HAT_CACHE_DIR`, else `$XDG_CACHE_HOME/hat`, else `~/.cache/hat`.
    pub fn cache_dir(&self) -> PathBuf {
        if let Some(dir) = self.get("HAT_CACHE_DIR") {
            return self.expand_tilde(dir);
        }
        self.xdg_dir("XDG_CACHE_HOME", ".cache")
    }

    /// hat's own settings directory: `$XDG_CONFIG_HOME/hat`, else `~/.config/hat`.
    /// hat never creates it; `config.toml` there is the user's to write.
    pub fn config_dir(&self) -> PathBuf {
        self.xdg_dir("XDG_CONFIG_HOME", ".config")
    }

    /// hat's own state (the picker's frecency, browser profiles): `$XDG_STATE_HOME/hat`,
    /// else `~/.local/state/hat`.
    pub fn state_dir(&self) -> PathBuf {
        self.xdg_dir("XDG_STATE_HOME", ".local/state")
    }

    /// hat's own data (registry clones): `$XDG_DATA_HOME/hat`, else `~/.local/share/hat`.
    pub fn data_dir(&self) -> PathBuf {
        self.xdg_dir("XDG_DATA_HOME", ".local/share")
    }

    fn xdg_dir(&self, var: &str, fallback: &str) -> PathBuf {
        match self.get(var) {
            Some(xdg) if xdg.starts_with('/') => PathBuf::from(xdg).join("hat"),
            _ => self.home().unwrap_or_default().join(fallback).join("hat"),
        }
    }

    /// The AWS CLI's SSO token and client-registration cache: `~/.aws/sso/cache`.
    pub fn sso_cache_dir(&self) -> PathBuf {
        self.home()
            .unwrap_or_default()
            .join(".aws")
            .join("sso")
            .join("cache")
    }

    /// The AWS CLI's `aws login` cache: `AWS_LOGIN_CACHE_DIRECTORY` (aws-config's
    /// override), else `~/.aws/login/cache`.
    pub fn login_cache_dir(&self) -> PathBuf {
        match self.get("AWS_LOGIN_CACHE_DIRECTORY") {
            Some(dir) => self.expand_tilde(dir),
            None => self
                .home()
                .unwrap_or_default()
                .join(".aws")
                .join("login")
                .join("cache"),
        }
    }

    /// The local user's name, for a default role session name.
    pub fn user_name(&self) -> Option<&str> {
        self.get("USER")
            .or_else(|| self.get("LOGNAME"))
            .or_else(|| self.get("USERNAME"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_default_under_home_and_follow_overrides() {
        let env = Env::from_pairs([("HOME", "/h")]);
        assert_eq!(env.config_file(), PathBuf::from("/h/.aws/config"));
        assert_eq!(env.credentials_file(), PathBuf::from("/h/.aws/credentials"));
        assert_eq!(env.cache_dir(), PathBuf::from("/h/.cache/hat"));

        let env = Env::from_pairs([
            ("HOME", "/h"),
            ("AWS_CONFIG_FILE", "~/cfg"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/c"),
            ("XDG_CACHE_HOME", "/x"),
        ]);
        assert_eq!(env.config_file(), PathBuf::from("/h/cfg"));
        assert_eq!(env.credentials_file(), PathBuf::from("/c"));
        assert_eq!(env.cache_dir(), PathBuf::from("/x/hat"));
    }
}
