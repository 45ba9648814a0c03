//! A real terminal for the tests that need one: a private tmux server (its own socket
//! in the sandbox, no config) running an interactive shell with the sandbox's
//! environment. Keys go in with `send-keys`; the screen comes back with `capture-pane`.

use super::shells::Sh;
use super::{Sandbox, require};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// An interactive `sh` (no rc files; nushell: a config.nu with only a prompt and
    /// the setup line) in a 160x40 terminal, with the sandbox's environment plus
    /// `extra`, and hat's `init` line for it already run.
    #[track_caller]
    pub fn start(sandbox: &Sandbox, sh: Sh, extra: &[(&str, &str)]) -> Tmux {
        let tmux = require("tmux");
        let socket = sandbox.path(&format!("tmux-{}.sock", sh.name()));
        let mut env: Vec<String> = sandbox
            .env()
            .into_iter()
            .filter(|(k, _)| k != "TERM")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        env.push("TERM=xterm-256color".into());
        env.extend(extra.iter().map(|(k, v)| format!("{k}={v}")));
        let shell = sh.program().display().to_string();
        let mut argv = vec!["env".to_string(), "-i".to_string()];
        argv.extend(env);
        argv.push(shell);
        argv.extend(match sh {
            Sh::Bash => vec![
                "--noprofile".to_string(),
                "--norc".to_string(),
                "-i".to_string(),
            ],
            Sh::Zsh => vec!["--no-rcs".to_string(), "-i".to_string()],
            Sh::Fish => vec![
                "--no-config".to_string(),
                "--private".to_string(),
                "-i".to_string(),
            ],
            // nushell reads its prompt and the user's setup line from config.nu, and
            // sources the script that line saves at startup.
            Sh::Nu => {
                let env = sandbox.write("nu/env.nu", "");
                let config = sandbox.write(
                    "nu/config.nu",
                    &format!(
                        "$env.config.show_banner = false\n\
                         $env.PROMPT_COMMAND = {{|| '' }}\n\
                         $env.PROMPT_COMMAND_RIGHT = {{|| '' }}\n\
                         $env.PROMPT_INDICATOR = {{|| '$ ' }}\n\
                         {}\n",
                        sh.init_line()
                    ),
                );
                vec![
                    "--env-config".to_string(),
                    env.display().to_string(),
                    "--config".to_string(),
                    config.display().to_string(),
                ]
            }
        });
        let status = Command::new(&tmux)
            .arg("-S")
            .arg(&socket)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "160",
                "-y",
                "40",
            ])
            .args(&argv)
            .current_dir(sandbox.root())
            .status()
            .expect("start tmux");
        assert!(status.success(), "tmux did not start");
        let t = Tmux { socket };
        // A plain prompt that is easy to wait for, then the rc line.
        match sh {
            Sh::Fish => t.line("function fish_prompt; echo '$ '; end"),
            Sh::Zsh => t.line("PS1='$ '"),
            Sh::Bash => t.line("PS1='$ '"),
            // Its config.nu set the prompt and ran the rc line. Keys typed before its
            // line editor starts can be lost, so wait for the prompt, and for a marker
            // that only the output contains.
            Sh::Nu => {
                t.wait_for_prompt(Duration::from_secs(20));
                t.line("print ('READ' + 'Y')");
                t.wait_for("\nREADY\n", Duration::from_secs(20));
                return t;
            }
        }
        t.line(&sh.init_line());
        t.line("echo READY");
        t.wait_for("READY\n", Duration::from_secs(20));
        t
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new(require("tmux"));
        cmd.arg("-S").arg(&self.socket);
        cmd
    }

    /// Types `text` literally (no Enter).
    pub fn keys(&self, text: &str) {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", "0", "-l", text])
            .status()
            .unwrap()
            .success();
        assert!(ok, "send-keys failed");
    }

    /// Presses a named key (`Enter`, `Escape`, `C-c`).
    pub fn press(&self, key: &str) {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", "0", key])
            .status()
            .unwrap()
            .success();
        assert!(ok, "send-keys failed");
    }

    /// Types a command line and presses Enter.
    pub fn line(&self, text: &str) {
        self.keys(text);
        self.press("Enter");
    }

    /// The visible screen.
    pub fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `needle` (lines joined with `\n`), or fails with it.
    #[track_caller]
    pub fn wait_for(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            if start.elapsed() > limit {
                panic!("the terminal never showed {needle:?}; it shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Tmux {
    /// Waits until the shell shows its prompt (`$`) again, as the last line: after a
    /// program that owned the terminal exits, keys typed earlier could be discarded.
    #[track_caller]
    pub fn wait_for_prompt(&self, limit: Duration) {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            let last = screen.lines().rev().find(|l| !l.trim().is_empty());
            if last.map(str::trim_end) == Some("$") {
                return;
            }
            if start.elapsed() > limit {
                panic!("the shell never came back to its prompt; the terminal shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}
