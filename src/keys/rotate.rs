//! `hat keys rotate`: replace a profile's access key without ever leaving the store
//! without a working key. The order is fixed: (1) IAM CreateAccessKey, signed with the
//! current key; (2) wait until STS GetCallerIdentity accepts the new key, since IAM is
//! eventually consistent; (3) store the new key; (4) IAM DeleteAccessKey for the old one.
//! Until (3) the store holds the old key; from (3) on, the new one. Every failure says
//! which of the two is stored and what IAM holds, with the command that finishes the job.

use crate::creds::Credentials;
use crate::endpoint::{Endpoints, Service};
use crate::keys::{Keys, mask};
use crate::sdk::Sdk;
use crate::verbose;
use anyhow::{Result, anyhow};
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_types::region::Region;
use std::time::Duration;

/// IAM is global: its calls are signed for us-east-1 (as the AWS CLI does).
const IAM_REGION: &str = "us-east-1";

/// The pauses before each check of a new key, in growing steps: about a minute in all
/// (AWS says a new key usually works within seconds). `HAT_KEYS_ROTATE_WAIT` (seconds)
/// sets another total.
const WAITS_MS: &[u64] = &[0, 500, 1000, 2000, 3000, 5000, 8000, 10_000, 15_000, 15_000];

/// The pauses to make within `total_ms`: the schedule cut where it would exceed it.
fn waits(total_ms: u64) -> Vec<u64> {
    let mut spent = 0;
    let mut out = Vec::new();
    for (i, w) in WAITS_MS
        .iter()
        .copied()
        .chain(std::iter::repeat(15_000))
        .enumerate()
    {
        if i > 0 && spent + w > total_ms {
            break;
        }
        spent += w;
        out.push(w);
    }
    out
}

/// What a rotation did, for the person.
pub struct Rotated {
    pub old_id: String,
    pub new_id: String,
    pub user: String,
}

struct Aws {
    sdk: Sdk,
    endpoints: Endpoints,
}

impl Aws {
    fn provider(creds: &Credentials) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.clone(),
            creds.session_token.clone(),
            None,
            "hat-keys",
        )
    }

    fn iam(&self, creds: &Credentials) -> aws_sdk_iam::Client {
        let mut config = aws_sdk_iam::config::Builder::from(self.sdk.config())
            .region(Region::new(IAM_REGION))
            .credentials_provider(Self::provider(creds));
        if let Some(url) = self.endpoints.get(Service::Iam) {
            config = config.endpoint_url(url);
        }
        config = config
            .use_fips(self.endpoints.fips(Service::Iam))
            .use_dual_stack(self.endpoints.dual_stack(Service::Iam));
        aws_sdk_iam::Client::from_conf(config.build())
    }

    fn sts(&self, creds: &Credentials, region: &str) -> aws_sdk_sts::Client {
        let mut config = aws_sdk_sts::config::Builder::from(self.sdk.config())
            .region(Region::new(region.to_string()))
            .credentials_provider(Self::provider(creds));
        if let Some(url) = self.endpoints.get(Service::Sts) {
            config = config.endpoint_url(url);
        }
        config = config
            .use_fips(self.endpoints.fips(Service::Sts))
            .use_dual_stack(self.endpoints.dual_stack(Service::Sts));
        aws_sdk_sts::Client::from_conf(config.build())
    }

    /// The ARN the key belongs to, or the error code and message STS gave.
    fn whoami(&self, creds: &Credentials, region: &str) -> Result<String, String> {
        let client = self.sts(creds, region);
        match self.sdk.block_on(client.get_caller_identity().send()) {
            Ok(out) => Ok(out.arn().unwrap_or("").to_string()),
            Err(e) => Err(describe(&e)),
        }
    }
}

/// `Code: message`, or the SDK's own account when there was no answer.
fn describe<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => crate::failure::sdk(e, crate::sdk::Limits::default().total),
    }
}

fn code<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    e.code()
}

/// Rotates `profile`'s key. `region` signs the STS calls (the profile's region).
pub fn rotate(
    keys: &mut Keys<'_>,
    wait_seconds: Option<u64>,
    profile: &str,
    endpoints: Endpoints,
    region: Option<&str>,
) -> Result<Rotated> {
    let region = region.unwrap_or(IAM_REGION).to_string();
    let old = keys.get(profile)?;
    let aws = Aws {
        sdk: Sdk::with_limits(crate::sdk::Limits::default(), &endpoints)?,
        endpoints,
    };
    let old_id = old.access_key_id.clone();

    // Before anything changes: the stored key must work, and it names the user.
    let user = aws.whoami(&old, &region).map_err(|e| {
        anyhow!(
            "the stored key {} of profile `{profile}` does not work ({e}); nothing was changed. If it was deleted in IAM, add a working key with `hat keys add {profile}`",
            mask(&old_id)
        )
    })?;
    verbose!("profile {profile}: rotating {} of {user}", mask(&old_id));
    let iam = aws.iam(&old);

    // Another key on the user: a leftover from an interrupted rotation, or a key in use
    // elsewhere. IAM allows two, so CreateAccessKey would fail: say which one and stop.
    if let Ok(listed) = aws.sdk.block_on(iam.list_access_keys().send()) {
        let others: Vec<String> = listed
            .access_key_metadata()
            .iter()
            .filter_map(|k| k.access_key_id())
            .filter(|id| *id != old_id)
            .map(str::to_string)
            .collect();
        if !others.is_empty() {
            return Err(anyhow!(
                "{user} already has two access keys: the stored {old_id} and {}. IAM allows two, so a new one cannot be made; nothing was changed. If {} is not in use (perhaps left by an interrupted rotation), delete it with `aws iam delete-access-key --access-key-id {}` and run `hat keys rotate {profile}` again",
                others.join(", "),
                others[0],
                others[0]
            ));
        }
    }

    // 1. A new key, made with the current one.
    let created = aws
        .sdk
        .block_on(iam.create_access_key().send())
        .map_err(|e| {
            let advice = if code(&e) == Some("AccessDenied") {
                format!(
                    "the key may not create access keys: allow iam:CreateAccessKey (and iam:DeleteAccessKey, iam:ListAccessKeys) on {user} in its IAM policy"
                )
            } else if code(&e) == Some("LimitExceeded") {
                format!("{user} already has two access keys; delete the one not in use")
            } else {
                "check the network and the IAM endpoint".to_string()
            };
            anyhow!(
                "IAM CreateAccessKey failed ({}); {advice}. Nothing was changed: profile `{profile}` keeps {old_id}",
                describe(&e)
            )
        })?;
    let Some(made) = created.access_key() else {
        return Err(anyhow!(
            "IAM CreateAccessKey answered without a key; profile `{profile}` keeps {old_id}. Check `aws iam list-access-keys` for a new key and delete it"
        ));
    };
    let new = Credentials {
        access_key_id: made.access_key_id().to_string(),
        secret_access_key: made.secret_access_key().to_string(),
        session_token: None,
        expiration: None,
    };
    let new_id = new.access_key_id.clone();
    verbose!("profile {profile}: created {}", mask(&new_id));

    // If the new key cannot be used or stored, take it back with the old one, which is
    // still stored and still works.
    let undo = |why: String| -> anyhow::Error {
        let cleanup = aws
            .sdk
            .block_on(iam.delete_access_key().access_key_id(new_id.clone()).send());
        let iam_state = match cleanup {
            Ok(_) => format!("the new key {new_id} was deleted again, so IAM is as before"),
            Err(e) => format!(
                "the new key {new_id} could not be deleted ({}): delete it with `aws iam delete-access-key --access-key-id {new_id}`",
                describe(&e)
            ),
        };
        anyhow!("{why}. Profile `{profile}` keeps its working key {old_id}; {iam_state}")
    };

    // 2. Wait until STS accepts the new key.
    let mut last = String::new();
    let mut accepted = false;
    let total_ms = wait_seconds.unwrap_or(60) * 1000;
    for wait in waits(total_ms) {
        std::thread::sleep(Duration::from_millis(wait));
        match aws.whoami(&new, &region) {
            Ok(_) => {
                accepted = true;
                break;
            }
            Err(e) => {
                verbose!("profile {profile}: the new key is not accepted yet ({e})");
                last = e;
            }
        }
    }
    if !accepted {
        return Err(undo(format!(
            "STS did not accept the new key within {}s ({last}); if IAM is slow here, allow more with HAT_KEYS_ROTATE_WAIT=SECONDS",
            total_ms / 1000
        )));
    }

    // 3. Store it: from here on the store holds the new key.
    if let Err(e) = keys.replace(profile, &new) {
        return Err(undo(format!("could not store the new key ({e:#})")));
    }

    // 4. Delete the old one, signed with the new key.
    let iam_new = aws.iam(&new);
    if let Err(e) = aws.sdk.block_on(
        iam_new
            .delete_access_key()
            .access_key_id(old_id.clone())
            .send(),
    ) {
        let advice = if code(&e) == Some("AccessDenied") {
            format!("allow iam:DeleteAccessKey on {user}, then ")
        } else {
            String::new()
        };
        return Err(anyhow!(
            "profile `{profile}` now uses its new key {new_id} (stored and working), but IAM DeleteAccessKey for the old key {old_id} failed ({}). The old key is still active in IAM: {advice}delete it with `aws iam delete-access-key --access-key-id {old_id}`",
            describe(&e)
        ));
    }
    Ok(Rotated {
        old_id,
        new_id,
        user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_schedule_fits_the_budget_and_always_checks_once() {
        assert_eq!(waits(0), [0]);
        assert_eq!(waits(1000), [0, 500]);
        assert_eq!(waits(60_000).iter().sum::<u64>(), 59_500);
        assert!(waits(300_000).iter().sum::<u64>() <= 300_000);
        assert!(waits(300_000).len() > WAITS_MS.len());
    }
}
