//! Test support: a sandbox per test (temporary HOME, its own AWS files and cache), a
//! builder that runs the real `hat` binary in it and checks status, stdout and stderr
//! together, and the peers it talks to (moto's STS, real shells, and the fakes of
//! the `hat-fakes` crate, which `scripts/demo` serves too). Every child gets a
//! cleared environment: no test sees the real `~/.aws` or the developer's `AWS_*`
//! variables.
#![allow(dead_code)]

pub use hat_fakes::fault as iam_fault;
pub use hat_fakes::federation as fake_federation;
pub use hat_fakes::imds as fake_imds;
pub use hat_fakes::proxy;
pub use hat_fakes::sso as fake_sso;
pub use hat_fakes::sts as fake_sts;

pub mod git;
pub mod keyring;
pub mod moto;
pub mod shells;
pub mod tmux;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const HAT: &str = env!("CARGO_BIN_EXE_hat");

/// Keys in the sandbox's static base profile, and a secret to look for in output.
pub const BASE_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const BASE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// A 3-hop chain: base (static keys) -> a -> b -> c.
pub const CHAIN_CONFIG: &str = "
[profile base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
region = eu-west-1

[profile a]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = base

[profile b]
role_arn = arn:aws:iam::222222222222:role/b
source_profile = a

[profile c]
role_arn = arn:aws:iam::333333333333:role/c
source_profile = b
region = us-west-2
";

/// `aws sts get-caller-identity`'s words for the caller's ARN alone, as text (other
/// options, such as `--profile`, may follow).
pub const CALLER_ARN: [&str; 6] = [
    "sts",
    "get-caller-identity",
    "--query",
    "Arn",
    "--output",
    "text",
];

pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("hat-test-")
            .tempdir()
            .unwrap();
        std::fs::create_dir_all(dir.path().join("home/.aws")).unwrap();
        Sandbox { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn config(&self, text: &str) -> &Self {
        self.write("home/.aws/config", text);
        self
    }

    pub fn credentials(&self, text: &str) -> &Self {
        self.write("home/.aws/credentials", text);
        self
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.home().join(".cache/hat/credentials")
    }

    /// The cached credential files (not lock files).
    pub fn cached(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.cache_dir()) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        out.sort();
        out
    }

    /// The environment every child starts from: nothing of the developer's.
    pub fn env(&self) -> Vec<(String, String)> {
        let path = std::env::var("PATH").unwrap_or_default();
        vec![
            ("PATH".into(), path),
            ("HOME".into(), self.home().display().to_string()),
            ("USER".into(), "tester".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("TERM".into(), "dumb".into()),
        ]
    }

    /// A real peer (`aws`, `python3`, `script`, ...) with the sandbox's environment.
    #[track_caller]
    pub fn peer(&self, program: &str) -> Command {
        let mut cmd = Command::new(require(program));
        cmd.env_clear().envs(self.env()).current_dir(self.root());
        cmd
    }

    /// What the AWS CLI reads for `key` in `profile` (`aws configure get`, botocore's
    /// own parser): empty when it finds none.
    #[track_caller]
    pub fn aws_get(&self, profile: &str, key: &str) -> String {
        let out = self
            .peer("aws")
            .args(["configure", "get", key, "--profile", profile])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `hat ARGS` in this sandbox.
    pub fn hat(&self, args: &[&str]) -> Run {
        let mut run = Run {
            program: HAT.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: self.env(),
            stdin: None,
            cwd: self.root().to_path_buf(),
        };
        run.env.push(("HAT_TEST".into(), "1".into()));
        run
    }

    /// `hat assume --shell bash ARGS`, as the bash function runs it.
    pub fn assume(&self, args: &[&str]) -> Run {
        let mut all = vec!["assume", "--shell", "bash"];
        all.extend_from_slice(args);
        self.hat(&all)
    }
}

pub struct Run {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Option<String>,
    pub cwd: PathBuf,
}

impl Run {
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn sts(self, url: &str) -> Self {
        self.env("AWS_ENDPOINT_URL_STS", url)
    }

    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.into());
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        crate::support::detach_from_terminal(&mut cmd);
        cmd
    }

    #[track_caller]
    pub fn run(self) -> Output {
        let mut child = self.command().spawn().expect("spawn");
        if let Some(input) = &self.stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().expect("wait");
        Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            what: format!("{} {}", self.program.display(), self.args.join(" ")),
        }
    }
}

/// Runs a peer's command (`Sandbox::peer`) to the end and returns its stdout, failing
/// the test with its output when it did not succeed.
#[track_caller]
pub fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Children get their own session, so they have no controlling terminal: a test can
/// never block on a prompt at /dev/tty, and "no terminal" paths are the ones taken.
#[allow(unsafe_code)]
pub fn detach_from_terminal(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
}

#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    what: String,
}

impl Output {
    fn context(&self) -> String {
        format!(
            "\n--- {}\n--- exit: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.what, self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, Some(0), "expected success{}", self.context());
        self
    }

    /// Failed, with nothing at all on stdout (so the shell function evals nothing).
    #[track_caller]
    pub fn failure(&self) -> &Self {
        assert!(
            self.code.is_some_and(|c| c != 0),
            "expected failure{}",
            self.context()
        );
        assert_eq!(
            self.stdout,
            "",
            "stdout must be empty on failure{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "exit code{}", self.context());
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn stderr_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.stderr.contains(needle),
            "stderr must not contain {needle:?}{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}{}",
            self.context()
        );
        self
    }

    /// The variables a bash-syntax answer sets (`Some`) and unsets (`None`).
    #[track_caller]
    pub fn exports(&self) -> HashMap<String, Option<String>> {
        parse_posix_exports(&self.stdout)
    }
}

/// Reads back `export NAME='value'` / `unset NAME` lines as hat writes them.
pub fn parse_posix_exports(text: &str) -> HashMap<String, Option<String>> {
    let mut out = HashMap::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("unset ") {
            out.insert(name.to_string(), None);
        } else if let Some(rest) = line.strip_prefix("export ") {
            let (name, quoted) = rest.split_once('=').expect("NAME=VALUE");
            let inner = quoted
                .strip_prefix('\'')
                .and_then(|q| q.strip_suffix('\''))
                .expect("single-quoted");
            out.insert(name.to_string(), Some(inner.replace("'\\''", "'")));
        } else {
            panic!("unexpected line in hat's output: {line:?}");
        }
    }
    out
}

/// A free port on loopback (bound, then released for the server to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{what} did not start listening on 127.0.0.1:{port}");
}

/// Looks a program up on PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// Requires a tool the test suite installs (`scripts/test`): a missing peer is a
/// failure, never a silent skip.
#[track_caller]
pub fn require(program: &str) -> PathBuf {
    which(program).unwrap_or_else(|| {
        panic!("`{program}` is not on PATH; run the suite with scripts/test, which installs it")
    })
}
