//! EKS DescribeCluster through the Rust SDK (the same HTTP client, retries and
//! timeouts as every other call), for the endpoint and CA that a kubeconfig needs.

use super::kubeconfig::Cluster;
use crate::creds::Credentials;
use crate::sdk::Sdk;
use anyhow::{Result, anyhow};
use aws_sdk_eks::config::Region;
use aws_sdk_eks::error::ProvideErrorMetadata;
use aws_smithy_types::error::display::DisplayErrorContext;

pub fn describe(
    sdk: &Sdk,
    creds: &Credentials,
    region: &str,
    endpoint: Option<&str>,
    name: &str,
) -> Result<Cluster> {
    let mut config = aws_sdk_eks::config::Builder::from(sdk.config())
        .region(Region::new(region.to_string()))
        .credentials_provider(aws_credential_types::Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.clone(),
            creds.session_token.clone(),
            None,
            "hat",
        ));
    if let Some(url) = endpoint {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_eks::Client::from_conf(config.build());
    let answer = sdk
        .block_on(client.describe_cluster().name(name).send())
        .map_err(|e| match e.code() {
            Some("ResourceNotFoundException") => anyhow!(
                "there is no EKS cluster `{name}` in {region}; check the name with `aws eks list-clusters --region {region}`, or pass --region"
            ),
            Some("AccessDeniedException" | "UnrecognizedClientException") => anyhow!(
                "EKS refused DescribeCluster for `{name}` in {region}: {}; the role needs eks:DescribeCluster",
                e.message().unwrap_or("access denied")
            ),
            _ => anyhow!(
                "could not describe EKS cluster `{name}` in {region}: {}",
                DisplayErrorContext(&e)
            ),
        })?;
    let cluster = answer
        .cluster()
        .ok_or_else(|| anyhow!("EKS described no cluster for `{name}`"))?;
    let missing = |what: &str| {
        anyhow!("EKS gave no {what} for cluster `{name}` (is it still being created?)")
    };
    Ok(Cluster {
        name: cluster.name().unwrap_or(name).to_string(),
        arn: cluster.arn().ok_or_else(|| missing("ARN"))?.to_string(),
        endpoint: cluster
            .endpoint()
            .ok_or_else(|| missing("endpoint"))?
            .to_string(),
        certificate_authority: cluster
            .certificate_authority()
            .and_then(|c| c.data())
            .ok_or_else(|| missing("certificate authority"))?
            .to_string(),
    })
}
