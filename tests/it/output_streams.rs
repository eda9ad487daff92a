//! Issue 10 point 1: a closed pipe on stdout or stderr ends ecsim quietly (exit 0 on
//! stdout, as ripgrep; 1 on stderr, since the work was cut short), and any other write
//! error (`> /dev/full`) is one line on stderr and exit 1 — never a panic (exit 101).
//!
//! A closed pipe is made deterministic with a Unix socket pair whose other end is closed
//! before ecsim starts: every write then fails with EPIPE, as a pipe whose reader (`head -1`)
//! has gone. A real pipe closed early races with the first write.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::{Command, Output, Stdio};

use super::support::repo_root;

fn ecsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    c.current_dir(repo_root());
    c
}

/// A write end whose reader is already gone.
fn closed_pipe() -> Stdio {
    let (ours, theirs) = UnixStream::pair().expect("socket pair");
    drop(ours);
    Stdio::from(OwnedFd::from(theirs))
}

/// `/dev/full` opened for writing: every write fails with ENOSPC. `None` where there is none.
fn dev_full() -> Option<Stdio> {
    match File::options().write(true).open("/dev/full") {
        Ok(f) => Some(Stdio::from(f)),
        Err(e) => {
            eprintln!("skipped: no /dev/full ({e})");
            None
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code and stderr of `cmd` with its stdout set to `stdout`.
fn with_stdout(mut cmd: Command, stdout: Stdio) -> Output {
    cmd.stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("ecsim runs")
}

#[test]
fn validate_into_a_closed_pipe_exits_0_quietly() {
    let mut cmd = ecsim();
    cmd.args(["validate", "scenarios/quickstart.json"]);
    let o = with_stdout(cmd, closed_pipe());
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
}

#[test]
fn run_and_compare_into_a_closed_pipe_exit_0_quietly_after_writing_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut cmd = ecsim();
    cmd.args(["run", "scenarios/binpack-vs-spread/binpack.json", "--quiet"])
        .args(["--set", "/duration=1h", "--no-charts", "--out"])
        .arg(&out);
    let o = with_stdout(cmd, closed_pipe());
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
    // stdout is written last: the closed pipe loses the table, not the run.
    assert!(out.join("summary.json").is_file());

    let tree = dir.path().join("compare");
    let mut cmd = ecsim();
    cmd.args(["compare", "scenarios/binpack-vs-spread/binpack.json"])
        .arg("scenarios/binpack-vs-spread/spread.json")
        .args(["--quiet", "--set", "/duration=1h", "--no-charts", "--out"])
        .arg(&tree);
    let o = with_stdout(cmd, closed_pipe());
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
    assert!(tree.join("compare.json").is_file());
}

#[test]
fn help_into_a_closed_pipe_exits_0_quietly() {
    let mut cmd = ecsim();
    cmd.arg("--help");
    let o = with_stdout(cmd, closed_pipe());
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
}

#[test]
fn a_closed_stderr_during_the_work_exits_1_quietly() {
    // ec2-or-fargate has variants, so `run` writes a note on stderr before it runs.
    let dir = tempfile::tempdir().unwrap();
    let o = ecsim()
        .args(["run", "scenarios/ec2-or-fargate/scenario.json", "--out"])
        .arg(dir.path().join("r"))
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .expect("ecsim runs");
    assert_eq!(o.status.code(), Some(1), "stdout: {}", text(&o.stdout));
    assert_eq!(text(&o.stdout), "");
    assert!(!dir.path().join("r").exists(), "the run was cut short");
}

#[test]
fn a_full_stdout_is_one_line_and_exit_1() {
    for args in [
        &["validate", "scenarios/quickstart.json"][..],
        &[
            "run",
            "scenarios/binpack-vs-spread/binpack.json",
            "--quiet",
            "--no-charts",
            "--set",
            "/duration=1h",
        ][..],
        &[
            "compare",
            "scenarios/binpack-vs-spread/binpack.json",
            "scenarios/binpack-vs-spread/spread.json",
            "--quiet",
            "--no-charts",
            "--set",
            "/duration=1h",
        ][..],
        &["--version"][..],
    ] {
        let Some(full) = dev_full() else { return };
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = ecsim();
        cmd.args(args);
        if args[0] == "run" || args[0] == "compare" {
            cmd.arg("--out").arg(dir.path().join("r"));
        }
        let o = with_stdout(cmd, full);
        let stderr = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(
            stderr, "error: cannot write to stdout: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

#[test]
fn an_input_error_keeps_exit_2_when_stderr_is_full() {
    // The error line cannot be written, but the exit code still says "fix your input".
    let Some(full) = dev_full() else { return };
    let o = ecsim()
        .args(["validate", "no/such/file.json"])
        .stdout(Stdio::piped())
        .stderr(full)
        .output()
        .expect("ecsim runs");
    assert_eq!(o.status.code(), Some(2));
}
