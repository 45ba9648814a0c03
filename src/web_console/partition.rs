//! AWS partitions as the console sees them: each has its own sign-in host (where the
//! federation endpoint lives) and console host. The partition comes from the role's
//! ARN when there is one, else from the region.

use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Aws,
    UsGov,
    China,
}

impl Partition {
    /// `arn:PARTITION:...`, else the region's prefix (`us-gov-`, `cn-`), else `aws`.
    pub fn detect(role_arn: Option<&str>, region: Option<&str>) -> Partition {
        if let Some(arn) = role_arn {
            match arn.split(':').nth(1) {
                Some("aws-us-gov") => return Partition::UsGov,
                Some("aws-cn") => return Partition::China,
                Some("aws") => return Partition::Aws,
                _ => {}
            }
        }
        match region {
            Some(r) if r.starts_with("us-gov-") => Partition::UsGov,
            Some(r) if r.starts_with("cn-") => Partition::China,
            _ => Partition::Aws,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::UsGov => "aws-us-gov",
            Partition::China => "aws-cn",
        }
    }

    pub fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::UsGov => "signin.amazonaws-us-gov.com",
            Partition::China => "signin.amazonaws.cn",
        }
    }

    /// The console host; in the aws partition a regional one (`eu-west-1.console...`)
    /// when a region is given, which saves the console a redirect.
    pub fn console_host(self, region: Option<&str>) -> String {
        match (self, region) {
            (Partition::Aws, Some(region)) => format!("{region}.console.aws.amazon.com"),
            (Partition::Aws, None) => "console.aws.amazon.com".into(),
            (Partition::UsGov, _) => "console.amazonaws-us-gov.com".into(),
            (Partition::China, _) => "console.amazonaws.cn".into(),
        }
    }

    /// The federation endpoint: `https://<signin host>/federation`, or the whole URL
    /// from `HAT_FEDERATION_ENDPOINT` when set (tests, unusual partitions).
    pub fn federation_url(self, overridden: Option<&str>) -> Result<Url, String> {
        match overridden {
            Some(text) => {
                let url = Url::parse(text).map_err(|e| {
                    format!("HAT_FEDERATION_ENDPOINT = {text} is not a URL ({e}); write it like https://signin.aws.amazon.com/federation")
                })?;
                if !matches!(url.scheme(), "https" | "http") {
                    return Err(format!(
                        "HAT_FEDERATION_ENDPOINT = {text} must be an http(s) URL"
                    ));
                }
                Ok(url)
            }
            None => Ok(
                Url::parse(&format!("https://{}/federation", self.signin_host()))
                    .expect("a fixed host is a valid URL"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arn_decides_before_the_region() {
        let gov = Some("arn:aws-us-gov:iam::1:role/r");
        assert_eq!(Partition::detect(gov, Some("eu-west-1")), Partition::UsGov);
        let cn = Some("arn:aws-cn:iam::1:role/r");
        assert_eq!(Partition::detect(cn, None), Partition::China);
        let aws = Some("arn:aws:iam::1:role/r");
        assert_eq!(Partition::detect(aws, Some("cn-north-1")), Partition::Aws);
        assert_eq!(
            Partition::detect(None, Some("us-gov-west-1")),
            Partition::UsGov
        );
        assert_eq!(
            Partition::detect(None, Some("cn-northwest-1")),
            Partition::China
        );
        assert_eq!(Partition::detect(None, None), Partition::Aws);
        assert_eq!(Partition::detect(Some("nonsense"), None), Partition::Aws);
    }

    #[test]
    fn federation_urls_per_partition_and_override() {
        let url = |p: Partition| p.federation_url(None).unwrap().to_string();
        assert_eq!(
            url(Partition::Aws),
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(
            url(Partition::UsGov),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            url(Partition::China),
            "https://signin.amazonaws.cn/federation"
        );
        let over = Partition::Aws
            .federation_url(Some("http://127.0.0.1:9/fed"))
            .unwrap();
        assert_eq!(over.as_str(), "http://127.0.0.1:9/fed");
        assert!(Partition::Aws.federation_url(Some("not a url")).is_err());
        assert!(Partition::Aws.federation_url(Some("file:///x")).is_err());
    }
}
