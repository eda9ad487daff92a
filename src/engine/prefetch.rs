//! A cache hint: ask the CPU to start loading a value's lines before they are read.
//!
//! Why (issue 13): at 50,000 instances and more, the task records, instances and meters an
//! event reads have left the cache since the event was scheduled (a batch task's exit comes
//! 20 simulated minutes after its start), and each of them cost a miss the handler then
//! waited on, one after another. The simulation names them ahead of time instead (the next
//! event's task while the current one is handled, see `simulation::prefetch`), so the loads
//! overlap with work. A hint never changes what a run computes: it reads nothing the program
//! sees, so outputs stay byte-identical.

/// Bytes in one cache line on x86-64 cores (the only target the hint does anything on).
const LINE: usize = 64;

/// Starts loading the first `lines` cache lines of `value` (at most as many as it spans)
/// into every cache level. A no-op on targets other than x86-64.
#[inline(always)]
pub fn prefetch_lines<T>(value: &T, lines: usize) {
    let lines = lines.min(std::mem::size_of::<T>().div_ceil(LINE));
    let start = (value as *const T).cast::<i8>();
    for line in 0..lines {
        hint(start.wrapping_add(line * LINE));
    }
}

/// Starts loading the line holding `value`'s first byte.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    prefetch_lines(value, 1);
}

#[inline(always)]
fn hint(p: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is a hint: it cannot fault, even for an address that is not mapped,
    // and it changes nothing the program can observe. SSE, which it belongs to, is part of
    // every x86-64 target's baseline. Every address passed here is within a live value.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
