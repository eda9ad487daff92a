//! Every AWS default and modelling default the scenario can override, in one place.
//!
//! Each constant names its source in `ecs-reference.md` (the project's summary of AWS
//! documentation) with the tag used there: \[DOC\] documented, \[API\] API reference, \[CODE\] read
//! from AWS source, \[OBS\] observed, \[DERIVED\] our inference, \[UNCERTAIN\] sources disagree.
//! The report's assumptions section lists the values in force for a run.
//!
//! Prices, Fargate sizes and registered-memory overheads live beside the catalog in `cloud`
//! (`DEFAULT_NITRO_MEMORY_OVERHEAD_PPM`, `FARGATE_SPOT_X86_USD_PER_VCPU_SECOND`, …), and the
//! billing rules (60 s minimums) in `billing`: they are facts about the catalog and the bill,
//! overridable through `catalog`, and are not repeated here.

use crate::distribution::Latency;
use crate::engine::SimDuration;

/// EC2 `RunInstances` until the instance is in the `running` state, when billing starts.
/// \[DERIVED\] EC2 `pending` typically lasts seconds; ecs-reference §7.6 bills from `running`.
pub const INSTANCE_RUNNING_LATENCY: Latency = Latency::Uniform {
    min: SimDuration::from_secs(5),
    max: SimDuration::from_secs(15),
};

/// `running` until the ECS agent has registered the container instance.
/// \[OBS\] ecs-reference §3.2: launch → registration ≈ 41 s observed; with the running latency
/// above (mean 10 s) this gives a mean of about 40 s from launch.
pub const AGENT_REGISTRATION_LATENCY: Latency = Latency::Uniform {
    min: SimDuration::from_secs(20),
    max: SimDuration::from_secs(40),
};

/// EC2 task PENDING → RUNNING: image pull (often cached on EC2) and container start.
/// \[DERIVED\] no AWS figure; EC2 reuses cached layers (`ECS_IMAGE_PULL_BEHAVIOR`, §3.2).
pub const EC2_TASK_START_LATENCY: Latency = Latency::Uniform {
    min: SimDuration::from_secs(5),
    max: SimDuration::from_secs(20),
};

/// Fargate PROVISIONING (ENI attachment) before the image pull starts.
/// \[OBS\] ecs-reference §3.2: createdAt → pullStartedAt 11 s and 44 s in one run.
pub const FARGATE_PROVISIONING_LATENCY: Latency = Latency::Uniform {
    min: SimDuration::from_secs(10),
    max: SimDuration::from_secs(45),
};

/// Fargate image pull start → RUNNING: Fargate has no image cache, every task pulls.
/// \[OBS\] ecs-reference §3.2: create → running 20–40 s with ECR images, 45–90 s for larger
/// apps; with the provisioning latency above the total is centred near 45 s.
pub const FARGATE_TASK_START_LATENCY: Latency = Latency::Uniform {
    min: SimDuration::from_secs(10),
    max: SimDuration::from_secs(30),
};

/// STOPPING → STOPPED: SIGTERM until the container exits, then deprovisioning.
/// \[DERIVED\] bounded by the 30 s `stopTimeout` default (§3.2); most apps exit in seconds.
pub const TASK_STOP_LATENCY: Latency = Latency::Uniform {
    min: SimDuration::from_secs(1),
    max: SimDuration::from_secs(5),
};

/// How long a task waits in PROVISIONING for capacity before ECS stops it.
/// \[DOC CAS-blog\] "between 10 and 30 minutes", not configurable; we take the upper end.
/// \[UNCERTAIN\]
pub const PROVISIONING_TIMEOUT: SimDuration = SimDuration::from_mins(30);

/// How long a DRAINING instance may wait for its tasks before the ASG terminates it anyway
/// (the lifecycle hook's heartbeat timeout).
/// \[DOC\] EC2 Auto Scaling lifecycle hooks: default heartbeat timeout 3600 s. The timeout ECS's
/// managed-draining hook uses is not in our sources. \[UNCERTAIN\]
pub const DRAINING_TIMEOUT: SimDuration = SimDuration::from_mins(60);

/// Tasks in the PROVISIONING state per cluster.
/// \[UNCERTAIN\] 100 in the 2020 blog; now a service quota commonly cited as 500 (§1.8).
pub const PROVISIONING_TASKS_PER_CLUSTER: u32 = 500;

/// Fargate task launch token bucket: burst. \[DOC\] `throttling.md`: 100 burst (§5.5).
pub const FARGATE_LAUNCH_BURST: u32 = 100;

/// Fargate task launch token bucket: sustained rate. \[DOC\] 20 tasks per second (§5.5),
/// separately for On-Demand and Spot.
pub const FARGATE_LAUNCH_RATE_PER_SECOND: u32 = 20;

/// Tasks one `RunTask` call may start (`count`, at most 10). \[API\] Amazon ECS API Reference,
/// "RunTask", `count`: "You can specify up to 10 tasks for each call",
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html>; ecs-reference
/// §5.5. A batch submission of more tasks is split into calls of this many.
pub const RUN_TASK_MAX_COUNT: u32 = 10;

/// `RunTask` API token bucket: burst (bucket maximum capacity), calls.
/// \[DOC\] ecs-reference §5.5 (20 calls per second, burst and sustained), from "Request
/// throttling for the Amazon ECS API",
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html>, which
/// describes the token bucket (maximum capacity = burst, refill rate = sustained) per account
/// and Region.
pub const RUN_TASK_BURST: u32 = 20;

/// `RunTask` API token bucket: sustained rate (refill), calls per second.
/// \[DOC\] ecs-reference §5.5, same source as [`RUN_TASK_BURST`].
pub const RUN_TASK_RATE_PER_SECOND: u32 = 20;

/// How often the service scheduler reconciles when no event wakes it.
/// \[UNCERTAIN\] AWS documents no interval; the scheduler also reacts at once to task stops
/// and new instances, so this only bounds how long a missed placement waits.
pub const SERVICE_SCHEDULER_INTERVAL: SimDuration = SimDuration::from_secs(60);

/// `availabilityZoneRebalancing` of a service that does not set it, when it is eligible.
/// \[DOC\] Amazon ECS Developer Guide, "Balancing an Amazon ECS service across Availability
/// Zones" (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html>):
/// "Starting September 5, 2025, Amazon ECS enables Availability Zone rebalancing for all
/// services that are eligible for the feature", and CreateService defaults it to `ENABLED`.
/// An ineligible service (see `scheduler::az_rebalancing::Eligibility`) defaults to DISABLED.
/// Overridable per service with `availabilityZoneRebalancing`.
pub const AZ_REBALANCING_DEFAULT_ENABLED: bool = true;

/// The pace of AZ rebalancing: how long after one rebalancing step (its new tasks healthy and
/// the surplus stopped), or after a step that could not place its task, the service is
/// looked at again. \[MODELLING CHOICE\] AWS documents no interval ("Amazon ECS continuously
/// monitors the distribution of tasks", same page); one service scheduler interval (60 s)
/// keeps a retry after a failed placement from spinning, and a step is bounded anyway by the
/// new tasks' health wait. Overridable: `settings.azRebalancingInterval`.
pub const AZ_REBALANCING_INTERVAL: SimDuration = SimDuration::from_secs(60);

/// Queued tasks examined per placement pass before giving up until capacity changes.
/// \[DERIVED\] a modelling bound, not AWS: lets small tasks backfill around a large one
/// without scanning a million-task queue on every release.
pub const PLACEMENT_BACKFILL_WINDOW: u32 = 64;

/// EC2 Spot price as a fraction of on-demand.
/// \[UNCERTAIN\] AWS says "up to 90 %" off (§7.6); 0.35 is a typical recent discount for
/// general-purpose types, not a quote. Override per ASG with `spotPriceFactor`.
pub const EC2_SPOT_PRICE_FACTOR: f64 = 0.35;

/// Stop with an error after this many events: a policy looping forever must not hang a run.
pub const MAX_EVENTS: u64 = 2_000_000_000;

/// Memory one work item costs a run, bytes: the unit [`MAX_WORK`] is derived from.
/// \[DERIVED\] measured when every task ever created was kept: a Fargate Poisson run that
/// created 4.32 million tasks peaked at 512 MB resident (7 MB without them), 119.5 bytes per
/// task including `Vec` growth; rounded up to 128. Since issue 13 only live tasks are held
/// (a slot in the task table, its billing meter, its events), about the same per task.
pub const WORK_ITEM_BYTES: u64 = 128;

/// Most work items a scenario may ask for: tasks alive at once, EC2 instances launched and
/// request-rate steps read, as `validate` estimates them, and live tasks plus instances as a
/// run holds them. \[DERIVED\] a 2 GiB memory budget at [`WORK_ITEM_BYTES`] each:
/// 2 × 1024³ / 128 ≈ 16.8 million, rounded down to 16 million, so a typo such as
/// `ratePerHour: 1e9` is refused at once instead of growing until the OS kills the run.
/// Override with `settings.maxWork`.
pub const MAX_WORK: u64 = 16_000_000;

/// Events a run may hold waiting per work item of `settings.maxWork`, beyond which it stops.
/// \[DERIVED\] a task waits on at most two events at once (a timeout and its next lifecycle
/// step), an instance on a few; 4 per item leaves room for the per-minute and per-service
/// ticks of a small run while still stopping a runaway queue at a bounded size.
pub const EVENTS_PER_WORK_ITEM: u64 = 4;

/// Most memory a Monte Carlo run (`--replicas N`) may estimate for what it keeps across
/// replicas (each replica's headline figures and its sampled per-minute band points), MiB.
/// \[DERIVED\] half of a 2 GiB budget, leaving the other half for the replicas running at
/// once (each bounded by [`MAX_WORK`]) and replica 0's full report. 10,000 replicas of a
/// small 30-day run estimate about 444 MiB (1,441 band points × 32 bytes and about 50
/// figures × 8 bytes each). Override with `settings.maxReplicaMemoryMib`.
pub const MAX_REPLICA_MEMORY_MIB: u64 = 1024;

/// Records kept in `events.jsonl`; beyond it the summary counts the dropped ones.
pub const EVENT_LOG_LIMIT: u32 = 100_000;

/// Decisions of each kind (placements and strategies; tasks never placed; scaling and
/// faults, `explain::Budget`) kept in `explain.jsonl` by `ecsim run --explain`; past a
/// kind's share a final line says which were cut, and no more traces of it are built.
/// \[DERIVED\] ecsim model: a placement trace is about 700 bytes of JSON, so 20,000
/// placements keep the file near 14 MiB and the traces' cost bounded on a month-long run,
/// while covering the decisions of the shipped teaching scenarios. Override with
/// `settings.explainLimit`.
pub const EXPLAIN_LIMIT: u64 = 20_000;

/// How services begin at time zero: `warm`, with their desired count RUNNING.
/// \[DERIVED\] a modelling choice, not AWS: a scenario describes a running system (its ASGs'
/// instances are already running and registered at time zero), so its services are too;
/// `settings.start: "cold"` launches them at time zero instead.
pub const START: crate::scenario::StartMode = crate::scenario::StartMode::Warm;

/// Start of the measurement window (`settings.measureFrom`): zero, every figure covers the
/// whole run. \[DERIVED\] with a warm start there is no boot to leave out by default.
pub const MEASURE_FROM: SimDuration = SimDuration::ZERO;

/// Root seed when neither the scenario nor `--seed` gives one.
pub const SEED: u64 = 1;

/// Upper bound on the simulated span (a limit on everything: TigerBeetle style).
pub const MAX_DURATION: SimDuration = SimDuration::from_mins(60 * 24 * 366);

/// Upper bound on instances in one ASG. \[DOC\] 5000 EC2 instances per cluster (§5.5); we allow
/// more for what-if studies but cap to keep memory bounded.
pub const MAX_INSTANCES_PER_ASG: u32 = 100_000;

/// Wall-clock time of simulated time zero: 2026-01-05T00:00:00Z, a Monday, so weekly cron
/// schedules line up with a week that starts at time zero. \[DERIVED\] ecsim's choice;
/// scheduled actions are in UTC (ecs-reference §6.4). Override with `settings.startTime`.
pub const START_TIME_UNIX_S: i64 = 1_767_571_200;

/// CPU a service task uses with no requests, % of its CPU. \[DERIVED\] ecsim's choice (an idle
/// web server's runtime and health checks); override with `load.baselineCpuPercent`.
pub const LOAD_BASELINE_CPU_PERCENT: f64 = 5.0;

/// Memory a service task uses with no requests, % of its memory. \[DERIVED\] ecsim's choice;
/// override with `load.baselineMemoryPercent`.
pub const LOAD_BASELINE_MEMORY_PERCENT: f64 = 30.0;

/// Memory a service task uses at full load, % of its memory. \[DERIVED\] ecsim's choice;
/// override with `load.memoryPercentAtCapacity`.
pub const LOAD_MEMORY_PERCENT_AT_CAPACITY: f64 = 50.0;

/// Bin width when per-request arrival timestamps are turned into a rate. \[DERIVED\] one
/// minute, the resolution of the standard ECS metrics (ecs-reference §4.6).
pub const RATE_BUCKET: SimDuration = SimDuration::from_mins(1);

/// How long after the end of the minute it describes a standard-resolution (60 s) ECS service
/// metric datapoint reaches the alarms of service auto scaling: CloudWatch publication plus
/// alarm evaluation. Override with `settings.metricDelay`.
///
/// \[OBS\] AWS's own benchmark, AWS News Blog "Amazon ECS introduces new high-resolution metrics
/// for faster service auto scaling" (2026-06-18,
/// <https://aws.amazon.com/blogs/aws/amazon-ecs-introduces-new-high-resolution-metrics-for-faster-service-auto-scaling/>,
/// figures repeated by dev.classmethod.jp "I verified whether scale-out actually becomes
/// faster…", <https://dev.classmethod.jp/en/articles/ecs-high-resolution-metrics-faster-autoscaling/>):
/// a load step triggered the target tracking scale-out after **363 s** with 60 s metrics.
/// AlarmHigh needs 3 datapoints of 60 s (ecs-reference §6.2), so with the step at a period
/// boundary 363 − 3 × 60 = 183 s is what happens between a period's end and the alarm acting
/// on it. \[UNCERTAIN\] the benchmark's step offset within a minute is not published: a step
/// half-way into a minute would leave 363 − 30 − 180 = 153 s.
pub const METRIC_DELAY: SimDuration = SimDuration::from_secs(183);

/// The same for the high-resolution (20 s) metrics (`…HighResolution`); override with
/// `settings.highResolutionMetricDelay`.
///
/// \[OBS\] same AWS benchmark as [`METRIC_DELAY`]: the scale-out triggered after **86 s** with
/// 20 s metrics ("optimized metric publishing"); AlarmHigh's 3 datapoints of 20 s leave
/// 86 − 3 × 20 = 26 s. \[UNCERTAIN\] as above (a mid-period step would leave 16 s).
pub const HIGH_RESOLUTION_METRIC_DELAY: SimDuration = SimDuration::from_secs(26);

/// Longest metric delay a scenario may set: a datapoint waits in a queue of delay ÷ period
/// entries per service, so the queue stays small. \[DERIVED\] a limit, not AWS: an hour is
/// far beyond any published CloudWatch lag.
pub const MAX_METRIC_DELAY: SimDuration = SimDuration::from_mins(60);

/// Whether EC2 tasks without a task-level `cpu` may use spare CPU of their instance
/// (`settings.cpuBeyondReservation`). \[DOC\] on: a container's `cpu` is a relative share that
/// lets it use unallocated CPU of its instance (Amazon ECS API Reference, ContainerDefinition,
/// `cpu`: <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html>),
/// while a task-level `cpu` is the maximum the task's containers may use (AWS re:Post
/// Knowledge Center, "How does Amazon ECS allocate CPU to tasks?":
/// <https://repost.aws/knowledge-center/ecs-cpu-allocation>). See `simulation::burst`.
pub const CPU_BEYOND_RESERVATION: bool = true;

/// The AWS Region a scenario runs in when it does not say (`region`).
/// \[DOC\] ecs-reference §7 gives every price for us-east-1, the Region the project's sources
/// (AWS's pricing pages' default, Karpenter's generated price table) use; the embedded
/// catalog's other Regions and their dates are in `src/cloud/data/SOURCES.md`.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The ECS Anywhere fee, USD per hour per external instance registered to a cluster and
/// connected to ECS (us-east-1; AWS publishes one rate for the managed on-premises instance).
/// \[DOC\] Amazon ECS pricing, "Amazon ECS Anywhere pricing",
/// <https://aws.amazon.com/ecs/pricing/>: "$0.01025 per hour for each managed ECS Anywhere
/// on-premises instance" (as transcribed from the page on 2026-09-20 in the public
/// `api-evangelist/amazon-ecs` repository, `plans/amazon-ecs-plans-pricing.yml`). The page
/// does not say how a partial hour is billed \[UNCERTAIN\]: ecsim meters the fee per second
/// like EC2 (with its 60-second minimum), which only matters for an instance that fails
/// mid-run. Override per group with `externalInstances[].anywhereUsdPerInstanceHour`.
pub const ECS_ANYWHERE_USD_PER_INSTANCE_HOUR: f64 = 0.01025;

/// Most external instances in one `externalInstances` group.
/// \[DERIVED\] a modelling cap like [`MAX_INSTANCES_PER_ASG`]: an on-premises fleet is sized by
/// hand, and the same bound keeps a typo from building millions of instances.
pub const MAX_EXTERNAL_INSTANCES_PER_GROUP: u32 = MAX_INSTANCES_PER_ASG;

/// The ECS account setting `awsvpcTrunking` (`settings.awsvpcTrunking`: `"enabled"` or
/// `"disabled"`): whether container instances get a trunk interface and the higher `awsvpc`
/// task limit. \[DOC\] off unless opted in: "Your account or container instance IAM role must
/// opt-in to the `awsvpcTrunking` account setting" (Amazon ECS Developer Guide, "Elastic
/// network interface trunking", container-instance-eni.md; "Account settings",
/// ecs-account-settings.md lists it as opt-in).
pub const AWSVPC_TRUNKING: bool = false;

/// A task definition's `networkMode` when it gives none, on EC2 Linux. \[DOC\] "If no network
/// mode is specified, the default network mode is `bridge`" (Amazon ECS Developer Guide,
/// "Task definition parameters", Network mode); Fargate requires `awsvpc`.
pub const NETWORK_MODE: &str = "bridge";
