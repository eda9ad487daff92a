//! What the larger catalog costs a run: parsing the embedded tables, building one Region's
//! `Catalog`, and the clone `Catalog::embedded_us_east_1` hands every validation.
//!
//! Issue 12: `benches/month_run` must stay within 5 % of what it was with the 64-type
//! table. A run builds its catalog once, at validation, so the figures here are a one-off
//! cost per scenario validated (a sweep validates one per point), to be read against a
//! month run's 1–2 s. Parsing happens once per process (`tables::embedded` keeps the
//! result); `parse` here measures that first time.
//!
//! Owns only the timing; what the tables hold is tested in `src/cloud/tables.rs`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};

use ecsim::cloud::tables::{self, parse, render};
use ecsim::cloud::Catalog;

fn catalog(c: &mut Criterion) {
    let texts = render(tables::embedded()).map(|(n, t)| (n.to_owned(), t));
    c.bench_function("catalog/parse embedded tables (once per process)", |b| {
        b.iter(|| parse(black_box(&texts)).expect("tables parse"))
    });
    c.bench_function(
        "catalog/for_region us-east-1 (sweeps of other regions)",
        |b| {
            b.iter(|| {
                Catalog::for_region(black_box(tables::embedded()), "us-east-1", None)
                    .expect("us-east-1")
            })
        },
    );
    c.bench_function("catalog/embedded_us_east_1 clone (every validation)", |b| {
        b.iter(Catalog::embedded_us_east_1)
    });
}

criterion_group!(benches, catalog);
criterion_main!(benches);
