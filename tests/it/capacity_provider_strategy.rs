//! A capacity provider strategy in a whole run: base first, then the weights.

use serde_json::json;

use super::support::{close, run, skeleton, zero_latencies, USD};

#[test]
fn fargate_base_2_weight_1_and_spot_weight_3_split_10_tasks_4_and_6() {
    let seed = 3;
    let mut v = skeleton("cps", "1h", &["us-east-1a", "us-east-1b", "us-east-1c"]);
    v["settings"] = zero_latencies();
    v["taskDefinitions"] = json!([{
        "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "api",
        "taskDefinition": "api",
        "desiredCount": 10,
        "capacityProviderStrategy": [
            { "capacityProvider": "FARGATE", "base": 2, "weight": 1 },
            { "capacityProvider": "FARGATE_SPOT", "weight": 3 }
        ]
    }]);
    let r = run(&v, seed);
    let c = &r.summary.cost;
    assert_eq!(r.summary.tasks.running_at_end, 10, "seed {seed}");
    // Base 2 on FARGATE, then the other 8 split 1 : 3 → 2 more on FARGATE, 6 on FARGATE_SPOT.
    // One task (0.25 vCPU, 0.5 GB) for 3600 s on demand:
    //   3600 × (0.25 × 0.000011244 + 0.5 × 0.000001235) = 3600 × 0.0000034285 = 0.0123426 $.
    // FARGATE:      4 × 0.0123426        = 0.0493704 $.
    // FARGATE_SPOT at the published Spot rates, per hour 0.01334053 per vCPU and 0.00146489
    // per GB: 6 × (0.25 × 0.01334053 + 0.5 × 0.00146489) = 6 × 0.0040675775 = 0.024405465 $.
    let on_demand = 0.0493704;
    let spot = 0.024405465;
    assert!(
        close(c.by_capacity_provider["FARGATE"], on_demand, USD),
        "seed {seed}: {:?}",
        c.by_capacity_provider
    );
    assert!(
        close(c.by_capacity_provider["FARGATE_SPOT"], spot, USD),
        "seed {seed}: {:?}",
        c.by_capacity_provider
    );
    // 0.0493704 + 0.024405465 = 0.073775865.
    assert!(
        close(c.total_usd, 0.073775865, USD),
        "seed {seed}: {}",
        c.total_usd
    );
    assert!(close(c.fargate_usd, 0.073775865, USD), "seed {seed}");
}
