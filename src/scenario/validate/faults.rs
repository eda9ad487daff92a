//! Validation of `faults` and the settings behind them.

use super::*;
use crate::faults::fargate_spot::{RandomShortages, ShortageWindow};
use crate::faults::lifetime::TimeToFailure;
use crate::faults::outage::{merge, AzOutageWindow, RandomAzOutages};

/// Most scheduled failures or outages of one kind we accept.
const MAX_SCHEDULED: usize = 10_000;

impl Validator {
    /// `faults`. Names (providers, instance types, services, workloads, AZs) must exist.
    pub(super) fn faults(
        &mut self,
        raw: Option<&Lenient<FaultsFile>>,
        names: &Names,
        services: &[ServiceSpec],
        workloads: &[WorkloadSpec],
        duration: SimDuration,
    ) -> Faults {
        let Some(item) = raw else {
            return Faults::default();
        };
        let Some(f) = self.lenient("faults", item) else {
            return Faults::default();
        };
        let mut out = Faults::default();
        for (i, m) in f.instance_failures.iter().enumerate() {
            let p = format!("faults.instanceFailures[{i}]");
            let scope = match (&m.capacity_provider, &m.instance_type) {
                (None, None) => Some(FaultScope::All),
                (Some(cp), None) => match names.providers.iter().position(|x| &x.name == cp) {
                    Some(idx)
                        if matches!(
                            names.providers[idx].kind,
                            CapacityProviderKind::AutoScalingGroup(_)
                        ) =>
                    {
                        Some(FaultScope::CapacityProvider(
                            CapacityProviderId::from_index(idx),
                        ))
                    }
                    // The provider has a problem of its own.
                    None if Broken::has(&self.broken.providers, cp) => None,
                    None if !self.broken.first_missing("provider", cp) => None,
                    _ => {
                        self.problem(
                            format!("{p}.capacityProvider"),
                            format!(
                                "no Auto Scaling group capacity provider named {cp:?}; expected one of {}",
                                list(names.providers.iter().filter(|x| matches!(x.kind, CapacityProviderKind::AutoScalingGroup(_))).map(|x| x.name.as_str()))
                            ),
                        );
                        None
                    }
                },
                (None, Some(t)) => match names.catalog.find(t) {
                    Some(id) => Some(FaultScope::InstanceType(id)),
                    None => {
                        self.problem(
                            format!("{p}.instanceType"),
                            format!("unknown instance type {t:?}"),
                        );
                        None
                    }
                },
                (Some(_), Some(_)) => {
                    self.problem(p.clone(), "give capacityProvider or instanceType, not both");
                    None
                }
            };
            let lifetime = match (&m.mtbf, &m.weibull, &m.at) {
                (Some(d), None, None) => Some(TimeToFailure::Exponential { mtbf: d.0 }),
                (None, Some(w), None) => Some(TimeToFailure::Weibull {
                    shape: w.shape,
                    scale: w.scale.0,
                }),
                (None, None, Some(at)) => {
                    if at.len() > MAX_SCHEDULED {
                        self.problem(
                            format!("{p}.at"),
                            format!("expected at most {MAX_SCHEDULED} times"),
                        );
                    }
                    let mut v: Vec<SimDuration> = at.iter().map(|d| d.0).collect();
                    v.sort_unstable();
                    Some(TimeToFailure::Scheduled(v))
                }
                _ => {
                    self.problem(
                        p.clone(),
                        "expected exactly one of \"mtbf\" (exponential), \"weibull\" {\"shape\", \"scale\"} or \"at\" (a list of times)",
                    );
                    None
                }
            };
            if let Some(l) = &lifetime {
                if let Err(e) = l.validate() {
                    self.problem(p.clone(), e);
                }
            }
            if let (Some(scope), Some(lifetime)) = (scope, lifetime) {
                out.instance_failures
                    .push(InstanceFailureSpec { scope, lifetime });
            }
        }
        let mut windows = Vec::new();
        for (i, o) in f.az_outages.iter().enumerate() {
            let p = format!("faults.azOutages[{i}]");
            match names.azs.iter().position(|a| a == &o.availability_zone) {
                Some(az) => {
                    if o.duration.0 == SimDuration::ZERO {
                        self.problem(format!("{p}.duration"), "expected a positive duration");
                    }
                    if o.start.0 >= duration {
                        self.problem(
                            format!("{p}.start"),
                            format!(
                                "{} is not before the end of the run ({duration})",
                                o.start.0
                            ),
                        );
                    }
                    windows.push(AzOutageWindow {
                        az: AzId::from_index(az),
                        start: SimTime::ZERO + o.start.0,
                        duration: o.duration.0,
                    });
                }
                // The cluster's zones are unknown: its own problem says why.
                None if self.broken.cluster => {}
                None if !self.broken.first_missing("zone", &o.availability_zone) => {}
                None => self.problem(
                    format!("{p}.availabilityZone"),
                    format!(
                        "{:?} is not one of the cluster's zones ({})",
                        o.availability_zone,
                        list_strs(&names.azs)
                    ),
                ),
            }
        }
        out.az_outages = merge(windows);
        if let Some(r) = &f.random_az_outages {
            let p = "faults.randomAzOutages";
            let d = self.latency(
                &format!("{p}.duration"),
                Some(&r.duration),
                crate::distribution::Latency::Fixed(SimDuration::from_mins(60)),
            );
            let random = RandomAzOutages {
                rate_per_az_year: r.rate_per_az_year,
                duration: d,
            };
            // The rate rule lives with the model (`RandomAzOutages::validate`).
            if let Err(e) = random.validate() {
                self.problem(p, e);
            }
            out.random_az_outages = Some(random);
        }
        let mut shortages = Vec::new();
        for (i, o) in f.fargate_spot_shortages.iter().enumerate() {
            let p = format!("faults.fargateSpotShortages[{i}]");
            if o.duration.0 == SimDuration::ZERO {
                self.problem(format!("{p}.duration"), "expected a positive duration");
            }
            if o.start.0 >= duration {
                self.problem(
                    format!("{p}.start"),
                    format!(
                        "{} is not before the end of the run ({duration})",
                        o.start.0
                    ),
                );
            }
            shortages.push(ShortageWindow {
                start: SimTime::ZERO + o.start.0,
                duration: o.duration.0,
            });
        }
        out.fargate_spot_shortages = crate::faults::fargate_spot::merge(shortages);
        if let Some(r) = &f.random_fargate_spot_shortages {
            let p = "faults.randomFargateSpotShortages";
            let d = self.latency(
                &format!("{p}.duration"),
                Some(&r.duration),
                crate::distribution::Latency::Fixed(SimDuration::from_mins(30)),
            );
            let random = RandomShortages {
                rate_per_day: r.rate_per_day,
                duration: d,
            };
            if let Err(e) = random.validate() {
                self.problem(p, e);
            }
            out.random_fargate_spot_shortages = Some(random);
        }
        if let Some(s) = &f.spot_interruptions {
            let p = "faults.spotInterruptions";
            if s.rate_per_instance_hour.is_none() && s.at.is_none() {
                self.problem(p, "expected ratePerInstanceHour, at, or both");
            }
            let rate = s.rate_per_instance_hour.unwrap_or(0.0);
            if !(rate.is_finite() && rate >= 0.0) {
                self.problem(
                    format!("{p}.ratePerInstanceHour"),
                    format!("expected a non-negative rate, found {rate}"),
                );
            }
            out.spot_rate_per_instance_hour = rate;
            out.spot_at = s.at.iter().flatten().map(|d| d.0).collect();
            out.spot_at.sort_unstable();
        }
        if let Some(s) = &f.fargate_spot_interruptions {
            let rate = s.rate_per_task_hour;
            if !(rate.is_finite() && rate >= 0.0) {
                self.problem(
                    "faults.fargateSpotInterruptions.ratePerTaskHour",
                    format!("expected a non-negative rate, found {rate}"),
                );
            }
            out.fargate_spot_rate_per_task_hour = rate;
        }
        for (i, c) in f.task_crashes.iter().enumerate() {
            let p = format!("faults.taskCrashes[{i}]");
            let owner = match (&c.service, &c.workload) {
                (Some(s), None) => match services.iter().position(|x| &x.name == s) {
                    Some(idx) => Some(crate::ids::Owner::Service(
                        crate::ids::ServiceId::from_index(idx),
                    )),
                    None if Broken::has(&self.broken.services, s) => None,
                    None => {
                        self.problem(
                            format!("{p}.service"),
                            format!(
                                "no service named {s:?}; expected one of {}",
                                list(services.iter().map(|x| x.name.as_str()))
                            ),
                        );
                        None
                    }
                },
                (None, Some(w)) => match workloads.iter().position(|x| &x.name == w) {
                    Some(idx) => Some(crate::ids::Owner::Workload(
                        crate::ids::WorkloadId::from_index(idx),
                    )),
                    None if Broken::has(&self.broken.workloads, w) => None,
                    None => {
                        self.problem(
                            format!("{p}.workload"),
                            format!(
                                "no workload named {w:?}; expected one of {}",
                                list(workloads.iter().map(|x| x.name.as_str()))
                            ),
                        );
                        None
                    }
                },
                _ => {
                    self.problem(
                        p.clone(),
                        "expected exactly one of \"service\" or \"workload\"",
                    );
                    None
                }
            };
            let rate = c.rate_per_task_hour.unwrap_or(0.0);
            if !(rate.is_finite() && rate >= 0.0) {
                self.problem(
                    format!("{p}.ratePerTaskHour"),
                    format!("expected a non-negative rate, found {rate}"),
                );
            }
            let prob = c.crash_at_start_probability.unwrap_or(0.0);
            if !(prob.is_finite() && (0.0..=1.0).contains(&prob)) {
                self.problem(
                    format!("{p}.crashAtStartProbability"),
                    format!("expected a probability in [0, 1], found {prob}"),
                );
            }
            if c.rate_per_task_hour.is_none() && c.crash_at_start_probability.is_none() {
                self.problem(
                    p.clone(),
                    "expected ratePerTaskHour, crashAtStartProbability, or both",
                );
            }
            if let Some(owner) = owner {
                out.task_crashes.push(TaskCrashSpec {
                    owner,
                    rate_per_task_hour: rate,
                    crash_at_start_probability: prob,
                });
            }
        }
        out
    }
}
