//! Issue 10 point 6: scenario JSON and `catalogFile` saved with a UTF-8 byte order mark (as
//! Notepad and Excel do) are read like the same file without it. The trace readers' own
//! tests (`src/workload/*.rs`) cover the CSV formats.

use std::path::Path;

use crate::support::repo_root;

const BOM: &str = "\u{FEFF}";

/// A scenario with no relative path, so it can move to a temporary folder.
fn binpack() -> String {
    std::fs::read_to_string(repo_root().join("scenarios/binpack-vs-spread/binpack.json"))
        .expect("binpack ships")
}

#[test]
fn scenario_json_with_a_byte_order_mark_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.json");
    std::fs::write(&path, format!("{BOM}{}", binpack())).unwrap();
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, binpack()).unwrap();
    let with = ecsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let without = ecsim::scenario::load(&plain).unwrap();
    assert_eq!(format!("{with:?}"), format!("{without:?}"));
    // The path `validate`, `run` and `compare` take: with variants and overrides.
    ecsim::scenario::load_set(&path).unwrap_or_else(|e| panic!("{e}"));
    let o = ecsim::scenario::Override::parse("/seed=7").unwrap();
    let set = ecsim::scenario::load_set_with(&path, &[o]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.base.seed, 7);
}

#[test]
fn a_byte_order_mark_inside_the_text_is_still_an_error() {
    // Only a leading mark is dropped; one after a character is a syntax error at line 1.
    let text = format!(" {BOM}{}", binpack());
    let e = ecsim::scenario::from_json_str(&text, Path::new("x.json"), repo_root()).unwrap_err();
    assert!(e.to_string().contains("x.json"), "{e}");
}

#[test]
fn catalog_file_with_a_byte_order_mark_loads() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = r#"{"instanceTypes": [{"name": "m5.large", "onDemandUsdPerHour": 0.5}]}"#;
    std::fs::write(dir.path().join("prices.json"), format!("{BOM}{catalog}")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&binpack()).unwrap();
    doc["catalogFile"] = "prices.json".into();
    let path = dir.path().join("s.json");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    ecsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let o = ecsim::cloud::load_overrides(&dir.path().join("prices.json")).unwrap();
    assert_eq!(o.instance_types[0].on_demand_usd_per_hour, Some(0.5));
}
