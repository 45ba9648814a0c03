//! A registry's manifest, `granted.yml` in Granted's format, and the templates in its
//! config files. The manifest lists the config files (`awsConfig`) and the template
//! values (`templateValues`): a value the repository sets for everyone (`value`), or one
//! each user must give once (`isRequired`, with a `prompt`). Config values may use
//! `{{ .Required.KEY }}`, `{{ .Variables.KEY }}` and `{{ .Profile }}`, as in Granted.

use std::collections::BTreeMap;
use yaml_rust2::{Yaml, YamlLoader};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The config files, relative to the manifest's folder, in order.
    pub config_files: Vec<String>,
    /// Keys each user answers once, with the question to ask.
    pub required: Vec<(String, String)>,
    /// Values the repository sets.
    pub variables: BTreeMap<String, String>,
}

/// Parses the manifest's text; the error is one line without the file name.
pub fn parse(text: &str) -> Result<Manifest, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        let m = e.marker();
        format!("line {}: {}", m.line(), e.info())
    })?;
    let Some(doc) = docs.into_iter().next() else {
        return Err("it is empty; it must list the config files under `awsConfig`".into());
    };
    let Yaml::Hash(top) = &doc else {
        return Err(
            "it must be a mapping with `awsConfig` (and optionally `templateValues`)".into(),
        );
    };
    let mut manifest = Manifest::default();
    match top.get(&Yaml::String("awsConfig".into())) {
        Some(Yaml::Array(files)) => {
            for file in files {
                match scalar(file) {
                    Some(f) if !f.is_empty() => manifest.config_files.push(f),
                    _ => return Err("every entry of `awsConfig` must be a file path".into()),
                }
            }
        }
        Some(Yaml::String(one)) => manifest.config_files.push(one.clone()),
        Some(_) => return Err("`awsConfig` must be a list of file paths".into()),
        None => return Err("it has no `awsConfig` list of config files".into()),
    }
    if manifest.config_files.is_empty() {
        return Err("`awsConfig` lists no config files".into());
    }
    match top.get(&Yaml::String("templateValues".into())) {
        None | Some(Yaml::Null) => {}
        Some(Yaml::Array(entries)) => {
            for entry in entries {
                let Yaml::Hash(entry) = entry else {
                    return Err("every entry of `templateValues` must be `NAME: [options]`".into());
                };
                for (name, options) in entry {
                    let Some(name) = scalar(name) else {
                        return Err("a `templateValues` name must be a string".into());
                    };
                    template_value(&mut manifest, name, options)?;
                }
            }
        }
        Some(Yaml::Hash(entries)) => {
            for (name, options) in entries {
                let Some(name) = scalar(name) else {
                    return Err("a `templateValues` name must be a string".into());
                };
                template_value(&mut manifest, name, options)?;
            }
        }
        Some(_) => return Err("`templateValues` must be a list".into()),
    }
    Ok(manifest)
}

/// `NAME: [{isRequired: true}, {prompt: ...}]` or `NAME: [{value: ...}]` (a single
/// mapping is read the same way).
fn template_value(manifest: &mut Manifest, name: String, options: &Yaml) -> Result<(), String> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut add = |map: &yaml_rust2::yaml::Hash| {
        for (k, v) in map {
            if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                fields.insert(k, v);
            }
        }
    };
    match options {
        Yaml::Array(list) => {
            for item in list {
                match item {
                    Yaml::Hash(map) => add(map),
                    _ => {
                        return Err(format!(
                            "the options of template value `{name}` must be mappings"
                        ));
                    }
                }
            }
        }
        Yaml::Hash(map) => add(map),
        Yaml::Null => {}
        _ => {
            return Err(format!(
                "the options of template value `{name}` must be a list"
            ));
        }
    }
    if fields
        .get("isRequired")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        let prompt = fields.get("prompt").cloned().unwrap_or_default();
        manifest.required.push((name, prompt));
    } else if let Some(value) = fields.get("value") {
        manifest.variables.insert(name, value.clone());
    }
    Ok(())
}

/// Strings, numbers and booleans as their text (Granted reads them all as strings).
fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What the templates can refer to.
pub struct Values<'a> {
    pub required: &'a BTreeMap<String, String>,
    pub variables: &'a BTreeMap<String, String>,
    pub profile: &'a str,
}

/// `value` with every `{{ ... }}` filled in. Text outside the braces is kept as it is;
/// an unknown reference is an error (Granted would write `<no value>`).
pub fn fill(value: &str, values: &Values<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            return Err(format!("`{{{{` without `}}}}` in `{value}`"));
        };
        out.push_str(&rest[..start]);
        let inner = rest[start + 2..start + 2 + len].trim();
        let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
        let filled = match inner.split('.').collect::<Vec<_>>().as_slice() {
            ["", "Profile"] => values.profile.to_string(),
            ["", "Required", key] => values.required.get(*key).cloned().ok_or_else(|| {
                format!("`{{{{ {inner} }}}}` names a required key that granted.yml does not list")
            })?,
            ["", "Variables", key] => values.variables.get(*key).cloned().ok_or_else(|| {
                format!("`{{{{ {inner} }}}}` names a variable that granted.yml does not set")
            })?,
            _ => {
                return Err(format!(
                    "`{{{{ {inner} }}}}` is not a template hat knows (.Profile, .Required.KEY, .Variables.KEY)"
                ));
            }
        };
        out.push_str(&filled);
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granteds_documented_manifest_is_read() {
        let m = parse(
            "awsConfig:\n  - ./config\n  - team/config\ntemplateValues:\n  - USERNAME:\n      - isRequired: true\n      - prompt: \"Your IAM user name\"\n  - ORG:\n      - value: acme\n",
        )
        .unwrap();
        assert_eq!(m.config_files, ["./config", "team/config"]);
        assert_eq!(
            m.required,
            [("USERNAME".to_string(), "Your IAM user name".to_string())]
        );
        assert_eq!(m.variables.get("ORG").map(String::as_str), Some("acme"));
        // isRequired as a quoted string, as Granted's own examples write it.
        let m =
            parse("awsConfig: [config]\ntemplateValues:\n  - K:\n      - isRequired: \"true\"\n")
                .unwrap();
        assert_eq!(m.required[0].0, "K");
    }

    #[test]
    fn mistakes_are_one_line() {
        assert!(parse("").unwrap_err().contains("awsConfig"));
        assert!(
            parse("templateValues: []\n")
                .unwrap_err()
                .contains("awsConfig")
        );
        let e = parse("awsConfig:\n  - a\n b: [\n").unwrap_err();
        assert!(e.starts_with("line "), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn templates_are_filled_and_unknown_ones_refused() {
        let required = BTreeMap::from([("USER".to_string(), "alice".to_string())]);
        let variables = BTreeMap::from([("ORG".to_string(), "acme".to_string())]);
        let v = Values {
            required: &required,
            variables: &variables,
            profile: "dev",
        };
        assert_eq!(
            fill(
                "hat-{{ .Required.USER }}-{{.Variables.ORG}}-{{ .Profile }}",
                &v
            )
            .unwrap(),
            "hat-alice-acme-dev"
        );
        assert_eq!(fill("no templates", &v).unwrap(), "no templates");
        assert!(fill("{{ .Required.NOPE }}", &v).is_err());
        assert!(fill("{{ .Env.HOME }}", &v).is_err());
        assert!(fill("{{ .Profile", &v).is_err());
    }
}
