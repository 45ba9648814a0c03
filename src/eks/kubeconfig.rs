//! The kubeconfig file: merging a cluster, a user and a context into it the way
//! `aws eks update-kubeconfig` does (entries named by the cluster ARN, replaced by name,
//! the new context made current), and rewriting users whose exec plugin is
//! `aws eks get-token ...` into `hat eks token ...` with the same meaning. Everything
//! else in the file is kept: it is read into YAML values and written back, so its
//! meaning survives byte for byte even where the layout (comments, quoting) does not.

use anyhow::{Context, Result, anyhow, bail};
use serde_yaml_ng::{Mapping, Value};
use std::path::Path;

use super::token::V1BETA1;

/// A cluster as DescribeCluster tells of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    pub endpoint: String,
    /// Base64 PEM, as EKS gives it and kubeconfig stores it.
    pub certificate_authority: String,
}

impl Cluster {
    /// The region in the ARN (`arn:aws:eks:REGION:ACCOUNT:cluster/NAME`).
    pub fn region(&self) -> Option<&str> {
        self.arn.split(':').nth(3).filter(|r| !r.is_empty())
    }
}

/// What `hat eks token` needs to sign for one cluster: its arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenCommand {
    pub cluster: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
}

impl TokenCommand {
    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["eks".into(), "token".into(), "--cluster".into()];
        args.push(self.cluster.clone());
        for (flag, value) in [
            ("--region", &self.region),
            ("--profile", &self.profile),
            ("--role-arn", &self.role_arn),
        ] {
            if let Some(v) = value {
                args.push(flag.into());
                args.push(v.clone());
            }
        }
        args
    }
}

/// A kubeconfig document held as YAML values.
#[derive(Debug, Clone)]
pub struct Kubeconfig {
    root: Mapping,
}

fn key(name: &str) -> Value {
    Value::String(name.to_string())
}

impl Kubeconfig {
    /// Parses `text`; an empty file is an empty kubeconfig.
    pub fn parse(path: &Path, text: &str) -> Result<Kubeconfig> {
        if text.trim().is_empty() {
            return Ok(Kubeconfig::empty());
        }
        let value: Value = serde_yaml_ng::from_str(text)
            .with_context(|| format!("{} is not valid YAML", path.display()))?;
        match value {
            Value::Mapping(root) => Ok(Kubeconfig { root }),
            Value::Null => Ok(Kubeconfig::empty()),
            _ => bail!(
                "{} is not a kubeconfig (its top level is not a mapping)",
                path.display()
            ),
        }
    }

    /// What kubectl writes into a new file.
    pub fn empty() -> Kubeconfig {
        let mut root = Mapping::new();
        root.insert(key("apiVersion"), key("v1"));
        root.insert(key("kind"), key("Config"));
        root.insert(key("preferences"), Value::Mapping(Mapping::new()));
        root.insert(key("clusters"), Value::Sequence(Vec::new()));
        root.insert(key("users"), Value::Sequence(Vec::new()));
        root.insert(key("contexts"), Value::Sequence(Vec::new()));
        root.insert(key("current-context"), key(""));
        Kubeconfig { root }
    }

    pub fn render(&self) -> Result<String> {
        Ok(serde_yaml_ng::to_string(&self.root)?)
    }

    pub fn current_context(&self) -> Option<&str> {
        self.root.get("current-context").and_then(Value::as_str)
    }

    /// The list under `section` (created when missing).
    fn list(&mut self, section: &str) -> Result<&mut Vec<Value>> {
        let entry = self
            .root
            .entry(key(section))
            .or_insert_with(|| Value::Sequence(Vec::new()));
        if entry.is_null() {
            *entry = Value::Sequence(Vec::new());
        }
        entry
            .as_sequence_mut()
            .ok_or_else(|| anyhow!("`{section}` in the kubeconfig is not a list"))
    }

    /// Puts `{name, FIELD: body}` into `section`, replacing an entry of the same name in
    /// place, else appending.
    fn upsert(&mut self, section: &str, field: &str, name: &str, body: Mapping) -> Result<()> {
        let mut entry = Mapping::new();
        entry.insert(key("name"), key(name));
        entry.insert(key(field), Value::Mapping(body));
        let list = self.list(section)?;
        match list
            .iter_mut()
            .find(|e| e.get("name").and_then(Value::as_str) == Some(name))
        {
            Some(existing) => *existing = Value::Mapping(entry),
            None => list.push(Value::Mapping(entry)),
        }
        Ok(())
    }

    /// Adds (or replaces) the cluster, a user that runs `hat eks token`, and a context
    /// joining them, named `alias` or the cluster ARN, and makes the context current.
    /// Returns the context's name.
    pub fn add(
        &mut self,
        cluster: &Cluster,
        command: &TokenCommand,
        alias: Option<&str>,
    ) -> Result<String> {
        let mut body = Mapping::new();
        body.insert(
            key("certificate-authority-data"),
            key(&cluster.certificate_authority),
        );
        body.insert(key("server"), key(&cluster.endpoint));
        self.upsert("clusters", "cluster", &cluster.arn, body)?;

        // Named by the alias too, so two aliases of one cluster (two profiles) keep two users.
        let user = alias.unwrap_or(&cluster.arn).to_string();
        let mut exec = Mapping::new();
        exec.insert(key("apiVersion"), key(V1BETA1));
        exec.insert(key("command"), key("hat"));
        exec.insert(
            key("args"),
            Value::Sequence(command.args().iter().map(|a| key(a)).collect()),
        );
        let mut body = Mapping::new();
        body.insert(key("exec"), Value::Mapping(exec));
        self.upsert("users", "user", &user, body)?;

        let context = alias.unwrap_or(&cluster.arn).to_string();
        let mut body = Mapping::new();
        body.insert(key("cluster"), key(&cluster.arn));
        body.insert(key("user"), key(&user));
        self.upsert("contexts", "context", &context, body)?;
        self.root.insert(key("current-context"), key(&context));
        Ok(context)
    }

    /// Turns every user whose exec plugin is `aws eks get-token` into `hat eks token`
    /// with the same cluster, region, profile and role. Returns the names rewritten and
    /// the users left alone with the reason.
    pub fn rewrite(&mut self) -> Result<Rewritten> {
        let mut out = Rewritten::default();
        for entry in self.list("users")?.iter_mut() {
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let Some(exec) = entry
                .get_mut("user")
                .and_then(|u| u.get_mut("exec"))
                .and_then(Value::as_mapping_mut)
            else {
                continue;
            };
            match rewrite_exec(exec) {
                Ok(true) => out.rewritten.push(name),
                Ok(false) => {}
                Err(reason) => out.skipped.push((name, reason)),
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rewritten {
    pub rewritten: Vec<String>,
    pub skipped: Vec<(String, String)>,
}

/// Options of `aws` that change nothing about the token (formatting, logging).
const HARMLESS_FLAGS: &[&str] = &["--debug", "--no-cli-pager", "--no-paginate"];
const HARMLESS_WITH_VALUE: &[&str] = &["--output", "--color", "--query"];

/// `Ok(true)`: rewritten; `Ok(false)`: not an `aws eks get-token` user; `Err`: one that
/// hat cannot take over without changing its meaning, and why.
fn rewrite_exec(exec: &mut Mapping) -> std::result::Result<bool, String> {
    let is_aws = exec
        .get("command")
        .and_then(Value::as_str)
        .map(|c| c.rsplit(['/', '\\']).next().unwrap_or(c))
        .is_some_and(|c| c == "aws" || c == "aws.exe");
    if !is_aws {
        return Ok(false);
    }
    let args: Vec<String> = match exec.get("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err("its args are not all strings".to_string()),
            })
            .collect::<std::result::Result<_, _>>()?,
        Some(_) => return Err("its args are not a list".into()),
    };
    if !args
        .windows(2)
        .any(|w| w[0] == "eks" && w[1] == "get-token")
    {
        return Ok(false);
    }
    let mut command = TokenCommand::default();
    let mut words = Vec::new();
    let mut cluster = None;
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        if !arg.starts_with("--") {
            words.push(arg);
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        if HARMLESS_FLAGS.contains(&flag.as_str()) {
            continue;
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| iter.next())
                .ok_or_else(|| format!("{flag} has no value"))
        };
        // argparse (the AWS CLI's parser) takes any unambiguous prefix: `--role` is
        // `--role-arn`, as `aws eks update-kubeconfig --role-arn` writes it.
        match flag.as_str() {
            "--region" => command.region = Some(value()?),
            "--profile" => command.profile = Some(value()?),
            "--cluster-name" | "--cluster-id" => cluster = Some(value()?),
            "--role" | "--role-arn" => command.role_arn = Some(value()?),
            f if HARMLESS_WITH_VALUE.contains(&f) => {
                value()?;
            }
            other => {
                return Err(format!(
                    "it passes {other}, which hat eks token does not take"
                ));
            }
        }
    }
    if words != ["eks", "get-token"] {
        return Ok(false);
    }
    command.cluster = cluster.ok_or("it names no --cluster-name or --cluster-id")?;

    // The environment the AWS CLI would have read: AWS_PROFILE becomes --profile, and a
    // region from the environment --region, unless the arguments already say.
    let mut rest = Vec::new();
    if let Some(Value::Sequence(env)) = exec.get("env") {
        for item in env {
            let name = item.get("name").and_then(Value::as_str);
            let value = item.get("value").and_then(Value::as_str);
            match (name, value) {
                (Some("AWS_PROFILE"), Some(v)) => {
                    command.profile.get_or_insert_with(|| v.to_string());
                }
                (Some("AWS_DEFAULT_PROFILE"), Some(v)) => {
                    command.profile.get_or_insert_with(|| v.to_string());
                }
                (Some("AWS_REGION" | "AWS_DEFAULT_REGION"), Some(v)) => {
                    command.region.get_or_insert_with(|| v.to_string());
                    rest.push(item.clone());
                }
                _ => rest.push(item.clone()),
            }
        }
    }
    exec.insert(key("command"), key("hat"));
    exec.insert(
        key("args"),
        Value::Sequence(command.args().iter().map(|a| key(a)).collect()),
    );
    if rest.is_empty() {
        exec.remove("env");
    } else {
        exec.insert(key("env"), Value::Sequence(rest));
    }
    // kubectl no longer speaks v1alpha1; hat answers v1beta1 and v1.
    let version = exec.get("apiVersion").and_then(Value::as_str);
    if version != Some(super::token::V1) {
        exec.insert(key("apiVersion"), key(V1BETA1));
    }
    Ok(true)
}

/// The file to write: `--kubeconfig`, else the first of `$KUBECONFIG`, else
/// `~/.kube/config` (kubectl's and the AWS CLI's choice).
pub fn path(
    explicit: Option<&Path>,
    kubeconfig_var: Option<&str>,
    home: Option<&Path>,
) -> Result<std::path::PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(first) =
        kubeconfig_var.and_then(|v| std::env::split_paths(v).find(|p| !p.as_os_str().is_empty()))
    {
        return Ok(first);
    }
    home.map(|h| h.join(".kube/config"))
        .ok_or_else(|| anyhow!("HOME is not set; pass --kubeconfig FILE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXISTING: &str = "\
apiVersion: v1
kind: Config
# a comment that YAML values cannot keep
clusters:
- name: kind-dev
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
users:
- name: kind-dev
  user:
    token: abc
- name: old-eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1alpha1
      command: /usr/local/bin/aws
      args: [--region, eu-west-1, eks, get-token, --cluster-name, old, --output, json, --role, 'arn:aws:iam::1:role/r']
      env:
      - {name: AWS_PROFILE, value: prod}
      - {name: AWS_STS_REGIONAL_ENDPOINTS, value: regional}
- name: odd-eks
  user:
    exec:
      command: aws
      args: [eks, get-token, --cluster-name, x, --endpoint-url, http://elsewhere]
- name: gcloud
  user:
    exec:
      command: gke-gcloud-auth-plugin
contexts:
- name: kind-dev
  context: {cluster: kind-dev, user: kind-dev, namespace: web}
current-context: kind-dev
preferences: {colors: true}
extra-top-level: [1, 2]
";

    fn cluster() -> Cluster {
        Cluster {
            name: "prod-eks".into(),
            arn: "arn:aws:eks:eu-west-1:111111111111:cluster/prod-eks".into(),
            endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com".into(),
            certificate_authority: "Q0E=".into(),
        }
    }

    fn parse(text: &str) -> Kubeconfig {
        Kubeconfig::parse(Path::new("k"), text).unwrap()
    }

    fn value(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap()
    }

    /// `doc` with `section`'s entries other than `except` (by name), for comparing.
    fn others(doc: &Value, section: &str, except: &[&str]) -> Vec<Value> {
        doc[section]
            .as_sequence()
            .unwrap()
            .iter()
            .filter(|e| !except.contains(&e["name"].as_str().unwrap()))
            .cloned()
            .collect()
    }

    #[test]
    fn add_merges_three_entries_and_keeps_everything_else() {
        let mut k = parse(EXISTING);
        let command = TokenCommand {
            cluster: "prod-eks".into(),
            region: Some("eu-west-1".into()),
            profile: Some("prod".into()),
            role_arn: None,
        };
        let context = k.add(&cluster(), &command, None).unwrap();
        assert_eq!(context, cluster().arn);
        let before = value(EXISTING);
        let after = value(&k.render().unwrap());
        let arn = cluster().arn;
        for section in ["clusters", "users", "contexts"] {
            assert_eq!(
                others(&after, section, &[&arn]),
                others(&before, section, &[]),
                "{section}"
            );
        }
        for top in ["preferences", "extra-top-level", "apiVersion", "kind"] {
            assert_eq!(after[top], before[top], "{top}");
        }
        assert_eq!(after["current-context"], key(&arn));
        let user = &after["users"][4]["user"]["exec"];
        assert_eq!(user["command"], key("hat"));
        assert_eq!(
            user["args"],
            value("[eks, token, --cluster, prod-eks, --region, eu-west-1, --profile, prod]")
        );
        assert_eq!(
            after["clusters"][1]["cluster"]["server"],
            key(&cluster().endpoint)
        );

        // Again with an alias: the ARN-named cluster is replaced in place, not duplicated.
        let mut again = parse(&k.render().unwrap());
        again.add(&cluster(), &command, Some("prod")).unwrap();
        let after = value(&again.render().unwrap());
        assert_eq!(after["clusters"].as_sequence().unwrap().len(), 2);
        assert_eq!(after["contexts"][2]["context"]["user"], key("prod"));
        assert_eq!(after["current-context"], key("prod"));
    }

    #[test]
    fn a_missing_or_empty_file_becomes_a_fresh_kubeconfig() {
        let mut k = parse("");
        k.add(
            &cluster(),
            &TokenCommand {
                cluster: "prod-eks".into(),
                ..Default::default()
            },
            Some("p"),
        )
        .unwrap();
        let after = value(&k.render().unwrap());
        assert_eq!(after["kind"], key("Config"));
        assert_eq!(
            after["users"][0]["user"]["exec"]["args"],
            value("[eks, token, --cluster, prod-eks]")
        );
        assert!(Kubeconfig::parse(Path::new("k"), "- a list").is_err());
    }

    #[test]
    fn rewrite_turns_aws_get_token_users_into_hat_with_the_same_meaning() {
        let mut k = parse(EXISTING);
        let report = k.rewrite().unwrap();
        assert_eq!(report.rewritten, ["old-eks"]);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].0, "odd-eks");
        assert!(
            report.skipped[0].1.contains("--endpoint-url"),
            "{:?}",
            report.skipped
        );
        let before = value(EXISTING);
        let after = value(&k.render().unwrap());
        assert_eq!(
            others(&after, "users", &["old-eks"]),
            others(&before, "users", &["old-eks"])
        );
        for section in [
            "clusters",
            "contexts",
            "preferences",
            "current-context",
            "extra-top-level",
        ] {
            assert_eq!(after[section], before[section], "{section}");
        }
        let exec = &after["users"][1]["user"]["exec"];
        assert_eq!(exec["command"], key("hat"));
        assert_eq!(exec["apiVersion"], key(V1BETA1));
        assert_eq!(
            exec["args"],
            value(
                "[eks, token, --cluster, old, --region, eu-west-1, --profile, prod, --role-arn, 'arn:aws:iam::1:role/r']"
            )
        );
        assert_eq!(
            exec["env"],
            value("[{name: AWS_STS_REGIONAL_ENDPOINTS, value: regional}]")
        );
        // Twice is the same as once.
        let once = k.render().unwrap();
        let mut twice = parse(&once);
        assert!(twice.rewrite().unwrap().rewritten.is_empty());
        assert_eq!(twice.render().unwrap(), once);
    }

    #[test]
    fn rewrite_reads_inline_values_cluster_ids_and_the_region_variable() {
        let mut exec: Mapping = serde_yaml_ng::from_str(
            "{command: aws, args: ['eks', 'get-token', '--cluster-id=abc-123', '--output=json'], env: [{name: AWS_REGION, value: us-west-2}]}",
        )
        .unwrap();
        assert_eq!(rewrite_exec(&mut exec), Ok(true));
        assert_eq!(
            exec["args"],
            value("[eks, token, --cluster, abc-123, --region, us-west-2]")
        );
        let mut not_eks: Mapping =
            serde_yaml_ng::from_str("{command: aws, args: [sts, get-caller-identity]}").unwrap();
        assert_eq!(rewrite_exec(&mut not_eks), Ok(false));
    }

    #[test]
    fn the_file_is_the_first_of_kubeconfig_else_home() {
        let home = Path::new("/h");
        assert_eq!(
            path(None, None, Some(home)).unwrap(),
            Path::new("/h/.kube/config")
        );
        assert_eq!(
            path(None, Some(":/a:/b"), Some(home)).unwrap(),
            Path::new("/a")
        );
        assert_eq!(
            path(Some(Path::new("/x")), Some("/a"), Some(home)).unwrap(),
            Path::new("/x")
        );
    }
}
