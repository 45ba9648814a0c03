//! `hat config`: what hat read from the AWS files, merged, with secrets redacted unless
//! asked for, as text for people or JSON for programs.

use crate::cli::ConfigArgs;
use crate::config::{ConfigSet, Section, is_secret_key};
use crate::env::Env;
use anyhow::Result;
use serde_json::{Map, Value, json};

const REDACTED: &str = "<redacted>";

pub fn run(args: &ConfigArgs, env: &Env) -> Result<String> {
    let config = crate::config::load(env)?;
    config.read_whole();
    if args.json {
        let doc = json!({
            "profiles": sections_json(
                config.profile_names().filter_map(|n| Some((n, config.profile(n)?))),
                args.show_secrets
            ),
            "sso_sessions": sections_json(
                config.sso_session_names().filter_map(|n| Some((n, config.sso_session(n)?))),
                args.show_secrets
            ),
        });
        return Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?));
    }
    Ok(text(&config, args.show_secrets))
}

fn shown(key: &str, value: &str, show_secrets: bool) -> String {
    if is_secret_key(key) && !show_secrets {
        REDACTED.to_string()
    } else {
        value.to_string()
    }
}

fn sections_json<'a>(
    sections: impl Iterator<Item = (&'a str, &'a Section)>,
    show_secrets: bool,
) -> Value {
    let mut out = Map::new();
    for (name, section) in sections {
        let settings: Map<String, Value> = section
            .settings
            .iter()
            .map(|(k, s)| (k.clone(), Value::String(shown(k, &s.value, show_secrets))))
            .collect();
        out.insert(name.to_string(), Value::Object(settings));
    }
    Value::Object(out)
}

fn text(config: &ConfigSet, show_secrets: bool) -> String {
    let mut out = format!(
        "# {}\n# {}\n",
        config.config_path.display(),
        config.credentials_path.display()
    );
    let profiles = config
        .profile_names()
        .filter_map(|n| Some((n, config.profile(n)?)));
    let sessions = config
        .sso_session_names()
        .filter_map(|n| Some((n, config.sso_session(n)?)));
    type Sections<'a> = Box<dyn Iterator<Item = (&'a str, &'a Section)> + 'a>;
    let groups: [(&str, Sections<'_>); 2] = [
        ("profile", Box::new(profiles)),
        ("sso-session", Box::new(sessions)),
    ];
    for (kind, sections) in groups {
        for (name, section) in sections {
            let origin = match section.declared {
                Some((file, line)) => format!("  # {}, line {line}", config.path(file).display()),
                None => String::new(),
            };
            out.push_str(&format!("\n[{kind} {name}]{origin}\n"));
            for (key, setting) in &section.settings {
                let value = shown(key, &setting.value, show_secrets).replace('\n', "\n    ");
                out.push_str(&format!("{key} = {value}\n"));
            }
        }
    }
    if config.has_no_profiles() {
        out.push_str("\n# no profiles defined\n");
    }
    out
}
