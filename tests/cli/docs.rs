//! The docs are checked against the code: every `hat ...` and `assume ...` command line
//! in README.md and docs/*.md (code blocks and inline code) parses; every AWS setting
//! they name is one hat reads, and the table of settings in docs/configuration.md lists
//! exactly those; the one table of environment variables there lists exactly what hat
//! reads; README links every page under docs/ and every relative link leads to a file.
//!
//! Nothing here names a command, a page or a key: a new page, command or setting only
//! needs docs that are right.

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use hat::cli::Cli;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every docs/*.md, as (path relative to the repository, text).
fn pages() -> Vec<(String, String)> {
    let mut paths = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.strip_prefix(root()).unwrap().display().to_string();
            (name, text)
        })
        .collect()
}

fn page(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap()
}

// ---------------------------------------------------------------------------------------
// Reading Markdown: fenced code blocks and inline code spans, with line numbers.

struct Block {
    lang: String,
    /// (line number, text)
    lines: Vec<(usize, String)>,
}

struct Span {
    line: usize,
    text: String,
}

fn blocks_and_spans(text: &str) -> (Vec<Block>, Vec<Span>) {
    let mut blocks = Vec::new();
    let mut spans = Vec::new();
    let mut open: Option<Block> = None;
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let trimmed = line.trim_start();
        if let Some(fence) = trimmed.strip_prefix("```") {
            match open.take() {
                Some(block) => blocks.push(block),
                None => {
                    spans.extend(inline_spans(&paragraph));
                    paragraph.clear();
                    open = Some(Block {
                        lang: fence.trim().to_string(),
                        lines: Vec::new(),
                    });
                }
            }
            continue;
        }
        match &mut open {
            Some(block) => block.lines.push((number, line.to_string())),
            None if trimmed.is_empty() => {
                spans.extend(inline_spans(&paragraph));
                paragraph.clear();
            }
            None => paragraph.push((number, line)),
        }
    }
    spans.extend(inline_spans(&paragraph));
    (blocks, spans)
}

/// The code spans of one paragraph (they may run over a line break), by the
/// CommonMark rule: a run of N backticks closes at the next run of exactly N.
fn inline_spans(paragraph: &[(usize, &str)]) -> Vec<Span> {
    let Some(&(first, _)) = paragraph.first() else {
        return Vec::new();
    };
    let text: Vec<char> = paragraph
        .iter()
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("\n")
        .chars()
        .collect();
    let run_at = |i: usize| text[i..].iter().take_while(|c| **c == '`').count();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i] != '`' {
            i += 1;
            continue;
        }
        let n = run_at(i);
        let start = i + n;
        let mut j = start;
        let mut end = None;
        while j < text.len() {
            if text[j] == '`' {
                let m = run_at(j);
                if m == n {
                    end = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        let Some(end) = end else {
            i = start;
            continue;
        };
        let content: String = text[start..end].iter().collect();
        let line = first + text[..i].iter().filter(|c| **c == '\n').count();
        // Inside a table cell a literal `|` is written `\|`.
        let content = content.replace('\n', " ").replace("\\|", "|");
        spans.push(Span {
            line,
            text: content.trim().to_string(),
        });
        i = end + n;
    }
    spans
}

// ---------------------------------------------------------------------------------------
// Command lines: a small shell lexer, enough for what docs show.

/// The `hat` and `assume` commands in one line of shell, each as hat's argv.
fn commands_in(line: &str) -> Vec<Vec<String>> {
    let line = placeholders(line);
    let mut out = Vec::new();
    // Command substitutions and backticks separate commands, even inside quotes.
    for piece in line.split(['\u{1}']) {
        for command in simple_commands(piece) {
            out.extend(hat_command(&command));
        }
    }
    out
}

/// `<one of those profiles>` and `<Tab>` become one placeholder word (a `<` before a
/// letter is a placeholder in docs, never a redirection); `$(`, `)` and backticks
/// become separators.
fn placeholders(line: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<'
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
            && let Some(len) = chars[i..].iter().position(|c| *c == '>')
            && !chars[i + 1..i + len].contains(&'<')
        {
            out.push_str("PLACEHOLDER");
            i += len + 1;
            continue;
        }
        if c == '$' && chars.get(i + 1) == Some(&'(') {
            out.push('\u{1}');
            i += 2;
            continue;
        }
        if c == ')' || c == '`' {
            out.push('\u{1}');
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Splits at `&&`, `||`, `;`, `&` and pipes (a `|` between words; one inside a word, as
/// in `bash|zsh|fish`, lists alternatives), drops redirections, stops at a comment.
fn simple_commands(piece: &str) -> Vec<Vec<String>> {
    let mut commands = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = piece.chars().peekable();
    let mut skip_next_word = false;
    let end_word = |word: &mut String,
                    in_word: &mut bool,
                    quoted: &mut bool,
                    skip: &mut bool,
                    commands: &mut Vec<Vec<String>>| {
        if *in_word {
            let w = std::mem::take(word);
            let redirect = !*quoted
                && (w.starts_with('>')
                    || w.starts_with('<')
                    || w.starts_with("&>")
                    || (w.contains('>') && w.chars().next().is_some_and(|c| c.is_ascii_digit())));
            if *skip {
                *skip = false;
            } else if redirect {
                // `>`, `>>`, `2>`: the file is the next word; `>file`, `2>&1`: this one.
                *skip = w
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '&')
                    .trim_start_matches(['>', '<'])
                    .is_empty();
            } else {
                commands.last_mut().unwrap().push(w);
            }
        }
        *in_word = false;
        *quoted = false;
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                // Only a word that starts quoted is never a redirection (`">"`).
                quoted |= !in_word;
                in_word = true;
                let mut escaped = false;
                for d in chars.by_ref() {
                    if c == '"' && !escaped && d == '\\' {
                        escaped = true;
                        continue;
                    }
                    if d == c && !escaped {
                        break;
                    }
                    escaped = false;
                    word.push(d);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(d) = chars.next() {
                    word.push(d);
                }
            }
            '#' if !in_word => break,
            ' ' | '\t' => end_word(
                &mut word,
                &mut in_word,
                &mut quoted,
                &mut skip_next_word,
                &mut commands,
            ),
            ';' => {
                end_word(
                    &mut word,
                    &mut in_word,
                    &mut quoted,
                    &mut skip_next_word,
                    &mut commands,
                );
                commands.push(Vec::new());
            }
            '&' | '|' if !in_word || chars.peek() == Some(&c) => {
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                // `2>&1`: part of a redirection word.
                if in_word && word.ends_with('>') {
                    word.push(c);
                    continue;
                }
                end_word(
                    &mut word,
                    &mut in_word,
                    &mut quoted,
                    &mut skip_next_word,
                    &mut commands,
                );
                commands.push(Vec::new());
            }
            '&' if word.ends_with('>') => word.push(c),
            '&' if chars.peek().is_none_or(|n| n.is_whitespace()) => {
                end_word(
                    &mut word,
                    &mut in_word,
                    &mut quoted,
                    &mut skip_next_word,
                    &mut commands,
                );
                commands.push(Vec::new());
            }
            '|' if chars.peek().is_none_or(|n| n.is_whitespace()) => {
                end_word(
                    &mut word,
                    &mut in_word,
                    &mut quoted,
                    &mut skip_next_word,
                    &mut commands,
                );
                commands.push(Vec::new());
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(
        &mut word,
        &mut in_word,
        &mut quoted,
        &mut skip_next_word,
        &mut commands,
    );
    commands.retain(|c| !c.is_empty());
    commands
}

/// Whether a word runs hat: `hat`, or a path to it such as `/usr/local/bin/hat`.
fn is_hat(word: &str) -> bool {
    word == "hat" || (word.starts_with('/') && word.ends_with("/bin/hat"))
}

/// Words after which the next word is a command: `exec`, `--` (`aws-vault exec work --
/// hat ...`), `=` (`credential_process = hat ...`), YAML's `- run:`.
const LAUNCHERS: &[&str] = &[
    "--", "=", "-", "run:", "exec", "env", "sudo", "command", "time", "nohup", "then", "do",
];

/// hat's argv for a `hat` or `assume` word where a command starts (first, after
/// `VAR=value` words or after a launcher), plus any command inside a quoted word
/// (`command = "hat prompt"`, `bash -c 'assume x'`).
fn hat_command(words: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut command_position = true;
    let mut start = None;
    for (i, w) in words.iter().enumerate() {
        if command_position && (is_hat(w) || w == "assume") {
            start = Some(i);
            break;
        }
        let assignment = w.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        command_position = (command_position && assignment) || LAUNCHERS.contains(&w.as_str());
    }
    if let Some(at) = start {
        let mut argv = vec!["hat".to_string()];
        if words[at] == "assume" {
            argv.push("assume".to_string());
        }
        argv.extend(words[at + 1..].iter().cloned());
        out.push(argv);
    }
    for word in words {
        let inner = word.trim_start();
        if inner.contains(' ') && (inner.starts_with("hat ") || inner.starts_with("assume ")) {
            out.extend(commands_in(inner));
        }
    }
    out
}

/// A synopsis becomes concrete command lines: `[optional]` parts and `...` go, and a
/// word listing alternatives (`bash|zsh|fish`) gives one line per alternative.
fn concrete(argv: &[String]) -> Vec<Vec<String>> {
    let mut lines = vec![Vec::new()];
    let mut in_optional = false;
    for word in argv {
        if word.starts_with('[') {
            in_optional = !word.ends_with(']') && !word.ends_with("]...");
            continue;
        }
        if in_optional {
            in_optional = !(word.ends_with(']') || word.ends_with("]..."));
            continue;
        }
        if word == "..." || word == "…" {
            continue;
        }
        let alternatives: Vec<&str> =
            if word.contains('|') && !word.starts_with('|') && !word.ends_with('|') {
                word.split('|').collect()
            } else {
                vec![word.as_str()]
            };
        lines = lines
            .into_iter()
            .flat_map(|line| {
                alternatives.iter().map(move |alt| {
                    let mut next = line.clone();
                    next.push(alt.to_string());
                    next
                })
            })
            .collect();
    }
    lines
}

/// `PROFILE`, `SHELL`, `NAME…`, `ARGS...`: a word the reader replaces.
fn is_placeholder(word: &str) -> bool {
    let base = word.trim_end_matches("...").trim_end_matches('…');
    !base.is_empty()
        && base.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && base
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Whether clap accepts `argv`, as a whole command line or as a mention of a command
/// (`hat exec`, `hat keys add`, `hat credential-process --profile`): then the same words
/// plus `--help` (or plus a value) must parse. A placeholder where clap wants one of a
/// few values is replaced by the first of them.
fn accepts(argv: &[String]) -> Result<(), String> {
    let mut argv = argv.to_vec();
    let mut mention = false;
    for _ in 0..10 {
        let words = argv.iter().map(std::ffi::OsString::from).collect();
        let error = match Cli::try_parse_from(hat::argv::rewrite(words)) {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        match error.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return Ok(()),
            ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
                let invalid = match error.get(ContextKind::InvalidValue) {
                    Some(ContextValue::String(s)) => s.clone(),
                    _ => String::new(),
                };
                let valid = match error.get(ContextKind::ValidValue) {
                    Some(ContextValue::Strings(v)) => v.first().cloned(),
                    _ => None,
                };
                if invalid.is_empty() && !mention {
                    // `--profile` at the end of a mention: give it a value.
                    mention = true;
                    argv.push("VALUE".into());
                } else if let (true, Some(valid), Some(at)) = (
                    is_placeholder(&invalid),
                    valid,
                    argv.iter().rposition(|w| *w == invalid),
                ) {
                    argv[at] = valid;
                } else {
                    return Err(error.render().to_string());
                }
            }
            // `hat COMMAND --help`: any of the commands there.
            ErrorKind::InvalidSubcommand
                if let Some(at) = argv.iter().position(|w| is_placeholder(w))
                    && let Some(first) = first_subcommand(&argv[..at]) =>
            {
                argv[at] = first;
            }
            ErrorKind::MissingRequiredArgument | ErrorKind::MissingSubcommand if !mention => {
                mention = true;
                argv.push("--help".into());
            }
            _ => return Err(error.render().to_string()),
        }
    }
    Err("too many placeholders".into())
}

/// The first subcommand of the command that `path` (`hat`, `sso`, ...) names.
fn first_subcommand(path: &[String]) -> Option<String> {
    let mut cmd = hat::cli::command_tree();
    for word in path.iter().skip(1) {
        cmd = cmd.find_subcommand(word)?.clone();
    }
    cmd.get_subcommands()
        .find(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
}

/// Every command line of the docs: (file, line, argv).
fn documented_commands() -> Vec<(String, usize, Vec<String>)> {
    let mut out = Vec::new();
    for (file, text) in pages() {
        let (blocks, spans) = blocks_and_spans(&text);
        for block in blocks {
            // In a transcript only the `$ ` lines are commands; the rest is output.
            let transcript = block.lines.iter().any(|(_, l)| l.starts_with("$ "));
            let mut pending: Option<(usize, String)> = None;
            for (number, line) in &block.lines {
                let line = match (transcript, line.strip_prefix("$ ")) {
                    (true, Some(command)) => command,
                    (true, None) => continue,
                    (false, _) => line.as_str(),
                };
                // A trailing backslash continues the command on the next line.
                let (start, joined) = match pending.take() {
                    Some((start, before)) => (start, format!("{before} {line}")),
                    None => (*number, line.to_string()),
                };
                if let Some(head) = joined.strip_suffix('\\') {
                    pending = Some((start, head.to_string()));
                    continue;
                }
                for argv in commands_in(&joined) {
                    out.push((file.clone(), start, argv));
                }
            }
        }
        for span in spans {
            for argv in commands_in(&span.text) {
                out.push((file.clone(), span.line, argv));
            }
        }
    }
    out
}

#[test]
fn every_documented_command_line_parses() {
    let commands = documented_commands();
    let mut failures = Vec::new();
    for (file, line, argv) in &commands {
        for concrete in concrete(argv) {
            if let Err(e) = accepts(&concrete) {
                let first = e.lines().next().unwrap_or_default().to_string();
                failures.push(format!("{file}:{line}: `{}`: {first}", concrete.join(" ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "command lines in the docs that hat does not accept:\n{}",
        failures.join("\n")
    );
    // The extraction itself works: these are in README and docs/usage.md today.
    let has = |words: &[&str]| commands.iter().any(|(_, _, argv)| argv == words);
    assert!(has(&["hat", "init", "bash"]), "no `hat init bash` found");
    assert!(
        has(&["hat", "assume", "--unset"]),
        "no `assume --unset` found"
    );
    assert!(
        commands.len() > 100,
        "only {} command lines",
        commands.len()
    );
}

#[test]
fn readme_shows_every_command() {
    let (blocks, spans) = blocks_and_spans(&page("README.md"));
    let mut shown = BTreeSet::new();
    let lines = blocks
        .iter()
        .flat_map(|b| {
            b.lines
                .iter()
                .map(|(_, l)| l.trim_start_matches("$ ").to_string())
        })
        .chain(spans.into_iter().map(|s| s.text));
    for line in lines {
        for argv in commands_in(&line) {
            shown.extend(argv.get(1).cloned());
        }
    }
    let missing: Vec<String> = hat::cli::command_tree()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .filter(|name| !shown.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md has no example of `hat {}`: add one to its list of commands",
        missing.join("`, `hat ")
    );
}

#[test]
fn the_extractor_finds_commands_where_docs_put_them() {
    let argv = |line: &str| -> Vec<String> {
        commands_in(line).into_iter().map(|a| a.join(" ")).collect()
    };
    assert_eq!(
        argv(r#"echo 'eval "$(hat init bash)"' >> ~/.bashrc  # bash"#),
        ["hat init bash"]
    );
    assert_eq!(
        argv("cargo install --locked --path . && hat --help"),
        ["hat --help"]
    );
    assert_eq!(
        argv("AWS_ACCESS_KEY_ID=… hat keys add work --env   # for scripts"),
        ["hat keys add work --env"]
    );
    assert_eq!(
        argv("credential_process = /usr/local/bin/hat credential-process --profile prod"),
        ["hat credential-process --profile prod"]
    );
    assert_eq!(
        argv("hat export deploy --format dotenv --output deploy.env 2>&1 | tee log"),
        ["hat export deploy --format dotenv --output deploy.env"]
    );
    assert_eq!(argv(r#"command = "hat prompt""#), ["hat prompt"]);
    assert_eq!(argv("assume <Tab>"), ["hat assume PLACEHOLDER"]);
    assert_eq!(argv("hat init fish | source"), ["hat init fish"]);
    assert_eq!(
        argv("aws-vault exec --no-session work -- hat keys add work --env"),
        ["hat keys add work --env"]
    );
    assert_eq!(
        argv("- run: hat exec deploy -- ./deploy.sh"),
        ["hat exec deploy -- ./deploy.sh"]
    );
    assert!(argv("ls -l target/release/hat ~/.cache/hat").is_empty());
    assert!(argv("secret-tool lookup service hat username work").is_empty());

    let lines = |words: &str| -> Vec<String> {
        let argv: Vec<String> = words.split(' ').map(String::from).collect();
        concrete(&argv).into_iter().map(|a| a.join(" ")).collect()
    };
    assert_eq!(
        lines("hat completions bash|zsh"),
        ["hat completions bash", "hat completions zsh"]
    );
    assert_eq!(
        lines("hat exec [OPTIONS] PROFILE [--] COMMAND [ARGS]..."),
        ["hat exec PROFILE COMMAND"]
    );

    let ok = |words: &str| accepts(&words.split(' ').map(String::from).collect::<Vec<_>>());
    assert!(ok("hat keys add").is_ok(), "a mention of a command");
    assert!(ok("hat credential-process --profile").is_ok());
    assert!(ok("hat init SHELL --auto-reassume").is_ok());
    assert!(ok("hat COMMAND --help").is_ok());
    assert!(ok("hat sso COMMAND").is_ok());
    assert!(ok("hat assume prod --no-such-flag").is_err());
    assert!(ok("hat sso sign-in").is_err());
    assert!(ok("hat init tcsh").is_err());
}

// ---------------------------------------------------------------------------------------
// Settings of the AWS files.

/// The backticked names in the first column of the table in `text` whose header's
/// first cell is `first_cell`; one such table must exist.
fn table_names(file: &str, text: &str, first_cell: &str) -> Vec<String> {
    let mut tables = 0;
    let mut names = Vec::new();
    // (in a table, collecting its rows)
    let mut state: Option<bool> = None;
    for line in text.lines() {
        let Some(row) = line.trim().strip_prefix('|') else {
            state = None;
            continue;
        };
        let first = row.split('|').next().unwrap_or_default().trim();
        match state {
            None => {
                let collecting = first == first_cell;
                tables += usize::from(collecting);
                state = Some(collecting);
            }
            Some(true) if !first.starts_with("---") => names.extend(
                inline_spans(&[(0, first)])
                    .into_iter()
                    .map(|s| s.text)
                    .filter(|t| !t.is_empty()),
            ),
            Some(_) => {}
        }
    }
    assert_eq!(
        tables, 1,
        "{file} must have exactly one table whose first column is `{first_cell}`"
    );
    names
}

/// Checks a documented list against the code's, both ways and for duplicates.
#[track_caller]
fn same_names(documented: &[String], known: &BTreeSet<String>, what: &str, fix: &str) {
    let mut seen: BTreeSet<&String> = BTreeSet::new();
    let twice: Vec<&String> = documented.iter().filter(|n| !seen.insert(n)).collect();
    let missing: Vec<&String> = known.iter().filter(|k| !seen.contains(k)).collect();
    let unknown: Vec<&String> = seen.into_iter().filter(|n| !known.contains(*n)).collect();
    assert!(
        twice.is_empty() && missing.is_empty() && unknown.is_empty(),
        "{what}: read but not in the table: {missing:?}; in the table but not read: {unknown:?}; listed twice: {twice:?}. {fix}"
    );
}

fn known_keys() -> BTreeSet<String> {
    hat::config::keys::KEYS
        .iter()
        .map(|k| k.to_string())
        .collect()
}

#[test]
fn the_settings_table_lists_exactly_the_keys_hat_reads() {
    let documented = table_names(
        "docs/configuration.md",
        &page("docs/configuration.md"),
        "setting",
    );
    same_names(
        &documented,
        &known_keys(),
        "docs/configuration.md's table of settings",
        "The list is src/config/keys.rs.",
    );
}

/// Whether a trimmed code line is a section header of the AWS files.
fn aws_section(line: &str) -> Option<bool> {
    let inner = line.strip_prefix('[')?.split(']').next()?;
    Some(
        inner == "default"
            || ["profile ", "sso-session ", "services "]
                .iter()
                .any(|p| inner.starts_with(p)),
    )
}

#[test]
fn every_setting_the_docs_name_is_one_hat_reads() {
    let known = known_keys();
    // Words like `role_arn`: checked when they start as a known key does (`sso_`,
    // `role_`, ...), so `fake_sts` or `firefox_containers` are not taken for keys.
    let prefixes: BTreeSet<&str> = known
        .iter()
        .filter_map(|k| k.split_once('_').map(|(p, _)| p))
        .collect();
    let looks_like_key = |word: &str| {
        word.split_once('_')
            .is_some_and(|(p, _)| prefixes.contains(p))
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let mut unknown = Vec::new();
    for (file, text) in pages() {
        let (blocks, spans) = blocks_and_spans(&text);
        for block in &blocks {
            // In an ini block every section counts (the credentials file's `[NAME]`);
            // elsewhere only lines after an AWS section header, up to another header.
            let ini = block.lang == "ini";
            let mut in_aws = ini;
            for (number, line) in &block.lines {
                let trimmed = line.trim();
                if let Some(aws) = aws_section(trimmed) {
                    in_aws = aws || ini;
                    continue;
                }
                if trimmed == "EOF" {
                    in_aws = ini;
                }
                if !in_aws || trimmed.starts_with(['#', ';']) {
                    continue;
                }
                if let Some((key, _)) = trimmed.split_once('=') {
                    let key = key.trim().to_ascii_lowercase();
                    if !key.is_empty() && !key.contains(' ') && !known.contains(&key) {
                        unknown.push(format!("{file}:{number}: `{key}`"));
                    }
                }
            }
        }
        for span in &spans {
            let word = span.text.split(" =").next().unwrap_or_default().trim();
            if looks_like_key(word) && !known.contains(word) {
                unknown.push(format!("{file}:{}: `{word}`", span.line));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "settings the docs name that hat does not read (a typo, or a key to add to src/config/keys.rs and docs/configuration.md):\n{}",
        unknown.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Environment variables.

/// Every `HAT_*` variable the shell wrappers use.
fn read_by_wrappers() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("shell")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("HAT_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            rest = &rest[at + name.len()..];
            if name.len() > "HAT_".len() && !name.ends_with('_') {
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn the_environment_table_lists_exactly_the_variables_hat_reads() {
    let mut known: BTreeSet<String> = hat::env::READ
        .iter()
        .chain(hat::env::READ_BY_LIBRARIES)
        .map(|v| v.to_string())
        .collect();
    known.extend(read_by_wrappers());
    let documented = table_names(
        "docs/configuration.md",
        &page("docs/configuration.md"),
        "variable",
    );
    same_names(
        &documented,
        &known,
        "docs/configuration.md's table of environment variables",
        "The lists are READ and READ_BY_LIBRARIES in src/env.rs, and the HAT_ names in shell/.",
    );
}

#[test]
fn hat_reads_the_environment_only_through_env_rs() {
    let mut direct = Vec::new();
    let mut dirs = vec![root().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.ends_with("src/env.rs") || path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, line) in text.lines().enumerate() {
                if line.contains("env::var") {
                    let rel = path.strip_prefix(root()).unwrap().display().to_string();
                    direct.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        direct.is_empty(),
        "read the environment through hat::env::Env (so tests can fill it and the docs test sees it):\n{}",
        direct.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Links.

/// Pages that must exist and be linked from README. Pages that other issues add
/// (architecture.md, migration.md, troubleshooting.md) go here once they land; every
/// page under docs/ must be linked from README anyway.
const REQUIRED_PAGES: &[&str] = &[
    "docs/usage.md",
    "docs/configuration.md",
    "docs/programs.md",
    "docs/sso.md",
    "docs/console.md",
    "docs/daily.md",
    "docs/security.md",
    "docs/keys.md",
    "docs/performance.md",
    "docs/testing.md",
    "docs/troubleshooting.md",
    "docs/migration.md",
    "docs/architecture.md",
];

/// The targets of the Markdown links `](target)` in `text`.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_string());
        }
    }
    out
}

#[test]
fn readme_links_every_page_and_every_relative_link_resolves() {
    let readme_links: BTreeSet<String> = links(&page("README.md"))
        .into_iter()
        .map(|l| l.split('#').next().unwrap().to_string())
        .collect();
    for required in REQUIRED_PAGES {
        assert!(root().join(required).is_file(), "{required} is missing");
    }
    for (file, _) in pages() {
        if file.starts_with("docs/") {
            assert!(
                readme_links.contains(&file),
                "README.md does not link {file}"
            );
        }
    }
    let mut broken = Vec::new();
    for (file, text) in pages() {
        let dir = root().join(&file).parent().unwrap().to_path_buf();
        for link in links(&text) {
            if link.contains("://") || link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            let target = link.split('#').next().unwrap();
            if !dir.join(target).exists() {
                broken.push(format!("{file}: {link}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to nothing:\n{}",
        broken.join("\n")
    );
}
