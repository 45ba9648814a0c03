//! The two AWS services behind a sign-in, through the Rust SDK on hat's one HTTP stack
//! ([`crate::sdk::Sdk`]) and endpoints ([`crate::endpoint`]): SSO OIDC (register a
//! client, device authorization, tokens) and the SSO portal (role credentials,
//! accounts and roles, logout). Errors keep the service's code so callers can branch
//! on it, and never carry a token, secret or code.

use crate::creds::Credentials;
use crate::endpoint::{Endpoints, Service};
use crate::sdk::Sdk;
use anyhow::{Result, anyhow};
use aws_sdk_sso::config::Region;
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::retry::RetryConfig;
use std::rc::Rc;

/// A failed call: the service's error code (`AuthorizationPendingException`), or none
/// when the service could not be reached.
#[derive(Debug)]
pub struct CallError {
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CallError {}

impl CallError {
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// Throttled or a server fault: worth trying again after a pause.
    pub fn is_transient(&self) -> bool {
        self.is("TooManyRequestsException")
            || self.is("ThrottlingException")
            || self.status.is_some_and(|s| s == 429 || s >= 500)
    }

    /// The portal no longer accepts the token (signed out, revoked, expired).
    pub fn is_unauthorized(&self) -> bool {
        self.is("UnauthorizedException") || self.status == Some(401)
    }
}

fn call_error<E>(
    service: &str,
    endpoint: &str,
    err: SdkError<E, HttpResponse>,
    limits: &crate::sdk::Limits,
) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => CallError {
            code: None,
            status: None,
            message: format!(
                "could not reach {service} at {endpoint}: {}; check your network connection and proxy settings, and AWS_ENDPOINT_URL_* or endpoint_url if you set them",
                crate::failure::sdk(&err, limits.total),
            ) + crate::net::tls_hint(&format!("{err:?}")),
        },
        SdkError::ServiceError(e) => {
            let status = e.raw().status().as_u16();
            let code = err.code().map(str::to_string);
            let detail = err.message().unwrap_or("");
            CallError {
                message: format!(
                    "{service} answered {}{}{}",
                    code.as_deref().unwrap_or("an error"),
                    if detail.is_empty() { "" } else { ": " },
                    detail
                ),
                code,
                status: Some(status),
            }
        }
        _ => CallError {
            code: None,
            status: None,
            message: format!(
                "{service} call failed: {}",
                crate::failure::sdk(&err, limits.total)
            ),
        },
    }
}

/// SSO OIDC in one region.
pub struct Oidc {
    sdk: Rc<Sdk>,
    client: aws_sdk_ssooidc::Client,
    endpoint: String,
}

pub struct NewClient {
    pub client_id: String,
    pub client_secret: String,
    pub expires_at: i64,
}

pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: i64,
    pub interval: u64,
}

pub struct NewToken {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: Option<String>,
}

/// What CreateToken exchanges for a token.
pub enum Grant<'a> {
    Device(&'a str),
    AuthorizationCode {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    Refresh(&'a str),
}

impl Oidc {
    pub fn new(sdk: Rc<Sdk>, endpoints: &Endpoints, region: &str) -> Oidc {
        let mut config = aws_sdk_ssooidc::config::Builder::from(sdk.config())
            .region(aws_sdk_ssooidc::config::Region::new(region.to_string()))
            .use_fips(endpoints.fips(Service::SsoOidc))
            .use_dual_stack(endpoints.dual_stack(Service::SsoOidc));
        if let Some(url) = endpoints.get(Service::SsoOidc) {
            config = config.endpoint_url(url);
        }
        Oidc {
            client: aws_sdk_ssooidc::Client::from_conf(config.build()),
            endpoint: endpoints.url(Service::SsoOidc, region),
            sdk,
        }
    }

    /// The SDK the client was made from (its limits and CA bundle serve hat's own
    /// requests of a sign-in too).
    pub fn sdk(&self) -> &Sdk {
        &self.sdk
    }

    /// Runs `future` on the runtime the client's calls use (the sign-in callback's
    /// listener runs there too).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.sdk.block_on(future)
    }

    /// The resolved OIDC endpoint: the browser approves a sign-in at `<endpoint>/authorize`
    /// (the CLI v2's `_get_base_authorization_uri`), so China, the ISO partitions and
    /// FIPS get their own host.
    pub fn endpoint(&self) -> &str {
        self.endpoint.trim_end_matches('/')
    }

    /// RegisterClient as the AWS CLI v2 sends it: for the device flow `clientName`,
    /// `clientType` and `scopes` (when there are any) only; for the PKCE flow
    /// (`pkce` = (issuer URL, redirect URI)) also `grantTypes` [authorization_code,
    /// refresh_token], `redirectUris` and `issuerUrl`.
    pub fn register_client(
        &self,
        scopes: &[String],
        pkce: Option<(&str, &str)>,
    ) -> Result<NewClient, CallError> {
        let mut call = self
            .client
            .register_client()
            .client_name(format!("hat-{}", crate::clock::now()))
            .client_type("public")
            .set_scopes((!scopes.is_empty()).then(|| scopes.to_vec()));
        if let Some((issuer_url, redirect_uri)) = pkce {
            call = call
                .grant_types("authorization_code")
                .grant_types("refresh_token")
                .redirect_uris(redirect_uri)
                .issuer_url(issuer_url);
        }
        let out = self
            .sdk
            .block_on(call.send())
            .map_err(|e| call_error("SSO OIDC", &self.endpoint, e, self.sdk.limits()))?;
        Ok(NewClient {
            client_id: out.client_id().unwrap_or_default().to_string(),
            client_secret: out.client_secret().unwrap_or_default().to_string(),
            expires_at: out.client_secret_expires_at(),
        })
    }

    pub fn start_device_authorization(
        &self,
        client_id: &str,
        client_secret: &str,
        start_url: &str,
    ) -> Result<DeviceAuthorization, CallError> {
        let call = self
            .client
            .start_device_authorization()
            .client_id(client_id)
            .client_secret(client_secret)
            .start_url(start_url);
        let out = self
            .sdk
            .block_on(call.send())
            .map_err(|e| call_error("SSO OIDC", &self.endpoint, e, self.sdk.limits()))?;
        Ok(DeviceAuthorization {
            device_code: out.device_code().unwrap_or_default().to_string(),
            user_code: out.user_code().unwrap_or_default().to_string(),
            verification_uri: out.verification_uri().unwrap_or_default().to_string(),
            verification_uri_complete: out.verification_uri_complete().map(str::to_string),
            expires_in: i64::from(out.expires_in()),
            interval: u64::try_from(out.interval()).unwrap_or(0),
        })
    }

    pub fn create_token(
        &self,
        client_id: &str,
        client_secret: &str,
        grant: Grant<'_>,
    ) -> Result<NewToken, CallError> {
        let mut call = self
            .client
            .create_token()
            .client_id(client_id)
            .client_secret(client_secret);
        call = match grant {
            Grant::Device(code) => call
                .grant_type("urn:ietf:params:oauth:grant-type:device_code")
                .device_code(code),
            Grant::AuthorizationCode {
                code,
                verifier,
                redirect_uri,
            } => call
                .grant_type("authorization_code")
                .code(code)
                .code_verifier(verifier)
                .redirect_uri(redirect_uri),
            Grant::Refresh(token) => call.grant_type("refresh_token").refresh_token(token),
        };
        let out = self
            .sdk
            .block_on(call.send())
            .map_err(|e| call_error("SSO OIDC", &self.endpoint, e, self.sdk.limits()))?;
        Ok(NewToken {
            access_token: out.access_token().unwrap_or_default().to_string(),
            expires_in: i64::from(out.expires_in()),
            refresh_token: out.refresh_token().map(str::to_string),
        })
    }
}

/// The SSO portal in one region.
#[derive(Clone)]
pub struct Portal {
    client: aws_sdk_sso::Client,
    endpoint: String,
    limits: crate::sdk::Limits,
}

pub struct Account {
    pub id: String,
    pub name: String,
}

impl Portal {
    /// `retry`: the SDK's retries (none when the caller retries itself).
    pub fn new(sdk: &Sdk, endpoints: &Endpoints, region: &str, retry: RetryConfig) -> Portal {
        let mut config = aws_sdk_sso::config::Builder::from(sdk.config())
            .region(Region::new(region.to_string()))
            .retry_config(retry)
            .use_fips(endpoints.fips(Service::Sso))
            .use_dual_stack(endpoints.dual_stack(Service::Sso));
        if let Some(url) = endpoints.get(Service::Sso) {
            config = config.endpoint_url(url);
        }
        Portal {
            client: aws_sdk_sso::Client::from_conf(config.build()),
            endpoint: endpoints.url(Service::Sso, region),
            limits: *sdk.limits(),
        }
    }

    pub async fn role_credentials(
        &self,
        token: &str,
        account_id: &str,
        role_name: &str,
    ) -> Result<Credentials, CallError> {
        let out = self
            .client
            .get_role_credentials()
            .access_token(token)
            .account_id(account_id)
            .role_name(role_name)
            .send()
            .await
            .map_err(|e| call_error("the SSO portal", &self.endpoint, e, &self.limits))?;
        let c = out.role_credentials().ok_or_else(|| CallError {
            code: None,
            status: None,
            message: "the SSO portal answered GetRoleCredentials without credentials".into(),
        })?;
        Ok(Credentials {
            access_key_id: c.access_key_id().unwrap_or_default().to_string(),
            secret_access_key: c.secret_access_key().unwrap_or_default().to_string(),
            session_token: c.session_token().map(str::to_string),
            // The portal gives milliseconds since the epoch.
            expiration: Some(c.expiration() / 1000),
        })
    }

    /// One page of ListAccounts: the accounts and the next page's token.
    pub async fn accounts_page(
        &self,
        token: &str,
        next: Option<String>,
    ) -> Result<(Vec<Account>, Option<String>), CallError> {
        let out = self
            .client
            .list_accounts()
            .access_token(token)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| call_error("the SSO portal", &self.endpoint, e, &self.limits))?;
        let accounts = out
            .account_list()
            .iter()
            .map(|a| Account {
                id: a.account_id().unwrap_or_default().to_string(),
                name: a.account_name().unwrap_or_default().to_string(),
            })
            .collect();
        Ok((accounts, out.next_token().map(str::to_string)))
    }

    /// One page of ListAccountRoles for `account_id`.
    pub async fn roles_page(
        &self,
        token: &str,
        account_id: &str,
        next: Option<String>,
    ) -> Result<(Vec<String>, Option<String>), CallError> {
        let out = self
            .client
            .list_account_roles()
            .access_token(token)
            .account_id(account_id)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| call_error("the SSO portal", &self.endpoint, e, &self.limits))?;
        let roles = out
            .role_list()
            .iter()
            .filter_map(|r| r.role_name().map(str::to_string))
            .collect();
        Ok((roles, out.next_token().map(str::to_string)))
    }

    pub async fn logout(&self, token: &str) -> Result<(), CallError> {
        self.client
            .logout()
            .access_token(token)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| call_error("the SSO portal", &self.endpoint, e, &self.limits))
    }
}

/// A [`CallError`] as an anyhow error the caller can still downcast.
pub fn into_anyhow(e: CallError) -> anyhow::Error {
    anyhow!(e)
}
