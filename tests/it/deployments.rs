//! Issue 14, points 2–4: rolling deployments within `minimumHealthyPercent` and
//! `maximumPercent`, the circuit breaker and its rollback, blue/green (ECS's own and
//! CodeDeploy's), no service scale-in during a deployment, and the `deployments` report.
//! Each rule is checked against AWS's documented arithmetic, written above the assert; the
//! teaching scenarios' README figures are asserted here too.

use ecsim::report::{DeploymentSummary, Report};
use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{repo_root, run, skeleton, zero_latencies};

fn shipped(path: &str) -> Report {
    let sc = ecsim::load(&repo_root().join("scenarios").join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    ecsim::run(&sc, None, &mut |_| {}).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn deployments(r: &Report) -> &[DeploymentSummary] {
    r.summary
        .deployments
        .as_deref()
        .expect("a run with deployments has a deployments array")
}

fn messages(r: &Report) -> Vec<(f64, &str)> {
    r.events
        .iter()
        .filter(|e| e.kind == "deployment")
        .map(|e| (e.time_s, e.message.as_str()))
        .collect()
}

/// A Fargate service of `desired` tasks with zero latencies, deploying once at 10 min.
fn fargate_service(desired: u32, extra: Value) -> Value {
    let mut v = skeleton("deploy", "1h", &["us-east-1a", "us-east-1b"]);
    v["settings"] = zero_latencies();
    v["taskDefinitions"] = json!([
        { "family": "web", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }
    ]);
    let mut svc = json!({
        "serviceName": "web", "taskDefinition": "web", "desiredCount": desired,
        "launchType": "FARGATE", "deploymentSchedule": [{ "at": "10m" }]
    });
    for (k, x) in extra.as_object().unwrap() {
        svc[k] = x.clone();
    }
    v["services"] = json!([svc]);
    v
}

#[test]
fn desired_4_min_50_max_200_stops_2_and_starts_4_at_once() {
    // [DOC] "Deploy Amazon ECS services by replacing tasks": desired 4, min 50 % → at least
    // ceil(4 × 0.5) = 2 healthy, so 2 old tasks may stop before any new one runs; max 200 %
    // → at most floor(4 × 2) = 8 tasks, so all 4 new start at once (2 old + 4 new = 6 ≤ 8).
    let r = run(
        &fargate_service(
            4,
            json!({ "deploymentConfiguration": { "minimumHealthyPercent": 50, "maximumPercent": 200 } }),
        ),
        1,
    );
    let m = messages(&r);
    let at_start: Vec<&str> = m.iter().filter(|(t, _)| *t == 600.0).map(|x| x.1).collect();
    assert!(
        at_start
            .iter()
            .any(|x| x.contains("has stopped 2 running tasks")),
        "{m:?}"
    );
    assert!(
        at_start.iter().any(|x| x.contains("has started 4 tasks")),
        "{m:?}"
    );
    // Zero latencies: the new tasks run at 600 s and are healthy 40 s later, when the last
    // two old ones stop and the deployment completes.
    let d = &deployments(&r)[0];
    assert_eq!((d.outcome, d.tasks_started), ("COMPLETED", 4));
    assert_eq!(d.ended_s, Some(640.0));
    for row in &r.service_series {
        assert!(row.running >= 2 && row.running <= 8, "{row:?}");
    }
}

#[test]
fn a_new_task_is_healthy_40_s_after_running_or_after_the_grace_with_a_load_balancer() {
    // [API] DeploymentConfiguration: without a load balancer or health check the scheduler
    // waits 40 s after RUNNING; with one, healthCheckGracePeriodSeconds (here 120 s).
    // desired 2, min 100 %, max 200 %: both new tasks start at 600 s (zero latencies) and
    // the old ones stop when the new ones are healthy: 640 s, or 720 s with the grace.
    let plain = run(&fargate_service(2, json!({})), 1);
    assert_eq!(deployments(&plain)[0].ended_s, Some(640.0));
    let lb = run(
        &fargate_service(
            2,
            json!({
                "loadBalancers": [{ "targetGroupArn": "tg", "containerName": "web", "containerPort": 80 }],
                "healthCheckGracePeriodSeconds": 120
            }),
        ),
        1,
    );
    assert_eq!(deployments(&lb)[0].ended_s, Some(720.0));
    // The 40 s is a named default, overridable.
    let mut v = fargate_service(2, json!({}));
    v["settings"]["deploymentHealthyAfter"] = json!("90s");
    assert_eq!(deployments(&run(&v, 1))[0].ended_s, Some(690.0));
}

#[test]
fn rolling_deploy_full_cluster_readme_figures() {
    // max 200 % on 4 full m6i.large: 8 new tasks wait in PROVISIONING until managed scaling
    // adds 4 instances; the cluster scales back to 4 after the deployment.
    let r = shipped("rolling-deploy-full-cluster/max-200.json");
    let d = &deployments(&r)[0];
    assert_eq!((d.outcome, d.tasks_started), ("COMPLETED", 8));
    assert_eq!(d.duration_s, 165.741);
    assert_eq!(d.extra_instance_hours, 1.066667);
    assert_eq!(d.extra_instance_cost_usd, 0.1024);
    let cp = &r.summary.capacity_providers[0];
    assert_eq!((cp.instances_min, cp.instances_max), (4, 8));
    assert_eq!(r.summary.cost.total_usd, 1.637547);
    // min 100 %: never fewer than 8 RUNNING.
    for row in &r.service_series {
        assert!(row.running >= 8, "{row:?}");
    }
    // min 50 %, max 100 %: ceil(8 × 0.5) = 4 stop first, so nothing waits for an instance.
    let r = shipped("rolling-deploy-full-cluster/min-50-max-100.json");
    let d = &deployments(&r)[0];
    assert_eq!(d.outcome, "COMPLETED");
    assert_eq!(d.duration_s, 125.025);
    assert_eq!(d.extra_instance_hours, 0.0);
    assert_eq!(r.summary.cost.total_usd, 1.536);
    for row in &r.service_series {
        assert!(row.running >= 4, "{row:?}");
    }
    // min 100 %, max 100 %: no task may stop (8 healthy needed) and none may start (8 at
    // most): the deployment never moves, and says so.
    let r = shipped("rolling-deploy-full-cluster/min-100-max-100.json");
    let d = &deployments(&r)[0];
    assert_eq!(
        (d.outcome, d.tasks_started, d.ended_s),
        ("STALLED", 0, None)
    );
    assert!(messages(&r)
        .iter()
        .any(|(_, m)| m.contains("cannot make progress")));
}

#[test]
fn circuit_breaker_readme_figures() {
    // threshold = clamp(ceil(0.5 × 10), 3, 200) = 5 failed starts.
    let r = shipped("circuit-breaker/rollback.json");
    let d = deployments(&r);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].circuit_breaker_threshold, Some(5));
    assert_eq!((d[0].outcome, d[0].failed_tasks), ("ROLLED_BACK", 5));
    assert_eq!(d[0].task_definition, "api-broken");
    assert!(d[1].rollback);
    assert_eq!(
        (d[1].outcome, d[1].task_definition.as_str()),
        ("COMPLETED", "api")
    );
    assert_eq!(d[0].ended_s, Some(3649.512));
    assert_eq!(d[1].ended_s, Some(3756.85));
    // ECS's default AZ rebalancing then evens the 4 + 6 spread the rollback left: one task
    // started in us-east-1a, one stopped in us-east-1b (README "AZ rebalancing").
    let az = r.summary.services[0]
        .az_rebalancing
        .as_ref()
        .expect("rollback.json rebalances");
    assert_eq!((az.tasks_started, az.tasks_stopped), (1, 1));
    assert_eq!(az.extra_task_cost_usd, 0.00044);
    assert_eq!(r.summary.cost.total_usd, 0.749614);
    // Without rollback: FAILED, no new task launched, surplus stopped, 10 running at the end.
    let r = shipped("circuit-breaker/no-rollback.json");
    let d = deployments(&r);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].outcome, "FAILED");
    assert_eq!(r.summary.services[0].running_at_end, 10);
    // Without the breaker, ECS keeps retrying the broken tasks to the end of the run.
    let r = shipped("circuit-breaker/breaker-off.json");
    let d = deployments(&r);
    assert_eq!(
        (d[0].outcome, d[0].circuit_breaker_threshold),
        ("IN_PROGRESS", None)
    );
    assert_eq!(d[0].failed_tasks, 35);
}

#[test]
fn blue_green_doubles_the_fleet_and_rolling_does_not() {
    let get = |name: &str| {
        let r = shipped(&format!("blue-green-vs-rolling/{name}.json"));
        let d = deployments(&r).to_vec();
        (r, d)
    };
    let (_, ec2_roll) = get("ec2-rolling");
    let (ec2_bg_run, ec2_bg) = get("ec2-blue-green");
    let (_, ec2_cd) = get("ec2-codedeploy-canary");
    let (_, far_roll) = get("fargate-rolling");
    let (_, far_bg) = get("fargate-blue-green");
    let (_, far_cd) = get("fargate-codedeploy-canary");
    for d in [&ec2_roll, &ec2_bg, &ec2_cd, &far_roll, &far_bg, &far_cd] {
        // Twice a day: 06:00 and 18:00 UTC.
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|x| x.outcome == "COMPLETED"), "{d:?}");
        assert_eq!(d[0].started_s, 21600.0);
    }
    // The README's table (first deployment of each).
    assert_eq!(ec2_roll[0].extra_instance_hours, 1.333333);
    assert_eq!(ec2_bg[0].extra_instance_hours, 2.583333);
    assert_eq!(ec2_cd[0].extra_instance_hours, 3.0);
    assert_eq!(ec2_roll[0].extra_instance_cost_usd, 0.128);
    assert_eq!(ec2_bg[0].extra_instance_cost_usd, 0.248);
    assert_eq!(ec2_cd[0].extra_instance_cost_usd, 0.288);
    assert_eq!(far_roll[0].extra_task_cost_usd, 0.004485);
    assert_eq!(far_bg[0].extra_task_cost_usd, 0.141405);
    assert_eq!(far_cd[0].extra_task_cost_usd, 0.186252);
    // Blue/green: 10 green tasks beside 10 blue for the 15-minute bake, so at least
    // 10 × 15 min = 2.5 extra task-hours; a rolling update with 40 s of grace, far less.
    assert!(far_bg[0].extra_task_hours >= 2.5 && ec2_bg[0].extra_task_hours >= 2.5);
    assert!(far_roll[0].extra_task_hours < 0.2);
    // On EC2 the doubled fleet does not fit: managed scaling launches instances for it (no
    // scaling is scripted: the scale-out comes from the PROVISIONING green tasks).
    assert!(ec2_bg_run.summary.capacity_providers[0].scale_out >= 2);
    assert_eq!(ec2_bg_run.summary.capacity_providers[0].instances_max, 10);
    // On Fargate there is no instance to pay for.
    assert_eq!(far_bg[0].extra_instance_hours, 0.0);
}

#[test]
fn codedeploy_canary_shifts_10_percent_then_the_rest_5_minutes_later() {
    // CodeDeployDefault.ECSCanary10Percent5Minutes: 10 % when green is ready, 100 % five
    // minutes later, then the 15-minute termination wait before blue stops.
    let r = shipped("blue-green-vs-rolling/fargate-codedeploy-canary.json");
    let m = messages(&r);
    let t10 = m.iter().find(|x| x.1.contains("shifted 10%")).unwrap().0;
    let t100 = m.iter().find(|x| x.1.contains("shifted 100%")).unwrap().0;
    assert_eq!(t100 - t10, 300.0);
    let end = deployments(&r)[0].ended_s.unwrap();
    assert_eq!(end - t100, 900.0);
}

/// A Fargate service at a low load with target tracking: it wants to scale in from 10.
fn over_provisioned(deploy: bool) -> Value {
    let extra = json!({
        "load": {
            "points": [{ "at": "0m", "requestsPerSecond": 50 }],
            "requestsPerTaskPerSecond": 100, "baselineCpuPercent": 5
        },
        "autoScaling": {
            "minCapacity": 2, "maxCapacity": 20,
            "policies": [{
                "policyName": "cpu50", "policyType": "TargetTrackingScaling",
                "targetTrackingScalingPolicyConfiguration": {
                    "targetValue": 50,
                    "predefinedMetricSpecification": { "predefinedMetricType": "ECSServiceAverageCPUUtilization" }
                }
            }]
        },
        "deploymentConfiguration": { "strategy": "BLUE_GREEN", "bakeTimeInMinutes": 60 }
    });
    let mut v = fargate_service(10, extra);
    v["duration"] = json!("2h");
    if !deploy {
        v["services"][0]["deploymentSchedule"] = json!([]);
    }
    v
}

#[test]
fn service_auto_scaling_does_not_scale_in_during_a_deployment() {
    // [DOC] "Application Auto Scaling turns off scale-in processes while Amazon ECS
    // deployments are in progress". The deployment runs from 10 min to past 70 min (60 min
    // bake); without it, the low-CPU alarm (15 datapoints) scales in within ~16 minutes.
    let desired_at = |r: &Report, minute: u64| {
        r.service_series
            .iter()
            .find(|x| x.minute == minute)
            .unwrap()
            .desired
    };
    let control = run(&over_provisioned(false), 1);
    assert!(control.summary.deployments.is_none());
    assert!(desired_at(&control, 40) < 10);
    let r = run(&over_provisioned(true), 1);
    assert_eq!(desired_at(&r, 40), 10);
    assert!(r.summary.services[0].scaling_activities.scale_in_suppressed > 0);
    let d = &deployments(&r)[0];
    assert_eq!(d.outcome, "COMPLETED");
    // Scale-in resumes once the deployment is over.
    assert!(r.summary.services[0].desired_count < 10);
}

#[test]
fn deployment_mistakes_are_reported_with_their_paths() {
    let mut v = fargate_service(2, json!({}));
    v["services"][0]["deploymentConfiguration"] = json!({
        "minimumHealthyPercent": 120, "maximumPercent": 50, "strategy": "BLUE_GREEN"
    });
    v["services"][0]["deploymentSchedule"] = json!([{ "at": "1h", "schedule": "rate(1 hour)" }, { "taskDefinition": "nope", "at": "1h" }, { "schedule": "rate(soon)" }]);
    v["services"][0]["codeDeploy"] = json!({ "deploymentConfigName": "CodeDeployDefault.ECSFast" });
    v["taskDefinitions"][0]["ecsim"] = json!({ "startFailureProbability": 1.5 });
    let problems = problems_of(&serde_json::to_string(&v).unwrap());
    let listing: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    for path in [
        "services[0].deploymentConfiguration.minimumHealthyPercent",
        "services[0].deploymentConfiguration.maximumPercent",
        "services[0].deploymentConfiguration.bakeTimeInMinutes",
        "services[0].deploymentSchedule[0]",
        "services[0].deploymentSchedule[1].taskDefinition",
        "services[0].deploymentSchedule[2].schedule",
        "services[0].codeDeploy",
        "taskDefinitions[0].ecsim.startFailureProbability",
    ] {
        assert_eq!(
            problems.iter().filter(|p| p.path == path).count(),
            1,
            "{path}: {listing:#?}"
        );
    }
    // A CODE_DEPLOY service with a bad configuration name and the circuit breaker.
    let mut v = fargate_service(2, json!({}));
    v["services"][0]["deploymentController"] = json!({ "type": "CODE_DEPLOY" });
    v["services"][0]["deploymentConfiguration"] =
        json!({ "deploymentCircuitBreaker": { "enable": true, "rollback": true } });
    v["services"][0]["codeDeploy"] =
        json!({ "deploymentConfigName": "CodeDeployDefault.ECSLinear0PercentEvery1Minutes" });
    let problems = problems_of(&serde_json::to_string(&v).unwrap());
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "services[0].deploymentConfiguration.deploymentCircuitBreaker",
            "services[0].codeDeploy.deploymentConfigName"
        ],
        "{problems:?}"
    );
}

#[test]
fn a_run_without_deployments_has_no_deployments_array() {
    let r = run(&fargate_service(2, json!({ "deploymentSchedule": [] })), 1);
    let json = serde_json::to_value(&r.summary).unwrap();
    assert!(json.get("deployments").is_none());
}

#[test]
fn deployments_are_deterministic() {
    let a = shipped("circuit-breaker/rollback.json");
    let b = shipped("circuit-breaker/rollback.json");
    assert_eq!(
        serde_json::to_string(&a.summary).unwrap(),
        serde_json::to_string(&b.summary).unwrap()
    );
    assert_eq!(
        serde_json::to_string(&a.events).unwrap(),
        serde_json::to_string(&b.events).unwrap()
    );
}
