//! The OS keychain through the `keyring` crate: the Secret Service on Linux and the BSDs
//! (gnome-keyring, KWallet; spoken over D-Bus in pure Rust), the macOS Keychain and the
//! Windows Credential Manager. One item per profile: service `hat`, account (Secret
//! Service attribute `username`) the profile name, and the secret the JSON
//! `{"AccessKeyId": ..., "SecretAccessKey": ...}`, so `secret-tool lookup service hat
//! username NAME` reads it back.

use crate::creds::Credentials;
use anyhow::{Result, anyhow};
use keyring::Entry;
use keyring::Error as KeyringError;

pub const SERVICE: &str = "hat";

#[cfg(target_os = "macos")]
pub const PLATFORM: &str = "`keychain`: the macOS Keychain";
#[cfg(target_os = "windows")]
pub const PLATFORM: &str = "`keychain`: the Windows Credential Manager";
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
pub const PLATFORM: &str =
    "`keychain`: the Secret Service of gnome-keyring or KWallet, over the D-Bus session bus";

fn entry(profile: &str) -> Result<Entry> {
    Entry::new(SERVICE, profile).map_err(|e| explain(e, profile))
}

/// Whether a keychain answers (an unknown item is a fine answer).
pub fn probe() -> Result<()> {
    match entry("hat-probe")?.get_password() {
        Ok(_) | Err(KeyringError::NoEntry) => Ok(()),
        Err(e) => Err(explain(e, "hat-probe")),
    }
}

pub fn get(profile: &str) -> Result<Option<Credentials>> {
    match entry(profile)?.get_password() {
        Ok(text) => {
            let creds: Credentials = serde_json::from_str(&text).map_err(|_| {
                anyhow!(
                    "the keychain item for profile `{profile}` (service `{SERVICE}`) is not hat's JSON; store it again with `hat keys add {profile}`"
                )
            })?;
            Ok(Some(creds))
        }
        Err(KeyringError::NoEntry) => Ok(None),
        Err(e) => Err(explain(e, profile)),
    }
}

pub fn set(profile: &str, creds: &Credentials) -> Result<()> {
    let text = serde_json::to_string(creds)?;
    entry(profile)?
        .set_password(&text)
        .map_err(|e| explain(e, profile))
}

/// Whether there was an item to delete.
pub fn delete(profile: &str) -> Result<bool> {
    match entry(profile)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(KeyringError::NoEntry) => Ok(false),
        Err(e) => Err(explain(e, profile)),
    }
}

/// The keyring error as advice. Its text comes from the platform and never holds the
/// secret (the crate reports attributes and platform codes, not values).
fn explain(e: KeyringError, profile: &str) -> anyhow::Error {
    match e {
        KeyringError::NoStorageAccess(inner) => anyhow!(
            "the keychain is locked or refused access ({inner}); unlock it (log in to the desktop session, or `gnome-keyring-daemon --unlock`) and try again"
        ),
        KeyringError::PlatformFailure(inner) => anyhow!(
            "the keychain did not answer ({inner}). {}",
            if cfg!(any(target_os = "macos", target_os = "windows")) {
                ""
            } else {
                "On Linux hat needs a Secret Service (gnome-keyring or KWallet) on the D-Bus session bus"
            }
        ),
        KeyringError::Ambiguous(items) => anyhow!(
            "the keychain holds {} items for service `{SERVICE}` and profile `{profile}`; delete the extra ones (e.g. with seahorse or `secret-tool clear service {SERVICE} username {profile}`) and add the keys again",
            items.len()
        ),
        other => anyhow!("the keychain refused profile `{profile}`: {other}"),
    }
}
