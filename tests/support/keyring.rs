//! A real Secret Service for one test: a private D-Bus session bus (`dbus-daemon
//! --session`) and `gnome-keyring-daemon` on it, its login keyring created and unlocked
//! with a test password, under the sandbox's HOME. Both die with the test (Drop, and
//! PDEATHSIG should the test process go first). `secret-tool` talks to the same bus.

use super::{Run, Sandbox, require};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "test-keyring-password";

pub struct Keyring {
    pub address: String,
    home: PathBuf,
    runtime_dir: PathBuf,
    bus: Child,
    daemon: Option<Child>,
}

#[allow(unsafe_code)]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

impl Keyring {
    /// Starts the bus and an unlocked keyring for `sandbox`.
    pub fn start(sandbox: &Sandbox) -> Keyring {
        let runtime_dir = sandbox.path("run");
        std::fs::create_dir_all(&runtime_dir).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut cmd = Command::new(require("dbus-daemon"));
        cmd.args(["--session", "--nofork", "--print-address=1"])
            .env_clear()
            .envs(sandbox.env())
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        die_with_parent(&mut cmd);
        let mut bus = cmd.spawn().expect("start dbus-daemon");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        let mut keyring = Keyring {
            address,
            home: sandbox.home(),
            runtime_dir,
            bus,
            daemon: None,
        };
        keyring.start_daemon();
        keyring
    }

    /// The variables that lead a client to this keyring.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            (
                "XDG_RUNTIME_DIR".into(),
                self.runtime_dir.display().to_string(),
            ),
        ]
    }

    fn start_daemon(&mut self) {
        let mut cmd = Command::new(require("gnome-keyring-daemon"));
        cmd.args(["--foreground", "--unlock", "--components=secrets"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        die_with_parent(&mut cmd);
        let mut daemon = cmd.spawn().expect("start gnome-keyring-daemon");
        {
            let mut stdin = daemon.stdin.take().unwrap();
            stdin.write_all(PASSWORD.as_bytes()).unwrap();
        }
        self.daemon = Some(daemon);
        self.wait_for_service();
    }

    /// Waits until org.freedesktop.secrets has an owner on the bus.
    fn wait_for_service(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let out = Command::new(require("dbus-send"))
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env_clear()
                .envs(self.env())
                .output()
                .unwrap();
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("gnome-keyring-daemon did not take org.freedesktop.secrets on the test bus");
    }

    /// `run` talking to this keyring.
    pub fn apply(&self, mut run: Run) -> Run {
        for (k, v) in self.env() {
            run = run.env(&k, &v);
        }
        run
    }

    /// `secret-tool ARGS` on this keyring's bus, with `stdin`; (status ok, stdout).
    pub fn secret_tool(&self, args: &[&str], stdin: Option<&str>) -> (bool, String) {
        let mut child = Command::new(require("secret-tool"))
            .args(args)
            .env_clear()
            .env("HOME", &self.home)
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            let mut pipe = child.stdin.take().unwrap();
            if let Some(text) = stdin {
                pipe.write_all(text.as_bytes()).unwrap();
            }
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// Locks the login collection (what a screen lock does).
    pub fn lock(&self) {
        self.lock_collection("login");
    }

    /// Locks collection `name`, through the daemon's D-Bus API.
    #[track_caller]
    pub fn lock_collection(&self, name: &str) {
        let collection = format!("array:objpath:/org/freedesktop/secrets/collection/{name}");
        let out = Command::new(require("dbus-send"))
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                &collection,
            ])
            .env_clear()
            .envs(self.env())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "could not lock the keyring: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if let Some(mut daemon) = self.daemon.take() {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
