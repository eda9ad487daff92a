//! The assumptions section: every simplification of the model and every default in force.
//!
//! Each source is something a reader can open: an AWS document's title and address, a
//! public issue or source file, or "ecsim model" for our own simplifications. Words say how
//! firm it is ("documented", "observed", "uncertain"). The internal research notes the
//! defaults were drawn from do not ship, so they are never cited here.

use super::Assumption;
use crate::scenario::Scenario;

/// A page of the Amazon ECS Developer Guide, by its topic and file name.
fn ecs_guide(topic: &str, page: &str) -> String {
    format!(
        "Amazon ECS Developer Guide, {topic}: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/{page}.html"
    )
}

/// A page of the Application Auto Scaling User Guide.
fn aas_guide(topic: &str, page: &str) -> String {
    format!(
        "Application Auto Scaling User Guide, {topic}: https://docs.aws.amazon.com/autoscaling/application/userguide/{page}.html"
    )
}

/// The AWS Fargate pricing page.
const FARGATE_PRICING: &str = "AWS Fargate pricing: https://aws.amazon.com/fargate/pricing/";
/// Karpenter's generated EC2 price table the embedded prices come from.
const KARPENTER_PRICING: &str = "EC2 On-Demand prices from Karpenter's generated us-east-1 table: https://github.com/aws/karpenter-provider-aws/blob/1d927085dd81a9df9301e613f371dac5b4d16bfe/pkg/providers/pricing/zz_generated.pricing_aws.go";
/// The ECS container agent's configuration reference.
const AGENT_README: &str = "Amazon ECS container agent README (configuration): https://github.com/aws/amazon-ecs-agent/blob/8dfceca6cf380a83c3007349317566f2862f0673/README.md";
/// The AWS blog post on cluster auto scaling.
const ECS_HIGH_RES_BLOG: &str = "AWS News Blog, Amazon ECS introduces new high-resolution metrics for faster service auto scaling: https://aws.amazon.com/blogs/aws/amazon-ecs-introduces-new-high-resolution-metrics-for-faster-service-auto-scaling/";

const CAS_BLOG: &str = "AWS Containers blog, Deep dive on Amazon ECS cluster auto scaling: https://aws.amazon.com/blogs/containers/deep-dive-on-amazon-ecs-cluster-auto-scaling/";
/// The AWS blog post on faster scale-in.
const CAS_SCALE_IN_BLOG: &str = "AWS Containers blog, Faster scaling-in for Amazon ECS cluster auto scaling: https://aws.amazon.com/blogs/containers/faster-scaling-in-for-amazon-ecs-cluster-auto-scaling/";
/// The EC2 Auto Scaling User Guide.
const ASG_GUIDE: &str =
    "Amazon EC2 Auto Scaling User Guide: https://docs.aws.amazon.com/autoscaling/ec2/userguide/";

fn a(topic: &str, value: String, source: &str) -> Assumption {
    Assumption {
        topic: topic.to_string(),
        value,
        source: source.to_string(),
    }
}

/// The assumptions in force for `sc`, in a fixed order.
pub fn for_scenario(sc: &Scenario, prices: &super::PriceBasis) -> Vec<Assumption> {
    let s = &sc.settings;
    let mut out = vec![
        a("region and prices", prices.statement(), &match &prices.catalog_dir {
            // Tables the user built: their prices are AWS's offer files as of the dates above.
            Some(dir) => format!("AWS Price List bulk offer files (AmazonEC2, AmazonECS) read by `ecsim catalog` into {dir}: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-the-aws-price-list-bulk-api.html"),
            None => format!("{KARPENTER_PRICING}; {FARGATE_PRICING}"),
        }),
        a("EC2 billing", "per second from `running` to termination, 60 s minimum per launch".into(), "Amazon EC2 API Reference, StartInstances (\"a one-minute minimum … and thereafter per second\"): https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StartInstances.html"),
        a("Fargate billing", "per second (rounded up) from image pull start to task stop, 60 s minimum on Linux and 5 minutes on Windows (with the per-vCPU OS licence fee for the same seconds), on the task size rounded up to a valid Fargate size; ephemeralStorage.sizeInGiB above the included 20 GiB per GB-second of the same seconds (ignored on EC2)".into(), &format!("{FARGATE_PRICING}; Amazon ECS API Reference, EphemeralStorage: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html")),
        a("Fargate task sizes", format!("Linux 0.25–16 vCPU{}; Windows 1–4 vCPU, x86 only, not on Fargate Spot", if s.fargate_large_sizes { " and 32 vCPU (60, 120 or 244 GB) (settings.fargateLargeSizes = true: on the pricing page, not in the API Reference text)" } else { " (settings.fargateLargeSizes = false: no 32 vCPU sizes)" }), &format!("{FARGATE_PRICING}; Amazon ECS API Reference, RegisterTaskDefinition (cpu and memory; 8 and 16 vCPU need Linux platform 1.4.0): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html; {}", ecs_guide("Fargate capacity providers (no Windows on Fargate Spot)", "fargate-capacity-providers"))),
        a("Fargate Spot price", match sc.catalog.fargate.spot_price_factor {
            Some(f) => format!("{f} × Fargate on-demand on both dimensions and architectures (catalog.fargate.spotPriceFactor)"),
            None => {
                let (x, a) = (sc.catalog.fargate.spot_x86, sc.catalog.fargate.spot_arm);
                format!("per dimension: x86 {:.8} USD per vCPU-hour and {:.8} per GB-hour (published Spot table); ARM {:.8} and {:.8} (the x86 discount of each dimension applied to ARM on-demand: no ARM Spot table found) (catalog.fargate.spot, spotArm)", x.usd_per_vcpu_second * 3600.0, x.usd_per_gb_second * 3600.0, a.usd_per_vcpu_second * 3600.0, a.usd_per_gb_second * 3600.0)
            }
        }, &format!("{FARGATE_PRICING} (\"up to 70 %\" off; AWS moves the Spot price by Region and over time); x86 Spot rates as copied from that page by Tom Gregory, AWS Fargate Spot vs Fargate price comparison: https://tomgregory.com/aws-fargate-spot-vs-fargate-price-comparison/ (observed snapshot)")),
        a("EC2 cost attribution", "a task is charged price × time × (½ CPU share + ½ memory share) of its instance; the rest is idle".into(), "ecsim assumption (AWS split cost allocation weighs by a cost ratio)"),
        a("registered memory", match s.memory_overhead.vm_overhead_ppm {
            Some(ppm) => format!("nominal × (1 − {}) − {} MiB for every type (settings.memoryOverheadFraction); a type's catalog registeredMemoryMib wins", f64::from(ppm) / 1e6, s.memory_overhead.ecs_reserved_mib),
            None => format!("nominal × (1 − {}) on Xen types (m4, c4, r4, t2, i3, x1, …), nominal × (1 − {}) on Nitro types (5th generation on), − {} MiB; a type's catalog registeredMemoryMib wins", f64::from(crate::cloud::DEFAULT_XEN_MEMORY_OVERHEAD_PPM) / 1e6, f64::from(crate::cloud::DEFAULT_NITRO_MEMORY_OVERHEAD_PPM) / 1e6, s.memory_overhead.ecs_reserved_mib),
        }, &format!("Xen fitted within 0.4 % to AWS's m4.large (7985 MiB), c4.large (3768 MiB) and c4.4xlarge (30158 MiB): {} and {}; Nitro fitted to an m6i.large registering 7820–7907 MiB (observed): https://github.com/thewca/worldcubeassociation.org/pull/9974; hypervisor by family: Amazon EC2 Instance Types, Instances built on the AWS Nitro System: https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-nitro-instances.html; ECS_RESERVED_MEMORY default 0: {AGENT_README}", ecs_guide("container instance memory management", "memory-management"), ecs_guide("CloudWatch metrics", "cloudwatch-metrics"))),
        a("registered CPU", "vCPU × 1024 units".into(), &format!("{AGENT_README}; {}", ecs_guide("task definition parameters (cpu)", "task_definition_parameters"))),
        a("instance launch → running", s.instance_running_latency.describe(), "ecsim default (no AWS figure found)"),
        a("running → agent registered", s.agent_registration_latency.describe(), "observed ≈ 41 s from launch to registration in aws/amazon-ecs-agent issue 2309: https://github.com/aws/amazon-ecs-agent/issues/2309"),
        a("EC2 task start (PENDING → RUNNING)", s.ec2_task_start_latency.describe(), "ecsim default (no AWS figure found)"),
        a("Fargate provisioning (ENI)", s.fargate_provisioning_latency.describe(), "observed 11–44 s from created to pull start in opensearch-project/opensearch-migrations pull request 2116: https://github.com/opensearch-project/opensearch-migrations/pull/2116"),
        a("Fargate task start (pull → RUNNING)", s.fargate_task_start_latency.describe(), "observed 20–40 s with ECR images in aws/containers-roadmap issue 358: https://github.com/aws/containers-roadmap/issues/358"),
        a("task stop (STOPPING → STOPPED)", s.task_stop_latency.describe(), "ecsim default, within the 30 s default stopTimeout: Amazon ECS API Reference, ContainerDefinition: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"),
        a("Draining timeout (lifecycle hook)", format!("{}", s.draining_timeout), &format!("{ASG_GUIDE} (lifecycle hooks: default heartbeat timeout 3600 s; uncertain for ECS managed draining)")),
        a("PROVISIONING timeout", format!("{}", s.provisioning_timeout), &format!("{CAS_BLOG} (\"between 10 and 30 minutes\"; the exact value is uncertain)")),
        a("PROVISIONING tasks per cluster", format!("{}", s.provisioning_tasks_per_cluster), &format!("{} (a quota; its default is uncertain)", ecs_guide("service quotas", "service-quotas"))),
        a("Fargate launch rate", format!("token bucket: burst {}, {} per second, separately on-demand and Spot", s.fargate_launch_burst, s.fargate_launch_rate_per_second), &ecs_guide("request throttling", "throttling")),
        a("service scheduler", format!("reconciles at once on task stops and new instances, and every {}", s.service_scheduler_interval), &format!("{} (the periodic interval is uncertain)", ecs_guide("services", "ecs_services"))),
        a("batch submitter", format!("RunTask failures are retried in FIFO order with a backfill window of {} placement attempts per pass", s.placement_backfill_window), "ecsim model of a job queue in front of RunTask"),
        a("capacity provider strategy", "base first, then the provider furthest below its weighted share; per RunTask call for workloads, over live tasks for services".into(), &format!("{} (the order within a weight is ecsim's reading)", ecs_guide("capacity providers", "cluster-capacity-providers"))),
        a("start of run", match s.start {
            crate::scenario::StartMode::Warm => "each ASG starts at its desired capacity, registered and past its warm-up, and each service with its desired count RUNNING on it (placed by the usual rules, billed from zero, no start latency; those the capacity at zero cannot hold start cold): a running system, not a booting one (settings.start = warm)".to_string(),
            crate::scenario::StartMode::Cold => "each ASG starts at its desired capacity, registered and past its warm-up; services launch their tasks at time zero with the usual latencies (settings.start = cold)".to_string(),
        }, "ecsim assumption"),
        a("measurement window", if s.measure_from.0 == 0 {
            "the whole run (settings.measureFrom = 0)".to_string()
        } else {
            format!("from {} to the end: summary figures (cost, requests, waits, utilization, availability, task counts) leave out what happened before; timeseries.csv and the charts keep every minute", s.measure_from)
        }, "ecsim setting (settings.measureFrom)"),
        a("paid, reserved and used capacity", "per minute (timeseries.csv vcpu_* and memory_gib_*, the utilization chart): paid = the whole instance type of every billed EC2 instance plus the rounded size of every billed Fargate task; reserved = task reservations on ACTIVE and DRAINING instances plus the requested size of billed Fargate tasks, so paid − reserved is idle EC2 capacity and Fargate size rounding; used = the load model's past-minute mean for services that have one, and the whole reservation for every other RUNNING task (batch tasks, services without a load model: there is no usage model for them); usage averages are means of the minute rows".into(), &format!("ecsim model; billing spans as in EC2 billing and {FARGATE_PRICING}")),
        // Daemon services, deployments, Windows on EC2, ENIs and accelerators are modelled
        // now (each scenario that uses one lists its own assumption below).
        a("not modelled", "host ports (bridge and host port conflicts), container image sizes and pull times".into(), "ecsim scope"),
    ];
    if !sc.workloads.is_empty() {
        // Only batch workloads go through RunTask (service tasks are started inside ECS), so
        // only a scenario with one says so, and the others' reports keep the words they had.
        out.push(a("RunTask calls", format!("a batch submission of n tasks is ceil(n ÷ {}) RunTask calls (settings.runTaskMaxCount); the calls share a token bucket of {} calls refilled at {} per second (settings.runTaskBurst, settings.runTaskRatePerSecond), a throttled call waiting for its token, in order; a capacity provider strategy's base applies per call; the Fargate launch rate applies after the call", s.run_task_max_count, s.run_task_burst, s.run_task_rate_per_second), "Amazon ECS API Reference, RunTask (count: \"You can specify up to 10 tasks for each call\"): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html; Amazon ECS API Reference, Request throttling for the Amazon ECS API (a token bucket per account and Region: maximum capacity the burst, refill rate the sustained rate): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html"));
    }
    if sc.auto_scaling_groups.iter().any(|g| g.os.is_windows()) {
        out.push(a("Windows container instances", format!("a group's osFamily is the ecs.os-family its instances register; a task runs only on instances of its exact runtimePlatform.operatingSystemFamily (LINUX when not given; a Windows Server release is not interchangeable with another, nor FULL with CORE); Windows instances register nominal × (1 − {}) − {} MiB on every hypervisor (settings.windowsMemoryOverheadFraction) and are billed their Windows On-Demand price (licence included) × the group's price factor, per second with a 60 s minimum", f64::from(s.memory_overhead.windows_overhead_ppm) / 1e6, s.memory_overhead.ecs_reserved_mib), "Amazon ECS API Reference, RuntimePlatform: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html; m4.large on the ECS-optimized Windows AMI registers 8191 of 8192 MiB: Amazon ECS Developer Guide, Container Instance Memory Management (Windows example), https://github.com/awsdocs/amazon-ecs-developer-guide/blob/02824f062cc5fb004314ee7a90b36533f7f77f80/doc_source/memory-management.md; per-second Windows billing since 2021: https://aws.amazon.com/about-aws/whats-new/2021/06/announcing-per-second-billing-for-ec2-windows-server-and-sql-server-instances/; the exact-family match is ecsim's reading"));
    }
    if sc
        .task_definitions
        .iter()
        .any(|t| t.ec2_compatible && t.size.has_devices())
        || sc
            .workloads
            .iter()
            .any(|w| matches!(w.source, crate::scenario::WorkloadSource::AlibabaGpu { .. }))
    {
        // Only a scenario whose EC2 tasks take devices says how they are counted (a GPU
        // trace's pods take their GPUs from the trace rows, not the task definition).
        out.push(a("ENIs, GPUs and Neuron devices", format!("on EC2 each awsvpc task takes one ENI: an instance offers its type's maximum ENIs − 1 (the primary), or ECS's per-type task limit with ENI trunking when settings.awsvpcTrunking is enabled (now {}) and ECS lists the type (ECS's 2023 table: newer types keep the limit without trunking); GPUs (resourceRequirements GPU, summed over containers) and Neuron devices (distinct /dev/neuronN mapped in linuxParameters.devices) are reserved whole, up to the type's count; placement filters on them (RESOURCE:ENI, RESOURCE:GPU), binpack still ranks by CPU or memory, managed scaling's M binpacks them; a task without GPUs may land on a GPU instance", if s.awsvpc_trunking { "enabled" } else { "disabled, AWS's default" }), &format!("{}; {}; {}", ecs_guide("elastic network interface trunking and its supported instance types", "container-instance-eni"), ecs_guide("working with GPUs", "ecs-gpu"), ecs_guide("AWS Neuron on Amazon ECS", "ecs-inference"))));
    }
    if sc.services.iter().any(|x| x.load.is_some()) {
        // Only a scenario in which some service can burst says so, so the others' reports
        // keep the words they had.
        let bursting = s.cpu_beyond_reservation
            && sc.services.iter().any(|x| {
                let td = &sc.task_definitions[x.task_definition.index()];
                x.load.is_some() && !td.cpu_hard_limit && td.size.cpu.0 > 0
            });
        let cap = if bursting {
            "capped at 100 for tasks with a task-level cpu and on Fargate, and otherwise at their share of their instance's unreserved CPU (see CPU beyond the reservation)"
        } else {
            "capped at 100 (no bursting above the task's CPU)"
        };
        out.push(a("service load model", format!("requests are spread evenly over RUNNING tasks; a task serves up to requestsPerTaskPerSecond at 100 % CPU; CPU % = baseline + (100 − baseline) × load fraction, {cap}; memory % = baseline + (at capacity − baseline) × load fraction; requests above the RUNNING tasks' capacity are not served (the shortfall)"), &format!("ecsim model; metrics as ECS computes them: {}", ecs_guide("CloudWatch metrics", "cloudwatch-metrics"))));
        if bursting {
            out.push(a("CPU beyond the reservation", "on EC2 a task without a task-level cpu may use up to its reservation × (1 + U ÷ B) CPU units, U the instance's unreserved CPU and B the CPU reserved there by such tasks (shares in the ratio of the reservations); a service's tasks share their load evenly, so it serves up to their average ceiling and CPUUtilization (used ÷ reserved) reads above 100 %; idle CPU inside other tasks' reservations is not lent (settings.cpuBeyondReservation)".into(), "Amazon ECS API Reference, ContainerDefinition cpu (\"Linux containers share unallocated CPU units … with the same ratio as their allocated amount\"): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html; task-level cpu as the maximum: AWS re:Post Knowledge Center, How does Amazon ECS allocate CPU to tasks?: https://repost.aws/knowledge-center/ecs-cpu-allocation"));
        }
        out.push(a(
            "ALBRequestCountPerTarget",
            "requests in the period ÷ max(1, time-averaged RUNNING tasks), per minute".into(),
            &format!(
                "{}; the divisor's floor of 1 is ecsim's",
                aas_guide(
                    "target tracking scaling policies",
                    "application-auto-scaling-target-tracking"
                )
            ),
        ));
    }
    if sc.services.iter().any(|x| x.auto_scaling.is_some()) {
        use crate::autoscaling::target_tracking as tt;
        out.push(a("target tracking alarms", format!("AlarmHigh: metric > target for {} of {} datapoints; AlarmLow: metric < {} × target for {} of {}; the policy acts every period while an alarm stays in ALARM", tt::DEFAULT_HIGH_ALARM_DATAPOINTS, tt::DEFAULT_HIGH_ALARM_DATAPOINTS, tt::DEFAULT_LOW_ALARM_RATIO, tt::DEFAULT_LOW_ALARM_DATAPOINTS, tt::DEFAULT_LOW_ALARM_DATAPOINTS), &format!("{} (alarm thresholds as observed in alarms AWS creates; override in settings)", aas_guide("target tracking scaling policies", "application-auto-scaling-target-tracking"))));
        out.push(a("CloudWatch metric delay", format!("a service metric datapoint reaches its alarms {} after the 60 s period it describes ({} for 20 s high-resolution datapoints), with the RUNNING count at the period's end; capacity provider managed scaling is not delayed", s.metric_delay, s.high_resolution_metric_delay), &format!("{ECS_HIGH_RES_BLOG} (AWS benchmark: scale-out triggered 363 s after a load step with 60 s metrics, 86 s with 20 s; less 3 datapoints of the period; settings.metricDelay, settings.highResolutionMetricDelay)")));
        out.push(a("target tracking capacity", "scale-out to ceil(running × metric ÷ target), scale-in to ceil(running × metric ÷ target), both from the RUNNING count; a scale-out applies only if it raises the desired count".into(), &format!("{} (running count as the base); the formula is uncertain", ecs_guide("service auto scaling", "service-auto-scaling"))));
        out.push(a("service auto scaling cooldowns", "scale-in blocked for scaleInCooldown after a scale-in, cancelled by a scale-out; a scale-out within scaleOutCooldown must exceed the capacity already set; defaults 300 s".into(), &format!("{}; Application Auto Scaling API Reference, TargetTrackingScalingPolicyConfiguration: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html", aas_guide("target tracking scaling policies", "application-auto-scaling-target-tracking"))));
        out.push(a(
            "scheduled actions",
            format!(
                "UTC; simulated time zero is {}",
                crate::autoscaling::schedule::format_utc(s.start_time_unix_s)
            ),
            &format!(
                "{}; settings.startTime",
                aas_guide(
                    "scheduled scaling",
                    "application-auto-scaling-scheduled-scaling"
                )
            ),
        ));
        out.push(a("service scale-in order", "tasks not yet RUNNING first, then the placement strategy in reverse: by default the AZ with most of the service's tasks, then the instance with most (counts updated as tasks are picked), newest first; binpack stops tasks on the instance with the most of its field free; with a capacity provider strategy, from the provider furthest above its share".into(), &format!("{}; the order is ecsim's reading of the strategies", ecs_guide("task placement strategies", "task-placement-strategies"))));
    }
    if sc.services.iter().any(|x| x.az_rebalancing) {
        out.push(a("AZ rebalancing", format!("services with availabilityZoneRebalancing ENABLED (the default for eligible services: REPLICA, zone spread first or no strategy, maximumPercent above 100) are looked at once steady and not deploying; when their live tasks per zone (zones that are up and that their capacity covers) differ by more than one, ECS starts tasks in the zones with the fewest, as many as maximumPercent leaves room for, on instances already there (it launches none), and once they are RUNNING and healthy stops as many as a scale-in would (zone with most first); steps and retries after a failed placement are settings.azRebalancingInterval = {} apart (a modelling choice: AWS documents no pace); a deployment stops a rebalancing in progress", s.az_rebalancing_interval), &ecs_guide("balancing an Amazon ECS service across Availability Zones", "service-rebalancing")));
    }
    if !sc.faults.is_empty() {
        use crate::faults::throttle as th;
        out.push(a("fault randomness", "each fault model draws from its own stream, per instance or task id, so turning one on changes neither the workload nor another model's draws for the same entity".into(), "ecsim design (DESIGN.md determinism rules)"));
        out.push(a("instance failure", "the instance is terminated with its tasks; its Auto Scaling group launches a replacement (launch and registration latencies apply)".into(), &format!("{ASG_GUIDE} (health checks and replacement of unhealthy instances)")));
        out.push(a("AZ outage", "instances and Fargate tasks in the zone are lost; nothing launches there until it recovers; Auto Scaling groups then launch into it and terminate (drain, with managed draining) the surplus elsewhere once the new instances are in service, except instances with tasks under managed termination protection (managed scaling later removes empty ones); services with availabilityZoneRebalancing then move their tasks back (see AZ rebalancing)".into(), &format!("{ASG_GUIDE} (Availability Zone rebalancing)")));
        out.push(a("EC2 Spot interruption", format!("notice {} before the instance is reclaimed; the agent drains it on the notice only with ECS_ENABLE_SPOT_INSTANCE_DRAINING (settings.spotInstanceDraining = {}); the group launches a replacement after the instance is gone (capacity rebalancing off)", th::SPOT_INTERRUPTION_NOTICE, s.spot_instance_draining), &format!("Amazon EC2 User Guide, Spot Instance interruption notices: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html; ECS_ENABLE_SPOT_INSTANCE_DRAINING: {AGENT_README}")));
        out.push(a("Fargate Spot interruption", format!("two-minute warning and SIGTERM; the task stops after stopTimeout ({}); replacements follow the service's strategy (no fallback to FARGATE)", s.stop_timeout), &ecs_guide("Fargate capacity providers", "fargate-capacity-providers")));
        if !sc.faults.fargate_spot_shortages.is_empty()
            || sc.faults.random_fargate_spot_shortages.is_some()
        {
            out.push(a("Fargate Spot capacity shortage", "while a shortage lasts, new FARGATE_SPOT tasks (replacements included) wait in PROVISIONING, still routed to FARGATE_SPOT by the strategy's base and weights (no fallback to FARGATE, no PROVISIONING timeout), and launch when it ends; RUNNING Spot tasks are not interrupted by it (that is fargateSpotInterruptions)".into(), &format!("{} (\"Fargate Spot capacity might be unavailable … Amazon ECS services retry launching tasks until the required capacity becomes available. Fargate does not replace Spot capacity with on-demand capacity\"); shortage frequency and length are the scenario's", ecs_guide("Fargate capacity providers", "fargate-capacity-providers"))));
        }
        out.push(a("task start back-off", format!("a task that fails before RUNNING delays the service's next launch by {} doubling up to {}; reset when a task reaches RUNNING", s.task_retry.first_delay, s.task_retry.cap), &format!("{} (documented cap 27 min; the growth is uncertain)", ecs_guide("service throttle logic", "service-throttle-logic"))));
        out.push(a("lost batch work", "a batch task killed by a failure is re-run from the start; its RUNNING time is wasted and costed at its Fargate rate or its share of the instance; batch tasks that fail to start are not retried".into(), "ecsim model"));
        out.push(a("availability attribution", "a service is hurt by a fault from the moment a fault kills one of its tasks (or a task fails to start) until it runs its desired count again; requests unserved in minutes when it was hurt are counted as lost to faults, the rest as scaling lag".into(), "ecsim model, minute resolution"));
    }
    if sc
        .capacity_providers
        .iter()
        .any(|p| p.managed_scaling.is_some())
    {
        out.push(a("managed scaling metric", "CapacityProviderReservation = M ÷ N × 100, N = instances in service (pending or ACTIVE), M = non-empty instances, or N + instances to add for PROVISIONING tasks (binpacked on CPU, memory, ENIs, GPUs and Neuron devices onto free room, then onto the largest instance type, bounded by the step sizes); 200 when N = 0 and tasks wait; targetCapacity when nothing runs or waits".into(), &format!("{}; {CAS_BLOG}; the empty-cluster value is uncertain (settings.managedScaling.emptyClusterValue)", ecs_guide("cluster auto scaling", "cluster-auto-scaling"))));
        out.push(a("managed scaling timing", "metric once a minute; scale-out after 1 datapoint above target, not while an instance is within its warm-up; scale-in after 15 datapoints below target (threshold < target: uncertain), not within 15 min of a scale-out, at most 50 % of the instances per step".into(), &format!("{CAS_BLOG}; {CAS_SCALE_IN_BLOG}; {}", ecs_guide("cluster auto scaling", "cluster-auto-scaling"))));
        out.push(a("ASG scale-in choice", "AZ with the most instances, then at random; only instances without tasks under managed termination protection; managed draining moves service tasks before termination, standalone tasks finish first (up to the draining timeout)".into(), &format!("{}; {ASG_GUIDE} (default termination policy; its launch template and billing-hour steps are not modelled)", ecs_guide("Auto Scaling group capacity providers", "asg-capacity-providers"))));
    }
    if let Some(m) = sc
        .capacity_providers
        .iter()
        .find_map(|p| p.managed_instances.as_ref())
    {
        use crate::autoscaling::managed_instances as mi;
        out.push(a("Managed Instances selection", "each minute, the tasks waiting on a managedInstancesProvider that no pending instance or free ACTIVE room can take get new instances: per admitted type, first-fit decreasing says how many one instance holds, and the lowest (EC2 + fee) per task held wins, ties to the type holding more; the same launch latencies as an Auto Scaling group".into(), &format!("{} (the goal: \"the most cost-optimized general-purpose Amazon EC2 instance types that meet your workload needs\"); the rule is ecsim's", ecs_guide("Amazon ECS Managed Instances", "ManagedInstances"))));
        out.push(a("Managed Instances optimization", format!("every {} (optimizationModel.period; default {}): instances with no task for scaleInAfter (here {}; default {} when not given) are terminated, and one instance with under {} % of its CPU and memory reserved (optimizationModel.underutilizedReservedPercent; default {} %), holding only service tasks that fit on the others, is drained", m.period, mi::OPTIMIZATION_PERIOD, m.scale_in_after.map_or_else(|| "off".to_string(), |d| d.to_string()), mi::DEFAULT_SCALE_IN_AFTER, m.underutilized_fraction * 100.0, mi::UNDERUTILIZED_RESERVED_FRACTION * 100.0), &format!("{}; the period, the default delay and the threshold are ecsim's (AWS does not publish them)", ecs_guide("Managed Instances infrastructure optimization", "managed-instances-infrastructure-optimization"))));
        out.push(a("Managed Instances fee", "the scenario's managementFee (a fraction of On-Demand or USD per hour per type), billed for the instance's billed seconds (one-minute minimum) on its own line, never covered by Savings Plans or Reserved Instances (they cover the EC2 part); ecsim has no fee table".into(), "Amazon ECS pricing, https://aws.amazon.com/ecs/pricing/ (per instance type; e.g. $0.037 an hour for a c6a.2xlarge)"));
    }
    if sc
        .services
        .iter()
        .any(|x| !x.deployment_schedule.is_empty())
    {
        use crate::scheduler::deployment as dep;
        out.push(a("rolling deployments", format!("minimumHealthyPercent (default {}) rounded up, maximumPercent (default {}) rounded down, PROVISIONING, PENDING and RUNNING tasks counted; a new task is healthy {} after RUNNING (settings.deploymentHealthyAfter), or healthCheckGracePeriodSeconds (default 0) after with a load balancer; old RUNNING tasks count healthy; min 100 % with max 100 % cannot progress (reported STALLED)", dep::DEFAULT_MINIMUM_HEALTHY_PERCENT, dep::DEFAULT_MAXIMUM_PERCENT, s.deployment_healthy_after), &format!("{}; Amazon ECS API Reference, DeploymentConfiguration: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html", ecs_guide("deploy Amazon ECS services by replacing tasks", "deployment-type-ecs"))));
        out.push(a("deployment circuit breaker", format!("threshold clamp(ceil(0.5 × desired), {}, {}) tasks that fail before RUNNING (health-check failures after RUNNING are not modelled); then FAILED and no new task (surplus stopped), or a rolling update back to the last completed task definition with rollback", dep::CIRCUIT_BREAKER_MIN_THRESHOLD, dep::CIRCUIT_BREAKER_MAX_THRESHOLD), "Amazon ECS API Reference, ServiceDeploymentCircuitBreaker: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html"));
        out.push(a("blue/green deployments", format!("a full green set (desired count, maximumPercent ignored) started at once; traffic shifted when all green tasks are healthy (CodeDeploy canary/linear steps as named; default {}), both sets kept for bakeTimeInMinutes or terminationWaitTimeInMinutes (default {}), then blue stopped; requests are spread over every RUNNING task of both sets, which gives the same service-average CPU and served rate as a split by weight while no task saturates", dep::DEFAULT_CODE_DEPLOY_CONFIG, dep::DEFAULT_TERMINATION_WAIT), &format!("{}; CodeDeploy User Guide, deployment configurations: https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html; termination wait default from AWS CDK CfnCodeDeployBlueGreenAdditionalOptions", ecs_guide("Amazon ECS blue/green deployments", "deployment-type-blue-green"))));
        out.push(a("service auto scaling during deployments", "scale-in is not carried out while a deployment is in progress (counted as scale_in_suppressed); scale-out continues".into(), &ecs_guide("troubleshooting service auto scaling", "troubleshoot-service-auto-scaling")));
        out.push(a("deployment cost", "extra task-hours: RUNNING tasks above the desired count while in progress, priced at the Fargate rate of the new task size (0 on EC2); extra instance-hours: in-service instances of the service's groups above the count at the start, sampled each minute from the start until the count first returns to it, priced at the group's first instance type".into(), "ecsim model"));
    }
    let external: Vec<_> = sc
        .auto_scaling_groups
        .iter()
        .filter_map(|g| g.external.map(|e| (g, e)))
        .collect();
    if !external.is_empty() {
        // Only for scenarios with external instances, so other runs' assumptions are unchanged.
        let fees: Vec<String> = external
            .iter()
            .map(|(g, e)| {
                format!(
                    "{} ${}/h + machine ${}/h",
                    g.name, e.anywhere_usd_per_instance_hour, e.machine_usd_per_hour
                )
            })
            .collect();
        out.push(a("ECS Anywhere cost", format!("each external instance registered costs the Anywhere fee plus the owner's machine cost per hour, metered per second from time zero to the end or its failure (60-second minimum, as EC2); never covered by Savings Plans or Reserved Instances ({})", fees.join("; ")), "Amazon ECS pricing, ECS Anywhere ($0.01025 per registered on-premises instance-hour in us-east-1): https://aws.amazon.com/ecs/pricing/; partial-hour billing not stated (per-second here); machine costs are the scenario's (externalInstances[].machineUsdPerHour, anywhereUsdPerInstanceHour)"));
        out.push(a("external instances", "a fixed count registered at time zero with vCPU × 1024 CPU units and the memory given less ECS_RESERVED_MEMORY; no Auto Scaling group, so never scaled nor replaced after a failure; only launch type EXTERNAL places there (EC2, capacity providers and DAEMON services never do); no Availability Zone (one pseudo zone for spread, untouched by AZ outages); task start and stop latencies as on EC2".into(), &format!("{}; {}; {}", ecs_guide("external instances (ECS Anywhere)", "ecs-anywhere"), ecs_guide("running workloads on external instances", "ecs-anywhere-runtask"), ecs_guide("capacity providers (none for external instances)", "cluster-capacity-providers"))));
    }
    out
}
