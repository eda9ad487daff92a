//! Integration tests: one binary, one module per behaviour (CONVENTIONS.md item 12).

mod autoscaling;
mod bad_input;
mod billing;
mod bounded_memory;
mod browser;
mod capacity_provider_strategy;
mod charts;
mod compare;
mod determinism;
mod faults;
mod golden;
mod invariants;
mod markup;
mod montecarlo;
mod placement;
mod queueing;
mod report_html;
mod spread_charts;
mod support;
mod utilization;
