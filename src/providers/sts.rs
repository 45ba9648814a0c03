//! AWS STS through the Rust SDK: AssumeRole, GetSessionToken (MFA sessions),
//! AssumeRoleWithWebIdentity and GetFederationToken (the console with long-term keys),
//! plus turning STS's errors into advice a person can act on. The async runtime, TLS
//! and the HTTP client are created here and only when a call is needed, so the cached
//! path never pays for them.

use crate::creds::Credentials;
use crate::endpoint::{Endpoints, Service};
use crate::sdk::Sdk;
use anyhow::{Result, anyhow};
use aws_sdk_sts::config::Region;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use std::rc::Rc;

const DEFAULT_REGION: &str = "us-east-1";

/// The session policy of GetFederationToken: the federated user's permissions are the
/// intersection of this and the IAM user's own, so allowing all keeps the user's.
const FEDERATION_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

pub struct Sts {
    sdk: Rc<Sdk>,
    endpoints: Endpoints,
    region: String,
}

/// `hat-<local user>`, cut to STS's name alphabet (`[\w+=,.@-]`) and `max` characters:
/// the default role session name (64) and federated user name (32).
pub fn default_name(env: &crate::env::Env, max: usize) -> String {
    let mut name = format!("hat-{}", default_user(env));
    name.truncate(max);
    name
}

/// The session tags as the SDK sends them (`None` for none, so untagged calls are as
/// they always were).
fn tags(tagging: &crate::chain::Tagging) -> Result<Option<Vec<aws_sdk_sts::types::Tag>>> {
    if tagging.tags.is_empty() {
        return Ok(None);
    }
    tagging
        .tags
        .iter()
        .map(|(key, value)| {
            aws_sdk_sts::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| anyhow::anyhow!("the session tag `{key}` could not be sent: {e}"))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// The local user name cut to STS's alphabet for names (`[\w+=,.@-]`): what `{user}`
/// stands for in `source_identity` and the default session name.
pub fn default_user(env: &crate::env::Env) -> String {
    env.user_name()
        .unwrap_or("user")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))
        .collect()
}

/// What a role request needs besides the caller's credentials.
pub struct AssumeRole<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    pub duration: Option<u32>,
    /// (serial, code) when the role needs MFA and the caller is not an MFA session.
    pub mfa: Option<(&'a str, &'a str)>,
    /// Tags, TransitiveTagKeys and SourceIdentity.
    pub tagging: &'a crate::chain::Tagging,
}

/// Who is calling and why, so an error can name the profile, role and settings.
pub struct Context<'a> {
    pub profile: &'a str,
    pub source_profile: &'a str,
    pub role_arn: Option<&'a str>,
    pub has_external_id: bool,
    pub has_mfa: bool,
}

impl Sts {
    /// A client for `region` (us-east-1 when none), sending where `endpoints` says
    /// (a configured URL, or the resolver's host with FIPS and dual-stack; see
    /// [`crate::endpoint`]).
    pub fn new(sdk: Rc<Sdk>, endpoints: &Endpoints, region: Option<&str>) -> Sts {
        Sts {
            sdk,
            endpoints: endpoints.clone(),
            region: region.unwrap_or(DEFAULT_REGION).to_string(),
        }
    }

    /// Where calls go, for messages.
    pub fn endpoint(&self) -> String {
        self.endpoints.url(Service::Sts, &self.region)
    }

    fn client(&self, creds: Option<&Credentials>) -> aws_sdk_sts::Client {
        let mut config = aws_sdk_sts::config::Builder::from(self.sdk.config())
            .region(Region::new(self.region.clone()));
        if let Some(c) = creds {
            config = config.credentials_provider(aws_credential_types::Credentials::new(
                c.access_key_id.clone(),
                c.secret_access_key.clone(),
                c.session_token.clone(),
                None,
                "hat",
            ));
        }
        if let Some(endpoint) = self.endpoints.get(Service::Sts) {
            config = config.endpoint_url(endpoint);
        }
        config = config
            .use_fips(self.endpoints.fips(Service::Sts))
            .use_dual_stack(self.endpoints.dual_stack(Service::Sts));
        aws_sdk_sts::Client::from_conf(config.build())
    }

    pub fn assume_role(
        &self,
        caller: &Credentials,
        request: &AssumeRole<'_>,
        ctx: &Context<'_>,
    ) -> Result<Credentials> {
        let client = self.client(Some(caller));
        let call = client
            .assume_role()
            .role_arn(request.role_arn)
            .role_session_name(request.session_name)
            .set_external_id(request.external_id.map(str::to_string))
            .set_duration_seconds(request.duration.map(|d| d as i32))
            .set_serial_number(request.mfa.map(|(serial, _)| serial.to_string()))
            .set_token_code(request.mfa.map(|(_, code)| code.to_string()))
            .set_tags(tags(request.tagging)?)
            .set_transitive_tag_keys(
                (!request.tagging.transitive.is_empty())
                    .then(|| request.tagging.transitive.clone()),
            )
            .set_source_identity(request.tagging.source_identity.clone());
        let output = self
            .sdk
            .block_on(call.send())
            .map_err(|e| self.explain("AssumeRole", e, ctx))?;
        convert(output.credentials(), "AssumeRole")
    }

    pub fn get_session_token(
        &self,
        caller: &Credentials,
        serial: &str,
        code: &str,
        duration: Option<u32>,
        ctx: &Context<'_>,
    ) -> Result<Credentials> {
        let client = self.client(Some(caller));
        let call = client
            .get_session_token()
            .serial_number(serial)
            .token_code(code)
            .set_duration_seconds(duration.map(|d| d as i32));
        let output = self
            .sdk
            .block_on(call.send())
            .map_err(|e| self.explain("GetSessionToken", e, ctx))?;
        convert(output.credentials(), "GetSessionToken")
    }

    /// Exchanges an IAM user's long-term keys for federated-user credentials, which
    /// (unlike the keys, or an MFA session) the console's federation endpoint accepts.
    /// Without a session policy a federated user may do nothing at all, so one that
    /// allows everything is passed: the result is exactly what the user may do.
    pub fn get_federation_token(
        &self,
        caller: &Credentials,
        name: &str,
        duration: Option<u32>,
        ctx: &Context<'_>,
    ) -> Result<Credentials> {
        let client = self.client(Some(caller));
        let call = client
            .get_federation_token()
            .name(name)
            .policy(FEDERATION_POLICY)
            .set_duration_seconds(duration.map(|d| d as i32));
        let output = self
            .sdk
            .block_on(call.send())
            .map_err(|e| self.explain("GetFederationToken", e, ctx))?;
        convert(output.credentials(), "GetFederationToken")
    }

    pub fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &str,
        duration: Option<u32>,
        ctx: &Context<'_>,
    ) -> Result<Credentials> {
        let client = self.client(None);
        let call = client
            .assume_role_with_web_identity()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .web_identity_token(token)
            .set_duration_seconds(duration.map(|d| d as i32));
        let output = self
            .sdk
            .block_on(call.send())
            .map_err(|e| self.explain("AssumeRoleWithWebIdentity", e, ctx))?;
        convert(output.credentials(), "AssumeRoleWithWebIdentity")
    }

    fn explain<E>(
        &self,
        operation: &str,
        err: SdkError<E, HttpResponse>,
        ctx: &Context<'_>,
    ) -> anyhow::Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match &err {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => anyhow!(
                "could not reach STS at {} for profile `{}`: {}; check your network connection and proxy settings{}{}",
                self.endpoint(),
                ctx.profile,
                crate::failure::sdk(&err, self.sdk.limits().total),
                if self.endpoints.get(Service::Sts).is_some() {
                    ", and the configured endpoint (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or endpoint_url in the profile)"
                } else {
                    ""
                },
                // Only read for its kind: an untrusted certificate gets the CA bundle hint.
                crate::net::tls_hint(&format!("{err:?}")),
            ),
            SdkError::ServiceError(service) => {
                // Emulators (moto, LocalStack) sometimes nest the error one level deeper
                // (`<Errors><Error>`), which the SDK's parser does not see; read it here.
                let body = service.raw().body().bytes().unwrap_or_default();
                let body = String::from_utf8_lossy(body);
                let code = err
                    .code()
                    .map(str::to_string)
                    .or_else(|| xml_field(&body, "Code"))
                    .unwrap_or_else(|| "Unknown".into());
                let message = err
                    .message()
                    .map(str::to_string)
                    .or_else(|| xml_field(&body, "Message"))
                    .unwrap_or_default();
                let date = service
                    .raw()
                    .headers()
                    .get("date")
                    .and_then(|d| {
                        aws_smithy_types::DateTime::from_str(
                            d,
                            aws_smithy_types::date_time::Format::HttpDate,
                        )
                        .ok()
                    })
                    .map(|d| d.secs());
                if let Some(offset) = skew(&code, &message, date, crate::clock::now()) {
                    return anyhow!(
                        "STS refused {operation} for profile `{}` because {} (STS said {code}); set this machine's clock right (turn on network time sync) and run again",
                        ctx.profile,
                        crate::failure::skew(offset)
                    );
                }
                advise(operation, &code, &message, ctx)
            }
            _ => anyhow!(
                "STS {operation} for profile `{}` failed: {}",
                ctx.profile,
                crate::failure::sdk(&err, self.sdk.limits().total)
            ),
        }
    }
}

/// Seconds this machine's clock is ahead of STS's (negative: behind), when STS
/// refused a request for its signing time and its `Date` is more than a minute off
/// ours; SigV4 allows five minutes, so a refusal with a close clock is something else.
pub fn skew(code: &str, message: &str, server_date: Option<i64>, now: i64) -> Option<i64> {
    let timing = code == "RequestExpired"
        || code == "InvalidSignatureException"
        || (code == "SignatureDoesNotMatch"
            && message.to_ascii_lowercase().contains("signature expired"));
    let offset = now - server_date?;
    (timing && offset.abs() > 60).then_some(offset)
}

/// The text of the first `<name>` element of an XML error document.
fn xml_field(body: &str, name: &str) -> Option<String> {
    let start = body.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + body[start..].find(&format!("</{name}>"))?;
    let text = body[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    Some(text).filter(|t| !t.is_empty())
}

fn convert(
    creds: Option<&aws_sdk_sts::types::Credentials>,
    operation: &str,
) -> Result<Credentials> {
    let c = creds.ok_or_else(|| anyhow!("STS {operation} answered without credentials"))?;
    Ok(Credentials {
        access_key_id: c.access_key_id().to_string(),
        secret_access_key: c.secret_access_key().to_string(),
        session_token: Some(c.session_token().to_string()),
        expiration: Some(c.expiration().secs()),
    })
}

/// Turns an STS error code and message into what to check. STS messages name ARNs and
/// actions, never secrets, so they are quoted.
pub fn advise(operation: &str, code: &str, message: &str, ctx: &Context<'_>) -> anyhow::Error {
    let said = if message.is_empty() {
        format!("STS said {code}")
    } else {
        format!("STS said {code}: {message}")
    };
    let profile = ctx.profile;
    let source = ctx.source_profile;
    let lower = message.to_ascii_lowercase();
    match code {
        "AccessDenied" if lower.contains("multifactorauthentication") || lower.contains("mfa") => {
            anyhow!(
                "the MFA code for profile `{profile}` was not accepted: it was mistyped, has expired, or was already used (each code works only once). Wait for the next code from your MFA device and run again. ({said})"
            )
        }
        "AccessDenied" if operation == "AssumeRoleWithWebIdentity" => anyhow!(
            "access denied assuming {} with the web identity token of profile `{profile}`: the role's trust policy must allow sts:AssumeRoleWithWebIdentity for the token's issuer (a Federated principal), and its conditions (audience, subject) must match the token. ({said})",
            ctx.role_arn.unwrap_or("the role")
        ),
        "AccessDenied" if operation == "GetFederationToken" => anyhow!(
            "STS refused GetFederationToken for profile `{profile}`, which hat needs to open the console with long-term keys: the keys must be an IAM user's (not the root user's or temporary ones), and the user needs an IAM policy that allows sts:GetFederationToken. Or open the console through a role profile (role_arn with source_profile = {source}). ({said})"
        ),
        "AccessDenied" if operation == "GetSessionToken" => anyhow!(
            "STS refused an MFA session for profile `{profile}`: its keys must be an IAM user's long-term keys (not temporary credentials), and mfa_serial must be that user's MFA device. ({said})"
        ),
        "AccessDenied" => {
            let role = ctx.role_arn.unwrap_or("the role");
            let mut checks: Vec<String> = Vec::new();
            let scp = lower.contains("service control policy");
            let identity = lower.contains("identity-based policy");
            let trust = lower.contains("resource-based policy") || lower.contains("trust");
            if scp {
                checks.push("a service control policy (SCP) in your organization denies this call: ask your organization's administrators".into());
            }
            if identity || !(scp || trust) {
                checks.push(format!(
                    "the caller (profile `{source}`) needs an IAM policy that allows sts:AssumeRole on {role}"
                ));
            }
            checks.push(format!(
                "the trust policy of {role} must allow sts:AssumeRole by the caller's principal (profile `{source}`)"
            ));
            if !scp {
                checks.push("a service control policy (SCP) may deny sts:AssumeRole in the caller's account".into());
            }
            if !ctx.has_mfa {
                checks.push(format!(
                    "if the trust policy requires MFA (aws:MultiFactorAuthPresent), add mfa_serial = arn:aws:iam::ACCOUNT:mfa/NAME to profile `{profile}`"
                ));
            }
            if ctx.has_external_id {
                checks.push(format!(
                    "the external_id of profile `{profile}` must match the trust policy's sts:ExternalId"
                ));
            } else {
                checks.push(format!(
                    "if the trust policy requires an external ID (sts:ExternalId), add external_id to profile `{profile}`"
                ));
            }
            let list: String = checks.iter().map(|c| format!("\n  - {c}")).collect();
            anyhow!("access denied assuming {role} for profile `{profile}`. Check:{list}\n({said})")
        }
        "ExpiredToken" | "ExpiredTokenException" => anyhow!(
            "the credentials that profile `{profile}` starts from (profile `{source}`) have expired. Renew them: if they are a session token in your files or environment, get a new one; if they came from an earlier `assume`, run `assume --unset` first; cached credentials are refreshed with --no-cache. ({said})"
        ),
        "InvalidClientTokenId" | "UnrecognizedClientException" => anyhow!(
            "STS does not know the access key of profile `{source}`: it was deleted or deactivated, or belongs to another partition. Check aws_access_key_id for `{source}`. ({said})"
        ),
        "SignatureDoesNotMatch" => anyhow!(
            "the secret access key of profile `{source}` does not match its access key id; check aws_secret_access_key. ({said})"
        ),
        "RegionDisabledException" => anyhow!(
            "STS is not activated in this region for the account; activate it in IAM account settings or pick another region with -r. ({said})"
        ),
        "ValidationError" if lower.contains("durationseconds") || lower.contains("duration") => {
            anyhow!(
                "STS refused the session duration for profile `{profile}`: ask for less with -d (or a lower duration_seconds), or raise the role's maximum session duration. ({said})"
            )
        }
        "InvalidIdentityToken" | "IDPRejectedClaim" | "IDPCommunicationError" => anyhow!(
            "the web identity token of profile `{profile}` was refused; check web_identity_token_file and that the role trusts its issuer. ({said})"
        ),
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => anyhow!(
            "STS is throttling requests (still after retries); wait a little and run again. ({said})"
        ),
        _ => anyhow!("STS {operation} failed for profile `{profile}`. ({said})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(has_mfa: bool, has_external_id: bool) -> Context<'static> {
        Context {
            profile: "prod",
            source_profile: "base",
            role_arn: Some("arn:aws:iam::1:role/r"),
            has_external_id,
            has_mfa,
        }
    }

    #[test]
    fn skew_is_found_only_for_timing_refusals_with_a_far_date() {
        assert_eq!(skew("RequestExpired", "", Some(1000), 1600), Some(600));
        assert_eq!(
            skew(
                "SignatureDoesNotMatch",
                "Signature expired: x",
                Some(1600),
                1000
            ),
            Some(-600)
        );
        assert_eq!(
            skew("SignatureDoesNotMatch", "wrong key", Some(1000), 1600),
            None
        );
        assert_eq!(skew("RequestExpired", "", Some(1000), 1030), None);
        assert_eq!(skew("RequestExpired", "", None, 1030), None);
    }

    #[test]
    fn access_denied_lists_what_to_check() {
        let e = advise("AssumeRole", "AccessDenied", "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r", &ctx(false, false)).to_string();
        for needle in [
            "trust policy",
            "sts:AssumeRole on arn:aws:iam::1:role/r",
            "service control policy",
            "add mfa_serial",
            "add external_id",
        ] {
            assert!(e.contains(needle), "{needle}: {e}");
        }
        let e = advise(
            "AssumeRole",
            "AccessDenied",
            "... with an explicit deny in a service control policy",
            &ctx(true, true),
        )
        .to_string();
        assert!(e.contains("SCP) in your organization denies"), "{e}");
        assert!(
            !e.contains("add mfa_serial") && e.contains("must match"),
            "{e}"
        );
    }

    #[test]
    fn nested_error_documents_are_read() {
        let body = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>a &amp; b</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_field(body, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_field(body, "Message").as_deref(), Some("a & b"));
        assert_eq!(xml_field(body, "Nope"), None);
    }

    #[test]
    fn access_denied_advice_fits_the_operation() {
        let e = advise(
            "AssumeRoleWithWebIdentity",
            "AccessDenied",
            "Not authorized",
            &ctx(false, false),
        )
        .to_string();
        assert!(
            e.contains("sts:AssumeRoleWithWebIdentity") && e.contains("Federated"),
            "{e}"
        );
        let e = advise(
            "GetSessionToken",
            "AccessDenied",
            "Cannot call GetSessionToken with session credentials",
            &ctx(true, false),
        )
        .to_string();
        assert!(e.contains("long-term keys"), "{e}");
    }

    #[test]
    fn mfa_failures_are_named() {
        let e = advise(
            "AssumeRole",
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
            &ctx(true, false),
        )
        .to_string();
        assert!(e.contains("already used"), "{e}");
    }

    #[test]
    fn expired_tokens_say_how_to_renew() {
        let e = advise(
            "AssumeRole",
            "ExpiredToken",
            "The security token included in the request is expired",
            &ctx(false, false),
        )
        .to_string();
        assert!(e.contains("have expired") && e.contains("`base`"), "{e}");
    }
}
