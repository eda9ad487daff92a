//! The binary's side of `ecsim sweep` and `ecsim merge`: output folders, files written under
//! temporary names and renamed when complete, the progress bar, stdout. Everything else is
//! `ecsim::sweep`.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use ecsim::scenario::Override;
use ecsim::sweep::outputs::{
    self, Outputs, PartialHeader, PARTIAL_FORMAT, PARTIAL_HEADER, PARTIAL_POINTS, PARTIAL_VERSION,
};
use ecsim::sweep::{self, CliOverrides, PointResult, Progress, Shard, SweepError};

/// `ecsim sweep`.
#[allow(clippy::too_many_arguments)]
pub fn sweep(
    file: &Path,
    out: Option<PathBuf>,
    replicas: Option<u32>,
    seed: Option<u64>,
    set: Vec<Override>,
    quiet: bool,
    shard: Option<String>,
) -> anyhow::Result<()> {
    // Every check happens before anything is written.
    let shard = match shard {
        Some(s) => Some(Shard::parse(&s, &|v| std::env::var(v).ok())?),
        None => None,
    };
    let loaded = sweep::load(
        file,
        &CliOverrides {
            seed,
            replicas,
            set,
        },
    )?;
    let plan = &loaded.plan;
    let out = out.unwrap_or_else(|| Path::new("results").join(&plan.name));
    let bar = ProgressLine::new(!quiet && std::io::stderr().is_terminal());
    let progress = |p: Progress| bar.show(p.done, p.total);
    match shard {
        None => {
            let created = Folder::create(&out)?;
            let result = write_outputs(&out, plan, &loaded.digest, |sink| {
                sweep::run_points(&loaded, None, &progress, sink)
            });
            bar.end();
            created.keep_if(result.is_ok());
            result
        }
        Some(shard) => {
            let dir = out.join(shard.folder());
            let created = Folder::create(&dir)?;
            let result = (|| -> anyhow::Result<()> {
                let mut points = Staged::create(&dir.join(PARTIAL_POINTS))?;
                let mut runs = 0u64;
                let n = sweep::run_points(&loaded, Some(shard), &progress, &mut |r| {
                    runs += u64::from(r.replicas);
                    points
                        .write_all(outputs::record_line(&r).as_bytes())
                        .map_err(|source| SweepError::Write {
                            what: PARTIAL_POINTS.into(),
                            source,
                        })
                })?;
                points.commit()?;
                // Written last: a shard folder without it did not finish.
                let header = PartialHeader {
                    format: PARTIAL_FORMAT.into(),
                    format_version: PARTIAL_VERSION,
                    ecsim_version: outputs::ECSIM_VERSION.into(),
                    digest: loaded.digest.clone(),
                    shard: shard.index,
                    shards: shard.count,
                    points: n,
                    plan: plan.clone(),
                };
                let mut h = Staged::create(&dir.join(PARTIAL_HEADER))?;
                h.write_all(outputs::header_json(&header).as_bytes())?;
                h.commit()?;
                println!(
                    "shard {} of {}: {n} of {} points, {runs} runs; wrote {}/{{{PARTIAL_HEADER}, {PARTIAL_POINTS}}}; `ecsim merge {}` when every shard is done",
                    shard.index,
                    shard.count,
                    plan.points,
                    dir.display(),
                    out.display()
                );
                Ok(())
            })();
            bar.end();
            created.keep_if(result.is_ok());
            result
        }
    }
}

/// `ecsim merge`.
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>) -> anyhow::Result<()> {
    let partials = outputs::read_partials(dirs)?;
    let out = out.unwrap_or_else(|| Path::new("results").join(&partials.plan.name));
    let created = Folder::create(&out)?;
    let result = write_outputs(&out, &partials.plan, &partials.digest, |sink| {
        outputs::merge_points(&partials, sink)
    });
    created.keep_if(result.is_ok());
    result
}

/// Streams `sweep.csv` while `feed` hands over the points, then writes `sweep.json`,
/// `sweep.html` and `best.json` and prints the table: the same code for a sweep and a merge.
fn write_outputs(
    out: &Path,
    plan: &sweep::Plan,
    digest: &str,
    feed: impl FnOnce(&mut dyn FnMut(PointResult) -> Result<(), SweepError>) -> Result<u64, SweepError>,
) -> anyhow::Result<()> {
    let csv = Staged::create(&out.join("sweep.csv"))?;
    let mut outputs = Outputs::new(plan, digest, csv)?;
    feed(&mut |r| outputs.push(&r))?;
    let (csv, finished) = outputs.finish()?;
    csv.commit()?;
    for (name, text) in [
        ("sweep.json", &finished.sweep_json),
        ("sweep.html", &finished.sweep_html),
    ] {
        let mut f = Staged::create(&out.join(name))?;
        f.write_all(text.as_bytes())?;
        f.commit()?;
    }
    let best = out.join("best.json");
    match &finished.best_json {
        Some(text) => {
            let mut f = Staged::create(&best)?;
            f.write_all(text.as_bytes())?;
            f.commit()?;
        }
        // A best.json left by an earlier sweep in this folder would answer another question.
        None => match std::fs::remove_file(&best) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove stale {}", best.display()))
            }
            _ => {}
        },
    }
    print!("{}", finished.table);
    println!();
    println!(
        "wrote {}/{{sweep.csv, sweep.json, sweep.html{}}}",
        out.display(),
        if finished.best_json.is_some() {
            ", best.json"
        } else {
            ""
        }
    );
    Ok(())
}

/// A file written under a temporary name beside its final one and renamed by
/// [`Staged::commit`]; dropped uncommitted, the temporary file is removed.
struct Staged {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<std::fs::File>>,
}

impl Staged {
    fn create(path: &Path) -> anyhow::Result<Staged> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        Ok(Staged {
            path: path.to_path_buf(),
            tmp,
            file: Some(BufWriter::new(file)),
        })
    }

    fn commit(mut self) -> anyhow::Result<()> {
        let result = (|| -> std::io::Result<()> {
            if let Some(f) = self.file.take() {
                let f = f.into_inner().map_err(|e| e.into_error())?;
                f.sync_all()?;
            }
            std::fs::rename(&self.tmp, &self.path)
        })();
        result.with_context(|| format!("cannot write {}", self.path.display()))
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("already committed")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// An output folder, removed again on failure if this run created it and left it empty.
struct Folder {
    path: PathBuf,
    created: bool,
}

impl Folder {
    fn create(path: &Path) -> anyhow::Result<Folder> {
        let created = !path.exists();
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create output folder {}", path.display()))?;
        Ok(Folder {
            path: path.to_path_buf(),
            created,
        })
    }

    fn keep_if(self, ok: bool) {
        if !ok && self.created {
            // Only an empty folder goes: remove_dir refuses anything else.
            let _ = std::fs::remove_dir(&self.path);
        }
    }
}

/// `[####----] 12 of 60 points  ETA 1m05s` on stderr, redrawn at most every 200 ms, only
/// when stderr is a terminal and not `--quiet`.
struct ProgressLine {
    on: bool,
    started: Instant,
    last: std::sync::Mutex<Option<Instant>>,
}

impl ProgressLine {
    fn new(on: bool) -> ProgressLine {
        ProgressLine {
            on,
            started: Instant::now(),
            last: std::sync::Mutex::new(None),
        }
    }

    fn show(&self, done: u64, total: u64) {
        if !self.on {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if done < total && last.is_some_and(|t| now.duration_since(t).as_millis() < 200) {
            return;
        }
        *last = Some(now);
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = if done == 0 {
            "ETA ?".to_string()
        } else {
            let left = elapsed / done as f64 * (total - done.min(total)) as f64;
            format!("ETA {}", clock(left))
        };
        eprint!(
            "\r  {} {done} of {total} points  {eta}   ",
            super::progress_bar(done as f64 / total.max(1) as f64)
        );
        let _ = std::io::stderr().flush();
    }

    fn end(&self) {
        if self.on && self.last.lock().map(|l| l.is_some()).unwrap_or(false) {
            eprintln!();
        }
    }
}

/// `1h02m`, `3m05s`, `42s`.
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn clock_reads_like_a_duration() {
        assert_eq!(clock(42.4), "42s");
        assert_eq!(clock(185.0), "3m05s");
        assert_eq!(clock(3720.0), "1h02m");
        assert_eq!(clock(-1.0), "0s");
    }
}
