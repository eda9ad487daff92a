//! Issue 15 point 2: the Alibaba GPU v2023 pod list as a workload source (`alibabaGpu`), read
//! through the scenario the way `validate` and `run` read it.

use ecsim::scenario::TracedWork;

use super::support::repo_root;

/// The counts below were made independently with Python's `csv` module over
/// `scenarios/traces/alibaba-gpu-2023-openb-pods/openb_pod_list_default.csv` (origin 140 days
/// = 12,096,000 s, end 7 days later): of the 7,254 pods that ran and ask some memory, 2,110
/// GPU pods and 320 CPU-only pods were still alive at the origin or created after it, and
/// 1,177 and 259 of those are created by the end of the run. 4,092 GPU pods and 732 CPU-only
/// pods ended before the origin; line 1,525 is a GPU pod with `memory_mib` 0.
#[test]
fn check_traces_counts_the_gpu_batch_pods_and_their_skips() {
    let file = repo_root().join("scenarios/gpu-batch/all-on-gpu-instances.json");
    let scenario = ecsim::load(&file).expect("the shipped scenario loads");
    let read = ecsim::check_traces(&scenario).expect("the trace reads");
    assert_eq!(read.submissions, 2110 + 320);
    let TracedWork { workload_tasks, .. } = &read.work;
    assert_eq!(workload_tasks, &vec![Some(1177), Some(259)]);
    assert_eq!(
        read.skipped,
        vec![
            (
                "gpu-pods".to_string(),
                "897 with a pod_phase not replayed, 1052 not of the pod kind asked for, \
                 1 with no cpu_milli/memory_mib, 4092 that ended before the origin"
                    .to_string()
            ),
            (
                "cpu-pods".to_string(),
                "897 with a pod_phase not replayed, 6203 not of the pod kind asked for, \
                 732 that ended before the origin"
                    .to_string()
            ),
        ]
    );
    // Python over the same 2,110 GPU pods: 0 < gpu_milli < 1000 with num_gpu 1 → 880.
    assert_eq!(
        read.adjusted,
        vec![(
            "gpu-pods".to_string(),
            "880 pods sharing a GPU given a whole one".to_string()
        )]
    );
}

/// `validate` says how many rows each workload's reader skipped, so a replay never drops part
/// of a trace silently.
#[test]
fn validate_prints_the_skipped_pods() {
    let file = repo_root().join("scenarios/gpu-batch/cpu-pods-on-fargate.json");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("(0 services, 2 workloads, 2,430 trace submissions and 0 rate steps read)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "workload cpu-pods: trace rows skipped: 897 with a pod_phase not replayed, \
             6203 not of the pod kind asked for, 732 that ended before the origin"
        ),
        "{stdout}"
    );
}

/// The GPU count a pod asks for reaches the submissions the simulator pulls, and the other
/// readers leave it at 0.
#[test]
fn gpu_counts_reach_the_submissions() {
    let file = repo_root().join("scenarios/gpu-batch/all-on-gpu-instances.json");
    let scenario = ecsim::load(&file).expect("the shipped scenario loads");
    let rng = ecsim::engine::RngStreams::new(0).stream(ecsim::engine::Stream::Workload);
    let jobs: Vec<_> = ecsim::simulation::open_source(&scenario.workloads[0].source, rng)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Python over the file, the 2,110 GPU pods alive at or created after day 140, by
    // num_gpu: 2,084 × 1, 8 × 2, 9 × 4, 9 × 8 = 2,208 GPUs.
    let by_count = |n: u32| jobs.iter().filter(|j| j.gpus == n).count();
    assert_eq!(
        [by_count(1), by_count(2), by_count(4), by_count(8)],
        [2084, 8, 9, 9]
    );
    assert_eq!(jobs.iter().map(|j| u64::from(j.gpus)).sum::<u64>(), 2208);
    let batch = repo_root().join("scenarios/ec2-vs-fargate-batch/ec2.json");
    let scenario = ecsim::load(&batch).expect("the shipped scenario loads");
    let rng = ecsim::engine::RngStreams::new(0).stream(ecsim::engine::Stream::Workload);
    let source = ecsim::simulation::open_source(&scenario.workloads[0].source, rng).unwrap();
    assert!(source.map(Result::unwrap).all(|j| j.gpus == 0));
}

/// A scenario whose GPUs come only from a GPU trace's rows (no task definition asks for a
/// device) still states how devices are placed: the pods' GPUs are placed as a resource.
/// Fails if the assumption looks only at task definitions.
#[test]
fn a_gpu_trace_alone_lists_the_device_assumption() {
    let file = repo_root().join("scenarios/gpu-batch/all-on-gpu-instances.json");
    let mut sc = ecsim::load(&file).expect("the shipped scenario loads");
    // Take away the one device a task definition asks for (the CPU pods' awsvpc ENI).
    for td in &mut sc.task_definitions {
        td.size.eni = 0;
        td.size.gpu = 0;
        td.size.neuron = 0;
    }
    sc.duration = ecsim::engine::SimDuration::from_secs(3600);
    let report = ecsim::run(&sc, None, &mut |_| {}).expect("runs");
    assert!(
        report
            .summary
            .assumptions
            .iter()
            .any(|a| a.topic == "ENIs, GPUs and Neuron devices"),
        "the GPU trace's pods take GPUs, so the report says how they are placed"
    );
}
