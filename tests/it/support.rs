//! Shared helpers: build scenario JSON, validate it, run it.

use std::path::Path;

use ecsim::report::Report;
use ecsim::Scenario;
use serde_json::{json, Value};

/// The repository root (where `scenarios/` lives).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Settings that make every latency zero, so hand arithmetic stays exact.
pub fn zero_latencies() -> Value {
    json!({
        "instanceRunningLatency": "0s",
        "agentRegistrationLatency": "0s",
        "ec2TaskStartLatency": "0s",
        "fargateProvisioningLatency": "0s",
        "fargateTaskStartLatency": "0s",
        "taskStopLatency": "0s"
    })
}

/// A minimal scenario skeleton: a cluster in `azs`, nothing else. Callers add keys.
pub fn skeleton(name: &str, duration: &str, azs: &[&str]) -> Value {
    json!({
        "name": name,
        "duration": duration,
        "cluster": {
            "clusterName": name,
            "availabilityZones": azs,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"]
        }
    })
}

/// Validates `value` as a scenario; panics with every problem if it is invalid.
pub fn scenario(value: &Value) -> Scenario {
    let text = serde_json::to_string_pretty(value).expect("serialisable");
    match ecsim::scenario::from_json_str(&text, Path::new("test.json"), repo_root()) {
        Ok(s) => s,
        Err(e) => panic!("scenario should be valid: {e}\n{text}"),
    }
}

/// Validates and runs `value` with `seed`.
pub fn run(value: &Value, seed: u64) -> Report {
    let sc = scenario(value);
    match ecsim::run(&sc, Some(seed), &mut |_| {}) {
        Ok(r) => r,
        Err(e) => panic!("run failed (seed {seed}): {e}"),
    }
}

/// Money in the report is rounded to a micro-dollar (`simulation::state::round6`).
pub const USD: f64 = 0.5e-6 + 1e-12;

/// Percentages in the report are rounded to 4 decimals.
pub const PCT: f64 = 0.5e-4 + 1e-9;

/// `a` and `b` are within `tol` of each other (absolute).
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}
