//! The `hat` binary: parse arguments, run one command, print its output whole or
//! print the error chain, and exit with a status the shell function passes on.

use clap::Parser;
use clap::error::ErrorKind;
use hat::cli::{Cli, Command};
use hat::cmd;
use hat::env::Env;
use hat::exit::Exit;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Under the shell function stdout is evaluated, so help must go to stderr there.
    let from_wrapper = std::env::args_os().any(|a| {
        a.to_str()
            .is_some_and(|a| a == "--shell" || a.starts_with("--shell="))
    });
    let cli = match Cli::try_parse_from(hat::argv::rewrite(std::env::args_os().collect())) {
        Ok(cli) => cli,
        Err(e)
            if from_wrapper
                && matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) =>
        {
            eprint!("{}", e.render().ansi());
            return ExitCode::SUCCESS;
        }
        Err(e) => e.exit(),
    };
    let env = Env::from_process();

    let result = match &cli.command {
        Command::Assume(args) => cmd::assume::run(args, &env),
        Command::Init(args) => cmd::init::run(args, &env),
        Command::Config(args) => cmd::config::run(args, &env),
        Command::CredentialProcess(args) => cmd::credential_process::run(args, &env),
        Command::Console(args) => cmd::console::run(args, &env),
        Command::Completions(args) => Ok(cmd::completions::run(args)),
        Command::Export(args) => cmd::export::run(args, &env),
        Command::Exec(args) => cmd::exec::run(args, &env),
        Command::Sso(args) => cmd::sso::run(args, &env),
        Command::Keys(args) => cmd::keys::run(args, &env),
        Command::Eks(args) => cmd::eks::run(args, &env),
        Command::List(args) => cmd::list::run(args, &env),
        Command::Migrate(args) => cmd::migrate::run(args, &env),
        Command::Prompt => Ok(cmd::prompt::run(&env)),
        Command::Cache(args) => cmd::cache::run(args, &env),
        // The report is the answer whatever it finds; the status says whether all is well.
        Command::Doctor(args) => {
            return match cmd::doctor::run(args, &env) {
                Ok(report) if report.healthy => print(&report.text),
                Ok(report) => {
                    print(&report.text);
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("hat: error: {e:#}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Registry(args) => cmd::registry::run(args, &env),
    };
    match result {
        Ok(output) => print(&output),
        // Said already (or nothing to say): only the status.
        Err(ref e) if let Some(&Exit(code)) = e.downcast_ref() => ExitCode::from(code),
        Err(e) => {
            eprintln!("hat: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the whole answer at once. A closed pipe is not an error: the reader left.
fn print(output: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hat: error: could not write the output: {e}");
            ExitCode::FAILURE
        }
    }
}
