//! Issue 12 point 3: `region`, `catalogDir` and `ecsim catalog` (AWS Price List offer files →
//! catalog tables), and their bad input, through the binary.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::support::repo_root;

fn fixture(name: &str) -> std::path::PathBuf {
    repo_root().join("tests/fixtures/catalog").join(name)
}

fn ecsim(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(repo_root())
        .args(args)
        .output()
        .expect("ecsim runs")
}

/// `ecsim catalog` on the two us-west-2 fixtures into `out`.
fn build_catalog(out: &Path) -> Output {
    ecsim(&[
        "catalog".as_ref(),
        fixture("AmazonEC2-us-west-2.json").as_os_str(),
        fixture("AmazonECS-us-west-2.json").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

/// One m5.large for an hour under `region`, with one Fargate task.
fn one_hour(region: Option<&str>, catalog_dir: Option<&str>, instance_type: &str) -> Value {
    let mut v = json!({
        "name": "catalog-region",
        "duration": "1h",
        "cluster": {
            "clusterName": "c",
            "availabilityZones": ["a"],
            "capacityProviders": ["FARGATE"]
        },
        "autoScalingGroups": [{
            "autoScalingGroupName": "asg",
            "instanceTypes": [instance_type],
            "minSize": 1, "maxSize": 1, "desiredCapacity": 1
        }],
        "taskDefinitions": [
            { "family": "f", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"] }
        ],
        "services": [{
            "serviceName": "s", "taskDefinition": "f", "desiredCount": 1,
            "capacityProviderStrategy": [{ "capacityProvider": "FARGATE", "weight": 1 }]
        }],
        "settings": {
            "instanceRunningLatency": "0s", "agentRegistrationLatency": "0s",
            "ec2TaskStartLatency": "0s", "fargateProvisioningLatency": "0s",
            "fargateTaskStartLatency": "0s", "taskStopLatency": "0s"
        }
    });
    if let Some(r) = region {
        v["region"] = json!(r);
    }
    if let Some(d) = catalog_dir {
        v["catalogDir"] = json!(d);
    }
    v
}

fn write_scenario(dir: &Path, v: &Value) -> std::path::PathBuf {
    let file = dir.join("s.json");
    std::fs::write(&file, serde_json::to_string_pretty(v).expect("json")).expect("write");
    file
}

#[test]
fn catalog_builds_tables_from_offer_files_and_a_scenario_runs_on_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tables = dir.path().join("tables");
    let o = build_catalog(&tables);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    // EC2: five products pass the filter (m5.large Linux and Windows, m7g.large, g5.xlarge,
    // zz9.large); ECS: the twelve Fargate usage types.
    assert!(
        stdout.contains("AmazonEC2 2026-08-01T00:00:00Z, 5 products kept, 5 prices"),
        "{stdout}"
    );
    assert!(
        stdout.contains("AmazonECS 2026-07-15T00:00:00Z, 12 products kept, 12 prices"),
        "{stdout}"
    );
    assert!(stdout.contains("regions: us-west-2"), "{stdout}");

    let ec2 = std::fs::read_to_string(tables.join("ec2_prices.tsv")).expect("ec2_prices.tsv");
    // Only the shared, used-capacity, no-software Linux (and licence-included Windows) prices.
    assert_eq!(
        ec2,
        "# region\tinstance_type\tlinux_usd_per_hour\twindows_usd_per_hour\n\
         us-west-2\tg5.xlarge\t1\t-\n\
         us-west-2\tm5.large\t0.1\t0.2\n\
         us-west-2\tm7g.large\t0.08\t-\n\
         us-west-2\tzz9.large\t0.05\t-\n"
    );
    let regions = std::fs::read_to_string(tables.join("regions.tsv")).expect("regions.tsv");
    assert_eq!(
        regions,
        "# region\tec2_prices_as_of\tfargate_prices_as_of\nus-west-2\t2026-08-01\t2026-07-15\n"
    );
    let fargate = std::fs::read_to_string(tables.join("fargate_prices.tsv")).expect("fargate");
    // Per hour in the offer, per second in the table: 0.036 / 3600 = 0.00001 per vCPU-second,
    // 0.0036 / 3600 = 0.000001 per GB-second, the Spot x86 vCPU rate 0.0108 / 3600 = 0.000003.
    let row: Vec<&str> = fargate.lines().nth(1).expect("a row").split('\t').collect();
    assert_eq!(row[0], "us-west-2");
    let rate = |i: usize| row[i].parse::<f64>().expect("number");
    assert!((rate(1) - 0.00001).abs() < 1e-15);
    assert!((rate(2) - 0.000001).abs() < 1e-15);
    assert!((rate(8) - 0.000003).abs() < 1e-15);
    let types = std::fs::read_to_string(tables.join("instance_types.tsv")).expect("types");
    // A type only the offer file knows gets its shape from it: Graviton → arm64, 12 GiB; no
    // ENI figures (ECS's awsvpc task limits included).
    assert!(
        types.contains("zz9.large\tarm64\t2\t12288\t0\t0\t0\t-\t-\t-\t-\t-\t-\n"),
        "zz9 row"
    );
    // Embedded types keep their limits (c5.large is not in the offer files but keeps its
    // row), ECS's awsvpc task limits included (offer files carry none).
    assert!(
        types.contains("\nc5.large\tx86_64\t2\t4096\t0\t0\t0\t3\t9\ttrue\tnitro\t2\t10\n"),
        "c5.large row keeps ECS's limits"
    );

    // The scenario: region us-west-2 from those tables, one m5.large and one 1 vCPU / 2 GB
    // Fargate task for an hour.
    let file = write_scenario(
        dir.path(),
        &one_hour(Some("us-west-2"), Some("tables"), "m5.large"),
    );
    let out = dir.path().join("out");
    let o = ecsim(&[
        "run".as_ref(),
        file.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
    )
    .expect("json");
    assert_eq!(s["prices"]["region"], "us-west-2");
    assert_eq!(s["prices"]["ec2_prices_as_of"], "2026-08-01");
    assert_eq!(s["prices"]["fargate_prices_as_of"], "2026-07-15");
    assert!(s["prices"]["catalog_dir"]
        .as_str()
        .is_some_and(|d| d.ends_with("tables")));
    // EC2: one m5.large for 1 h at the table's 0.1 USD/h = 0.1 USD.
    let ec2_usd = s["cost"]["ec2_usd"].as_f64().expect("ec2_usd");
    assert!((ec2_usd - 0.1).abs() < 1e-9, "{ec2_usd}");
    // Fargate: 1 vCPU × 0.00001 + 2 GB × 0.000001 = 0.000012 USD/s; the task runs from time
    // zero (warm start) for 3,600 s = 0.0432 USD.
    let fargate_usd = s["cost"]["fargate_usd"].as_f64().expect("fargate_usd");
    assert!((fargate_usd - 0.0432).abs() < 1e-6, "{fargate_usd}");
    // The stdout-table and report.html statement names the Region and dates too.
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains(
        "us-west-2 Linux On-Demand list prices (EC2 as of 2026-08-01, Fargate as of 2026-07-15)"
    ));
}

#[test]
fn region_defaults_to_us_east_1_and_changes_nothing() {
    // Saying us-east-1 explicitly gives the same run as leaving it out.
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |v: &Value, name: &str| -> String {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).expect("dir");
        let file = write_scenario(&d, v);
        let out = d.join("out");
        let o = ecsim(&[
            "run".as_ref(),
            file.as_os_str(),
            "--quiet".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out.join("summary.json")).expect("summary.json")
    };
    let implicit = run(&one_hour(None, None, "m5.large"), "a");
    let explicit = run(&one_hour(Some("us-east-1"), None, "m5.large"), "b");
    assert_eq!(implicit, explicit);
    let s: Value = serde_json::from_str(&implicit).expect("json");
    assert_eq!(s["prices"]["region"], "us-east-1");
    assert_eq!(s["prices"]["ec2_prices_as_of"], "2026-07-20");
    assert!(s["prices"].get("catalog_dir").is_none());
    // m5.large at 0.096 USD/h for an hour.
    assert!((s["cost"]["ec2_usd"].as_f64().expect("ec2") - 0.096).abs() < 1e-9);
}

/// `ecsim validate` on `v` in a fresh folder (with the built tables beside it if `tables`):
/// the exit code and stderr.
fn validate(v: &Value, tables: bool) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    if tables {
        let o = build_catalog(&dir.path().join("tables"));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let file = write_scenario(dir.path(), v);
    let o = ecsim(&["validate".as_ref(), file.as_os_str()]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_region_is_an_error_at_region() {
    let (code, err) = validate(&one_hour(Some("eu-west-9"), None, "m5.large"), false);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("region: unknown region \"eu-west-9\"; expected one of ap-northeast-1, ap-southeast-1, eu-central-1, eu-west-1, us-east-1, us-west-2 (the embedded catalog)"), "{err}");
}

#[test]
fn a_region_without_embedded_prices_says_how_to_get_them() {
    let (code, err) = validate(&one_hour(Some("eu-west-1"), None, "m5.large"), false);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("region: the embedded catalog has no EC2 On-Demand prices for eu-west-1"),
        "{err}"
    );
    assert!(err.contains("ecsim catalog"), "{err}");
}

#[test]
fn an_instance_type_not_offered_in_the_region_is_named_at_its_path() {
    // c5.large is a known type (embedded shapes) but the us-west-2 tables do not price it.
    let (code, err) = validate(
        &one_hour(Some("us-west-2"), Some("tables"), "c5.large"),
        true,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("autoScalingGroups[0].instanceTypes[0]: instance type \"c5.large\" is not offered in us-west-2"), "{err}");
    // And a region the built tables lack is unknown there, naming where the list came from.
    let (code, err) = validate(
        &one_hour(Some("us-east-1"), Some("tables"), "m5.large"),
        true,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("unknown region \"us-east-1\"; expected one of us-west-2 (the catalog in "),
        "{err}"
    );
}

#[test]
fn a_catalog_dir_without_tables_names_each_missing_file() {
    let (code, err) = validate(&one_hour(None, Some("nowhere"), "m5.large"), false);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("catalogDir: "), "{err}");
    assert!(err.contains("instance_types.tsv: cannot read it"), "{err}");
    assert!(err.contains("regions.tsv: cannot read it"), "{err}");
}

#[test]
fn a_malformed_offer_file_is_an_input_error_naming_file_and_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("tables");
    let o = ecsim(&[
        "catalog".as_ref(),
        fixture("broken-truncated.json").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("broken-truncated.json: line "), "{err}");
    assert!(err.contains("not an AWS price list offer file"), "{err}");
    assert!(!out.exists(), "nothing is written from a broken file");

    // Valid JSON that is not an offer file.
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        r#"{"offerCode": "AmazonS3", "publicationDate": "2026-01-01T00:00:00Z", "products": {}}"#,
    )
    .expect("write");
    let o = ecsim(&[
        "catalog".as_ref(),
        other.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("other.json: offerCode: expected AmazonEC2 or AmazonECS, found \"AmazonS3\""),
        "{err}"
    );

    // A price that is not a number names its JSON path.
    let text = std::fs::read_to_string(fixture("AmazonECS-us-west-2.json")).expect("fixture");
    let bad = dir.path().join("bad-price.json");
    std::fs::write(&bad, text.replacen("\"0.0360000000\"", "\"free\"", 1)).expect("write");
    let o = ecsim(&[
        "catalog".as_ref(),
        bad.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad-price.json: terms.OnDemand.BBBBX86VCPU0001.BBBBX86VCPU0001.JRTCKXETXF.priceDimensions."), "{err}");
    assert!(err.contains("found \"free\""), "{err}");
}
