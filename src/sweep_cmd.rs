//! The binary's side of `ecsim sweep` and `ecsim merge`: output folders (staged whole, like a
//! run's, by the binary's [`Staged`]), the progress bar, stdout (through `out!`, which never
//! panics on a closed pipe). Everything else is `ecsim::sweep`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use ecsim::scenario::Override;
use ecsim::sweep::outputs::{
    self, Outputs, PartialHeader, PARTIAL_FORMAT, PARTIAL_HEADER, PARTIAL_POINTS, PARTIAL_VERSION,
};
use ecsim::sweep::{self, CliOverrides, PointResult, Progress, Shard, SweepError};

use super::{print_to, Staged, Stream};

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
    let bar = ProgressLine::new(quiet);
    let progress = |p: Progress| bar.show(p.done, p.total);
    match shard {
        None => {
            // The whole folder is staged like a run's: it holds one sweep's complete
            // output, or the previous one untouched.
            let staged = Staged::begin(&out)?;
            let result = write_outputs(staged.path(), plan, &loaded.digest, |sink| {
                sweep::run_points(&loaded, None, &progress, sink)
            });
            bar.finish()?;
            let written = result?;
            staged.commit()?;
            print_written(&out, &written)
        }
        Some(shard) => {
            // Shards may share `--out` (a shared file system, a volume): each stages only
            // its own folder.
            let dir = out.join(shard.folder());
            let staged = Staged::begin(&dir)?;
            let result = (|| -> anyhow::Result<(u64, u64)> {
                let mut points = file_writer(&staged.path().join(PARTIAL_POINTS))?;
                let mut runs = 0u64;
                let n = sweep::run_points(&loaded, Some(shard), &progress, &mut |r| {
                    runs += u64::from(r.replicas);
                    points
                        .write_all(outputs::record_line(&r).as_bytes())
                        .map_err(|error| SweepError::Write {
                            what: PARTIAL_POINTS.into(),
                            error,
                        })
                })?;
                close(points, PARTIAL_POINTS)?;
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
                super::write_file(
                    &staged.path().join(PARTIAL_HEADER),
                    outputs::header_json(&header).as_bytes(),
                )?;
                Ok((n, runs))
            })();
            bar.finish()?;
            let (n, runs) = result?;
            staged.commit()?;
            out!(
                "shard {} of {}: {n} of {} points, {runs} runs; wrote {}/{{{PARTIAL_HEADER}, {PARTIAL_POINTS}}}; `ecsim merge {}` when every shard is done\n",
                shard.index,
                shard.count,
                plan.points,
                dir.display(),
                out.display()
            )?;
            Ok(())
        }
    }
}

/// `ecsim merge`.
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>) -> anyhow::Result<()> {
    let partials = outputs::read_partials(dirs)?;
    let out = out.unwrap_or_else(|| Path::new("results").join(&partials.plan.name));
    let staged = Staged::begin(&out)?;
    let written = write_outputs(staged.path(), &partials.plan, &partials.digest, |sink| {
        outputs::merge_points(&partials, sink)
    })?;
    staged.commit()?;
    print_written(&out, &written)
}

/// What [`write_outputs`] wrote, for the lines printed once the folder is in place.
struct Written {
    table: String,
    best: bool,
}

/// Streams `sweep.csv` into the staged folder `dir` while `feed` hands over the points, then
/// writes `sweep.json`, `sweep.html` and `best.json`: the same code for a sweep and a merge.
fn write_outputs(
    dir: &Path,
    plan: &sweep::Plan,
    digest: &str,
    feed: impl FnOnce(&mut dyn FnMut(PointResult) -> Result<(), SweepError>) -> Result<u64, SweepError>,
) -> anyhow::Result<Written> {
    let csv = file_writer(&dir.join("sweep.csv"))?;
    let mut outputs = Outputs::new(plan, digest, csv)?;
    feed(&mut |r| outputs.push(&r))?;
    let (csv, finished) = outputs.finish()?;
    close(csv, "sweep.csv")?;
    for (name, text) in [
        ("sweep.json", &finished.sweep_json),
        ("sweep.html", &finished.sweep_html),
    ] {
        super::write_file(&dir.join(name), text.as_bytes())?;
    }
    if let Some(text) = &finished.best_json {
        super::write_file(&dir.join("best.json"), text.as_bytes())?;
    }
    Ok(Written {
        table: finished.table,
        best: finished.best_json.is_some(),
    })
}

/// The table of best points and the list of files, on stdout.
fn print_written(out: &Path, written: &Written) -> anyhow::Result<()> {
    out!(
        "{}\nwrote {}/{{sweep.csv, sweep.json, sweep.html{}}}\n",
        written.table,
        out.display(),
        if written.best { ", best.json" } else { "" }
    )?;
    Ok(())
}

/// A buffered file in a staged folder (rows stream to it as points finish).
fn file_writer(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(BufWriter::new(file))
}

/// Flushes and syncs a file written with [`file_writer`].
fn close(w: BufWriter<File>, name: &str) -> anyhow::Result<()> {
    let f = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {name}"))?;
    f.sync_all().with_context(|| format!("cannot write {name}"))
}

/// `[####----] 12 of 60 points  ETA 1m05s` on stderr through the binary's [`Progress`]
/// (only on a terminal, not with `--quiet`, after 2 s; its first write error is returned by
/// [`ProgressLine::finish`]), redrawn at most every 200 ms.
struct ProgressLine {
    progress: super::Progress,
    last: std::sync::Mutex<Option<Instant>>,
}

impl ProgressLine {
    fn new(quiet: bool) -> ProgressLine {
        ProgressLine {
            progress: super::Progress::new(quiet),
            last: std::sync::Mutex::new(None),
        }
    }

    fn show(&self, done: u64, total: u64) {
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if done < total && last.is_some_and(|t| now.duration_since(t).as_millis() < 200) {
                return;
            }
            *last = Some(now);
        }
        self.progress.show(|elapsed| {
            let eta = if done == 0 {
                "ETA ?".to_string()
            } else {
                let left = elapsed / done as f64 * (total - done.min(total)) as f64;
                format!("ETA {}", clock(left))
            };
            format!(
                "{} {done} of {total} points  {eta}",
                super::progress_bar(done as f64 / total.max(1) as f64)
            )
        });
    }

    /// Ends the line if one was shown; the first write error, if any.
    fn finish(self) -> Result<(), super::StreamError> {
        self.progress.finish()
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
