//! Validation of the auto scaling parts of a scenario: a service's `load` and `autoScaling`,
//! a capacity provider's `managedScaling`, and the settings behind their \[UNCERTAIN\] rules.

use super::*;
use crate::autoscaling::alarm::Comparison;
use crate::autoscaling::managed_scaling::{EmptyClusterValue, ManagedScalingConfig, StepMode};
use crate::autoscaling::schedule::Schedule;
use crate::autoscaling::service::ServiceAutoScalingConfig;
use crate::autoscaling::step_scaling::{
    AdjustmentType, MetricAggregation, StepAdjustment, StepAlarmConfig, StepScalingConfig,
};
use crate::autoscaling::target_tracking::TargetTrackingConfig;
use crate::autoscaling::{Resolution, ServiceMetric};
use crate::workload::request_rate::{RateFormat, RateOptions, RateStep, WindowBound};
use crate::workload::service_load::LoadModel;

/// Auto scaling knobs from `settings` that policies need when they are built.
#[derive(Clone, Copy, Debug)]
pub(super) struct ScalingDefaults {
    pub high_datapoints: u32,
    pub low_datapoints: u32,
    pub low_ratio: f64,
}

/// Most policies per service we accept. \[DOC\] Application Auto Scaling quotas: 50 scaling
/// policies per scalable target.
const MAX_POLICIES: usize = 50;
/// Most scheduled actions per service. \[DOC\] Application Auto Scaling quotas: 200 per
/// scalable target.
const MAX_SCHEDULED_ACTIONS: usize = 200;

fn metric_of(name: &str) -> Option<(ServiceMetric, Resolution)> {
    Some(match name {
        "ECSServiceAverageCPUUtilization" => (ServiceMetric::CpuUtilization, Resolution::Standard),
        "ECSServiceAverageCPUUtilizationHighResolution" => {
            (ServiceMetric::CpuUtilization, Resolution::High)
        }
        "ECSServiceAverageMemoryUtilization" => {
            (ServiceMetric::MemoryUtilization, Resolution::Standard)
        }
        "ECSServiceAverageMemoryUtilizationHighResolution" => {
            (ServiceMetric::MemoryUtilization, Resolution::High)
        }
        "ALBRequestCountPerTarget" => (ServiceMetric::RequestCountPerTarget, Resolution::Standard),
        _ => return None,
    })
}

const METRIC_NAMES: &str = "\"ECSServiceAverageCPUUtilization\", \"ECSServiceAverageMemoryUtilization\", \"ALBRequestCountPerTarget\", \"ECSServiceAverageCPUUtilizationHighResolution\" or \"ECSServiceAverageMemoryUtilizationHighResolution\"";

/// `YYYY-MM-DDThh:mm:ssZ` → Unix seconds (UTC only).
fn parse_utc_datetime(text: &str) -> Result<i64, String> {
    let b = text.as_bytes();
    let ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !ok {
        return Err(format!("found {text:?}"));
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        text[r]
            .parse::<i64>()
            .map_err(|_| format!("found {text:?}"))
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) {
        return Err(format!("month {mo} in {text:?}"));
    }
    let dim = i64::from(crate::autoscaling::schedule::days_in_month(y, mo as u32));
    if !(1..=dim).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return Err(format!("no such time: {text:?}"));
    }
    let days = crate::autoscaling::schedule::days_from_civil(y, mo as u32, d as u32);
    Ok(days * 86_400 + h * 3600 + mi * 60 + s)
}

impl Validator {
    /// `settings.startTime`: `YYYY-MM-DDThh:mm:ssZ` → Unix seconds.
    pub(super) fn start_time(&mut self, raw: Option<&str>) -> i64 {
        let Some(text) = raw else {
            return defaults::START_TIME_UNIX_S;
        };
        match parse_utc_datetime(text) {
            Ok(t) => t,
            Err(e) => {
                self.problem(
                    "settings.startTime",
                    format!("expected a UTC time like \"2026-01-05T00:00:00Z\": {e}"),
                );
                defaults::START_TIME_UNIX_S
            }
        }
    }

    pub(super) fn scaling_defaults(&mut self, s: &SettingsFile) -> ScalingDefaults {
        let d = ScalingDefaults {
            high_datapoints: s
                .target_tracking_alarm_high_datapoints
                .unwrap_or(crate::autoscaling::target_tracking::DEFAULT_HIGH_ALARM_DATAPOINTS),
            low_datapoints: s
                .target_tracking_alarm_low_datapoints
                .unwrap_or(crate::autoscaling::target_tracking::DEFAULT_LOW_ALARM_DATAPOINTS),
            low_ratio: s
                .target_tracking_alarm_low_ratio
                .unwrap_or(crate::autoscaling::target_tracking::DEFAULT_LOW_ALARM_RATIO),
        };
        if d.high_datapoints == 0 || d.high_datapoints > 1440 {
            self.problem(
                "settings.targetTrackingAlarmHighDatapoints",
                format!("expected 1 to 1440, found {}", d.high_datapoints),
            );
        }
        if d.low_datapoints == 0 || d.low_datapoints > 1440 {
            self.problem(
                "settings.targetTrackingAlarmLowDatapoints",
                format!("expected 1 to 1440, found {}", d.low_datapoints),
            );
        }
        if !(d.low_ratio.is_finite() && d.low_ratio > 0.0 && d.low_ratio <= 1.0) {
            self.problem(
                "settings.targetTrackingAlarmLowRatio",
                format!("expected a number in (0, 1], found {}", d.low_ratio),
            );
        }
        d
    }

    /// `capacityProviders[i].autoScalingGroupProvider.managedScaling`.
    pub(super) fn managed_scaling(
        &mut self,
        path: &str,
        m: &ManagedScalingFile,
        knobs: Option<&ManagedScalingSettingsFile>,
    ) -> Option<ManagedScalingConfig> {
        match m.status.as_deref() {
            // [API] ManagedScaling.status: the API default is DISABLED only when the object is
            // absent; a managedScaling block without a status is read as ENABLED, as the
            // console creates it.
            None | Some("ENABLED") => {}
            Some("DISABLED") => return None,
            Some(o) => {
                self.problem(
                    format!("{path}.status"),
                    format!("expected \"ENABLED\" or \"DISABLED\", found {o:?}"),
                );
                return None;
            }
        }
        let mut cfg = ManagedScalingConfig::default();
        if let Some(t) = m.target_capacity {
            if (1..=100).contains(&t) {
                cfg.target_capacity = t as u32;
            } else {
                self.problem(
                    format!("{path}.targetCapacity"),
                    format!("expected an integer percentage from 1 to 100, found {t}"),
                );
            }
        }
        let step = |v: &mut Validator, field: &str, val: Option<i64>, into: &mut u32| {
            if let Some(x) = val {
                if (1..=10_000).contains(&x) {
                    *into = x as u32;
                } else {
                    v.problem(
                        format!("{path}.{field}"),
                        format!("expected 1 to 10000, found {x}"),
                    );
                }
            }
        };
        step(
            self,
            "minimumScalingStepSize",
            m.minimum_scaling_step_size,
            &mut cfg.minimum_scaling_step_size,
        );
        step(
            self,
            "maximumScalingStepSize",
            m.maximum_scaling_step_size,
            &mut cfg.maximum_scaling_step_size,
        );
        if cfg.minimum_scaling_step_size > cfg.maximum_scaling_step_size {
            self.problem(
                format!("{path}.minimumScalingStepSize"),
                format!(
                    "expected minimumScalingStepSize ≤ maximumScalingStepSize, found {} > {}",
                    cfg.minimum_scaling_step_size, cfg.maximum_scaling_step_size
                ),
            );
        }
        if let Some(w) = &m.instance_warmup_period {
            if w.0 > crate::engine::SimDuration::from_secs(10_000) {
                self.problem(
                    format!("{path}.instanceWarmupPeriod"),
                    format!("expected 0–10000 seconds, found {}", w.0),
                );
            } else {
                cfg.instance_warmup_period = w.0;
            }
        }
        if let Some(k) = knobs {
            let sp = "settings.managedScaling";
            match k.empty_cluster_value.as_deref() {
                None => {}
                Some("targetCapacity") => cfg.empty_value = EmptyClusterValue::TargetCapacity,
                Some("100") => cfg.empty_value = EmptyClusterValue::Hundred,
                Some(o) => self.problem(
                    format!("{sp}.emptyClusterValue"),
                    format!("expected \"targetCapacity\" or \"100\", found {o:?}"),
                ),
            }
            match k.step_mode.as_deref() {
                None => {}
                Some("largestTypeBinpack") => cfg.step_mode = StepMode::LargestTypeBinpack,
                Some("minimumStepOnly") => cfg.step_mode = StepMode::MinimumStepOnly,
                Some(o) => self.problem(
                    format!("{sp}.stepMode"),
                    format!("expected \"largestTypeBinpack\" or \"minimumStepOnly\", found {o:?}"),
                ),
            }
            for (field, val, into) in [
                (
                    "scaleOutDatapoints",
                    k.scale_out_datapoints,
                    &mut cfg.scale_out_datapoints,
                ),
                (
                    "scaleInDatapoints",
                    k.scale_in_datapoints,
                    &mut cfg.scale_in_datapoints,
                ),
            ] {
                if let Some(x) = val {
                    if (1..=1440).contains(&x) {
                        *into = x;
                    } else {
                        self.problem(
                            format!("{sp}.{field}"),
                            format!("expected 1 to 1440, found {x}"),
                        );
                    }
                }
            }
            if let Some(h) = &k.scale_in_hold_after_scale_out {
                cfg.scale_in_hold_after_scale_out = h.0;
            }
            if let Some(f) = k.max_scale_in_fraction {
                if f.is_finite() && f > 0.0 && f <= 1.0 {
                    cfg.max_scale_in_fraction = f;
                } else {
                    self.problem(
                        format!("{sp}.maxScaleInFraction"),
                        format!("expected a number in (0, 1], found {f}"),
                    );
                }
            }
        }
        Some(cfg)
    }

    /// `services[i].load`.
    pub(super) fn service_load(&mut self, path: &str, l: &LoadFile) -> Option<ServiceLoadSpec> {
        let before = self.problems.len();
        let pct = |v: &mut Validator, field: &str, val: Option<f64>, default: f64| -> f64 {
            match val {
                None => default,
                Some(x) if x.is_finite() && (0.0..=100.0).contains(&x) => x,
                Some(x) => {
                    v.problem(
                        format!("{path}.{field}"),
                        format!("expected a percentage from 0 to 100, found {x}"),
                    );
                    default
                }
            }
        };
        let cap = l.requests_per_task_per_second;
        if !(cap.is_finite() && cap > 0.0) {
            self.problem(
                format!("{path}.requestsPerTaskPerSecond"),
                format!("expected a positive number of requests per second one task serves at 100 % CPU, found {cap}"),
            );
        }
        let baseline_cpu = pct(
            self,
            "baselineCpuPercent",
            l.baseline_cpu_percent,
            defaults::LOAD_BASELINE_CPU_PERCENT,
        );
        let baseline_mem = pct(
            self,
            "baselineMemoryPercent",
            l.baseline_memory_percent,
            defaults::LOAD_BASELINE_MEMORY_PERCENT,
        );
        let mem_at_cap = pct(
            self,
            "memoryPercentAtCapacity",
            l.memory_percent_at_capacity,
            baseline_mem.max(defaults::LOAD_MEMORY_PERCENT_AT_CAPACITY),
        );
        let source = match (&l.trace, &l.points) {
            (Some(t), None) => {
                if l.repeat_every.is_some() {
                    self.problem(
                        format!("{path}.repeatEvery"),
                        "applies to \"points\" only; a trace loops with trace.repeat",
                    );
                }
                self.rate_trace(&format!("{path}.trace"), t)
            }
            (None, Some(points)) => self.rate_points(path, points, l.repeat_every.as_ref()),
            _ => {
                self.problem(
                    path.to_string(),
                    "expected exactly one of \"trace\" (a request-rate file) or \"points\" (inline steps)",
                );
                None
            }
        };
        let model = LoadModel {
            requests_per_task_per_second: cap,
            baseline_cpu_percent: baseline_cpu,
            baseline_memory_percent: baseline_mem,
            memory_percent_at_capacity: mem_at_cap,
        };
        if self.problems.len() == before {
            if let Err(e) = model.validate() {
                self.problem(path.to_string(), e.to_string());
            }
        }
        if self.problems.len() > before {
            return None;
        }
        Some(ServiceLoadSpec {
            source: source?,
            model,
        })
    }

    fn rate_trace(&mut self, path: &str, t: &RateTraceFile) -> Option<RateSourceSpec> {
        let format = match t.format.as_str() {
            "csv" => RateFormat::Csv,
            "worldcup98" => RateFormat::WorldCup98,
            "azureLlm" => RateFormat::AzureLlm,
            o => {
                self.problem(
                    format!("{path}.format"),
                    format!("expected \"csv\", \"worldcup98\" or \"azureLlm\", found {o:?}"),
                );
                return None;
            }
        };
        let file = self.trace_path(&format!("{path}.path"), &t.path);
        let scale = t.scale.unwrap_or(1.0);
        if !(scale.is_finite() && scale >= 0.0) {
            self.problem(
                format!("{path}.scale"),
                format!("expected a non-negative factor, found {scale}"),
            );
        }
        let bound = |v: &mut Validator, field: &str, val: &Option<serde_json::Value>| match val {
            None => None,
            Some(serde_json::Value::String(s)) if s.contains('-') && s.contains(':') => {
                Some(WindowBound::At(s.clone()))
            }
            Some(other) => {
                match serde_json::from_value::<super::super::duration::Duration>(other.clone()) {
                    Ok(d) => Some(WindowBound::Offset(d.0)),
                    Err(e) => {
                        v.problem(
                            format!("{path}.{field}"),
                            format!("expected an offset from the trace's first row (e.g. \"45d\") or a time in the trace's clock (\"1998-06-30 00:00:00\"): {}", super::super::words::plain(&e.to_string())),
                        );
                        None
                    }
                }
            }
        };
        let window_start = bound(self, "windowStart", &t.window_start);
        let window_end = bound(self, "windowEnd", &t.window_end);
        for (field, b) in [("windowStart", &window_start), ("windowEnd", &window_end)] {
            if let Some(b) = b {
                if !b.is_valid_for(format) {
                    self.problem(
                        format!("{path}.{field}"),
                        "expected a real date and time \"YYYY-MM-DD hh:mm:ss\" (only for the dated formats worldcup98 and azureLlm) or an offset such as \"45d\"",
                    );
                }
            }
        }
        // Bounds of one kind can be compared without the trace (dates of the fixed-width
        // form compare as text); mixed ones are compared when the trace is read.
        let ordered = match (&window_start, &window_end) {
            (Some(WindowBound::Offset(a)), Some(WindowBound::Offset(b))) => a < b,
            (Some(WindowBound::At(a)), Some(WindowBound::At(b)))
                if format != RateFormat::Csv && a.len() == b.len() =>
            {
                a < b
            }
            (None, Some(WindowBound::Offset(b))) => b.0 > 0,
            _ => true,
        };
        if !ordered {
            self.problem(
                format!("{path}.windowEnd"),
                "expected windowEnd after windowStart (the start of the trace when left out)",
            );
        }
        let bucket = t.bucket.as_ref().map_or(defaults::RATE_BUCKET, |b| b.0);
        if bucket < crate::engine::SimDuration::from_secs(1) {
            self.problem(
                format!("{path}.bucket"),
                format!("expected at least 1 s, found {bucket}"),
            );
        }
        let options = RateOptions {
            format,
            scale,
            shift: t
                .shift
                .as_ref()
                .map_or(crate::engine::SimDuration::ZERO, |d| d.0),
            window_start,
            window_end,
            repeat: t.repeat.unwrap_or(false),
            bucket,
        };
        Some(RateSourceSpec::Trace {
            path: file?,
            options,
        })
    }

    fn rate_points(
        &mut self,
        path: &str,
        points: &[RatePointFile],
        repeat: Option<&super::super::duration::Duration>,
    ) -> Option<RateSourceSpec> {
        if points.is_empty() {
            self.problem(
                format!("{path}.points"),
                "expected at least one {\"at\": …, \"requestsPerSecond\": …}",
            );
            return None;
        }
        let mut out = Vec::with_capacity(points.len());
        let mut last = None;
        for (i, p) in points.iter().enumerate() {
            let pp = format!("{path}.points[{i}]");
            let rate = match (p.requests_per_second, p.requests_per_minute) {
                (Some(r), None) => r,
                (None, Some(m)) => m / 60.0,
                _ => {
                    self.problem(
                        pp.clone(),
                        "expected exactly one of \"requestsPerSecond\" or \"requestsPerMinute\"",
                    );
                    continue;
                }
            };
            if !(rate.is_finite() && rate >= 0.0) {
                self.problem(
                    pp.clone(),
                    format!("expected a non-negative rate, found {rate}"),
                );
            }
            if last.is_some_and(|l| p.at.0 <= l) {
                self.problem(
                    format!("{pp}.at"),
                    "expected times in increasing order".to_string(),
                );
            }
            last = Some(p.at.0);
            out.push(RateStep {
                at: SimTime::ZERO + p.at.0,
                requests_per_second: rate,
            });
        }
        let repeat_every = repeat.map(|d| d.0);
        if let (Some(r), Some(l)) = (repeat_every, last) {
            if r <= l {
                self.problem(
                    format!("{path}.repeatEvery"),
                    format!("expected a period longer than the last point's time ({l}), found {r}"),
                );
            }
        }
        Some(RateSourceSpec::Points {
            points: out,
            repeat_every,
        })
    }

    /// `services[i].autoScaling`.
    pub(super) fn service_auto_scaling(
        &mut self,
        path: &str,
        a: &AutoScalingFile,
        has_load: bool,
        knobs: ScalingDefaults,
    ) -> Option<ServiceAutoScalingConfig> {
        let before = self.problems.len();
        let cap = |v: &mut Validator, field: &str, x: i64| -> u32 {
            if (0..=MAX_DESIRED_COUNT).contains(&x) {
                x as u32
            } else {
                v.problem(
                    format!("{path}.{field}"),
                    format!("expected 0 to {MAX_DESIRED_COUNT}, found {x}"),
                );
                0
            }
        };
        let min_capacity = cap(self, "minCapacity", a.min_capacity);
        let max_capacity = cap(self, "maxCapacity", a.max_capacity);
        // Compared only when both are in range: an out-of-range one is the mistake.
        if self.problems.len() == before && min_capacity > max_capacity {
            self.problem(
                format!("{path}.minCapacity"),
                format!(
                    "expected minCapacity ≤ maxCapacity, found {min_capacity} > {max_capacity}"
                ),
            );
        }
        if a.policies.len() > MAX_POLICIES {
            self.problem(
                format!("{path}.policies"),
                format!(
                    "expected at most {MAX_POLICIES} policies (the Application Auto Scaling quota)"
                ),
            );
        }
        if a.scheduled_actions.len() > MAX_SCHEDULED_ACTIONS {
            self.problem(
                format!("{path}.scheduledActions"),
                format!("expected at most {MAX_SCHEDULED_ACTIONS} scheduled actions (the Application Auto Scaling quota)"),
            );
        }
        let mut target_tracking = Vec::new();
        let mut step_scaling = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for (i, item) in a.policies.iter().enumerate() {
            let pp = format!("{path}.policies[{i}]");
            let Some(p) = self.lenient(&pp, item) else {
                continue;
            };
            if p.policy_name.trim().is_empty() {
                self.problem(format!("{pp}.policyName"), "expected a non-empty name");
            } else if names.contains(&p.policy_name.as_str()) {
                self.problem(
                    format!("{pp}.policyName"),
                    format!("{:?} is defined twice", p.policy_name),
                );
            } else {
                names.push(&p.policy_name);
            }
            match p.policy_type.as_str() {
                "TargetTrackingScaling" => {
                    if p.step_scaling_policy_configuration.is_some() || p.alarm.is_some() {
                        self.problem(pp.clone(), "a TargetTrackingScaling policy takes targetTrackingScalingPolicyConfiguration only (AWS creates its alarms)");
                    }
                    let Some(t) = &p.target_tracking_scaling_policy_configuration else {
                        self.problem(
                            format!("{pp}.targetTrackingScalingPolicyConfiguration"),
                            "expected the target tracking configuration",
                        );
                        continue;
                    };
                    if let Some(c) = self.target_tracking(&pp, &p.policy_name, t, has_load, knobs) {
                        target_tracking.push(c);
                    }
                }
                "StepScaling" => {
                    if p.target_tracking_scaling_policy_configuration.is_some() {
                        self.problem(
                            pp.clone(),
                            "a StepScaling policy takes stepScalingPolicyConfiguration and alarm",
                        );
                    }
                    let (Some(s), Some(al)) = (&p.step_scaling_policy_configuration, &p.alarm)
                    else {
                        self.problem(
                            pp.clone(),
                            "a StepScaling policy needs stepScalingPolicyConfiguration and the alarm that invokes it",
                        );
                        continue;
                    };
                    if let Some(c) = self.step_scaling(&pp, &p.policy_name, s, al, has_load) {
                        step_scaling.push(c);
                    }
                }
                o => self.problem(
                    format!("{pp}.policyType"),
                    format!("expected \"TargetTrackingScaling\" or \"StepScaling\", found {o:?}"),
                ),
            }
        }
        let mut scheduled_actions = Vec::new();
        for (i, item) in a.scheduled_actions.iter().enumerate() {
            let pp = format!("{path}.scheduledActions[{i}]");
            let Some(s) = self.lenient(&pp, item) else {
                continue;
            };
            let schedule = match Schedule::parse(&s.schedule) {
                Ok(x) => Some(x),
                Err(e) => {
                    self.problem(format!("{pp}.schedule"), e);
                    None
                }
            };
            let act = &s.scalable_target_action;
            if act.min_capacity.is_none() && act.max_capacity.is_none() {
                self.problem(
                    format!("{pp}.scalableTargetAction"),
                    "expected minCapacity, maxCapacity or both",
                );
            }
            let min = act.min_capacity.map(|x| {
                cap(
                    self,
                    &format!("scheduledActions[{i}].scalableTargetAction.minCapacity"),
                    x,
                )
            });
            let max = act.max_capacity.map(|x| {
                cap(
                    self,
                    &format!("scheduledActions[{i}].scalableTargetAction.maxCapacity"),
                    x,
                )
            });
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo > hi {
                    self.problem(
                        format!("{pp}.scalableTargetAction"),
                        format!("expected minCapacity ≤ maxCapacity, found {lo} > {hi}"),
                    );
                }
            }
            if let Some(schedule) = schedule {
                scheduled_actions.push(crate::autoscaling::service::ScheduledActionConfig {
                    name: s.scheduled_action_name.clone(),
                    schedule,
                    min_capacity: min,
                    max_capacity: max,
                });
            }
        }
        if self.problems.len() > before {
            return None;
        }
        let cfg = ServiceAutoScalingConfig {
            min_capacity,
            max_capacity,
            target_tracking,
            step_scaling,
            scheduled_actions,
        };
        // The policy module's own rules, as a last guard: the checks above name the JSON
        // path; anything they miss is still reported instead of reaching the model.
        if let Err(e) = cfg.validate() {
            self.problem(path.to_string(), e);
            return None;
        }
        Some(cfg)
    }

    fn metric(
        &mut self,
        path: &str,
        name: &str,
        has_load: bool,
    ) -> Option<(ServiceMetric, Resolution)> {
        let Some(m) = metric_of(name) else {
            self.problem(
                path.to_string(),
                format!("expected {METRIC_NAMES}, found {name:?}"),
            );
            return None;
        };
        if !has_load {
            // One missing load model is one mistake, however many policies need it.
            let service = path.split(".autoScaling").next().unwrap_or(path);
            if self.broken.first_missing("load model", service) {
                self.problem(
                    path.to_string(),
                    format!("{name} needs a load model: add services[].load (requests and per-task capacity) so the metric has values"),
                );
            }
            return None;
        }
        Some(m)
    }

    fn target_tracking(
        &mut self,
        path: &str,
        name: &str,
        t: &TargetTrackingFile,
        has_load: bool,
        knobs: ScalingDefaults,
    ) -> Option<TargetTrackingConfig> {
        let tp = format!("{path}.targetTrackingScalingPolicyConfiguration");
        let metric = self.metric(
            &format!("{tp}.predefinedMetricSpecification.predefinedMetricType"),
            &t.predefined_metric_specification.predefined_metric_type,
            has_load,
        );
        if !(t.target_value.is_finite() && t.target_value > 0.0) {
            self.problem(
                format!("{tp}.targetValue"),
                format!("expected a positive target, found {}", t.target_value),
            );
            return None;
        }
        let (metric, resolution) = metric?;
        use crate::autoscaling::target_tracking as tt;
        Some(TargetTrackingConfig {
            name: name.to_string(),
            metric,
            resolution,
            target_value: t.target_value,
            scale_out_cooldown: t
                .scale_out_cooldown
                .as_ref()
                .map_or(tt::DEFAULT_SCALE_OUT_COOLDOWN, |d| d.0),
            scale_in_cooldown: t
                .scale_in_cooldown
                .as_ref()
                .map_or(tt::DEFAULT_SCALE_IN_COOLDOWN, |d| d.0),
            disable_scale_in: t.disable_scale_in.unwrap_or(false),
            high_alarm_datapoints: knobs.high_datapoints,
            low_alarm_datapoints: knobs.low_datapoints,
            low_alarm_ratio: knobs.low_ratio,
        })
    }

    fn step_scaling(
        &mut self,
        path: &str,
        name: &str,
        s: &StepScalingFile,
        al: &AlarmFile,
        has_load: bool,
    ) -> Option<StepScalingConfig> {
        let before = self.problems.len();
        let sp = format!("{path}.stepScalingPolicyConfiguration");
        let ap = format!("{path}.alarm");
        let metric = self.metric(&format!("{ap}.metricName"), &al.metric_name, has_load);
        let comparison = match al.comparison_operator.as_str() {
            "GreaterThanThreshold" => Some(Comparison::GreaterThan),
            "GreaterThanOrEqualToThreshold" => Some(Comparison::GreaterThanOrEqualTo),
            "LessThanThreshold" => Some(Comparison::LessThan),
            "LessThanOrEqualToThreshold" => Some(Comparison::LessThanOrEqualTo),
            o => {
                self.problem(format!("{ap}.comparisonOperator"), format!("expected \"GreaterThanThreshold\", \"GreaterThanOrEqualToThreshold\", \"LessThanThreshold\" or \"LessThanOrEqualToThreshold\", found {o:?}"));
                None
            }
        };
        let periods = al.evaluation_periods.unwrap_or(1);
        let to_alarm = al.datapoints_to_alarm.unwrap_or(periods);
        let periods_ok = (1..=1440).contains(&periods);
        if !periods_ok {
            self.problem(
                format!("{ap}.evaluationPeriods"),
                format!("expected 1 to 1440, found {periods}"),
            );
        }
        if periods_ok && !(1..=periods).contains(&to_alarm) {
            self.problem(
                format!("{ap}.datapointsToAlarm"),
                format!("expected 1 to evaluationPeriods ({periods}), found {to_alarm}"),
            );
        }
        if !al.threshold.is_finite() {
            self.problem(format!("{ap}.threshold"), "expected a number");
        }
        let adjustment_type = match s.adjustment_type.as_str() {
            "ChangeInCapacity" => Some(AdjustmentType::ChangeInCapacity),
            "ExactCapacity" => Some(AdjustmentType::ExactCapacity),
            "PercentChangeInCapacity" => Some(AdjustmentType::PercentChangeInCapacity),
            o => {
                self.problem(format!("{sp}.adjustmentType"), format!("expected \"ChangeInCapacity\", \"ExactCapacity\" or \"PercentChangeInCapacity\", found {o:?}"));
                None
            }
        };
        let aggregation = match s.metric_aggregation_type.as_deref() {
            None | Some("Average") => MetricAggregation::Average,
            Some("Minimum") => MetricAggregation::Minimum,
            Some("Maximum") => MetricAggregation::Maximum,
            Some(o) => {
                self.problem(
                    format!("{sp}.metricAggregationType"),
                    format!("expected \"Average\", \"Minimum\" or \"Maximum\", found {o:?}"),
                );
                MetricAggregation::Average
            }
        };
        let min_mag = match s.min_adjustment_magnitude {
            None => None,
            Some(x) if (1..=MAX_DESIRED_COUNT).contains(&x) => Some(x as u32),
            Some(x) => {
                self.problem(
                    format!("{sp}.minAdjustmentMagnitude"),
                    format!("expected a positive integer, found {x}"),
                );
                None
            }
        };
        if min_mag.is_some() && adjustment_type != Some(AdjustmentType::PercentChangeInCapacity) {
            self.problem(
                format!("{sp}.minAdjustmentMagnitude"),
                "applies only to adjustmentType PercentChangeInCapacity",
            );
        }
        let steps: Vec<StepAdjustment> = s
            .step_adjustments
            .iter()
            .map(|a| StepAdjustment {
                metric_interval_lower_bound: a.metric_interval_lower_bound,
                metric_interval_upper_bound: a.metric_interval_upper_bound,
                scaling_adjustment: a.scaling_adjustment,
            })
            .collect();
        if let Some(t) = adjustment_type {
            if let Err(e) = crate::autoscaling::step_scaling::validate_step_adjustments(&steps, t) {
                self.problem(format!("{sp}.stepAdjustments"), e);
            }
        }
        if self.problems.len() > before {
            return None;
        }
        let (metric, resolution) = metric?;
        Some(StepScalingConfig {
            name: name.to_string(),
            alarm: StepAlarmConfig {
                metric,
                resolution,
                threshold: al.threshold,
                comparison: comparison?,
                evaluation_periods: periods as u32,
                datapoints_to_alarm: to_alarm as u32,
            },
            adjustment_type: adjustment_type?,
            step_adjustments: steps,
            min_adjustment_magnitude: min_mag,
            cooldown: s.cooldown.as_ref().map_or(
                crate::autoscaling::step_scaling::DEFAULT_STEP_COOLDOWN,
                |d| d.0,
            ),
            metric_aggregation_type: aggregation,
        })
    }
}
