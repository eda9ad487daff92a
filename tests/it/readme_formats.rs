//! The formats README documents for users (issue 10 point 10: the batch CSV and the catalog
//! overrides) are checked against the readers, so the documentation cannot drift from them.

use std::path::Path;

use ecsim::workload::CsvReader;

use super::support::repo_root;

/// The body of the first fenced block in README after `heading` that opens with `fence`.
fn block(heading: &str, fence: &str) -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let after = &readme[readme.find(heading).unwrap_or_else(|| panic!("{heading}"))..];
    let start = after
        .find(fence)
        .unwrap_or_else(|| panic!("{fence} after {heading}"))
        + fence.len();
    let body = &after[start..];
    body[..body.find("\n```").expect("closing fence")].to_string()
}

/// `jsonc` without its `// …` comments (none of the documented strings holds `//`).
fn strip_comments(jsonc: &str) -> String {
    jsonc
        .lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_documented_batch_csv_example_reads() {
    let text = block("#### The batch CSV format", "```text\n");
    let jobs: Vec<_> = CsvReader::new(text.as_bytes(), "README.md")
        .expect("reader")
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    // Three rows; the second submits 10 tasks at 0.5 s = 500 ms.
    assert_eq!(jobs.len(), 3);
    assert_eq!((jobs[1].submit.0, jobs[1].count), (500, 10));
}

#[test]
fn the_documented_catalog_example_applies() {
    let text = block("#### Catalog overrides", "```jsonc\n");
    let json = format!("{{{}}}", strip_comments(&text));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let o = ecsim::cloud::parse_overrides(&value["catalog"].to_string(), Path::new("README.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut catalog = ecsim::cloud::Catalog::embedded_us_east_1();
    catalog.apply(&o).unwrap_or_else(|p| panic!("{p:?}"));
    assert!(catalog.find("x9.big").is_some());
}
