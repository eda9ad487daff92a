//! Integer totals per rate class, and the one place where they become US dollars.
//!
//! Owns the accumulators (billed milliseconds, CPU-unit·milliseconds, MiB·milliseconds, all
//! `u128`) for each EC2 rate class and each Fargate rate class, and the conversion functions
//! [`ec2_usd`], [`fargate_usd`] and [`Ec2Class::share_usd`].
//! Every dollar figure `billing` reports goes through those functions exactly once, at
//! reporting time, so a month of one-second meters sums exactly and the order in which meters
//! close cannot change the result.
//! It deliberately knows nothing of instances or tasks: `billing::Billing` keeps the open
//! meters and feeds finished quantities in here.

use crate::cloud::fargate::FargateOs;
use crate::cloud::FargateRate;
use crate::ids::{CapacityProviderId, InstanceTypeId};
use crate::units::{CpuArchitecture, Resources, CPU_UNITS_PER_VCPU};

/// Milliseconds per hour, to turn an hourly price into a per-millisecond one.
pub(crate) const MS_PER_HOUR: u64 = 3_600_000;
/// Milliseconds per second.
pub(crate) const MS_PER_SECOND: u64 = 1000;
/// MiB per "GB" on AWS pricing pages (1024³ bytes, ecs-reference §7.1).
pub(crate) const MIB_PER_GB: u64 = 1024;

/// US dollars, as reported. Only ever produced by the conversion functions of this module.
pub type Usd = f64;

/// What makes two EC2 instances cost the same per millisecond and share cost the same way.
///
/// The registered resources are part of the key because attribution divides by them, and two
/// instances of one type may register different amounts (another `ECS_RESERVED_MEMORY`).
/// The price is keyed by its bit pattern: it is an input, never the result of arithmetic here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ec2ClassKey {
    pub instance_type: InstanceTypeId,
    pub usd_per_hour_bits: u64,
    pub provider: Option<CapacityProviderId>,
    pub registered: Resources,
    /// An external instance (ECS Anywhere): billed at the Anywhere fee plus the machine's
    /// cost and reported apart from EC2.
    pub external: bool,
    /// A Managed Instances management fee, USD per hour, by bit pattern (0 elsewhere).
    pub fee_usd_per_hour_bits: u64,
}

/// Totals for one EC2 rate class.
#[derive(Clone, Debug)]
pub(crate) struct Ec2Class {
    pub key: Ec2ClassKey,
    pub usd_per_hour: f64,
    /// The management fee on top of `usd_per_hour` (Managed Instances), billed for the
    /// same milliseconds; never attributed to owners nor counted idle.
    pub fee_usd_per_hour: f64,
    /// Instances ever started in this class.
    pub launches: u64,
    /// Billed milliseconds of closed meters, minimum and rounding included.
    pub billed_ms: u128,
    /// Open meters, and the sum of their start times, so the open total at `now` is
    /// `open_count × now − open_since_ms_sum` without visiting each meter.
    pub open_count: u64,
    pub open_since_ms_sum: u128,
    /// Σ reserved CPU units × reserved milliseconds, over closed reservations.
    pub reserved_cpu_ms: u128,
    /// Σ reserved MiB × reserved milliseconds, over closed reservations.
    pub reserved_mib_ms: u128,
    /// Open reservations: Σ size, and Σ size × start time, per dimension, so the reserved
    /// total at `now` needs no visit of each reservation (for per-minute idle cost).
    pub open_res_cpu_sum: u128,
    pub open_res_mib_sum: u128,
    pub open_res_cpu_since_sum: u128,
    pub open_res_mib_since_sum: u128,
}

/// A share of an instance's time, as the exact fraction `numerator / denominator` of
/// instance-milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Share {
    numerator: u128,
    denominator: u128,
}

impl Ec2Class {
    pub(crate) fn new(key: Ec2ClassKey, usd_per_hour: f64) -> Ec2Class {
        Ec2Class {
            key,
            usd_per_hour,
            fee_usd_per_hour: f64::from_bits(key.fee_usd_per_hour_bits),
            launches: 0,
            billed_ms: 0,
            open_count: 0,
            open_since_ms_sum: 0,
            reserved_cpu_ms: 0,
            reserved_mib_ms: 0,
            open_res_cpu_sum: 0,
            open_res_mib_sum: 0,
            open_res_cpu_since_sum: 0,
            open_res_mib_since_sum: 0,
        }
    }

    /// The idle part of the instance time up to `now_ms`, open meters and open reservations
    /// counted up to then (no minimum, no rounding): for the per-minute cost series.
    pub(crate) fn idle_share_at(&self, now_ms: u64) -> Share {
        let now = u128::from(now_ms);
        let cpu_ms = self.reserved_cpu_ms
            + (self.open_res_cpu_sum * now).saturating_sub(self.open_res_cpu_since_sum);
        let mib_ms = self.reserved_mib_ms
            + (self.open_res_mib_sum * now).saturating_sub(self.open_res_mib_since_sum);
        let reserved = self.share(cpu_ms, mib_ms);
        Share {
            numerator: (self.billed_ms_at(now_ms) * reserved.denominator)
                .saturating_sub(reserved.numerator),
            denominator: reserved.denominator,
        }
    }

    /// Billed milliseconds with open meters counted up to `now_ms` (no minimum, no rounding).
    pub(crate) fn billed_ms_at(&self, now_ms: u64) -> u128 {
        let open = u128::from(self.open_count) * u128::from(now_ms) - self.open_since_ms_sum;
        self.billed_ms + open
    }

    /// The instance-milliseconds owed for reserving `cpu_ms` CPU-unit·ms and `mib_ms` MiB·ms
    /// on instances of this class: ½·cpu/CPU + ½·mem/MEM of the instance's time.
    ///
    /// The 50/50 split between CPU and memory is our assumption. AWS's split cost allocation
    /// data for ECS instead weights CPU and memory by a cost ratio derived from instance
    /// prices; an even split is simpler and needs no per-family ratio.
    /// A dimension the instance does not register at all (0) carries no cost.
    pub(crate) fn share(&self, cpu_ms: u128, mib_ms: u128) -> Share {
        let cpu = u128::from(self.key.registered.cpu.0);
        let mem = u128::from(self.key.registered.memory.0);
        match (cpu, mem) {
            (0, 0) => Share {
                numerator: 0,
                denominator: 1,
            },
            (0, mem) => Share {
                numerator: mib_ms,
                denominator: 2 * mem,
            },
            (cpu, 0) => Share {
                numerator: cpu_ms,
                denominator: 2 * cpu,
            },
            (cpu, mem) => Share {
                numerator: cpu_ms * mem + mib_ms * cpu,
                denominator: 2 * cpu * mem,
            },
        }
    }

    /// The part of the billed time no reservation accounts for: the class's billed
    /// instance-milliseconds minus the reserved share, never negative.
    /// It includes the 60-second minimum's extra and the rounding up to whole seconds.
    /// Here for `billed_ms` instance-milliseconds of which `cpu_ms` and `mib_ms` were
    /// reserved: the whole run's totals, or a measurement window's differences.
    pub(crate) fn idle_share_of(&self, billed_ms: u128, cpu_ms: u128, mib_ms: u128) -> Share {
        let reserved = self.share(cpu_ms, mib_ms);
        Share {
            numerator: (billed_ms * reserved.denominator).saturating_sub(reserved.numerator),
            denominator: reserved.denominator,
        }
    }

    /// USD for `share` of this class's instance time. One of the conversion points.
    pub(crate) fn share_usd(&self, share: Share) -> Usd {
        share.numerator as f64 / share.denominator as f64 * self.usd_per_hour / MS_PER_HOUR as f64
    }
}

/// USD for `billed_ms` instance-milliseconds at `usd_per_hour`. One of the conversion points.
pub(crate) fn ec2_usd(usd_per_hour: f64, billed_ms: u128) -> Usd {
    billed_ms as f64 * usd_per_hour / MS_PER_HOUR as f64
}

/// What makes two Fargate tasks cost the same per CPU unit and MiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FargateClassKey {
    pub provider: CapacityProviderId,
    pub arch: CpuArchitecture,
    pub spot: bool,
    pub os: FargateOs,
}

/// Totals for one Fargate rate class.
#[derive(Clone, Debug)]
pub(crate) struct FargateClass {
    pub key: FargateClassKey,
    /// The rate, Spot and the Windows licence fee included.
    pub rate: FargateRate,
    /// USD per GB-second of ephemeral storage above the included amount.
    pub storage_rate: f64,
    /// Tasks ever started in this class.
    pub tasks: u64,
    /// Closed meters: task CPU units × billed ms, and task MiB × billed ms.
    pub quantity: FargateQuantity,
    /// Open meters: Σ size, and Σ size × start time, per dimension.
    pub open_cpu_sum: u128,
    pub open_mib_sum: u128,
    pub open_cpu_since_sum: u128,
    pub open_mib_since_sum: u128,
    /// Open meters' extra ephemeral storage: Σ GiB, and Σ GiB × start time.
    pub open_storage_sum: u128,
    pub open_storage_since_sum: u128,
}

/// CPU-unit·milliseconds, MiB·milliseconds and extra-storage GiB·milliseconds billed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FargateQuantity {
    pub cpu_ms: u128,
    pub mib_ms: u128,
    /// Ephemeral storage above the included 20 GiB × billed ms.
    pub storage_gib_ms: u128,
}

impl FargateQuantity {
    /// `size` with `extra_storage_gib` above the included storage, for `ms` milliseconds.
    pub(crate) fn of(size: Resources, extra_storage_gib: u16, ms: u64) -> FargateQuantity {
        FargateQuantity {
            cpu_ms: u128::from(size.cpu.0) * u128::from(ms),
            mib_ms: u128::from(size.memory.0) * u128::from(ms),
            storage_gib_ms: u128::from(extra_storage_gib) * u128::from(ms),
        }
    }

    pub(crate) fn add(&mut self, other: FargateQuantity) {
        self.cpu_ms += other.cpu_ms;
        self.mib_ms += other.mib_ms;
        self.storage_gib_ms += other.storage_gib_ms;
    }

    /// What was added since `earlier` (a mark of the same total, never larger).
    pub(crate) fn minus(self, earlier: FargateQuantity) -> FargateQuantity {
        FargateQuantity {
            cpu_ms: self.cpu_ms.saturating_sub(earlier.cpu_ms),
            mib_ms: self.mib_ms.saturating_sub(earlier.mib_ms),
            storage_gib_ms: self.storage_gib_ms.saturating_sub(earlier.storage_gib_ms),
        }
    }

    /// vCPU-hours, for reports.
    pub(crate) fn vcpu_hours(&self) -> f64 {
        self.cpu_ms as f64 / (f64::from(CPU_UNITS_PER_VCPU) * MS_PER_HOUR as f64)
    }

    /// GB-hours, for reports.
    pub(crate) fn gb_hours(&self) -> f64 {
        self.mib_ms as f64 / (MIB_PER_GB as f64 * MS_PER_HOUR as f64)
    }
}

impl FargateClass {
    pub(crate) fn new(key: FargateClassKey, rate: FargateRate, storage_rate: f64) -> FargateClass {
        FargateClass {
            key,
            rate,
            storage_rate,
            tasks: 0,
            quantity: FargateQuantity::default(),
            open_cpu_sum: 0,
            open_mib_sum: 0,
            open_cpu_since_sum: 0,
            open_mib_since_sum: 0,
            open_storage_sum: 0,
            open_storage_since_sum: 0,
        }
    }

    /// Billed quantity with open meters counted up to `now_ms` (no minimum, no rounding).
    pub(crate) fn quantity_at(&self, now_ms: u64) -> FargateQuantity {
        let now = u128::from(now_ms);
        FargateQuantity {
            cpu_ms: self.quantity.cpu_ms + now * self.open_cpu_sum - self.open_cpu_since_sum,
            mib_ms: self.quantity.mib_ms + now * self.open_mib_sum - self.open_mib_since_sum,
            storage_gib_ms: self.quantity.storage_gib_ms + now * self.open_storage_sum
                - self.open_storage_since_sum,
        }
    }
}

/// USD for `q` at `rate`, its extra storage at `storage_rate` per GB-second. One of the
/// conversion points.
pub(crate) fn fargate_usd(rate: FargateRate, storage_rate: f64, q: FargateQuantity) -> Usd {
    let unit_ms_per_vcpu_second = f64::from(CPU_UNITS_PER_VCPU) * MS_PER_SECOND as f64;
    let mib_ms_per_gb_second = MIB_PER_GB as f64 * MS_PER_SECOND as f64;
    let cost = q.cpu_ms as f64 / unit_ms_per_vcpu_second * rate.usd_per_vcpu_second
        + q.mib_ms as f64 / mib_ms_per_gb_second * rate.usd_per_gb_second;
    // Most tasks have no extra storage: adding 0.0 would change no digit, but skipping it
    // keeps the Linux arithmetic exactly as it was.
    if q.storage_gib_ms == 0 {
        cost
    } else {
        cost + q.storage_gib_ms as f64 / MS_PER_SECOND as f64 * storage_rate
    }
}
