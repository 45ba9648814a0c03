//! `hat doctor [--json] [--fix] [--offline]`: runs the checks in [`crate::doctor`],
//! applies their repairs only with `--fix`, and prints the report (text for people,
//! JSON for scripts). The report is the answer whatever it finds; `healthy` decides
//! the exit status (1 when any check failed).

use crate::cli::DoctorArgs;
use crate::doctor::{self, Finding, Options, Status};
use crate::env::Env;
use anyhow::Result;
use std::fmt::Write as _;

pub struct Report {
    pub text: String,
    pub healthy: bool,
}

pub fn run(args: &DoctorArgs, env: &Env) -> Result<Report> {
    let mut findings = doctor::run(
        env,
        Options {
            offline: args.offline,
        },
    );
    if args.fix {
        doctor::repair(&mut findings);
    }
    let healthy = findings.iter().all(|f| f.status != Status::Fail);
    let text = if args.json {
        let value = serde_json::json!({ "healthy": healthy, "checks": findings });
        serde_json::to_string_pretty(&value)? + "\n"
    } else {
        render(&findings, healthy, args.fix)
    };
    Ok(Report { text, healthy })
}

fn render(findings: &[Finding], healthy: bool, fixed: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(out, "{:4}  {:9}  {}", f.status.label(), f.check, f.message);
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "{:4}  {:9}  fix: {fix}", "", "");
        }
    }
    let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
    let repairable = findings.iter().any(|f| f.repair.is_some());
    let _ = writeln!(
        out,
        "\n{}: {} failed, {} warnings{}",
        if healthy { "healthy" } else { "not healthy" },
        count(Status::Fail),
        count(Status::Warn),
        if repairable && !fixed {
            "; `hat doctor --fix` repairs the modes and stale files above"
        } else {
            ""
        }
    );
    out
}
