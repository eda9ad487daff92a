//! `report.html` and `compare.html` in a real browser: headless Chromium opens each page,
//! takes a screenshot, and its log shows no console message and no load of anything but the
//! page itself.
//!
//! Chromium is not a Rust dependency: `.ci/run` installs Debian's `chromium` package.
//! Where no Chromium is found the test prints why and returns. libtest has no way to
//! mark a test skipped at run time (`#[ignore]` is decided at compile time), so such a
//! run shows as passed; the message on stderr (`cargo test -- --nocapture`) says it was not.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::repo_root;

/// Chromium is killed after this long; a first start on a cold disk takes a few seconds,
/// so a run this long has hung (for example waiting on a network that is not there).
const TIMEOUT: Duration = Duration::from_secs(60);

/// The PNG file signature.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A 1200×2000 screenshot of a page with text and charts is tens of kilobytes; a blank
/// page is about 11 KB, an empty or truncated file far less.
const MIN_SCREENSHOT_BYTES: u64 = 4096;

/// Hosts that Chromium 156 itself contacts at start (sign-in account list, update
/// checks, network time) even with `--disable-background-networking`. A page cannot cause
/// these, so they are not held against it; any other request is.
const BROWSER_OWN_HOSTS: [&str; 4] = [
    "accounts.google.com",
    "update.googleapis.com",
    "clients2.google.com",
    // Chromium 148 (Debian 12) asks www.google.com/async/folae on start-up, page or no page.
    // The page itself holds no address of any kind (report_html's self_contained check).
    "www.google.com",
];

/// The Chromium to use: `ECSIM_CHROMIUM` if set, else Debian's path, else the usual
/// names on `PATH`.
fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ECSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let debian = Path::new("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// What one headless run left behind.
struct Shot {
    success: bool,
    status: String,
    stderr: String,
    png: PathBuf,
}

/// Opens `page` headless and screenshots it into `dir/shot.png`. Output goes to files,
/// not pipes, so a chatty Chromium cannot block on a full pipe while we wait for it.
fn screenshot(chromium: &Path, page: &Path, dir: &Path) -> Shot {
    let png = dir.join("shot.png");
    let profile = dir.join("profile");
    let out_path = dir.join("chromium.stdout");
    let err_path = dir.join("chromium.stderr");
    let out = File::create(&out_path).expect("create stdout file");
    let err = File::create(&err_path).expect("create stderr file");
    let mut cmd = Command::new(chromium);
    // Debian's /usr/bin/chromium is a shell script that runs the browser as its child,
    // and the browser starts helpers of its own: a group of their own lets a timeout
    // kill all of them, not just the script.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .args([
            // As the machine's probe ran it: headless as root, and none of Chromium's own
            // network traffic, which a closed network refuses.
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .args([
            "--window-size=1200,2000",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            // The two verbose lines that name every URL the browser fetches; the rest of
            // Chromium stays at its default level so stderr stays small.
            "--vmodule=file_url_loader_factory=1,network_delegate=1",
        ])
        .arg(file_url(page))
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", chromium.display()));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for chromium") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            // Best effort: the processes may have exited since the last look.
            #[cfg(unix)]
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
            panic!("chromium still running after {TIMEOUT:?}; killed. stderr:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Shot {
        success: status.success(),
        status: status.to_string(),
        stderr: std::fs::read_to_string(&err_path).expect("read chromium stderr"),
        png,
    }
}

/// `file://` URL of an absolute path (the temp dir's path has no characters to escape).
fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The lines of Chromium's stderr that show the page misbehaving, given the page's own
/// URL. Chromium 156 (Debian) with `--enable-logging=stderr` and the `--vmodule` above
/// writes, in its `[pid:tid:date:LEVEL:file.cc:line] message` format:
///
/// - `...:INFO:CONSOLE:<line>] "<text>", source: <url> (<line>)` for every console message
///   of the page, whatever its level (`console.error` and `console.log` look the same),
///   and for errors the engine reports to the console (uncaught exceptions, blocked
///   loads). The report has no script, so any of these is an error.
/// - `...:VERBOSE1:...file_url_loader_factory.cc:...] FileURLLoader::Start: <url>` for every
///   `file://` load, found or not: a missing `<img src>` logs this and nothing else, so
///   any such line but the page's own load is a resource the page tried to read.
/// - `...:VERBOSE1:...network_delegate.cc:...] NetworkDelegate::NotifyBeforeURLRequest:
///   <url>` for every network request, the browser's own included; those to
///   [`BROWSER_OWN_HOSTS`] are the browser's.
///
/// Everything else is noise of a container without D-Bus, GPU or network (`dbus/bus.cc`,
/// `vaapi_wrapper.cc`, `sandbox_linux.cc`, the launcher's `/dev/shm` size check, ...) and
/// is ignored, whatever its level.
fn page_problems(stderr: &str, page_url: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|line| {
            if line.contains(":CONSOLE:") {
                return true;
            }
            if let Some((_, url)) = line.split_once("FileURLLoader::Start: ") {
                return url.trim() != page_url;
            }
            if let Some((_, url)) = line.split_once("NotifyBeforeURLRequest: ") {
                return !BROWSER_OWN_HOSTS.contains(&host(url.trim()));
            }
            false
        })
        .map(str::to_owned)
        .collect()
}

/// The host of an `http(s)://host[:port]/...` URL; empty for anything else.
fn host(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.split(':').next().unwrap_or("")
}

/// Lines captured from this Chromium opening a deliberately broken page (`bad.html` with a
/// `console.error`, a `console.log`, a missing image and script and a stylesheet on an
/// unresolvable host), trimmed to one of each kind plus the noise around them.
const CAPTURED: &str = r#"/usr/bin/chromium: 9: [: 25276510208: unexpected operator
[14917:14952:1126/012714.006:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory
[14917:14917:1126/012714.108:WARNING:media/gpu/vaapi/vaapi_wrapper.cc:1655] drmGetDevices2() has not found any devices
[14917:14952:1126/012714.143:VERBOSE1:net/base/network_delegate.cc:38] NetworkDelegate::NotifyBeforeURLRequest: https://accounts.google.com/ListAccounts?gpsia=1&source=ChromiumBrowser&json=standard
[14917:14952:1126/012714.186:VERBOSE1:net/base/network_delegate.cc:38] NetworkDelegate::NotifyBeforeURLRequest: https://update.googleapis.com/service/update2/json?cup2key=ML-DSA-44-16:BDLiAyWP93WCF
[14836:14867:1126/012714.467:VERBOSE1:content/browser/loader/file_url_loader_factory.cc:477] FileURLLoader::Start: file:///tmp/cx/bad.html
[14917:14952:1126/012714.502:VERBOSE1:net/base/network_delegate.cc:38] NetworkDelegate::NotifyBeforeURLRequest: http://example.invalid/x.css
[14836:14868:1126/012714.505:VERBOSE1:content/browser/loader/file_url_loader_factory.cc:477] FileURLLoader::Start: file:///tmp/cx/missing.png
[14836:14836:1126/012714.515:INFO:CONSOLE:3] "deliberate-console-error", source: file:///tmp/cx/bad.html (3)
[14836:14836:1126/012714.515:INFO:CONSOLE:3] "a log line", source: file:///tmp/cx/bad.html (3)
12179 bytes written to file /tmp/cx/bad.png
"#;

#[test]
fn detector_on_captured_output() {
    let found = page_problems(CAPTURED, "file:///tmp/cx/bad.html");
    let joined = found.join("\n");
    assert_eq!(found.len(), 4, "{joined}");
    for needle in [
        "http://example.invalid/x.css",
        "file:///tmp/cx/missing.png",
        "deliberate-console-error",
        "a log line",
    ] {
        assert!(
            joined.contains(needle),
            "{needle} not flagged in:\n{joined}"
        );
    }
    // Only the noise and the page's own load: nothing to report.
    let clean: String = CAPTURED
        .lines()
        .filter(|l| {
            !l.contains("example.invalid") && !l.contains("missing.png") && !l.contains("CONSOLE")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        page_problems(&clean, "file:///tmp/cx/bad.html"),
        Vec::<String>::new()
    );
    assert_eq!(host("https://a.example:8443/x?y"), "a.example");
    assert_eq!(host("file:///tmp/x"), "");
}

/// Opens `page` in `chromium`, screenshots it into `run_dir` (created), and asserts the
/// screenshot is a real one and the log shows the page's own load and nothing else.
fn assert_page_clean(chromium: &Path, page: &Path, run_dir: &Path) {
    std::fs::create_dir(run_dir).expect("run dir");
    let shot = screenshot(chromium, page, run_dir);
    assert!(
        shot.success,
        "chromium exited with {}; stderr:\n{}",
        shot.status, shot.stderr
    );
    let bytes = std::fs::read(&shot.png)
        .unwrap_or_else(|e| panic!("no screenshot {}: {e}\n{}", shot.png.display(), shot.stderr));
    assert!(bytes.starts_with(&PNG_SIGNATURE), "screenshot is not a PNG");
    assert!(
        bytes.len() as u64 > MIN_SCREENSHOT_BYTES,
        "screenshot only {} bytes",
        bytes.len()
    );
    // The page's own load is logged too: proof that the URL logging the detector reads
    // was on in this run, so an empty result below means something.
    assert!(
        shot.stderr
            .contains(&format!("FileURLLoader::Start: {}", file_url(page))),
        "chromium did not log the page's own load; stderr:\n{}",
        shot.stderr
    );
    let problems = page_problems(&shot.stderr, &file_url(page));
    assert!(
        problems.is_empty(),
        "{} logged or loaded something:\n{}",
        page.display(),
        problems.join("\n")
    );
}

/// A page built to fail every check: the detector must flag it in a live run too, or
/// the clean result for the report would prove nothing.
const BROKEN_PAGE: &str = r#"<!DOCTYPE html>
<html><head><title>broken</title>
<link rel="stylesheet" href="http://example.invalid/x.css"></head>
<body><p>broken on purpose</p><img src="missing.png" alt="">
<script>console.error("deliberate-console-error");</script></body></html>
"#;

#[test]
fn report_html_renders_in_headless_chromium() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "skipped: headless Chromium not found (install Debian package chromium, \
             or set ECSIM_CHROMIUM)"
        );
        return;
    };
    let dir = tempfile::TempDir::new().expect("temp dir");

    let rel = "scenarios/quickstart.json";
    let sc = ecsim::load(&repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let report = ecsim::run(&sc, None, &mut |_| {}).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let page = dir.path().join("report.html");
    std::fs::write(&page, ecsim::report::html::report_html(&report)).expect("write report.html");

    assert_page_clean(&chromium, &page, &dir.path().join("report-run"));

    // Negative control: the same browser, flags and detector on a page that misbehaves.
    let broken_dir = dir.path().join("broken");
    std::fs::create_dir(&broken_dir).expect("broken dir");
    let broken = broken_dir.join("broken.html");
    std::fs::write(&broken, BROKEN_PAGE).expect("write broken.html");
    let shot = screenshot(&chromium, &broken, &broken_dir);
    let joined = page_problems(&shot.stderr, &file_url(&broken)).join("\n");
    for needle in ["deliberate-console-error", "missing.png", "example.invalid"] {
        assert!(
            joined.contains(needle),
            "broken page: {needle} not flagged; stderr:\n{}",
            shot.stderr
        );
    }
}

#[test]
fn compare_html_renders_in_headless_chromium() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "skipped: headless Chromium not found (install Debian package chromium, \
             or set ECSIM_CHROMIUM)"
        );
        return;
    };
    let dir = tempfile::TempDir::new().expect("temp dir");
    // A small two-variant comparison: the quickstart under two seeds, with its charts.
    let rel = "scenarios/quickstart.json";
    let sc = ecsim::load(&repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let a = ecsim::run(&sc, Some(1), &mut |_| {}).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let b = ecsim::run(&sc, Some(2), &mut |_| {}).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let entry = |name, r: &'static str, s| ecsim::compare::Entry {
        name,
        description: r,
        summary: s,
    };
    let c = ecsim::compare::compare(
        &[
            entry("seed-one", "quickstart, seed 1", &a.summary),
            entry("seed-two", "quickstart, seed 2", &b.summary),
        ],
        1,
    );
    let charts: Vec<ecsim::compare::InlineChart> = ecsim::report::charts::CompareChart::ALL
        .iter()
        .map(|k| {
            ecsim::compare::InlineChart::from_svg(k.title(), &k.svg(&c).expect("chart renders"))
        })
        .collect();
    let page = dir.path().join("compare.html");
    std::fs::write(&page, ecsim::compare::html(&c, &charts)).expect("write compare.html");
    assert_page_clean(&chromium, &page, &dir.path().join("compare-run"));
}

/// Issue 16: the page of a run written with `--explain` (timeline rows linking to their
/// decisions, the tasks never placed, the explanations) renders clean, for a small run and
/// one with many events and never-placed tasks, and its explanations stay bounded: the
/// page stays a size a browser opens at once.
#[test]
fn explained_report_html_renders_in_headless_chromium() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "skipped: headless Chromium not found (install Debian package chromium, \
             or set ECSIM_CHROMIUM)"
        );
        return;
    };
    let dir = tempfile::TempDir::new().expect("temp dir");
    // Small; with tasks never placed; large (a week, 238 scaling events: more rows than
    // the page holds explanations for).
    for (k, rel) in [
        "scenarios/scale-out-lag/scenario.json",
        "scenarios/az-outage/one-az.json",
        "scenarios/ec2-or-fargate/scenario.json",
    ]
    .into_iter()
    .enumerate()
    {
        let sc = ecsim::load(&repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let report =
            ecsim::run_explained(&sc, None, &mut |_| {}).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let html = ecsim::report::html::report_html(&report);
        assert!(
            html.contains("id=\"explanations\""),
            "{rel}: no explanations"
        );
        let explanations = html.matches("<pre class=\"why\"").count();
        assert!(
            (1..=ecsim::report::html::EXPLANATIONS_IN_PAGE).contains(&explanations),
            "{rel}: {explanations} explanations in the page"
        );
        if k == 2 {
            assert_eq!(explanations, ecsim::report::html::EXPLANATIONS_IN_PAGE);
            assert!(
                html.contains("ecsim explain DIR --event"),
                "{rel}: rows past the bound name their command"
            );
        }
        if k == 1 {
            assert!(
                html.contains("Tasks never placed"),
                "{rel}: no never-placed section"
            );
        }
        assert!(
            html.len() < 2 << 20,
            "{rel}: report.html is {} bytes",
            html.len()
        );
        let page = dir.path().join(format!("explained-{k}.html"));
        std::fs::write(&page, html).expect("write report.html");
        assert_page_clean(
            &chromium,
            &page,
            &dir.path().join(format!("explained-run-{k}")),
        );
    }
}
