//! Throughput of the discrete-event core alone: `ecsim::engine::EventQueue` in steady state.
//!
//! Budget: at least 20 million events per second on one core, where one event is one `pop`
//! plus the one `schedule_in` its handler makes (50 ns per event).
//! The queue is pre-filled with a fixed number of pending events (1,000, 10,000 and 100,000)
//! and every delivered event schedules exactly one successor a pseudo-random small delay
//! ahead, so the queue length stays constant, as in a simulation whose load does not change.
//! Criterion prints the rate as elements/s, one element being one delivered event.
//!
//! Owns only this measurement: no ECS model is involved, and the delays come from an inline
//! xorshift generator rather than `SimRng`, so the figure is the queue's cost and not the
//! random generator's.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use ecsim::engine::{EventQueue, SimDuration, SimTime};

/// Events delivered per measured iteration; criterion's per-iteration time is divided by it.
const EVENTS_PER_ITER: u64 = 10_000;

/// Delays are drawn uniformly from `0..MAX_DELAY_MS`, so same-millisecond ties (which the
/// `seq` tie-break resolves) happen often, as they do in the simulation.
const MAX_DELAY_MS: u64 = 1_000;

/// A payload the size of a small simulation event (a variant tag plus an id).
#[derive(Clone, Copy)]
struct Tick {
    kind: u32,
    id: u32,
}

/// xorshift64: a few cycles per draw, so it barely shows next to the heap operations.
fn next(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// A queue holding `pending` events spread over the first `MAX_DELAY_MS` milliseconds.
fn filled(pending: usize, rng: &mut u64) -> EventQueue<Tick> {
    let mut queue = EventQueue::new();
    for i in 0..pending {
        let at = SimTime(next(rng) % MAX_DELAY_MS);
        queue.schedule_at(
            at,
            Tick {
                kind: 0,
                id: i as u32,
            },
        );
    }
    queue
}

/// Delivers `count` events; each schedules one successor, as a handler would.
fn step(queue: &mut EventQueue<Tick>, rng: &mut u64, count: u64) {
    for _ in 0..count {
        let (_, tick) = queue.pop().expect("the queue never drains"); // ok: one push per pop
        let delay = SimDuration(next(rng) % MAX_DELAY_MS);
        queue.schedule_in(
            delay,
            Tick {
                kind: tick.kind.wrapping_add(1),
                id: black_box(tick.id),
            },
        );
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_queue steady state");
    group.throughput(Throughput::Elements(EVENTS_PER_ITER));
    for pending in [1_000usize, 10_000, 100_000] {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut queue = filled(pending, &mut rng);
        // Run a while so the timestamps spread out as they do mid-run rather than at time zero.
        step(&mut queue, &mut rng, 10 * pending as u64);
        group.bench_function(BenchmarkId::new("pending", pending), |b| {
            b.iter(|| step(&mut queue, &mut rng, EVENTS_PER_ITER))
        });
        assert_eq!(queue.len(), pending);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
