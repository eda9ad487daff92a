//! Validation of a service's deployment settings (`deploymentConfiguration`,
//! `deploymentController`, `healthCheckGracePeriodSeconds`, `loadBalancers`, `codeDeploy`)
//! and of its `deploymentSchedule`.

use super::*;
use crate::autoscaling::schedule::Schedule;
use crate::scheduler::deployment::{
    self as dep, CircuitBreaker, DeploymentConfig, DeploymentKind, TrafficShift,
};

/// The most planned deployments one service may list (each `schedule` entry may fire many
/// times; the work estimate bounds those).
const MAX_PLANNED: usize = 1_000;

/// Most `healthCheckGracePeriodSeconds` accepts. \[API\] "CreateService": up to 2,147,483,647.
const MAX_GRACE_SECONDS: i64 = 2_147_483_647;

/// The most `maximumPercent` accepted. AWS states no cap; 1000 % keeps `desired × percent`
/// far from overflow and is far above any real setting.
const MAX_MAXIMUM_PERCENT: i64 = 1_000;

impl Validator {
    /// The deployment settings of service `s` at `path`.
    pub(super) fn deployment_config(&mut self, path: &str, s: &ServiceFile) -> DeploymentConfig {
        let mut out = DeploymentConfig::default();
        let code_deploy = match s.deployment_controller.as_ref().map(|c| c.kind.as_str()) {
            None | Some("ECS") => false,
            Some("CODE_DEPLOY") => true,
            Some(o) => {
                self.problem(
                    format!("{path}.deploymentController.type"),
                    format!("expected \"ECS\" or \"CODE_DEPLOY\" (EXTERNAL is not modelled), found {o:?}"),
                );
                false
            }
        };
        let mut blue_green_bake = None;
        if let Some(c) = &s.deployment_configuration {
            let p = format!("{path}.deploymentConfiguration");
            if let Some(v) = c.minimum_healthy_percent {
                if !(0..=100).contains(&v) {
                    self.problem(
                        format!("{p}.minimumHealthyPercent"),
                        format!("expected 0 to 100, found {v}"),
                    );
                } else {
                    out.minimum_healthy_percent = v as u32;
                }
            }
            if let Some(v) = c.maximum_percent {
                if !(100..=MAX_MAXIMUM_PERCENT).contains(&v) {
                    self.problem(
                        format!("{p}.maximumPercent"),
                        format!("expected 100 to {MAX_MAXIMUM_PERCENT} for a REPLICA service, found {v}"),
                    );
                } else {
                    out.maximum_percent = v as u32;
                }
            }
            if let Some(cb) = &c.deployment_circuit_breaker {
                if cb.enable {
                    out.circuit_breaker = Some(CircuitBreaker {
                        rollback: cb.rollback,
                    });
                    if code_deploy {
                        self.problem(
                            format!("{p}.deploymentCircuitBreaker"),
                            "the circuit breaker works with the ECS deployment controller only; CodeDeploy has its own rollback settings",
                        );
                    }
                } else if cb.rollback {
                    self.problem(
                        format!("{p}.deploymentCircuitBreaker.rollback"),
                        "rollback needs enable: true",
                    );
                }
            }
            match c.strategy.as_deref() {
                None | Some("ROLLING") => {
                    if c.bake_time_in_minutes.is_some() {
                        self.problem(
                            format!("{p}.bakeTimeInMinutes"),
                            "bakeTimeInMinutes applies to the BLUE_GREEN strategy only; add \"strategy\": \"BLUE_GREEN\" or remove it",
                        );
                    }
                }
                Some("BLUE_GREEN") => {
                    if code_deploy {
                        self.problem(
                            format!("{p}.strategy"),
                            "BLUE_GREEN is ECS's own blue/green; with the CODE_DEPLOY controller leave strategy out",
                        );
                    }
                    match c.bake_time_in_minutes {
                        None => self.problem(
                            format!("{p}.bakeTimeInMinutes"),
                            "missing: the BLUE_GREEN strategy needs bakeTimeInMinutes (0 to 1440), as the ECS API requires",
                        ),
                        Some(m) if !(0..=1440).contains(&m) => self.problem(
                            format!("{p}.bakeTimeInMinutes"),
                            format!("expected 0 to 1440, found {m}"),
                        ),
                        Some(m) => blue_green_bake = Some(SimDuration::from_mins(m as u64)),
                    }
                }
                Some(o @ ("CANARY" | "LINEAR")) => self.problem(
                    format!("{p}.strategy"),
                    format!("{o:?} (ECS's own traffic shifting) is not modelled; use \"deploymentController\": {{\"type\": \"CODE_DEPLOY\"}} with a canary or linear codeDeploy.deploymentConfigName"),
                ),
                Some(o) => self.problem(
                    format!("{p}.strategy"),
                    format!("expected \"ROLLING\" or \"BLUE_GREEN\", found {o:?}"),
                ),
            }
        }
        if let Some(bake) = blue_green_bake {
            out.kind = DeploymentKind::BlueGreen { bake };
        }
        if code_deploy {
            let cd = s.code_deploy.as_ref();
            let name = cd
                .and_then(|c| c.deployment_config_name.as_deref())
                .unwrap_or(dep::DEFAULT_CODE_DEPLOY_CONFIG);
            let shift = match TrafficShift::parse(name) {
                Ok(x) => x,
                Err(e) => {
                    self.problem(format!("{path}.codeDeploy.deploymentConfigName"), e);
                    TrafficShift::AllAtOnce
                }
            };
            let wait = match cd.and_then(|c| c.termination_wait_time_in_minutes) {
                None => dep::DEFAULT_TERMINATION_WAIT,
                Some(m) if (0..=i64::from(dep::MAX_WAIT_MINUTES)).contains(&m) => {
                    SimDuration::from_mins(m as u64)
                }
                Some(m) => {
                    self.problem(
                        format!("{path}.codeDeploy.terminationWaitTimeInMinutes"),
                        format!("expected 0 to {}, found {m}", dep::MAX_WAIT_MINUTES),
                    );
                    dep::DEFAULT_TERMINATION_WAIT
                }
            };
            out.kind = DeploymentKind::CodeDeploy {
                shift,
                termination_wait: wait,
            };
        } else if s.code_deploy.is_some() {
            self.problem(
                format!("{path}.codeDeploy"),
                "codeDeploy applies to services with \"deploymentController\": {\"type\": \"CODE_DEPLOY\"}",
            );
        }
        let has_lb = s.load_balancers.as_ref().is_some_and(|l| !l.is_empty());
        if let Some(g) = s.health_check_grace_period_seconds {
            if !(0..=MAX_GRACE_SECONDS).contains(&g) {
                self.problem(
                    format!("{path}.healthCheckGracePeriodSeconds"),
                    format!("expected 0 to {MAX_GRACE_SECONDS}, found {g}"),
                );
            }
        }
        if has_lb {
            out.health_check_grace_period = Some(
                s.health_check_grace_period_seconds
                    .filter(|g| (0..=MAX_GRACE_SECONDS).contains(g))
                    .map_or(dep::DEFAULT_HEALTH_CHECK_GRACE_PERIOD, |g| {
                        SimDuration::from_secs(g as u64)
                    }),
            );
        }
        out
    }

    /// `deploymentSchedule` of service `s`: each entry at a time or on a schedule, naming an
    /// existing task definition the service's capacity can run.
    pub(super) fn deployment_schedule(
        &mut self,
        path: &str,
        s: &ServiceFile,
        names: &Names,
    ) -> Vec<(DeploymentWhen, Option<TaskDefId>, String)> {
        let Some(list) = &s.deployment_schedule else {
            return Vec::new();
        };
        if list.len() > MAX_PLANNED {
            self.problem(
                format!("{path}.deploymentSchedule"),
                format!(
                    "expected at most {MAX_PLANNED} entries, found {}",
                    list.len()
                ),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let p = format!("{path}.deploymentSchedule[{i}]");
            let Some(d) = self.lenient(&p, item) else {
                continue;
            };
            let when = match (&d.at, &d.schedule) {
                (Some(at), None) => Some(DeploymentWhen::At(at.0)),
                (None, Some(text)) => match Schedule::parse(text) {
                    Ok(x) => Some(DeploymentWhen::Schedule(x)),
                    Err(e) => {
                        self.problem(format!("{p}.schedule"), e);
                        None
                    }
                },
                (Some(_), Some(_)) => {
                    self.problem(p.clone(), "expected one of at or schedule, found both");
                    None
                }
                (None, None) => {
                    self.problem(
                        p.clone(),
                        "expected at (e.g. \"6h\") or schedule (e.g. \"rate(12 hours)\")",
                    );
                    None
                }
            };
            let td = match &d.task_definition {
                None => Some(None),
                Some(name) => self
                    .find_task_def(&format!("{p}.taskDefinition"), name, names)
                    .map(Some),
            };
            if let (Some(when), Some(td)) = (when, td) {
                out.push((when, td, format!("{p}.taskDefinition")));
            }
        }
        out
    }
}
