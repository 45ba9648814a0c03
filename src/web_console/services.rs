//! The service shortcuts of `-s`: names and short aliases to console paths, which
//! services are global (no region in the URL), and the destination URL for a service in
//! a region and partition. A name hat does not know is passed through as
//! `<name>/home`, with a warning, so new services work before hat learns of them.

use super::partition::Partition;
use anyhow::{Result, bail};
use url::Url;

#[derive(Debug)]
pub struct Service {
    /// The name `--list-services` shows first.
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub title: &'static str,
    /// The path on the console host, without a leading `/`.
    pub path: &'static str,
    /// A fragment that selects a page inside a console app (`LoadBalancers:`).
    pub fragment: Option<&'static str>,
    /// IAM, Route 53, CloudFront, ...: one console for all regions, no `region=`.
    pub global: bool,
}

macro_rules! service {
    ($name:literal, [$($alias:literal),*], $title:literal, $path:literal $(, fragment = $fragment:literal)?, global) => {
        service!(@make $name, [$($alias),*], $title, $path, service!(@fragment $($fragment)?), true)
    };
    ($name:literal, [$($alias:literal),*], $title:literal, $path:literal $(, fragment = $fragment:literal)?) => {
        service!(@make $name, [$($alias),*], $title, $path, service!(@fragment $($fragment)?), false)
    };
    (@make $name:literal, [$($alias:literal),*], $title:literal, $path:literal, $fragment:expr, $global:expr) => {
        Service {
            name: $name,
            aliases: &[$($alias),*],
            title: $title,
            path: $path,
            fragment: $fragment,
            global: $global,
        }
    };
    (@fragment $fragment:literal) => { Some($fragment) };
    (@fragment) => { None };
}

/// Sorted by name; names and aliases are unique (a unit test checks both).
pub const SERVICES: &[Service] = &[
    service!(
        "acm",
        ["certificates", "certs"],
        "Certificate Manager",
        "acm/home"
    ),
    service!("amplify", ["amp"], "Amplify", "amplify/home"),
    service!(
        "apigateway",
        ["apigw", "api"],
        "API Gateway",
        "apigateway/main"
    ),
    service!("apprunner", ["ar"], "App Runner", "apprunner/home"),
    service!("appsync", ["gql"], "AppSync", "appsync/home"),
    service!("athena", ["ath"], "Athena", "athena/home"),
    service!(
        "autoscaling",
        ["asg"],
        "EC2 Auto Scaling",
        "ec2/home",
        fragment = "AutoScalingGroups:"
    ),
    service!("backup", ["bak"], "Backup", "backup/home"),
    service!("batch", [], "Batch", "batch/home"),
    service!("bedrock", ["br"], "Bedrock", "bedrock/home"),
    service!(
        "billing",
        ["bill"],
        "Billing and Cost Management",
        "billing/home",
        global
    ),
    service!(
        "budgets",
        ["budget"],
        "Budgets",
        "billing/home",
        fragment = "/budgets",
        global
    ),
    service!("cloud9", ["c9"], "Cloud9", "cloud9/home"),
    service!(
        "cloudformation",
        ["cfn", "cf"],
        "CloudFormation",
        "cloudformation/home"
    ),
    service!(
        "cloudfront",
        ["cdn"],
        "CloudFront",
        "cloudfront/v4/home",
        global
    ),
    service!(
        "cloudmap",
        ["servicediscovery"],
        "Cloud Map",
        "cloudmap/home"
    ),
    service!("cloudshell", ["shell"], "CloudShell", "cloudshell/home"),
    service!(
        "cloudtrail",
        ["ct", "trail"],
        "CloudTrail",
        "cloudtrail/home"
    ),
    service!("cloudwatch", ["cw"], "CloudWatch", "cloudwatch/home"),
    service!(
        "codeartifact",
        ["ca"],
        "CodeArtifact",
        "codesuite/codeartifact/home"
    ),
    service!("codebuild", ["cb"], "CodeBuild", "codesuite/codebuild/home"),
    service!(
        "codecommit",
        ["cc"],
        "CodeCommit",
        "codesuite/codecommit/home"
    ),
    service!(
        "codedeploy",
        ["cd"],
        "CodeDeploy",
        "codesuite/codedeploy/home"
    ),
    service!(
        "codepipeline",
        ["cp", "pipeline"],
        "CodePipeline",
        "codesuite/codepipeline/home"
    ),
    service!("cognito", ["cog"], "Cognito", "cognito/v2/home"),
    service!("config", ["cfg"], "Config", "config/home"),
    service!(
        "controltower",
        ["ctower"],
        "Control Tower",
        "controltower/home"
    ),
    service!(
        "costexplorer",
        ["ce", "cost"],
        "Cost Explorer",
        "costmanagement/home",
        global
    ),
    service!("datasync", ["dsync"], "DataSync", "datasync/home"),
    service!(
        "directconnect",
        ["dx"],
        "Direct Connect",
        "directconnect/v2/home"
    ),
    service!(
        "directoryservice",
        ["ds", "ad"],
        "Directory Service",
        "directoryservicev2/home"
    ),
    service!("dms", [], "Database Migration Service", "dms/v2/home"),
    service!("docdb", ["documentdb"], "DocumentDB", "docdb/home"),
    service!("dynamodb", ["ddb", "dynamo"], "DynamoDB", "dynamodbv2/home"),
    service!("ec2", ["instances"], "EC2", "ec2/home"),
    service!("ecr", [], "Elastic Container Registry", "ecr/home"),
    service!("ecs", [], "Elastic Container Service", "ecs/v2/home"),
    service!("efs", [], "Elastic File System", "efs/home"),
    service!("eks", ["k8s"], "Elastic Kubernetes Service", "eks/home"),
    service!(
        "elasticache",
        ["redis", "memcached"],
        "ElastiCache",
        "elasticache/home"
    ),
    service!(
        "elasticbeanstalk",
        ["beanstalk", "eb"],
        "Elastic Beanstalk",
        "elasticbeanstalk/home"
    ),
    service!(
        "elb",
        ["alb", "nlb", "lb"],
        "Load Balancers",
        "ec2/home",
        fragment = "LoadBalancers:"
    ),
    service!("emr", [], "EMR", "emr/home"),
    service!(
        "eventbridge",
        ["events", "ev"],
        "EventBridge",
        "events/home"
    ),
    service!("firehose", ["kdf"], "Data Firehose", "firehose/home"),
    service!("fsx", [], "FSx", "fsx/home"),
    service!("glue", [], "Glue", "glue/home"),
    service!("guardduty", ["gd"], "GuardDuty", "guardduty/home"),
    service!("health", ["phd"], "Health Dashboard", "health/home", global),
    service!("iam", [], "IAM", "iam/home", global),
    service!(
        "identitycenter",
        ["sso", "ic"],
        "IAM Identity Center",
        "singlesignon/home"
    ),
    service!("inspector", ["insp"], "Inspector", "inspector/v2/home"),
    service!("iot", [], "IoT Core", "iot/home"),
    service!("kinesis", ["kds"], "Kinesis Data Streams", "kinesis/home"),
    service!("kms", [], "Key Management Service", "kms/home"),
    service!("lambda", ["l", "fn", "functions"], "Lambda", "lambda/home"),
    service!(
        "logs",
        ["cwl"],
        "CloudWatch Logs",
        "cloudwatch/home",
        fragment = "logsV2:log-groups"
    ),
    service!("macie", [], "Macie", "macie/home"),
    service!("mq", ["amazonmq"], "Amazon MQ", "amazon-mq/home"),
    service!("msk", ["kafka"], "Managed Streaming for Kafka", "msk/home"),
    service!(
        "opensearch",
        ["es", "elasticsearch"],
        "OpenSearch Service",
        "aos/home"
    ),
    service!(
        "organizations",
        ["org", "orgs"],
        "Organizations",
        "organizations/v2/home",
        global
    ),
    service!("ram", [], "Resource Access Manager", "ram/home"),
    service!("rds", ["db", "aurora"], "RDS", "rds/home"),
    service!("redshift", ["rs"], "Redshift", "redshiftv2/home"),
    service!(
        "resourcegroups",
        ["rg", "tags"],
        "Resource Groups & Tag Editor",
        "resource-groups/home"
    ),
    service!(
        "route53",
        ["r53", "dns"],
        "Route 53",
        "route53/v2/home",
        global
    ),
    service!("s3", [], "S3", "s3/home"),
    service!("sagemaker", ["sage"], "SageMaker", "sagemaker/home"),
    service!(
        "secretsmanager",
        ["sm", "secrets"],
        "Secrets Manager",
        "secretsmanager/home"
    ),
    service!("securityhub", ["sh"], "Security Hub", "securityhub/home"),
    service!(
        "servicecatalog",
        ["sc"],
        "Service Catalog",
        "servicecatalog/home"
    ),
    service!(
        "servicequotas",
        ["quotas", "sq"],
        "Service Quotas",
        "servicequotas/home"
    ),
    service!("ses", ["email"], "Simple Email Service", "ses/home"),
    service!("sns", [], "Simple Notification Service", "sns/v3/home"),
    service!("sqs", ["queues"], "Simple Queue Service", "sqs/v3/home"),
    service!(
        "ssm",
        ["systemsmanager"],
        "Systems Manager",
        "systems-manager/home"
    ),
    service!(
        "ssmparameters",
        ["params", "ps"],
        "Parameter Store",
        "systems-manager/parameters"
    ),
    service!(
        "stepfunctions",
        ["sfn", "states"],
        "Step Functions",
        "states/home"
    ),
    service!(
        "storagegateway",
        ["sgw"],
        "Storage Gateway",
        "storagegateway/home"
    ),
    service!("support", [], "Support Center", "support/home", global),
    service!("transfer", ["sftp"], "Transfer Family", "transfer/home"),
    service!(
        "trustedadvisor",
        ["ta"],
        "Trusted Advisor",
        "trustedadvisor/home",
        global
    ),
    service!("vpc", [], "VPC", "vpcconsole/home"),
    service!("waf", ["wafv2"], "WAF", "wafv2/homev2"),
    service!(
        "wellarchitected",
        ["wa"],
        "Well-Architected Tool",
        "wellarchitected/home"
    ),
    service!("workspaces", ["ws"], "WorkSpaces", "workspaces/v2/home"),
    service!("xray", [], "X-Ray", "xray/home"),
];

/// What the console opens on.
#[derive(Debug, Clone)]
pub enum Page {
    /// The console's home page.
    Home,
    Known(&'static Service),
    /// A name hat does not know, opened as `<name>/home`.
    Unknown(String),
}

/// A service by its name or alias (any case).
pub fn find(name: &str) -> Option<&'static Service> {
    let wanted = name.trim().to_ascii_lowercase();
    SERVICES
        .iter()
        .find(|s| s.name == wanted || s.aliases.contains(&wanted.as_str()))
}

/// `-s NAME`: a known service, or (with a warning from the caller) a name passed through.
/// Names that could not be a console path are refused.
pub fn lookup(name: &str) -> Result<Page> {
    if let Some(service) = find(name) {
        return Ok(Page::Known(service));
    }
    let wanted = name.trim().to_ascii_lowercase();
    let plausible = !wanted.is_empty()
        && wanted.len() <= 64
        && wanted
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !wanted.starts_with('-');
    if !plausible {
        bail!(
            "`{name}` is not a service name; `hat console --list-services` lists the shortcuts, or give a whole console URL with --destination"
        );
    }
    Ok(Page::Unknown(wanted))
}

/// The console URL to land on.
pub fn destination(partition: Partition, region: Option<&str>, target: &Page) -> Url {
    let (path, fragment, global) = match target {
        Page::Home => ("console/home".to_string(), None, false),
        Page::Known(s) => (s.path.to_string(), s.fragment, s.global),
        Page::Unknown(name) => (format!("{name}/home"), None, false),
    };
    let region = if global { None } else { region };
    let host = partition.console_host(region);
    let mut url = Url::parse(&format!("https://{host}/{path}")).expect("known hosts and paths");
    if let Some(region) = region {
        url.query_pairs_mut().append_pair("region", region);
    }
    url.set_fragment(fragment);
    url
}

/// The table `hat console --list-services` prints (and docs/console.md shows).
pub fn table() -> String {
    let rows: Vec<(String, String, &str)> = SERVICES
        .iter()
        .map(|s| {
            let scope = if s.global { " (global)" } else { "" };
            (format!("{}{scope}", s.name), s.aliases.join(", "), s.title)
        })
        .collect();
    let name_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let alias_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let mut out = format!(
        "{:name_width$}  {:alias_width$}  CONSOLE\n",
        "SERVICE", "ALIASES"
    );
    for (name, aliases, title) in &rows {
        out.push_str(&format!(
            "{name:name_width$}  {aliases:alias_width$}  {title}\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique_sorted_and_many() {
        assert!(SERVICES.len() >= 60, "{}", SERVICES.len());
        let mut seen = std::collections::HashSet::new();
        for s in SERVICES {
            for key in std::iter::once(&s.name).chain(s.aliases) {
                assert!(seen.insert(*key), "`{key}` is used twice");
                assert_eq!(key.to_ascii_lowercase(), *key);
            }
        }
        let names: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn the_shortcuts_people_type_are_there() {
        for (alias, name) in [
            ("ddb", "dynamodb"),
            ("cfn", "cloudformation"),
            ("sm", "secretsmanager"),
            ("r53", "route53"),
            ("sfn", "stepfunctions"),
            ("l", "lambda"),
            ("ct", "cloudtrail"),
            ("S3", "s3"),
        ] {
            assert_eq!(find(alias).map(|s| s.name), Some(name), "{alias}");
        }
    }

    #[test]
    fn every_shortcut_gives_a_url_on_the_right_host() {
        for partition in [Partition::Aws, Partition::UsGov, Partition::China] {
            let region = match partition {
                Partition::Aws => "eu-west-1",
                Partition::UsGov => "us-gov-west-1",
                Partition::China => "cn-north-1",
            };
            for s in SERVICES {
                for key in std::iter::once(&s.name).chain(s.aliases) {
                    let Ok(Page::Known(found)) = lookup(key) else {
                        panic!("{key} is not found")
                    };
                    let url = destination(partition, Some(region), &Page::Known(found));
                    // The URL survives a round trip through a parser unchanged.
                    let reparsed = Url::parse(url.as_str()).unwrap();
                    assert_eq!(reparsed, url);
                    assert_eq!(url.scheme(), "https");
                    let host = url.host_str().unwrap();
                    let region_param = url
                        .query_pairs()
                        .find(|(k, _)| k == "region")
                        .map(|(_, v)| v.into_owned());
                    match partition {
                        Partition::Aws if s.global => assert_eq!(host, "console.aws.amazon.com"),
                        Partition::Aws => assert_eq!(host, "eu-west-1.console.aws.amazon.com"),
                        Partition::UsGov => assert_eq!(host, "console.amazonaws-us-gov.com"),
                        Partition::China => assert_eq!(host, "console.amazonaws.cn"),
                    }
                    if s.global {
                        assert_eq!(region_param, None, "{key} is global: {url}");
                    } else {
                        assert_eq!(region_param.as_deref(), Some(region), "{key}: {url}");
                    }
                    assert!(url.path().starts_with(&format!("/{}", s.path)), "{url}");
                }
            }
        }
    }

    #[test]
    fn home_unknown_and_regionless_destinations() {
        let home = destination(Partition::Aws, Some("us-east-1"), &Page::Home);
        assert_eq!(
            home.as_str(),
            "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"
        );
        let home = destination(Partition::Aws, None, &Page::Home);
        assert_eq!(home.as_str(), "https://console.aws.amazon.com/console/home");
        let elb = destination(Partition::Aws, Some("eu-west-2"), &lookup("alb").unwrap());
        assert_eq!(
            elb.as_str(),
            "https://eu-west-2.console.aws.amazon.com/ec2/home?region=eu-west-2#LoadBalancers:"
        );
        let Page::Unknown(name) = lookup("NewThing").unwrap() else {
            panic!("should pass through")
        };
        assert_eq!(name, "newthing");
        let url = destination(Partition::Aws, Some("eu-west-1"), &Page::Unknown(name));
        assert_eq!(
            url.as_str(),
            "https://eu-west-1.console.aws.amazon.com/newthing/home?region=eu-west-1"
        );
        for bad in ["", "../x", "a b", "x?y", "-x"] {
            assert!(lookup(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_table_lists_every_service_once() {
        let table = table();
        assert_eq!(table.lines().count(), SERVICES.len() + 1);
        assert!(table.contains("iam (global)"), "{table}");
        assert!(
            table
                .lines()
                .any(|l| l.starts_with("dynamodb ") && l.contains("ddb, dynamo"))
        );
    }
}
