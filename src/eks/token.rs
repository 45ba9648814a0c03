//! The EKS bearer token and the ExecCredential that carries it: a presigned STS
//! `GetCallerIdentity` URL (SigV4 in the query, `x-k8s-aws-id` signed, valid 60 s),
//! `k8s-aws-v1.` + unpadded base64url, exactly as `aws eks get-token` and
//! aws-iam-authenticator make it. The EKS authenticator sends that URL to STS with the
//! header, so only a token signed for this cluster, by these credentials, in the last
//! minute is accepted. Pure computation: no network, no runtime.

use crate::clock;
use crate::creds::Credentials;
use anyhow::{Context, Result, anyhow};
use aws_sdk_sts::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use base64::Engine;
use serde::Serialize;
use std::future::Future;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, UNIX_EPOCH};

pub const PREFIX: &str = "k8s-aws-v1.";
/// The header the token is bound to; its value is the cluster name (or Outposts id).
pub const CLUSTER_HEADER: &str = "x-k8s-aws-id";
/// How long STS accepts the presigned URL (the AWS CLI's `URL_TIMEOUT`).
pub const URL_SECONDS: u64 = 60;
/// The AWS CLI says the token is good for 14 minutes (the authenticator accepts a
/// signature date up to 15 minutes old), so clients refresh it a minute early.
pub const TOKEN_SECONDS: i64 = 14 * 60;

pub const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";
pub const V1: &str = "client.authentication.k8s.io/v1";
const V1ALPHA1: &str = "client.authentication.k8s.io/v1alpha1";

/// Where the presigned request goes, as for every STS call hat makes.
#[derive(Debug, Clone, Default)]
pub struct StsTarget {
    /// The signing region and the regional endpoint's (us-east-1 when none is known).
    pub region: String,
    /// An endpoint override (`AWS_ENDPOINT_URL_STS`, `[services]`, `endpoint_url`).
    pub endpoint: Option<String>,
    pub fips: bool,
    pub dual_stack: bool,
}

impl StsTarget {
    /// The endpoint the SDK's own STS rules give: the regional endpoint in the region's
    /// partition (`sts.cn-north-1.amazonaws.com.cn`, `sts-fips.us-east-1.amazonaws.com`,
    /// `sts.eu-west-1.api.aws`), or the override.
    pub fn url(&self) -> Result<String> {
        let params = Params::builder()
            .region(self.region.clone())
            .use_fips(self.fips)
            .use_dual_stack(self.dual_stack)
            .use_global_endpoint(false)
            .set_endpoint(self.endpoint.clone())
            .build()
            .map_err(|e| anyhow!("could not work out the STS endpoint: {e}"))?;
        let resolver = DefaultResolver::new();
        let mut future = std::pin::pin!(resolver.resolve_endpoint(&params));
        // The rules are evaluated in place: the future is ready on the first poll, so no
        // runtime is started for it.
        let mut cx = TaskContext::from_waker(Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(endpoint)) => Ok(endpoint.url().to_string()),
            Poll::Ready(Err(e)) => Err(anyhow!(
                "there is no STS endpoint for region {}: {e}",
                self.region
            )),
            Poll::Pending => Err(anyhow!("the STS endpoint rules did not answer at once")),
        }
    }
}

/// The bearer token for `cluster`, signed at `at` (epoch seconds).
pub fn token(creds: &Credentials, target: &StsTarget, cluster: &str, at: i64) -> Result<String> {
    let url = presigned_url(creds, target, cluster, at)?;
    Ok(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    ))
}

/// `https://sts.REGION.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-...`
pub fn presigned_url(
    creds: &Credentials,
    target: &StsTarget,
    cluster: &str,
    at: i64,
) -> Result<String> {
    let endpoint = target.url()?;
    let mut url = url::Url::parse(&endpoint)
        .with_context(|| format!("the STS endpoint `{endpoint}` is not a URL"))?;
    if url.path().is_empty() {
        url.set_path("/");
    }
    url.set_query(Some("Action=GetCallerIdentity&Version=2011-06-15"));
    let unsigned = url.to_string();

    let identity = aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.clone(),
        creds.session_token.clone(),
        None,
        "hat",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(URL_SECONDS));
    let time = UNIX_EPOCH + Duration::from_secs(u64::try_from(at).unwrap_or(0));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&target.region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| anyhow!("could not sign the EKS token: {e}"))?
        .into();
    let headers = [(CLUSTER_HEADER, cluster)];
    let request = SignableRequest::new(
        "GET",
        &unsigned,
        headers.iter().copied(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| anyhow!("could not sign the EKS token: {e}"))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| anyhow!("could not sign the EKS token: {e}"))?
        .into_parts();
    // The signature last, as botocore writes it (aws-sigv4 puts the session token
    // after it; the order is not signed, but the URL then reads like the CLI's).
    let mut params: Vec<_> = instructions.params().iter().collect();
    params.sort_by_key(|(name, _)| *name == "X-Amz-Signature");
    let mut out = unsigned;
    for (name, value) in params {
        out.push('&');
        out.push_str(name);
        out.push('=');
        out.push_str(&encode(value));
    }
    Ok(out)
}

/// Percent-encoding with SigV4's unreserved set, as botocore writes presigned URLs.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The ExecCredential API version to answer with: what the client asked for in
/// `KUBERNETES_EXEC_INFO` (the AWS CLI's rules), else v1beta1; plus a warning to show.
pub fn api_version(exec_info: Option<&str>) -> (&'static str, Option<String>) {
    let Some(raw) = exec_info.filter(|s| !s.is_empty()) else {
        return (V1BETA1, None);
    };
    let Ok(info) = serde_json::from_str::<serde_json::Value>(raw) else {
        return (
            V1BETA1,
            Some(format!(
                "KUBERNETES_EXEC_INFO is not JSON; answering with {V1BETA1}"
            )),
        );
    };
    match info.get("apiVersion").and_then(|v| v.as_str()) {
        Some(V1) => (V1, None),
        Some(V1BETA1) => (V1BETA1, None),
        Some(V1ALPHA1) => (
            V1ALPHA1,
            Some(format!(
                "the kubeconfig user asks for the deprecated {V1ALPHA1}; run `hat eks kubeconfig --rewrite` or set apiVersion: {V1BETA1}"
            )),
        ),
        other => (
            V1BETA1,
            Some(format!(
                "KUBERNETES_EXEC_INFO asks for apiVersion {}, which hat does not know; answering with {V1BETA1}",
                other.unwrap_or("(none)")
            )),
        ),
    }
}

#[derive(Serialize)]
struct ExecCredential<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    spec: serde_json::Map<String, serde_json::Value>,
    status: Status<'a>,
}

#[derive(Serialize)]
struct Status<'a> {
    #[serde(rename = "expirationTimestamp")]
    expiration_timestamp: String,
    token: &'a str,
}

/// When clients should ask again: 14 minutes on, as the AWS CLI says, but never after
/// the credentials that signed it expire (STS would refuse the token from then on).
pub fn expires_at(creds: &Credentials, at: i64) -> i64 {
    let by_token = at + TOKEN_SECONDS;
    creds.expiration.map_or(by_token, |e| e.min(by_token))
}

/// The ExecCredential JSON (one line and a newline) that kubectl reads from stdout.
pub fn exec_credential(api_version: &str, token: &str, expires_at: i64) -> Result<String> {
    let credential = ExecCredential {
        kind: "ExecCredential",
        api_version,
        spec: serde_json::Map::new(),
        status: Status {
            expiration_timestamp: clock::to_rfc3339(expires_at),
            token,
        },
    };
    Ok(format!("{}\n", serde_json::to_string(&credential)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(str::to_string),
            expiration: None,
        }
    }

    fn target(region: &str) -> StsTarget {
        StsTarget {
            region: region.into(),
            ..StsTarget::default()
        }
    }

    #[test]
    fn the_url_is_the_regional_endpoint_in_the_partition() {
        assert_eq!(
            target("eu-west-1").url().unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            target("cn-north-1").url().unwrap(),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        let fips = StsTarget {
            fips: true,
            ..target("us-gov-west-1")
        };
        assert_eq!(
            fips.url().unwrap(),
            "https://sts.us-gov-west-1.amazonaws.com"
        );
        let both = StsTarget {
            fips: true,
            dual_stack: true,
            ..target("us-east-1")
        };
        assert_eq!(both.url().unwrap(), "https://sts-fips.us-east-1.api.aws");
        let local = StsTarget {
            endpoint: Some("http://127.0.0.1:9/".into()),
            ..target("eu-west-1")
        };
        assert_eq!(local.url().unwrap(), "http://127.0.0.1:9/");
    }

    #[test]
    fn token_is_prefixed_unpadded_base64url_of_the_presigned_url() {
        let at = 1_787_419_800;
        let token = token(&creds(Some("tok/en+=")), &target("eu-west-1"), "prod", at).unwrap();
        let body = token.strip_prefix(PREFIX).unwrap();
        assert!(!body.contains('=') && !body.contains('+') && !body.contains('/'));
        let url = String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(body)
                .unwrap(),
        )
        .unwrap();
        assert!(
            url.starts_with("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260822%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20260822T173000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"),
            "{url}"
        );
        assert!(
            url.contains("&X-Amz-Security-Token=tok%2Fen%2B%3D&"),
            "{url}"
        );
        let signature = url.rsplit_once("&X-Amz-Signature=").unwrap().1;
        assert_eq!(signature.len(), 64);
        // Another cluster, another signature: the header is part of what is signed.
        let other =
            presigned_url(&creds(Some("tok/en+=")), &target("eu-west-1"), "dev", at).unwrap();
        assert_ne!(other.rsplit_once('=').unwrap().1, signature);
    }

    #[test]
    fn api_version_follows_kubernetes_exec_info() {
        assert_eq!(api_version(None), (V1BETA1, None));
        assert_eq!(api_version(Some("")), (V1BETA1, None));
        let v1 = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;
        assert_eq!(api_version(Some(v1)), (V1, None));
        let (v, warning) = api_version(Some("{nope"));
        assert_eq!(v, V1BETA1);
        assert!(warning.unwrap().contains("not JSON"));
        let (v, warning) = api_version(Some(r#"{"apiVersion":"x/v9"}"#));
        assert_eq!(v, V1BETA1);
        assert!(warning.unwrap().contains("x/v9"));
        let (v, warning) = api_version(Some(
            r#"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#,
        ));
        assert_eq!(v, V1ALPHA1);
        assert!(warning.unwrap().contains("deprecated"));
    }

    #[test]
    fn expiry_is_fourteen_minutes_unless_the_credentials_end_sooner() {
        let mut c = creds(None);
        assert_eq!(expires_at(&c, 1000), 1000 + 840);
        c.expiration = Some(1300);
        assert_eq!(expires_at(&c, 1000), 1300);
        let json = exec_credential(V1, "k8s-aws-v1.x", 1_787_419_800).unwrap();
        assert_eq!(
            json,
            "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"spec\":{},\"status\":{\"expirationTimestamp\":\"2026-08-22T17:30:00Z\",\"token\":\"k8s-aws-v1.x\"}}\n"
        );
    }
}
