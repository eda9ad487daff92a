//! Queueing fidelity: a fixed EC2 cluster of c one-task slots fed by Poisson arrivals with
//! exponential run times is an M/M/c queue; its mean wait must match Erlang C.

use serde_json::json;

use super::support::{run, skeleton, zero_latencies};

/// Erlang C: the probability that an arrival waits, for `c` servers and offered load `a`
/// = λ/μ (a < c):
///
///   C(c, a) = (aᶜ/c! · c/(c − a)) / (Σₖ₌₀^{c−1} aᵏ/k! + aᶜ/c! · c/(c − a))
///
/// and the mean wait in queue is Wq = C(c, a) / (cμ − λ).
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // aᵏ/k! for k = 0
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    // term = aᶜ/c! now.
    let top = term * f64::from(c) / (f64::from(c) - a);
    top / (sum + top)
}

#[test]
fn erlang_c_by_hand() {
    // c = 1: C = ρ. c = 2, a = 1: top = 1/2 · 2/1 = 1; sum = 1 + 1 = 2; C = 1/3.
    assert!((erlang_c(1, 0.5) - 0.5).abs() < 1e-12);
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn mean_wait_matches_erlang_c() {
    let seed = 2024;
    let c = 4u32;
    let mean_service_s = 60.0;
    let rho = 0.75;
    // λ = ρ · c · μ = 0.75 · 4 / 60 s = 0.05 /s = 180 /h.
    let lambda_per_s = rho * f64::from(c) / mean_service_s;
    let rate_per_hour = lambda_per_s * 3600.0;
    // The mean of n waits at ρ = 0.75 is noisy: waits are strongly autocorrelated, and runs
    // of 200 000 arrivals over seeds 1–8 landed between −3.8 % and +3.3 % of Erlang C
    // (standard error ≈ 2 %, no visible bias). So:
    // - release: 4448 h × 180 /h ≈ 800 000 arrivals (standard error ≈ 1 %), tolerance 3 %;
    // - debug (≈ 10× slower): 1112 h × 180 /h ≈ 200 000 arrivals, tolerance 7 % (≈ 3.5 σ).
    let (hours, tolerance) = if cfg!(debug_assertions) {
        (1112u32, 0.07)
    } else {
        (4448u32, 0.03)
    };

    let mut v = skeleton("mmc", &format!("{hours}h"), &["us-east-1a"]);
    v["settings"] = zero_latencies();
    // m5.large registers 2048 CPU units and ⌊8192 × 0.96⌋ = 7864 MiB; a task of 2048 units
    // and 1024 MiB fits exactly once per instance (CPU-bound), so each instance is a server.
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "servers",
        "instanceTypes": ["m5.large"],
        "minSize": c,
        "maxSize": c
    }]);
    v["taskDefinitions"] = json!([{
        "family": "job", "cpu": "2048", "memory": "1024", "requiresCompatibilities": ["EC2"]
    }]);
    v["workloads"] = json!([{
        "name": "poisson",
        "taskDefinition": "job",
        "launchType": "EC2",
        "source": { "poisson": {
            "ratePerHour": rate_per_hour,
            "duration": { "exponential": { "mean": format!("{mean_service_s}s") } }
        } }
    }]);
    let report = run(&v, seed);
    let s = &report.summary;

    // a = λ/μ = 0.05 · 60 = 3; C(4, 3) = (81/24 · 4) / (1 + 3 + 4.5 + 4.5 + 13.5) = 13.5 / 26.5
    // ≈ 0.5094; Wq = C / (cμ − λ) = 0.5094 / (4/60 − 3/60) = 0.5094 · 60 ≈ 30.57 s.
    let a = lambda_per_s * mean_service_s;
    let expected_wq = erlang_c(c, a) / (f64::from(c) / mean_service_s - lambda_per_s);
    assert!(
        (expected_wq - 30.566).abs() < 0.01,
        "hand value: {expected_wq}"
    );

    let arrivals = s.tasks.submitted as f64;
    let expected_arrivals = rate_per_hour * f64::from(hours);
    assert!(
        (arrivals - expected_arrivals).abs() < 5.0 * expected_arrivals.sqrt(),
        "seed {seed}: {arrivals} arrivals, expected ≈ {expected_arrivals}"
    );
    // Never more than c tasks at once on c one-task instances.
    assert!(
        report.timeseries.iter().all(|r| r.tasks_running <= c),
        "seed {seed}: more than {c} tasks running at once"
    );
    let measured = s.wait_time_s.mean;
    let rel = (measured - expected_wq).abs() / expected_wq;
    // Shown with --nocapture: how close this build's run came.
    eprintln!(
        "seed {seed}: {} waits, mean {measured:.3} s, Erlang C {expected_wq:.3} s ({:+.2} %)",
        s.wait_time_s.count,
        (measured / expected_wq - 1.0) * 100.0
    );
    assert!(
        rel <= tolerance,
        "seed {seed}: mean wait {measured:.3} s vs Erlang C {expected_wq:.3} s ({:.2} % off, \
         tolerance {:.0} %, {} waits measured)",
        rel * 100.0,
        tolerance * 100.0,
        s.wait_time_s.count
    );
    // Cross-check: the fraction of time instances are reserved is the utilisation ρ.
    let util = s.reservation.cpu_pct_avg / 100.0;
    assert!(
        (util - rho).abs() <= tolerance * rho,
        "seed {seed}: CPU reservation {util:.4}, expected ρ = {rho}"
    );
}

#[test]
fn identical_waiting_tasks_start_in_submission_order() {
    // One m5.large (one 2048-unit slot); three 100-second tasks submitted at 0, 10 and 20 s.
    // FIFO: starts at 0, 100, 200 s → waits 0, 90, 180 s (mean 90, max 180).
    // LIFO would start the third at 100 s and the second at 200 s → max wait 190 s.
    for window in [1u32, 64] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("t.csv"),
            "submit_time_s,cpu_units,memory_mib,duration_s,count\n0,2048,1024,100,1\n10,2048,1024,100,1\n20,2048,1024,100,1\n",
        )
        .unwrap();
        let mut v = skeleton("fifo", "1h", &["us-east-1a"]);
        let mut settings = zero_latencies();
        settings["placementBackfillWindow"] = json!(window);
        v["settings"] = settings;
        v["autoScalingGroups"] = json!([{
            "autoScalingGroupName": "one",
            "instanceTypes": ["m5.large"],
            "minSize": 1,
            "maxSize": 1
        }]);
        v["taskDefinitions"] = json!([{
            "family": "job", "cpu": "2048", "memory": "1024", "requiresCompatibilities": ["EC2"]
        }]);
        v["workloads"] = json!([{
            "name": "csv", "taskDefinition": "job", "launchType": "EC2",
            "source": { "csv": { "path": "t.csv" } }
        }]);
        let file = dir.path().join("s.json");
        std::fs::write(&file, serde_json::to_string(&v).unwrap()).unwrap();
        let sc = ecsim::load(&file).expect("valid");
        let r = ecsim::run(&sc, Some(1), &mut |_| {}).expect("runs");
        let w = &r.summary.wait_time_s;
        assert_eq!(w.count, 3, "window {window}");
        assert!(
            (w.mean - 90.0).abs() < 1e-9,
            "window {window}: mean {}",
            w.mean
        );
        assert!(
            (w.max - 180.0).abs() < 1e-9,
            "window {window}: max {}",
            w.max
        );
        assert_eq!(r.summary.tasks.completed, 3, "window {window}");
    }
}
