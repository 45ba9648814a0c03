//! aws-vault's Secret Service backend (99designs/keyring's `secret-service`, through
//! go-libsecret), read and emptied over D-Bus. keyring finds its collection by object
//! path, `/org/freedesktop/secrets/collection/<name>` once gnome-keyring's `_XX`
//! escapes are undone (the name is aws-vault's `--secret-service-collection`,
//! `awsvault` by default), and writes one item per keyring key: labelled with the key,
//! attribute `profile` = the key, secret the keyring Item's JSON with content type
//! `application/json`, the same JSON the file backend encrypts. aws-vault lists its
//! keys by label, and so does this reader.

use super::{Found, ItemKind, NoSecretService, Origin, Scan, credentials_of_item, kind_of};
use anyhow::{Result, anyhow};
use secret_service::EncryptionType;
use secret_service::blocking::{Collection, SecretService};

const PREFIX: &str = "/org/freedesktop/secrets/collection/";

/// Reads the collection `name`; `Ok(None)` when the Secret Service has no such
/// collection (aws-vault creates it with the first key it stores).
pub fn read(name: &str) -> Result<Option<Scan>> {
    let service = connect()?;
    let Some(collection) = find(&service, name)? else {
        return Ok(None);
    };
    unlock(&collection, name)?;
    let mut labelled = Vec::new();
    let mut scan = Scan::default();
    for item in collection.get_all_items().map_err(|e| failed(name, e))? {
        // keyring's Keys() skips an item whose label it cannot read; so does hat.
        let Ok(label) = item.get_label() else {
            continue;
        };
        match kind_of(&label) {
            ItemKind::LongTerm => labelled.push((label, item)),
            ItemKind::Session => scan.sessions += 1,
            ItemKind::Token => scan.tokens += 1,
        }
    }
    labelled.sort_by(|a, b| a.0.cmp(&b.0));
    for (label, item) in labelled {
        let secret = item.get_secret().map_err(|e| failed(name, e))?;
        let credentials = credentials_of_item(&secret).map_err(|e| {
            anyhow!(
                "aws-vault's item `{label}` in the Secret Service collection `{name}` holds no keys hat can read ({e}); nothing was imported"
            )
        })?;
        scan.keys.push(Found {
            name: label,
            credentials,
            origin: Origin::SecretService {
                collection: name.to_string(),
                item: item.item_path.as_str().to_string(),
            },
        });
    }
    Ok(Some(scan))
}

/// Deletes the items `(collection, object path)`.
pub fn delete(items: &[(&str, &str)]) -> Result<()> {
    let service = connect()?;
    let mut names: Vec<&str> = items.iter().map(|(c, _)| *c).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let Some(collection) = find(&service, name)? else {
            continue;
        };
        unlock(&collection, name)?;
        for item in collection.get_all_items().map_err(|e| failed(name, e))? {
            let path = item.item_path.as_str();
            if items.iter().any(|(c, p)| *c == name && *p == path) {
                item.delete().map_err(|e| failed(name, e))?;
            }
        }
    }
    Ok(())
}

/// The bus and a session with the Secret Service; any failure here means no service
/// answers (no bus, or nothing owns `org.freedesktop.secrets` on it).
fn connect() -> Result<SecretService<'static>> {
    SecretService::connect(EncryptionType::Dh).map_err(|e| {
        let why = match e {
            secret_service::Error::Unavailable => String::new(),
            other => format!(" ({other})"),
        };
        NoSecretService(format!(
            "no Secret Service answers on the D-Bus session bus (DBUS_SESSION_BUS_ADDRESS){why}; aws-vault's secret-service backend lives in gnome-keyring or KWallet of a desktop session"
        ))
        .into()
    })
}

/// The collection keyring's `openSecrets` would pick: the one whose decoded object path
/// is `PREFIX` + `name`.
fn find<'a>(service: &'a SecretService, name: &str) -> Result<Option<Collection<'a>>> {
    let want = format!("{PREFIX}{name}");
    let collections = service.get_all_collections().map_err(|e| failed(name, e))?;
    Ok(collections
        .into_iter()
        .find(|c| decode_path(c.collection_path.as_str()) == want))
}

fn unlock(collection: &Collection, name: &str) -> Result<()> {
    if collection.is_locked().map_err(|e| failed(name, e))? {
        // gnome-keyring asks for the collection's password in a dialog of its own.
        collection.unlock().map_err(|e| {
            anyhow!(
                "aws-vault's Secret Service collection `{name}` is locked and was not unlocked ({e}); unlock it (seahorse, or a desktop session's keyring prompt) and run this again"
            )
        })?;
    }
    Ok(())
}

fn failed(name: &str, e: secret_service::Error) -> anyhow::Error {
    anyhow!("the Secret Service refused aws-vault's collection `{name}`: {e}")
}

/// keyring's `decodeKeyringString`: `_XX` back to its byte, as gnome-keyring escapes a
/// label into an object path; a malformed escape leaves the whole path as it is.
fn decode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'_' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let decoded = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match decoded {
            Some(b) => out.push(b),
            None => return path.to_string(),
        }
        i += 3;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_paths_are_decoded_as_keyring_decodes_them() {
        assert_eq!(
            decode_path("/org/freedesktop/secrets/collection/awsvault"),
            "/org/freedesktop/secrets/collection/awsvault"
        );
        assert_eq!(
            decode_path("/org/freedesktop/secrets/collection/aws_2dvault"),
            "/org/freedesktop/secrets/collection/aws-vault"
        );
        // Go's hex.DecodeString fails on `_zz`: keyring then keeps the path whole.
        assert_eq!(decode_path("/c/a_zz"), "/c/a_zz");
        assert_eq!(decode_path("/c/a_2"), "/c/a_2");
        assert_eq!(decode_path("/c/a_+1"), "/c/a_+1");
    }
}
