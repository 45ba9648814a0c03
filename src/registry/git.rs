//! The system `git`, run for one registry, so users' SSH keys, credential helpers and
//! proxies work as they do for every other repository. Each registry is a bare
//! repository in hat's data directory; a sync fetches one ref, shallowly, into
//! `refs/hat/fetched` and reads files out of that commit: there is no work tree, so a
//! sync that fails later leaves nothing half checked out.

use anyhow::{Context as _, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const FETCHED: &str = "refs/hat/fetched";

/// Refuses what a registry may not be fetched from: plain `http://` (and `git://`),
/// which anyone on the path could rewrite, and relative paths (callers make a local path
/// absolute first, since the sync may run from anywhere).
pub fn check_url(url: &str) -> Result<()> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("git://") {
        bail!(
            "`{url}` is not encrypted: anyone on the way could change the profiles; use https://, ssh:// or a local path"
        );
    }
    let scheme = lower.split_once("://").map(|(s, _)| s);
    match scheme {
        Some("https" | "ssh" | "git+ssh" | "ssh+git" | "file") => Ok(()),
        Some(other) => bail!(
            "`{url}`: hat fetches registries over https://, ssh:// or file://, not {other}://"
        ),
        None if url.starts_with('/') || is_scp_like(url) => Ok(()),
        None => bail!("`{url}` is a relative path; give it as an absolute path"),
    }
}

/// `git@host:path` (scp-like SSH), as git reads it: a colon before any slash.
fn is_scp_like(url: &str) -> bool {
    match (url.find(':'), url.find('/')) {
        (Some(colon), Some(slash)) => colon < slash && colon > 0,
        (Some(colon), None) => colon > 0,
        _ => false,
    }
}

/// One registry's bare repository.
pub struct Repo {
    pub dir: PathBuf,
}

impl Repo {
    pub fn new(dir: PathBuf) -> Repo {
        Repo { dir }
    }

    fn git(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        cmd
    }

    /// Fetches `git_ref` (the remote's HEAD when None) from `url`, one commit deep, and
    /// returns the commit. With `interactive` false, git and ssh are told never to ask
    /// for anything (the background sync has no one to ask).
    pub fn fetch(&self, url: &str, git_ref: Option<&str>, interactive: bool) -> Result<String> {
        if !self.dir.join("HEAD").exists() {
            crate::fs::create_dir(&self.dir)
                .with_context(|| format!("could not create {}", self.dir.display()))?;
            run(Command::new("git")
                .args(["init", "--bare", "--quiet"])
                .arg(&self.dir)
                .stdin(Stdio::null()))
            .map_err(|e| {
                anyhow!(
                    "could not create a repository in {}: {e}",
                    self.dir.display()
                )
            })?;
        }
        let wanted = git_ref.unwrap_or("HEAD");
        let mut cmd = self.git();
        cmd.args(["fetch", "--quiet", "--no-tags", "--depth", "1", "--"])
            .arg(url)
            .arg(format!("+{wanted}:{FETCHED}"));
        if !interactive {
            quiet(&mut cmd);
        }
        if let Err(first) = run(&mut cmd) {
            // A commit id the server will not hand out by itself: fetch its history and
            // look for it there.
            if !is_commit_id(wanted) {
                return Err(anyhow!("could not fetch {url}: {first}"));
            }
            let mut all = self.git();
            all.args(["fetch", "--quiet", "--no-tags"]);
            if self.dir.join("shallow").exists() {
                all.arg("--unshallow");
            }
            all.arg("--").arg(url).args([
                "+refs/heads/*:refs/hat/heads/*",
                "+refs/tags/*:refs/hat/tags/*",
            ]);
            if !interactive {
                quiet(&mut all);
            }
            run(&mut all).map_err(|e| anyhow!("could not fetch {url}: {e}"))?;
            let mut set = self.git();
            set.args(["update-ref", FETCHED, &format!("{wanted}^{{commit}}")]);
            run(&mut set)
                .map_err(|_| anyhow!("could not fetch {url}: no commit {wanted} there"))?;
        }
        let mut parse = self.git();
        parse.args(["rev-parse", "--verify", &format!("{FETCHED}^{{commit}}")]);
        let commit = run(&mut parse)
            .map_err(|e| anyhow!("the fetched ref of {url} is not a commit: {e}"))?;
        Ok(commit.trim().to_string())
    }

    /// The text of `path` (relative to the repository's root) in `commit`; None when
    /// there is no such file.
    pub fn read(&self, commit: &str, path: &str) -> Result<Option<String>> {
        let mut exists = self.git();
        exists.args(["cat-file", "-e", &format!("{commit}:{path}")]);
        if run(&mut exists).is_err() {
            return Ok(None);
        }
        let mut cat = self.git();
        cat.args(["cat-file", "blob", &format!("{commit}:{path}")]);
        let text = run(&mut cat).map_err(|e| anyhow!("could not read {path}: {e}"))?;
        Ok(Some(text))
    }
}

/// Never prompt: no terminal questions from git, ssh in batch mode unless the user
/// chose their own ssh command.
fn quiet(cmd: &mut Command) {
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    let own_ssh = ["GIT_SSH_COMMAND", "GIT_SSH"]
        .iter()
        .any(|v| crate::env::inherited(v))
        || Command::new("git")
            .args(["config", "--get", "core.sshCommand"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .is_ok_and(|o| !o.stdout.is_empty());
    if !own_ssh {
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
}

fn is_commit_id(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Runs git and returns its stdout, or git's own one-line reason.
fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                "git is not installed (hat runs the system git to fetch registries)".to_string()
            } else {
                format!("could not run git: {e}")
            }
        })?;
    if out.status.success() {
        return String::from_utf8(out.stdout)
            .map_err(|_| "git printed something that is not UTF-8".into());
    }
    Err(reason(&String::from_utf8_lossy(&out.stderr)))
}

/// git's first `fatal:` or `error:` line, else its last line.
fn reason(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .or(lines.last())
        .map_or_else(|| "git failed".to_string(), |l| l.to_string())
}

/// `path` made absolute against `cwd` when it is a local path; URLs stay as they are.
pub fn absolute(url: &str, cwd: &Path) -> String {
    let is_url = url.contains("://") || is_scp_like(url);
    if is_url || url.starts_with('/') {
        return url.to_string();
    }
    let joined = cwd.join(url);
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_and_relative_paths_are_refused() {
        for ok in [
            "https://git.example.com/p.git",
            "ssh://git@host/p.git",
            "git@github.com:org/p.git",
            "file:///srv/p.git",
            "/srv/p.git",
        ] {
            check_url(ok).unwrap();
        }
        for bad in [
            "http://git.example.com/p.git",
            "HTTP://x/p",
            "git://x/p",
            "ftp://x/p",
            "p.git",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_paths_become_absolute() {
        let cwd = Path::new("/home/a/work");
        assert_eq!(absolute("../team", cwd), "/home/a/team");
        assert_eq!(absolute("./x/", cwd), "/home/a/work/x");
        assert_eq!(absolute("git@h:o/p.git", cwd), "git@h:o/p.git");
        assert_eq!(absolute("https://h/p", cwd), "https://h/p");
    }

    #[test]
    fn the_reason_is_gits_fatal_line() {
        assert_eq!(
            reason("hint: x\nfatal: repository '/x' does not exist\nmore\n"),
            "fatal: repository '/x' does not exist"
        );
        assert_eq!(reason("warning: a\nlast\n"), "last");
    }
}
