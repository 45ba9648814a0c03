//! Long-term keys from hat's own store (the OS keychain or the encrypted file, see
//! [`crate::keys`]), for profiles whose `credential_process` is hat's own line. Only
//! called when no cached answer will do: the cache keys come from the store's index,
//! so a cached chain never unlocks anything.

use crate::creds::Credentials;
use crate::env::Env;
use crate::verbose;
use anyhow::Result;

/// The access key id that stands for the keys in cache keys, without the secret.
pub fn key_id(env: &Env, profile: &str) -> Result<String> {
    crate::keys::key_id(env, profile)
}

pub fn read(env: &Env, profile: &str) -> Result<Credentials> {
    verbose!("profile {profile}: reading its keys from hat's key store");
    crate::keys::load(env, profile)
}
