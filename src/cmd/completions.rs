//! `hat completions <shell>`: completion scripts generated from the clap definition
//! (the committed copies under `completions/` are checked against these by a test).

use crate::cli::CompletionsArgs;

pub fn run(args: &CompletionsArgs) -> String {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut crate::cli::command_tree(), "hat", &mut out);
    String::from_utf8(out).expect("completion scripts are UTF-8")
}
