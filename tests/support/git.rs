//! A git repository for registry tests: a bare upstream reached by path or file://,
//! and a working clone the test commits to, both with the system git.

use super::Sandbox;
use std::path::PathBuf;
use std::process::Command;

/// A bare repository and a working clone of it that the test commits to.
pub struct Upstream<'a> {
    pub sandbox: &'a Sandbox,
    pub bare: PathBuf,
    pub work: PathBuf,
}

impl<'a> Upstream<'a> {
    pub fn new(sandbox: &'a Sandbox, name: &str) -> Self {
        let bare = sandbox.path(&format!("upstream/{name}.git"));
        let work = sandbox.path(&format!("work/{name}"));
        std::fs::create_dir_all(&work).unwrap();
        let up = Upstream {
            sandbox,
            bare,
            work,
        };
        up.git_in(
            &sandbox.root().to_path_buf(),
            &["init", "-q", "--bare", "-b", "main"],
        )
        .arg(&up.bare)
        .status()
        .unwrap();
        up.git(&["init", "-q", "-b", "main"]);
        up.git(&["remote", "add", "origin", up.bare.to_str().unwrap()]);
        up
    }

    pub fn git_in(&self, dir: &PathBuf, args: &[&str]) -> Command {
        let mut cmd = self.sandbox.peer("git");
        cmd.current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Team Lead")
            .env("GIT_AUTHOR_EMAIL", "lead@example.com")
            .env("GIT_COMMITTER_NAME", "Team Lead")
            .env("GIT_COMMITTER_EMAIL", "lead@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        cmd
    }

    #[track_caller]
    pub fn git(&self, args: &[&str]) {
        let out = self.git_in(&self.work, args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Writes the files (None deletes one), commits and pushes to `branch`.
    #[track_caller]
    pub fn commit(&self, files: &[(&str, Option<&str>)], branch: &str) {
        for (path, text) in files {
            let path = self.work.join(path);
            match text {
                Some(text) => {
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, text).unwrap();
                }
                None => std::fs::remove_file(&path).unwrap(),
            }
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", "change"]);
        self.git(&["push", "-q", "origin", &format!("HEAD:{branch}")]);
    }

    pub fn path(&self) -> &str {
        self.bare.to_str().unwrap()
    }

    pub fn file_url(&self) -> String {
        format!("file://{}", self.path())
    }
}
