//! Integration tests: one binary, one module per behaviour (CONVENTIONS.md item 12).

mod autoscaling;
mod bad_input;
mod billing;
mod bom;
mod bounded_memory;
mod browser;
mod capacity_provider_strategy;
mod charts;
mod commitments;
mod compare;
mod daemon;
mod deploy;
mod determinism;
mod faults;
mod fuzz;
mod golden;
mod import;
mod invariants;
mod markup;
mod montecarlo;
mod output_folder;
#[cfg(unix)]
mod output_streams;
mod paste;
mod placement;
mod queueing;
mod readme_formats;
mod report_html;
mod review;
mod run_task;
mod spread_charts;
mod support;
mod sweep;
mod utilization;
mod warm_start;
