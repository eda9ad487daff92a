//! The one place where AWS's resources become scenario JSON (`serde_json::Value` in the
//! scenario file's format, field names as `scenario::file` has them).
//!
//! Decisions are recorded in the [`MappingReport`] as they are taken, so the report and the
//! scenario cannot disagree.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::load;
use super::{aws, ImportOptions, ImportProblem, Imported, Inputs, MappingReport, Sourced};

/// Scenario length when no CloudWatch data gives a window.
pub const DEFAULT_DURATION_S: i64 = 86_400;

/// AZ suffixes assumed when no Auto Scaling group names the cluster's AZs (a Fargate-only
/// account: the subnets' AZs are not in the ECS outputs).
const ASSUMED_AZ_SUFFIXES: [&str; 3] = ["a", "b", "c"];

/// `weight` of a strategy item that omits it. \[DOC\] ecs-reference §2.1: "Default weight is 0
/// via API/CLI" (the console's 1 does not apply to CLI output).
const STRATEGY_WEIGHT_DEFAULT: i64 = 0;

/// `InstancesDistribution.OnDemandBaseCapacity` when absent. \[DOC\] EC2 Auto Scaling API
/// Reference, `InstancesDistribution`: "Default: 0".
const ON_DEMAND_BASE_CAPACITY_DEFAULT: i64 = 0;

/// `InstancesDistribution.OnDemandPercentageAboveBaseCapacity` when absent. \[DOC\] EC2 Auto
/// Scaling API Reference, `InstancesDistribution`: "Default: 100".
const ON_DEMAND_PERCENTAGE_DEFAULT: i64 = 100;

/// The implicit Fargate capacity providers.
const FARGATE_PROVIDERS: [&str; 2] = ["FARGATE", "FARGATE_SPOT"];

struct Ctx<'a> {
    report: MappingReport,
    problems: &'a mut Vec<ImportProblem>,
}

impl Ctx<'_> {
    fn problem(&mut self, file: &str, path: String, message: String) {
        self.problems.push(ImportProblem {
            file: file.to_string(),
            path,
            message,
        });
    }
}

/// The last `/`-separated part of an ARN (`…:service/cluster/name` → `name`).
fn arn_tail(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The region of an ARN, `arn:aws:ecs:REGION:…`.
fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// `…:task-definition/family:7` → `("family", Some(7))`.
fn task_definition_ref(arn: &str) -> (&str, Option<i64>) {
    let tail = arn_tail(arn);
    match tail.rsplit_once(':') {
        Some((family, rev)) => (family, rev.parse().ok()),
        None => (tail, None),
    }
}

fn strategy(items: &[aws::StrategyItem]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert(
                    "capacityProvider".into(),
                    s.capacity_provider.clone().into(),
                );
                if let Some(b) = s.base.filter(|b| *b != 0) {
                    o.insert("base".into(), b.into());
                }
                o.insert(
                    "weight".into(),
                    s.weight.unwrap_or(STRATEGY_WEIGHT_DEFAULT).into(),
                );
                Value::Object(o)
            })
            .collect(),
    )
}

fn duration_text(s: i64) -> String {
    if s > 0 && s % 86_400 == 0 {
        format!("{}d", s / 86_400)
    } else if s > 0 && s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s > 0 && s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

pub(super) fn map(
    inputs: &Inputs,
    options: &ImportOptions,
    report: MappingReport,
    problems: &mut Vec<ImportProblem>,
) -> Imported {
    let mut cx = Ctx { report, problems };
    let mut scenario = Map::new();

    // The cluster: exactly one.
    let Some(cluster) = inputs.clusters.first() else {
        cx.problem(
            "(folder)",
            ".".into(),
            "no `aws ecs describe-clusters` output: add one (with --include SETTINGS ATTACHMENTS)"
                .into(),
        );
        return Imported {
            scenario: Value::Null,
            traces: Vec::new(),
            report: cx.report,
        };
    };
    for other in &inputs.clusters[1..] {
        if other.item.cluster_name != cluster.item.cluster_name {
            cx.problem(
                &other.file,
                other.path.clone(),
                format!(
                    "a second cluster ({}) besides {}: import one cluster at a time",
                    other.item.cluster_name, cluster.item.cluster_name
                ),
            );
        }
    }
    let c = &cluster.item;
    let cluster_name = c.cluster_name.as_str();
    let region = c.cluster_arn.as_deref().and_then(arn_region);
    scenario.insert("name".into(), cluster_name.into());
    scenario.insert(
        "description".into(),
        format!(
            "Imported by `ecsim import` from the AWS CLI outputs of cluster {cluster_name}{}",
            region.map(|r| format!(" in {r}")).unwrap_or_default()
        )
        .into(),
    );
    scenario.insert("seed".into(), 1.into());
    cx.report.mapped.push(format!(
        "{}: {} cluster {cluster_name} → cluster",
        cluster.file, cluster.path
    ));
    for s in &c.settings {
        cx.report.ignored.push(format!(
            "{}: {}.settings {}={}: monitoring, no effect on capacity",
            cluster.file,
            cluster.path,
            s.name,
            s.value.as_deref().unwrap_or("")
        ));
    }
    if !c.attachments.is_empty() {
        cx.report.ignored.push(format!(
            "{}: {}.attachments ({} of them): the managed scaling policies ECS attached; ecsim models managed scaling from each capacity provider's managedScaling",
            cluster.file,
            cluster.path,
            c.attachments.len()
        ));
    }
    if let Some(r) = region.filter(|r| *r != "us-east-1") {
        cx.report.assumed.push(format!(
            "the cluster is in {r}; ecsim's catalog prices are us-east-1's"
        ));
    }

    // Capacity providers and their ASGs.
    let cps: BTreeMap<&str, &Sourced<aws::CapacityProvider>> = inputs
        .capacity_providers
        .iter()
        .map(|cp| (cp.item.name.as_str(), cp))
        .collect();
    let asgs: BTreeMap<&str, &Sourced<aws::AutoScalingGroup>> = inputs
        .auto_scaling_groups
        .iter()
        .map(|a| (a.item.auto_scaling_group_name.as_str(), a))
        .collect();
    let mut cp_out = Vec::new();
    let mut asg_out = Vec::new();
    let mut used_asgs = BTreeSet::new();
    let mut azs: BTreeSet<String> = BTreeSet::new();
    let mut asg_names_for: Vec<&Sourced<aws::AutoScalingGroup>> = Vec::new();
    for (i, name) in c.capacity_providers.iter().enumerate() {
        if FARGATE_PROVIDERS.contains(&name.as_str()) {
            cx.report
                .mapped
                .push(format!("{}: {}.capacityProviders[{i}] {name} → cluster.capacityProviders (implicit in ecsim)", cluster.file, cluster.path));
            continue;
        }
        let Some(cp) = cps.get(name.as_str()) else {
            cx.problem(
                &cluster.file,
                format!("{}.capacityProviders[{i}]", cluster.path),
                format!("capacity provider {name:?} is not in the folder: add `aws ecs describe-capacity-providers --capacity-providers {name}`"),
            );
            continue;
        };
        let Some(p) = &cp.item.auto_scaling_group_provider else {
            cx.problem(
                &cp.file,
                format!("{}.autoScalingGroupProvider", cp.path),
                format!("capacity provider {name:?} has no autoScalingGroupProvider"),
            );
            continue;
        };
        let asg_name = arn_tail(&p.auto_scaling_group_arn);
        let asg_name = asg_name
            .strip_prefix("autoScalingGroupName/")
            .unwrap_or(asg_name);
        let Some(asg) = asgs.get(asg_name) else {
            cx.problem(
                &cp.file,
                format!("{}.autoScalingGroupProvider.autoScalingGroupArn", cp.path),
                format!("Auto Scaling group {asg_name:?} of capacity provider {name:?} is not in the folder: add `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names {asg_name}`"),
            );
            continue;
        };
        let mut provider = json!({ "autoScalingGroupArn": asg_name });
        if let Some(m) = &p.managed_scaling {
            let mut ms = Map::new();
            if let Some(s) = &m.status {
                ms.insert("status".into(), s.clone().into());
            }
            if let Some(v) = m.target_capacity {
                ms.insert("targetCapacity".into(), v.into());
            }
            if let Some(v) = m.minimum_scaling_step_size {
                ms.insert("minimumScalingStepSize".into(), v.into());
            }
            if let Some(v) = m.maximum_scaling_step_size {
                ms.insert("maximumScalingStepSize".into(), v.into());
            }
            if let Some(v) = m.instance_warmup_period {
                ms.insert("instanceWarmupPeriod".into(), v.into());
            }
            provider["managedScaling"] = Value::Object(ms);
        }
        if let Some(v) = &p.managed_termination_protection {
            provider["managedTerminationProtection"] = v.clone().into();
        }
        if let Some(v) = &p.managed_draining {
            provider["managedDraining"] = v.clone().into();
        }
        cp_out.push(json!({ "name": name, "autoScalingGroupProvider": provider }));
        cx.report.mapped.push(format!(
            "{}: {} {name} → capacityProviders[{}] (ASG {asg_name})",
            cp.file,
            cp.path,
            cp_out.len() - 1
        ));
        if used_asgs.insert(asg_name.to_string()) {
            asg_names_for.push(asg);
        }
    }
    for cp in &inputs.capacity_providers {
        let n = cp.item.name.as_str();
        if !c.capacity_providers.iter().any(|x| x == n) && !FARGATE_PROVIDERS.contains(&n) {
            cx.report.ignored.push(format!(
                "{}: {} {n}: not associated with cluster {cluster_name}",
                cp.file, cp.path
            ));
        }
    }
    for a in &inputs.auto_scaling_groups {
        if !used_asgs.contains(&a.item.auto_scaling_group_name) {
            cx.report.ignored.push(format!(
                "{}: {} {}: no capacity provider of the cluster uses it",
                a.file, a.path, a.item.auto_scaling_group_name
            ));
        }
    }
    for asg in asg_names_for {
        let v = map_asg(asg, inputs, &mut cx);
        azs.extend(asg.item.availability_zones.iter().cloned());
        asg_out.push(v);
    }
    if azs.is_empty() {
        let r = region.unwrap_or("us-east-1");
        azs.extend(ASSUMED_AZ_SUFFIXES.iter().map(|s| format!("{r}{s}")));
        cx.report.assumed.push(format!(
            "cluster.availabilityZones {:?}: no Auto Scaling group names the AZs, and the ECS outputs hold subnet ids only; edit them to your subnets' AZs",
            azs.iter().collect::<Vec<_>>()
        ));
    } else {
        cx.report.mapped.push(format!(
            "the Auto Scaling groups' AvailabilityZones → cluster.availabilityZones {:?}",
            azs.iter().collect::<Vec<_>>()
        ));
    }
    let mut cluster_v = json!({
        "clusterName": cluster_name,
        "availabilityZones": azs.iter().collect::<Vec<_>>(),
        "capacityProviders": c.capacity_providers,
    });
    if !c.default_capacity_provider_strategy.is_empty() {
        cluster_v["defaultCapacityProviderStrategy"] =
            strategy(&c.default_capacity_provider_strategy);
    }
    scenario.insert("cluster".into(), cluster_v);
    let known_provider = |n: &str| c.capacity_providers.iter().any(|x| x == n);

    // Metrics: the window, and the series of each service.
    let (series, window) = load::collect(&inputs.metric_data, &mut cx.report, cx.problems);
    let (start_ms, duration_s) = match window {
        Some(w) => {
            let d = ((w.end_ms - w.start_ms) / 1000).max(60);
            cx.report.mapped.push(format!(
                "the CloudWatch data's window {} to {} → settings.startTime and duration {}",
                load::format_utc(w.start_ms),
                load::format_utc(w.end_ms),
                duration_text(d)
            ));
            (Some(w.start_ms), d)
        }
        None => {
            cx.report.assumed.push(format!(
                "duration {}: no CloudWatch data gives a window",
                duration_text(DEFAULT_DURATION_S)
            ));
            (None, DEFAULT_DURATION_S)
        }
    };
    scenario.insert("duration".into(), duration_text(duration_s).into());

    // Task definitions: each referenced revision, named by family (or family-rREV when two
    // revisions of one family are in use).
    let mut tds_by_ref: BTreeMap<(String, Option<i64>), &Sourced<aws::TaskDefinition>> =
        BTreeMap::new();
    for td in &inputs.task_definitions {
        tds_by_ref.insert((td.item.family.clone(), td.item.revision), td);
    }
    let mut td_names: BTreeMap<(String, Option<i64>), String> = BTreeMap::new();
    let mut td_out = Vec::new();
    let mut services_out = Vec::new();
    let mut traces = Vec::new();
    let scalable: BTreeMap<String, &Sourced<aws::ScalableTarget>> = inputs
        .scalable_targets
        .iter()
        .filter(|t| {
            t.item.service_namespace == "ecs"
                && t.item.scalable_dimension == "ecs:service:DesiredCount"
        })
        .map(|t| (t.item.resource_id.clone(), t))
        .collect();
    let mut service_names = BTreeSet::new();
    for s in &inputs.services {
        let sv = &s.item;
        let at = format!("{}: {}", s.file, s.path);
        if let Some(arn) = &sv.cluster_arn {
            if arn_tail(arn) != cluster_name {
                cx.report.ignored.push(format!(
                    "{at} {}: in cluster {}, not {cluster_name}",
                    sv.service_name,
                    arn_tail(arn)
                ));
                continue;
            }
        }
        if sv.status.as_deref().is_some_and(|st| st != "ACTIVE") {
            cx.report.ignored.push(format!(
                "{at} {}: status {}",
                sv.service_name,
                sv.status.as_deref().unwrap_or("")
            ));
            continue;
        }
        // A DAEMON service runs one task per qualifying instance: no desired count, strategy,
        // load or auto scaling of its own (ECS derives or refuses them).
        let daemon = sv.scheduling_strategy.as_deref() == Some("DAEMON");
        if !service_names.insert(sv.service_name.clone()) {
            cx.report.ignored.push(format!(
                "{at} {}: described twice; the first is kept",
                sv.service_name
            ));
            continue;
        }
        let (family, revision) = task_definition_ref(&sv.task_definition);
        let key = (family.to_string(), revision);
        let td = tds_by_ref
            .get(&key)
            .or_else(|| {
                // A reference without a revision takes the newest revision in the folder.
                revision
                    .is_none()
                    .then(|| {
                        tds_by_ref
                            .range((family.to_string(), None)..)
                            .take_while(|(k, _)| k.0 == family)
                            .last()
                            .map(|(_, v)| v)
                    })
                    .flatten()
            })
            .copied();
        let Some(td) = td else {
            cx.problem(
                &s.file,
                format!("{}.taskDefinition", s.path),
                format!(
                    "task definition {} of service {} is not in the folder: add `aws ecs describe-task-definition --task-definition {}`",
                    arn_tail(&sv.task_definition),
                    sv.service_name,
                    arn_tail(&sv.task_definition)
                ),
            );
            continue;
        };
        let td_key = (td.item.family.clone(), td.item.revision);
        let td_name = match td_names.get(&td_key) {
            Some(n) => n.clone(),
            None => {
                let taken = td_names.values().any(|n| n == &td.item.family);
                let name = if taken {
                    format!("{}-r{}", td.item.family, td.item.revision.unwrap_or(0))
                } else {
                    td.item.family.clone()
                };
                td_names.insert(td_key, name.clone());
                td_out.push(map_task_definition(td, &name, &mut cx));
                name
            }
        };
        let mut o = Map::new();
        o.insert("serviceName".into(), sv.service_name.clone().into());
        o.insert("taskDefinition".into(), td_name.clone().into());
        if daemon {
            o.insert("schedulingStrategy".into(), "DAEMON".into());
        } else {
            o.insert("desiredCount".into(), sv.desired_count.into());
        }
        // An existing service keeps its setting; one that never set it is DISABLED, as ECS
        // treats it ("If the service never had an AvailabilityZoneRebalancing value set,
        // Amazon ECS treats this as DISABLED", Amazon ECS Developer Guide, "Balancing an
        // Amazon ECS service across Availability Zones"), while the scenario's default is a
        // new service's (ENABLED when eligible).
        o.insert(
            "availabilityZoneRebalancing".into(),
            sv.availability_zone_rebalancing
                .clone()
                .unwrap_or_else(|| "DISABLED".to_string())
                .into(),
        );
        if daemon {
            // Launch type EC2 whatever the folder says: ECS runs daemons on instances only.
        } else if !sv.capacity_provider_strategy.is_empty() {
            for (i, item) in sv.capacity_provider_strategy.iter().enumerate() {
                if !known_provider(&item.capacity_provider) {
                    cx.problem(
                        &s.file,
                        format!("{}.capacityProviderStrategy[{i}].capacityProvider", s.path),
                        format!(
                            "capacity provider {:?} is not one of cluster {cluster_name}'s ({})",
                            item.capacity_provider,
                            c.capacity_providers.join(", ")
                        ),
                    );
                }
            }
            o.insert(
                "capacityProviderStrategy".into(),
                strategy(&sv.capacity_provider_strategy),
            );
        } else if let Some(lt) = &sv.launch_type {
            o.insert("launchType".into(), lt.clone().into());
        }
        if !sv.placement_strategy.is_empty() && !daemon {
            o.insert(
                "placementStrategy".into(),
                Value::Array(
                    sv.placement_strategy
                        .iter()
                        .map(|p| match &p.field {
                            Some(f) => json!({ "type": p.kind, "field": f }),
                            None => json!({ "type": p.kind }),
                        })
                        .collect(),
                ),
            );
        }
        // ECS applies the task definition's constraints together with the service's.
        let constraints: Vec<Value> = sv
            .placement_constraints
            .iter()
            .chain(td.item.placement_constraints.iter())
            .map(|p| match &p.expression {
                Some(e) => json!({ "type": p.kind, "expression": e }),
                None => json!({ "type": p.kind }),
            })
            .collect();
        if !td.item.placement_constraints.is_empty() {
            cx.report.mapped.push(format!(
                "{}: {}.placementConstraints → services[{}].placementConstraints (ECS applies both)",
                td.file, td.path, sv.service_name
            ));
        }
        if !constraints.is_empty() {
            o.insert("placementConstraints".into(), Value::Array(constraints));
        }
        if !sv.load_balancers.is_empty() {
            cx.report.ignored.push(format!(
                "{at}.loadBalancers: target registration is not modelled; the ALB's request metrics are read as the load"
            ));
        }
        if daemon {
            cx.report.mapped.push(format!(
                "{at} {} → services[{}] (DAEMON: one task on every qualifying instance; task definition {td_name})",
                sv.service_name,
                services_out.len()
            ));
            services_out.push(Value::Object(o));
            continue;
        }
        if let Some(rc) = sv.running_count.filter(|rc| *rc != sv.desired_count) {
            cx.report.ignored.push(format!(
                "{at}.runningCount {rc}: the run starts from desiredCount {}",
                sv.desired_count
            ));
        }
        // Load from CloudWatch.
        let has_load = match (series.get(&sv.service_name), window) {
            (Some(m), Some(w)) => {
                match load::derive(
                    &sv.service_name,
                    sv.desired_count,
                    m,
                    w,
                    options,
                    &mut cx.report,
                ) {
                    Some(d) => {
                        o.insert("load".into(), d.load);
                        traces.push(d.trace);
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        };
        // Application Auto Scaling.
        let resource_id = format!("service/{cluster_name}/{}", sv.service_name);
        if let Some(t) = scalable.get(&resource_id) {
            o.insert(
                "autoScaling".into(),
                map_auto_scaling(t, &resource_id, &sv.service_name, has_load, inputs, &mut cx),
            );
        }
        cx.report.mapped.push(format!(
            "{at} {} → services[{}] (task definition {td_name})",
            sv.service_name,
            services_out.len()
        ));
        services_out.push(Value::Object(o));
    }
    // Metric data for services not in the folder.
    for name in series.keys() {
        if !service_names.contains(name) {
            cx.report.warnings.push(format!(
                "CloudWatch data labelled for service {name:?}, which is not among the described services: ignored"
            ));
        }
    }
    for (id, t) in &scalable {
        let svc = id.rsplit('/').next().unwrap_or("");
        if !id.starts_with(&format!("service/{cluster_name}/")) {
            // describe-scalable-targets lists the whole account's ECS services.
            cx.report.ignored.push(format!(
                "{}: {} ResourceId {id}: another cluster's service",
                t.file, t.path
            ));
        } else if !service_names.contains(svc) {
            cx.report.warnings.push(format!(
                "{}: {} ResourceId {id}: no such service in the folder; ignored",
                t.file, t.path
            ));
        }
    }
    for td in &inputs.task_definitions {
        if !td_names.contains_key(&(td.item.family.clone(), td.item.revision)) {
            cx.report.ignored.push(format!(
                "{}: {} {}:{}: no imported service uses it",
                td.file,
                td.path,
                td.item.family,
                td.item.revision.unwrap_or(0)
            ));
        }
    }
    for (i, item) in c.default_capacity_provider_strategy.iter().enumerate() {
        if !known_provider(&item.capacity_provider) {
            cx.problem(
                &cluster.file,
                format!(
                    "{}.defaultCapacityProviderStrategy[{i}].capacityProvider",
                    cluster.path
                ),
                format!(
                    "capacity provider {:?} is not one of the cluster's",
                    item.capacity_provider
                ),
            );
        }
    }

    if !asg_out.is_empty() {
        scenario.insert("autoScalingGroups".into(), Value::Array(asg_out));
    }
    if !cp_out.is_empty() {
        scenario.insert("capacityProviders".into(), Value::Array(cp_out));
    }
    scenario.insert("taskDefinitions".into(), Value::Array(td_out));
    scenario.insert("services".into(), Value::Array(services_out));
    if let Some(ms) = start_ms {
        scenario.insert(
            "settings".into(),
            json!({ "startTime": load::format_utc(ms) }),
        );
    }
    Imported {
        scenario: Value::Object(scenario),
        traces,
        report: cx.report,
    }
}

fn map_asg(a: &Sourced<aws::AutoScalingGroup>, inputs: &Inputs, cx: &mut Ctx<'_>) -> Value {
    let g = &a.item;
    let at = format!("{}: {}", a.file, a.path);
    let name = &g.auto_scaling_group_name;
    let mut types: Vec<String> = Vec::new();
    let mixed = g.mixed_instances_policy.as_ref();
    if let Some(lt) = mixed.and_then(|m| m.launch_template.as_ref()) {
        for (i, o) in lt.overrides.iter().enumerate() {
            match &o.instance_type {
                Some(t) if !types.contains(t) => types.push(t.clone()),
                Some(_) => {}
                None if o.instance_requirements.is_some() => cx.report.warnings.push(format!(
                    "{at}.MixedInstancesPolicy.LaunchTemplate.Overrides[{i}]: attribute-based instance selection is not modelled; list the instance types instead"
                )),
                None => {}
            }
            if o.weighted_capacity.as_deref().is_some_and(|w| w != "1") {
                cx.report.ignored.push(format!(
                    "{at}.MixedInstancesPolicy.LaunchTemplate.Overrides[{i}].WeightedCapacity: ecsim counts instances, not weighted units"
                ));
            }
        }
        if !types.is_empty() {
            cx.report.mapped.push(format!(
                "{at}.MixedInstancesPolicy.LaunchTemplate.Overrides → autoScalingGroups[{name}].instanceTypes {types:?} (ecsim launches the first)"
            ));
        }
    }
    if types.is_empty() {
        let spec = g.launch_template.as_ref().or_else(|| {
            mixed
                .and_then(|m| m.launch_template.as_ref())
                .and_then(|l| l.launch_template_specification.as_ref())
        });
        if let Some(spec) = spec {
            if let Some((t, v)) = launch_template_type(spec, inputs) {
                cx.report.mapped.push(format!(
                    "{}: {} LaunchTemplateData.InstanceType → autoScalingGroups[{name}].instanceTypes [{t}]",
                    v.file, v.path
                ));
                types.push(t);
            }
        }
    }
    if types.is_empty() {
        let seen: BTreeSet<&str> = g
            .instances
            .iter()
            .filter_map(|i| i.instance_type.as_deref())
            .collect();
        if !seen.is_empty() {
            types.extend(seen.iter().map(|s| s.to_string()));
            cx.report.assumed.push(format!(
                "{at}: instance types {types:?} taken from the group's running Instances: the launch template's data is not in the folder (add `aws ec2 describe-launch-template-versions`)"
            ));
        }
    }
    if types.is_empty() {
        cx.problem(
            &a.file,
            format!("{}.LaunchTemplate", a.path),
            format!("cannot tell the instance type of Auto Scaling group {name}: add `aws ec2 describe-launch-template-versions --launch-template-id … --versions …` for its launch template"),
        );
    }
    // The AMI's operating system is in neither the group nor its launch template's
    // InstanceType; ecsim's groups default to LINUX, said here so a Windows fleet's
    // "can never place a task" at validation points back to this choice.
    cx.report.assumed.push(format!(
        "{at}: osFamily LINUX assumed for autoScalingGroups[{name}]: the AMI's operating system is not in these outputs; set \"osFamily\" (e.g. \"WINDOWS_SERVER_2022_FULL\") if its instances run Windows"
    ));
    let mut v = json!({
        "autoScalingGroupName": name,
        "instanceTypes": types,
        "minSize": g.min_size,
        "maxSize": g.max_size,
        "desiredCapacity": g.desired_capacity,
    });
    if !g.availability_zones.is_empty() {
        v["availabilityZones"] = json!(g.availability_zones);
    }
    // Spot share: ecsim's groups are all On-Demand or all Spot, so the larger share wins.
    let mut purchase = "on-demand";
    if let Some(d) = mixed.and_then(|m| m.instances_distribution.as_ref()) {
        let base = d
            .on_demand_base_capacity
            .unwrap_or(ON_DEMAND_BASE_CAPACITY_DEFAULT);
        let pct = d
            .on_demand_percentage_above_base_capacity
            .unwrap_or(ON_DEMAND_PERCENTAGE_DEFAULT);
        let above = (g.desired_capacity - base).max(0) as f64;
        let spot = above * (100 - pct) as f64 / 100.0;
        let share = if g.desired_capacity > 0 {
            spot / g.desired_capacity as f64
        } else if base == 0 {
            (100 - pct) as f64 / 100.0
        } else {
            0.0
        };
        if share > 0.5 {
            purchase = "spot";
        }
        if share > 0.0 && share < 1.0 {
            cx.report.assumed.push(format!(
                "{at}.MixedInstancesPolicy.InstancesDistribution: OnDemandBaseCapacity {base}, OnDemandPercentageAboveBaseCapacity {pct} make {:.0} % Spot at DesiredCapacity {}; ecsim's groups are all one or the other, so purchaseOption {purchase:?} (split the group to model both)",
                share * 100.0,
                g.desired_capacity
            ));
        }
    }
    v["purchaseOption"] = purchase.into();
    if g.launch_configuration_name.is_some() {
        cx.report.ignored.push(format!(
            "{at}.LaunchConfigurationName: launch configurations are not read; instance types come from elsewhere"
        ));
    }
    cx.report.mapped.push(format!(
        "{at} {name} → autoScalingGroups[{name}] (MinSize {}, MaxSize {}, DesiredCapacity {}, {purchase})",
        g.min_size, g.max_size, g.desired_capacity
    ));
    v
}

/// The instance type of a launch template version in the folder.
fn launch_template_type<'a>(
    spec: &aws::LaunchTemplateSpecification,
    inputs: &'a Inputs,
) -> Option<(String, &'a Sourced<aws::LaunchTemplateVersion>)> {
    let matches = |v: &aws::LaunchTemplateVersion| {
        (spec.launch_template_id.is_some() && v.launch_template_id == spec.launch_template_id)
            || (spec.launch_template_name.is_some()
                && v.launch_template_name == spec.launch_template_name)
    };
    let candidates: Vec<&Sourced<aws::LaunchTemplateVersion>> = inputs
        .launch_template_versions
        .iter()
        .filter(|v| matches(&v.item))
        .collect();
    let chosen = match spec.version.as_deref() {
        Some("$Latest") => candidates
            .iter()
            .max_by_key(|v| v.item.version_number)
            .copied(),
        Some("$Default") | None => candidates
            .iter()
            .find(|v| v.item.default_version == Some(true))
            .or_else(|| candidates.iter().max_by_key(|v| v.item.version_number))
            .copied(),
        Some(n) => candidates
            .iter()
            .find(|v| v.item.version_number.map(|x| x.to_string()).as_deref() == Some(n))
            .copied(),
    }?;
    let t = chosen
        .item
        .launch_template_data
        .as_ref()?
        .instance_type
        .clone()?;
    Some((t, chosen))
}

fn map_task_definition(td: &Sourced<aws::TaskDefinition>, name: &str, cx: &mut Ctx<'_>) -> Value {
    let t = &td.item;
    let at = format!("{}: {}", td.file, td.path);
    let mut o = Map::new();
    o.insert("family".into(), name.into());
    if let Some(c) = &t.cpu {
        o.insert("cpu".into(), c.clone().into());
    }
    if let Some(m) = &t.memory {
        o.insert("memory".into(), m.clone().into());
    }
    if t.cpu.is_none() || t.memory.is_none() {
        // ECS sizes such a task by its containers: cpu summed, memory the reservation
        // (memoryReservation) or else the hard limit (memory), summed, as the
        // ContainerDefinition reference says. The scenario's parser does the same sum; the
        // trimmed containers keep what it reads.
        let cpu: u64 = t.container_definitions.iter().filter_map(|c| c.cpu).sum();
        let mem: u64 = t
            .container_definitions
            .iter()
            .filter_map(|c| c.memory_reservation.or(c.memory))
            .sum();
        cx.report.assumed.push(format!(
            "{at} {name}: no task-level {}; sized as ECS does from its {} containers: {cpu} CPU units, {mem} MiB (memoryReservation, else memory, summed)",
            match (t.cpu.is_none(), t.memory.is_none()) {
                (true, true) => "cpu or memory",
                (true, false) => "cpu",
                _ => "memory",
            },
            t.container_definitions.len()
        ));
        let containers: Vec<Value> = t
            .container_definitions
            .iter()
            .map(|c| {
                let mut m = Map::new();
                if let Some(n) = &c.name {
                    m.insert("name".into(), n.clone().into());
                }
                if let Some(v) = c.cpu {
                    m.insert("cpu".into(), v.into());
                }
                if let Some(v) = c.memory {
                    m.insert("memory".into(), v.into());
                }
                if let Some(v) = c.memory_reservation {
                    m.insert("memoryReservation".into(), v.into());
                }
                Value::Object(m)
            })
            .collect();
        o.insert("containerDefinitions".into(), Value::Array(containers));
    }
    if let Some(rp) = &t.runtime_platform {
        let mut m = Map::new();
        if let Some(a) = &rp.cpu_architecture {
            m.insert("cpuArchitecture".into(), a.clone().into());
        }
        if let Some(os) = &rp.operating_system_family {
            m.insert("operatingSystemFamily".into(), os.clone().into());
        }
        o.insert("runtimePlatform".into(), Value::Object(m));
    }
    if let Some(rc) = &t.requires_compatibilities {
        o.insert("requiresCompatibilities".into(), json!(rc));
    }
    if let Some(nm) = &t.network_mode {
        o.insert("networkMode".into(), nm.clone().into());
    }
    for (i, c) in t.container_definitions.iter().enumerate() {
        for (j, r) in c.resource_requirements.iter().enumerate() {
            if r.kind == "GPU" {
                // GPUs are placed whole (issue 15): the requirement goes into the scenario's
                // container, created with its name alone when the task has task-level sizes.
                let containers = o.entry("containerDefinitions").or_insert_with(|| {
                    Value::Array(
                        t.container_definitions
                            .iter()
                            .map(|c| {
                                let mut m = Map::new();
                                if let Some(n) = &c.name {
                                    m.insert("name".into(), n.clone().into());
                                }
                                Value::Object(m)
                            })
                            .collect(),
                    )
                });
                if let Some(m) = containers.get_mut(i).and_then(Value::as_object_mut) {
                    let list = m.entry("resourceRequirements").or_insert_with(|| json!([]));
                    if let Some(a) = list.as_array_mut() {
                        a.push(
                            json!({ "type": "GPU", "value": r.value.clone().unwrap_or_default() }),
                        );
                    }
                }
                cx.report.mapped.push(format!(
                    "{at}.containerDefinitions[{i}].resourceRequirements[{j}] GPU {} → the same (whole GPUs, a placement resource)",
                    r.value.as_deref().unwrap_or("")
                ));
            } else {
                cx.report.warnings.push(format!(
                    "{at}.containerDefinitions[{i}].resourceRequirements[{j}]: {} {} is not modelled (Elastic Inference); Inferentia chips are asked for with linuxParameters.devices",
                    r.kind,
                    r.value.as_deref().unwrap_or("")
                ));
            }
        }
    }
    if let Some(e) = &t.ephemeral_storage {
        // Read by the scenario: billed above 20 GiB on Fargate, noted as unused on EC2.
        o.insert("ephemeralStorage".into(), e.clone());
        cx.report.mapped.push(format!(
            "{at}.ephemeralStorage {e} → ephemeralStorage (Fargate storage above 20 GiB is billed)"
        ));
    }
    cx.report.mapped.push(format!(
        "{at} {}:{} → taskDefinitions[{name}]",
        t.family,
        t.revision.unwrap_or(0)
    ));
    cx.report.ignored.push(format!(
        "{at}: image, ports, environment, roles, volumes, logging and the read-only fields (taskDefinitionArn, revision, status, compatibilities, requiresAttributes, registeredAt): no effect on capacity"
    ));
    Value::Object(o)
}

fn map_auto_scaling(
    t: &Sourced<aws::ScalableTarget>,
    resource_id: &str,
    service: &str,
    has_load: bool,
    inputs: &Inputs,
    cx: &mut Ctx<'_>,
) -> Value {
    cx.report.mapped.push(format!(
        "{}: {} {resource_id} → services[{service}].autoScaling (MinCapacity {}, MaxCapacity {})",
        t.file, t.path, t.item.min_capacity, t.item.max_capacity
    ));
    let mut policies = Vec::new();
    for p in inputs
        .scaling_policies
        .iter()
        .filter(|p| p.item.service_namespace == "ecs" && p.item.resource_id == resource_id)
    {
        let at = format!("{}: {}", p.file, p.path);
        let pol = &p.item;
        if !has_load && pol.policy_type != "PredictiveScaling" {
            cx.report.warnings.push(format!(
                "{at} {}: left out: service {service} has no load (add its get-metric-data output), and a metric policy needs one",
                pol.policy_name
            ));
            continue;
        }
        match pol.policy_type.as_str() {
            "TargetTrackingScaling" => {
                let Some(c) = &pol.target_tracking_scaling_policy_configuration else {
                    cx.problem(
                        &p.file,
                        format!("{}.TargetTrackingScalingPolicyConfiguration", p.path),
                        "a TargetTrackingScaling policy without its configuration".into(),
                    );
                    continue;
                };
                let Some(m) = &c.predefined_metric_specification else {
                    cx.report.warnings.push(format!(
                        "{at} {}: a customized metric is not modelled; left out",
                        pol.policy_name
                    ));
                    continue;
                };
                let mut tt = json!({
                    "targetValue": c.target_value,
                    "predefinedMetricSpecification": { "predefinedMetricType": m.predefined_metric_type },
                });
                if let Some(l) = &m.resource_label {
                    tt["predefinedMetricSpecification"]["resourceLabel"] = l.clone().into();
                }
                if let Some(v) = c.scale_out_cooldown {
                    tt["scaleOutCooldown"] = v.into();
                }
                if let Some(v) = c.scale_in_cooldown {
                    tt["scaleInCooldown"] = v.into();
                }
                if let Some(v) = c.disable_scale_in {
                    tt["disableScaleIn"] = v.into();
                }
                policies.push(json!({
                    "policyName": pol.policy_name,
                    "policyType": "TargetTrackingScaling",
                    "targetTrackingScalingPolicyConfiguration": tt,
                }));
                cx.report.mapped.push(format!(
                    "{at} {} → services[{service}].autoScaling.policies (target tracking, {} at {})",
                    pol.policy_name, m.predefined_metric_type, c.target_value
                ));
            }
            "StepScaling" => {
                let Some(c) = &pol.step_scaling_policy_configuration else {
                    cx.problem(
                        &p.file,
                        format!("{}.StepScalingPolicyConfiguration", p.path),
                        "a StepScaling policy without its configuration".into(),
                    );
                    continue;
                };
                let alarm = pol.alarms.iter().find_map(|a| {
                    inputs
                        .alarms
                        .iter()
                        .find(|x| x.item.alarm_name == a.alarm_name)
                });
                let Some(alarm) = alarm else {
                    cx.report.warnings.push(format!(
                        "{at} {}: left out: the threshold of its alarm ({}) is not in the folder; add `aws cloudwatch describe-alarms --alarm-names …`",
                        pol.policy_name,
                        pol.alarms.iter().map(|a| a.alarm_name.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                    continue;
                };
                let a = &alarm.item;
                let metric = match a.metric_name.as_deref() {
                    Some("CPUUtilization") => "ECSServiceAverageCPUUtilization",
                    Some("MemoryUtilization") => "ECSServiceAverageMemoryUtilization",
                    Some("RequestCountPerTarget") => "ALBRequestCountPerTarget",
                    other => {
                        cx.report.warnings.push(format!(
                            "{}: {} alarm {}: metric {other:?} is not modelled; policy {} left out",
                            alarm.file, alarm.path, a.alarm_name, pol.policy_name
                        ));
                        continue;
                    }
                };
                let steps: Vec<Value> = c
                    .step_adjustments
                    .iter()
                    .map(|s| {
                        let mut m = Map::new();
                        if let Some(v) = s.metric_interval_lower_bound {
                            m.insert("metricIntervalLowerBound".into(), v.into());
                        }
                        if let Some(v) = s.metric_interval_upper_bound {
                            m.insert("metricIntervalUpperBound".into(), v.into());
                        }
                        m.insert("scalingAdjustment".into(), s.scaling_adjustment.into());
                        Value::Object(m)
                    })
                    .collect();
                let mut sc =
                    json!({ "adjustmentType": c.adjustment_type, "stepAdjustments": steps });
                if let Some(v) = c.min_adjustment_magnitude {
                    sc["minAdjustmentMagnitude"] = v.into();
                }
                if let Some(v) = c.cooldown {
                    sc["cooldown"] = v.into();
                }
                if let Some(v) = &c.metric_aggregation_type {
                    sc["metricAggregationType"] = v.clone().into();
                }
                let mut al = json!({
                    "metricName": metric,
                    "threshold": a.threshold.unwrap_or(0.0),
                    "comparisonOperator": a.comparison_operator.as_deref().unwrap_or("GreaterThanOrEqualToThreshold"),
                });
                if let Some(v) = a.evaluation_periods {
                    al["evaluationPeriods"] = v.into();
                }
                if let Some(v) = a.datapoints_to_alarm {
                    al["datapointsToAlarm"] = v.into();
                }
                policies.push(json!({
                    "policyName": pol.policy_name,
                    "policyType": "StepScaling",
                    "stepScalingPolicyConfiguration": sc,
                    "alarm": al,
                }));
                cx.report.mapped.push(format!(
                    "{at} {} with alarm {} → services[{service}].autoScaling.policies (step scaling)",
                    pol.policy_name, a.alarm_name
                ));
            }
            other => cx.report.warnings.push(format!(
                "{at} {}: policy type {other} is not modelled; left out",
                pol.policy_name
            )),
        }
    }
    let mut actions = Vec::new();
    for a in inputs
        .scheduled_actions
        .iter()
        .filter(|a| a.item.service_namespace == "ecs" && a.item.resource_id == resource_id)
    {
        let at = format!("{}: {}", a.file, a.path);
        let sa = &a.item;
        if sa
            .timezone
            .as_deref()
            .is_some_and(|z| z != "UTC" && z != "Etc/UTC")
        {
            cx.report.warnings.push(format!(
                "{at} {}: Timezone {} is read as UTC (ecsim's schedules are UTC); shift the cron hours",
                sa.scheduled_action_name,
                sa.timezone.as_deref().unwrap_or("")
            ));
        }
        if sa.start_time.is_some() || sa.end_time.is_some() {
            cx.report.ignored.push(format!(
                "{at} {}: StartTime/EndTime: the schedule is taken to hold over the whole run",
                sa.scheduled_action_name
            ));
        }
        let mut sta = Map::new();
        if let Some(v) = sa
            .scalable_target_action
            .as_ref()
            .and_then(|x| x.min_capacity)
        {
            sta.insert("minCapacity".into(), v.into());
        }
        if let Some(v) = sa
            .scalable_target_action
            .as_ref()
            .and_then(|x| x.max_capacity)
        {
            sta.insert("maxCapacity".into(), v.into());
        }
        actions.push(json!({
            "scheduledActionName": sa.scheduled_action_name,
            "schedule": sa.schedule,
            "scalableTargetAction": sta,
        }));
        cx.report.mapped.push(format!(
            "{at} {} ({}) → services[{service}].autoScaling.scheduledActions",
            sa.scheduled_action_name, sa.schedule
        ));
    }
    let mut v = json!({ "minCapacity": t.item.min_capacity, "maxCapacity": t.item.max_capacity });
    if !policies.is_empty() {
        v["policies"] = Value::Array(policies);
    }
    if !actions.is_empty() {
        v["scheduledActions"] = Value::Array(actions);
    }
    v
}
