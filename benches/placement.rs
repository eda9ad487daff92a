//! Placement cost at 10,000 Active instances.
//!
//! Budget: `Placer::place` with `[spread(attribute:ecs.availability-zone), binpack(memory)]`
//! must average under 3 µs per placement on this cluster; a naive scan of every instance is
//! about 20 µs. The reference `general_scan` is measured next to it for comparison, as is the
//! service default chain `[spread(AZ), spread(instanceId)]` (ecs-reference §4.3) and a
//! place + reserve + release cycle, which shows what keeping the index current costs.
//!
//! `fill empty 10k service default` fills an empty cluster of 10,000 instances with one task
//! per instance under the service default `[spread(AZ), spread(instanceId)]`, the start of
//! every service (issue 13): each placement must find an instance without the service's
//! task without walking past the ones that have one, so the fill is O(n log n), not
//! O(n²). Budget: under 3 µs per placement, as above. `fill empty 10k untracked group`
//! runs the same fill for a group the index does not track, which still takes the walk
//! every service took before issue 13, for comparison.
//!
//! `place no strategy (lowest id)` places a task of a chain that ranks nothing (a RunTask
//! workload without `placementStrategy`): the lowest-id candidate wins.
//!
//! Owns only the benchmark fixture; it asserts nothing about decisions (the unit tests do).

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use rand::Rng;

use ecsim::cluster::ContainerInstance;
use ecsim::engine::{RngStreams, SimTime, Stream};
use ecsim::ids::{AsgId, AzId, InstanceId, InstanceTypeId, Owner, ServiceId};
use ecsim::scheduler::placement::Attribute;
use ecsim::scheduler::placement::{
    general_scan, service_default_strategy, BinpackField, PlacementRequest, PlacementStrategy,
    Placer, Pool, SpreadField,
};
use ecsim::units::{CpuArchitecture, Resources};

const INSTANCES: usize = 10_000;
const AZS: usize = 3;

/// 10,000 instances of four sizes over 3 AZs, about half full with tasks of eight services.
fn cluster() -> (Vec<ContainerInstance>, Placer) {
    let sizes = [
        Resources::new(4096, 15_000), // m5.xlarge-like
        Resources::new(2048, 7_500),  // m5.large-like
        Resources::new(8192, 30_000), // m5.2xlarge-like
        Resources::new(2048, 3_700),  // c5.large-like
    ];
    let mut rng = RngStreams::new(1).named("bench-fixture", 0);
    let mut placer = Placer::new(AZS);
    for s in 0..8 {
        placer.track_spread(Owner::Service(ServiceId(s)));
    }
    let mut instances: Vec<ContainerInstance> = (0..INSTANCES)
        .map(|i| {
            let ty = rng.gen_range(0..sizes.len());
            let mut inst = ContainerInstance::launched(
                InstanceId::from_index(i),
                AsgId(0),
                InstanceTypeId::from_index(ty),
                AzId::from_index(i % AZS),
                CpuArchitecture::X86_64,
                sizes[ty],
                SimTime::ZERO,
            );
            inst.mark_registered(SimTime::ZERO);
            inst
        })
        .collect();
    for inst in &instances {
        placer.add_instance(inst);
    }
    for inst in instances.iter_mut() {
        // Fill each instance to a random level between empty and about full.
        let target = rng.gen_range(0..=inst.registered.memory.0);
        while inst.reserved.memory.0 < target {
            let need = Resources::new(256 * rng.gen_range(1..4), 512 * rng.gen_range(1..5));
            if !inst.free().fits(need) {
                break;
            }
            let group = Owner::Service(ServiceId(rng.gen_range(0..8)));
            placer.reserve(inst, need, group);
        }
    }
    (instances, placer)
}

/// 10,000 empty Active m5.2xlarge-like instances over 3 AZs, with service 0 tracked for
/// `spread(instanceId)` as the simulation tracks every service.
fn empty_cluster() -> (Vec<ContainerInstance>, Placer) {
    let mut placer = Placer::new(AZS);
    placer.track_spread(Owner::Service(ServiceId(0)));
    let instances: Vec<ContainerInstance> = (0..INSTANCES)
        .map(|i| {
            let mut inst = ContainerInstance::launched(
                InstanceId::from_index(i),
                AsgId(0),
                InstanceTypeId::from_index(0),
                AzId::from_index(i % AZS),
                CpuArchitecture::X86_64,
                Resources::new(8192, 31_000),
                SimTime::ZERO,
            );
            inst.mark_registered(SimTime::ZERO);
            inst
        })
        .collect();
    for inst in &instances {
        placer.add_instance(inst);
    }
    (instances, placer)
}

fn bench(c: &mut Criterion) {
    let empty = empty_cluster();
    for (name, service) in [
        ("fill empty 10k service default", 0),
        ("fill empty 10k untracked group", 1),
    ] {
        fill(c, &empty, name, Owner::Service(ServiceId(service)));
    }
    bench_half_full(c);
}

/// Times filling `empty` with one task of `group` per instance.
fn fill(c: &mut Criterion, empty: &(Vec<ContainerInstance>, Placer), name: &str, group: Owner) {
    let mut group_bench = c.benchmark_group("fill");
    group_bench.sample_size(10);
    group_bench.bench_function(name, |b| {
        let req = PlacementRequest {
            need: Resources::new(256, 512),
            group,
            os: ecsim::units::OsFamily::Linux,
            arch: None,
            pool: Pool::Cluster,
            strategy: service_default_strategy(),
            constraints: &[],
        };
        let mut rng = RngStreams::new(1).stream(Stream::Placement);
        b.iter_batched(
            || empty.clone(),
            |(mut instances, mut placer)| {
                for _ in 0..INSTANCES {
                    let id = placer
                        .place(black_box(&req), &instances, &mut rng)
                        .expect("the fixture has room"); // ok: fixed fixture
                    placer.reserve(&mut instances[id.index()], req.need, req.group);
                }
                (instances, placer)
            },
            BatchSize::LargeInput,
        )
    });
    group_bench.finish();
}

fn bench_half_full(c: &mut Criterion) {
    let (mut instances, mut placer) = cluster();
    let az_binpack = [
        PlacementStrategy::Spread(SpreadField::Attribute(Attribute::AvailabilityZone)),
        PlacementStrategy::Binpack(BinpackField::Memory),
    ];
    let request = |strategy| PlacementRequest {
        need: Resources::new(512, 1024),
        group: Owner::Service(ServiceId(3)),
        os: ecsim::units::OsFamily::Linux,
        arch: None,
        pool: Pool::Cluster,
        strategy,
        constraints: &[],
    };
    let mut rng = RngStreams::new(1).stream(Stream::Placement);

    let req = request(&az_binpack[..]);
    c.bench_function("place spread(az),binpack(memory) indexed", |b| {
        b.iter(|| placer.place(black_box(&req), &instances, &mut rng))
    });
    c.bench_function("place spread(az),binpack(memory) general_scan", |b| {
        b.iter(|| general_scan(black_box(&req), &instances, &mut rng))
    });
    let req_default = request(service_default_strategy());
    c.bench_function("place service default indexed", |b| {
        b.iter(|| placer.place(black_box(&req_default), &instances, &mut rng))
    });
    c.bench_function("place service default general_scan", |b| {
        b.iter(|| general_scan(black_box(&req_default), &instances, &mut rng))
    });
    // No strategy (a RunTask workload without placementStrategy, as in the M/M/c case):
    // the lowest-id candidate wins, found without ranking (issue 13).
    let req_none = request(&[]);
    c.bench_function("place no strategy (lowest id) indexed", |b| {
        b.iter(|| placer.place(black_box(&req_none), &instances, &mut rng))
    });
    c.bench_function("place no strategy (lowest id) general_scan", |b| {
        b.iter(|| general_scan(black_box(&req_none), &instances, &mut rng))
    });
    c.bench_function("place+reserve+release spread(az),binpack(memory)", |b| {
        b.iter(|| {
            let id = placer
                .place(black_box(&req), &instances, &mut rng)
                .expect("the fixture has room"); // ok: fixed fixture
            let inst = &mut instances[id.index()];
            placer.reserve(inst, req.need, req.group);
            placer.release(inst, req.need, req.group);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
