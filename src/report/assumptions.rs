//! The assumptions section: every simplification of the model and every default in force.

use super::Assumption;
use crate::scenario::Scenario;

fn a(topic: &str, value: String, source: &str) -> Assumption {
    Assumption {
        topic: topic.to_string(),
        value,
        source: source.to_string(),
    }
}

/// The assumptions in force for `sc`, in a fixed order.
pub fn for_scenario(sc: &Scenario) -> Vec<Assumption> {
    let s = &sc.settings;
    let mut out = vec![
        a("region and prices", "us-east-1 on-demand Linux prices embedded (catalog overrides applied if given)".into(), "ecs-reference §7.1, §7.5 (Karpenter generated pricing 2026-07-20; Fargate pricing page)"),
        a("EC2 billing", "per second from `running` to termination, 60 s minimum per launch".into(), "ecs-reference §7.6 [API]"),
        a("Fargate billing", "per second (rounded up) from image pull start to task stop, 60 s minimum, on the task size rounded up to a valid Fargate size".into(), "ecs-reference §7.1, §7.2 [DOC]"),
        a("Fargate Spot price", format!("{} × Fargate on-demand (catalog.fargate.spotPriceFactor)", sc.catalog.fargate.spot_price_factor), "ecs-reference §7.3 [OBS snapshot]"),
        a("EC2 cost attribution", "a task is charged price × time × (½ CPU share + ½ memory share) of its instance; the rest is idle".into(), "ecsim assumption (AWS split cost allocation weighs by a cost ratio)"),
        a("registered memory", format!("nominal × (1 − {}) − {} MiB", f64::from(s.memory_overhead.vm_overhead_ppm) / 1e6, s.memory_overhead.ecs_reserved_mib), "ecs-reference §4.5 (Karpenter VM_MEMORY_OVERHEAD_PERCENT [OBS]; ECS_RESERVED_MEMORY default 0 [CODE])"),
        a("registered CPU", "vCPU × 1024 units".into(), "ecs-reference §4.5 [CODE agent]"),
        a("instance launch → running", s.instance_running_latency.describe(), "[DERIVED]"),
        a("running → agent registered", s.agent_registration_latency.describe(), "ecs-reference §3.2 [OBS ≈ 41 s launch→registered]"),
        a("EC2 task start (PENDING → RUNNING)", s.ec2_task_start_latency.describe(), "[DERIVED]"),
        a("Fargate provisioning (ENI)", s.fargate_provisioning_latency.describe(), "ecs-reference §3.2 [OBS 11–44 s]"),
        a("Fargate task start (pull → RUNNING)", s.fargate_task_start_latency.describe(), "ecs-reference §3.2 [OBS]"),
        a("task stop (STOPPING → STOPPED)", s.task_stop_latency.describe(), "[DERIVED] (stopTimeout 30 s bound)"),
        a("Draining timeout (lifecycle hook)", format!("{}", s.draining_timeout), "EC2 Auto Scaling lifecycle hook default heartbeat 3600 s [UNCERTAIN for ECS managed draining]"),
        a("PROVISIONING timeout", format!("{}", s.provisioning_timeout), "ecs-reference §1.8 [DOC 10–30 min; UNCERTAIN]"),
        a("PROVISIONING tasks per cluster", format!("{}", s.provisioning_tasks_per_cluster), "ecs-reference §1.8 [UNCERTAIN quota]"),
        a("Fargate launch rate", format!("token bucket: burst {}, {} per second, separately on-demand and Spot", s.fargate_launch_burst, s.fargate_launch_rate_per_second), "ecs-reference §5.5 [DOC]"),
        a("service scheduler", format!("reconciles at once on task stops and new instances, and every {}", s.service_scheduler_interval), "ecs-reference §5.1 [DOC]; interval [UNCERTAIN]"),
        a("batch submitter", format!("RunTask failures are retried in FIFO order with a backfill window of {} placement attempts per pass", s.placement_backfill_window), "ecsim model of a job queue in front of RunTask"),
        a("capacity provider strategy", "base first, then the provider furthest below its weighted share; per RunTask call for workloads, over live tasks for services".into(), "ecs-reference §2.1 [DOC + DERIVED]"),
        a("start of run", match s.start {
            crate::scenario::StartMode::Warm => "each ASG starts at its desired capacity, registered and past its warm-up, and each service with its desired count RUNNING on it (placed by the usual rules, billed from zero, no start latency; those the capacity at zero cannot hold start cold): a running system, not a booting one (settings.start = warm)".to_string(),
            crate::scenario::StartMode::Cold => "each ASG starts at its desired capacity, registered and past its warm-up; services launch their tasks at time zero with the usual latencies (settings.start = cold)".to_string(),
        }, "ecsim assumption"),
        a("measurement window", if s.measure_from.0 == 0 {
            "the whole run (settings.measureFrom = 0)".to_string()
        } else {
            format!("from {} to the end: summary figures (cost, requests, waits, utilization, availability, task counts) leave out what happened before; timeseries.csv and the charts keep every minute", s.measure_from)
        }, "ecsim setting (settings.measureFrom)"),
        a("paid, reserved and used capacity", "per minute (timeseries.csv vcpu_* and memory_gib_*, the utilization chart): paid = the whole instance type of every billed EC2 instance plus the rounded size of every billed Fargate task; reserved = task reservations on ACTIVE and DRAINING instances plus the requested size of billed Fargate tasks, so paid − reserved is idle EC2 capacity and Fargate size rounding; used = the load model's past-minute mean for services that have one, and the whole reservation for every other RUNNING task (batch tasks, services without a load model: there is no usage model for them); usage averages are means of the minute rows".into(), "ecsim model; billing spans ecs-reference §7.1, §7.6"),
        a("not modelled", "networking (ENI limits, ports), image sizes, daemon services, Windows, GPUs, deployments".into(), "ecsim scope"),
    ];
    if sc.services.iter().any(|x| x.load.is_some()) {
        out.push(a("service load model", "requests are spread evenly over RUNNING tasks; a task serves up to requestsPerTaskPerSecond at 100 % CPU; CPU % = baseline + (100 − baseline) × load fraction, capped at 100 (no bursting above the task's CPU); memory % = baseline + (at capacity − baseline) × load fraction; requests above the RUNNING tasks' capacity are not served (the shortfall)".into(), "ecsim model; metrics as ECS computes them (ecs-reference §4.6 [DOC])"));
        out.push(a(
            "ALBRequestCountPerTarget",
            "requests in the period ÷ max(1, time-averaged RUNNING tasks), per minute".into(),
            "ecs-reference §6.2 [DOC]; divisor floor ecsim's",
        ));
    }
    if sc.services.iter().any(|x| x.auto_scaling.is_some()) {
        use crate::autoscaling::target_tracking as tt;
        out.push(a("target tracking alarms", format!("AlarmHigh: metric > target for {} of {} datapoints; AlarmLow: metric < {} × target for {} of {}; the policy acts every period while an alarm stays in ALARM; datapoints are evaluated at the end of each period with no publication delay", tt::DEFAULT_HIGH_ALARM_DATAPOINTS, tt::DEFAULT_HIGH_ALARM_DATAPOINTS, tt::DEFAULT_LOW_ALARM_RATIO, tt::DEFAULT_LOW_ALARM_DATAPOINTS, tt::DEFAULT_LOW_ALARM_DATAPOINTS), "ecs-reference §6.2 [OBS exported alarms]; override in settings"));
        out.push(a("target tracking capacity", "scale-out to ceil(running × metric ÷ target), scale-in to ceil(running × metric ÷ target), both from the RUNNING count; a scale-out applies only if it raises the desired count".into(), "ecs-reference §6.1 [DOC running count as base], §6.2 [UNCERTAIN formula]"));
        out.push(a("service auto scaling cooldowns", "scale-in blocked for scaleInCooldown after a scale-in, cancelled by a scale-out; a scale-out within scaleOutCooldown must exceed the capacity already set; defaults 300 s".into(), "ecs-reference §6.2 [DOC, API]"));
        out.push(a(
            "scheduled actions",
            format!(
                "UTC; simulated time zero is {}",
                crate::autoscaling::schedule::format_utc(s.start_time_unix_s)
            ),
            "ecs-reference §6.4 [DOC]; settings.startTime",
        ));
        out.push(a("service scale-in order", "tasks not yet RUNNING first, then the placement strategy in reverse: by default the AZ with most of the service's tasks, then the instance with most (counts updated as tasks are picked), newest first; binpack stops tasks on the instance with the most of its field free; with a capacity provider strategy, from the provider furthest above its share".into(), "ECS service scheduler concepts [DOC]; strategy order [DERIVED] ecs-reference §2.1"));
    }
    if !sc.faults.is_empty() {
        use crate::faults::throttle as th;
        out.push(a("fault randomness", "each fault model draws from its own stream, per instance or task id, so turning one on changes neither the workload nor another model's draws for the same entity".into(), "ecsim design (DESIGN.md determinism rules)"));
        out.push(a("instance failure", "the instance is terminated with its tasks; its Auto Scaling group launches a replacement (launch and registration latencies apply)".into(), "EC2 Auto Scaling health check replacement [DOC]"));
        out.push(a("AZ outage", "instances and Fargate tasks in the zone are lost; nothing launches there until it recovers; Auto Scaling groups then launch into it and terminate (drain, with managed draining) the surplus elsewhere once the new instances are in service, except instances with tasks under managed termination protection (managed scaling later removes empty ones)".into(), "EC2 Auto Scaling AZ rebalancing [DOC]; ECS does not move running service tasks back by itself"));
        out.push(a("EC2 Spot interruption", format!("notice {} before the instance is reclaimed; the agent drains it on the notice only with ECS_ENABLE_SPOT_INSTANCE_DRAINING (settings.spotInstanceDraining = {}); the group launches a replacement after the instance is gone (capacity rebalancing off)", th::SPOT_INTERRUPTION_NOTICE, s.spot_instance_draining), "ecs-reference §5.6 [DOC, CODE agent]"));
        out.push(a("Fargate Spot interruption", format!("two-minute warning and SIGTERM; the task stops after stopTimeout ({}); replacements follow the service's strategy (no fallback to FARGATE)", s.stop_timeout), "ecs-reference §2.2 [DOC, OBS]"));
        out.push(a("task start back-off", format!("a task that fails before RUNNING delays the service's next launch by {} doubling up to {}; reset when a task reaches RUNNING", s.task_retry.first_delay, s.task_retry.cap), "ecs-reference §5.2 [DOC cap 27 min; growth UNCERTAIN]"));
        out.push(a("lost batch work", "a batch task killed by a failure is re-run from the start; its RUNNING time is wasted and costed at its Fargate rate or its share of the instance; batch tasks that fail to start are not retried".into(), "ecsim model"));
        out.push(a("availability attribution", "a service is hurt by a fault from the moment a fault kills one of its tasks (or a task fails to start) until it runs its desired count again; requests unserved in minutes when it was hurt are counted as lost to faults, the rest as scaling lag".into(), "ecsim model, minute resolution"));
    }
    if sc
        .capacity_providers
        .iter()
        .any(|p| p.managed_scaling.is_some())
    {
        out.push(a("managed scaling metric", "CapacityProviderReservation = M ÷ N × 100, N = instances in service (pending or ACTIVE), M = non-empty instances, or N + instances to add for PROVISIONING tasks (binpacked on CPU and memory onto free room, then onto the largest instance type, bounded by the step sizes); 200 when N = 0 and tasks wait; targetCapacity when nothing runs or waits".into(), "ecs-reference §1.2, §1.3 [DOC]; empty-cluster value [UNCERTAIN], settings.managedScaling.emptyClusterValue"));
        out.push(a("managed scaling timing", "metric once a minute; scale-out after 1 datapoint above target, not while an instance is within its warm-up; scale-in after 15 datapoints below target (threshold < target [UNCERTAIN]), not within 15 min of a scale-out, at most 50 % of the instances per step".into(), "ecs-reference §1.5, §1.6 [DOC, OBS]"));
        out.push(a("ASG scale-in choice", "AZ with the most instances, then at random; only instances without tasks under managed termination protection; managed draining moves service tasks before termination, standalone tasks finish first (up to the draining timeout)".into(), "ecs-reference §1.7 [DOC]; EC2 Auto Scaling default termination policy (launch template and billing-hour steps not modelled)"));
    }
    out
}
