//! Fargate's valid task sizes and its per-second prices (Linux, us-east-1).
//!
//! Owns the table of CPU/memory combinations Fargate accepts (ecs-reference §7.2), the
//! rounding of an arbitrary need up to the cheapest valid size, and the per-vCPU-second and
//! per-GB-second rates with the Fargate Spot price factor (§7.1, §7.3).
//! It deliberately does not meter time or add up money: `billing` does that, with integers,
//! and converts to USD in one place.
//! Windows sizes and rates are out of scope: the simulator models Linux tasks only.

use crate::engine::SimDuration;
use crate::units::{CpuArchitecture, CpuUnits, MemoryMib, Resources};

/// Fargate Linux/x86 On-Demand price per vCPU-second, USD.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\].
pub const FARGATE_X86_USD_PER_VCPU_SECOND: f64 = 0.000011244;
/// Fargate Linux/x86 On-Demand price per GB-second (GB = 1024 MiB), USD.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\].
pub const FARGATE_X86_USD_PER_GB_SECOND: f64 = 0.000001235;
/// Fargate Linux/ARM On-Demand price per vCPU-second, USD.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\].
pub const FARGATE_ARM_USD_PER_VCPU_SECOND: f64 = 0.0000089944;
/// Fargate Linux/ARM On-Demand price per GB-second (GB = 1024 MiB), USD.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\].
pub const FARGATE_ARM_USD_PER_GB_SECOND: f64 = 0.0000009889;
/// Price of ephemeral storage above the included amount, USD per GB-second.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\]. Not metered by `billing` yet: the
/// simulator does not model task storage.
pub const FARGATE_EPHEMERAL_STORAGE_USD_PER_GB_SECOND: f64 = 0.0000000308;
/// Ephemeral storage included with every task, GiB.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\].
pub const FARGATE_EPHEMERAL_STORAGE_INCLUDED_GIB: u32 = 20;

/// Fargate Spot snapshot price per vCPU-hour, USD.
/// Source: ecs-reference §7.3 \[OBS tomgregory.com; the region given there is eu-west-1\].
pub const FARGATE_SPOT_SNAPSHOT_USD_PER_VCPU_HOUR: f64 = 0.01334053;
/// Fargate Spot snapshot price per GB-hour, USD.
/// Source: ecs-reference §7.3 \[OBS tomgregory.com; the region given there is eu-west-1\].
pub const FARGATE_SPOT_SNAPSHOT_USD_PER_GB_HOUR: f64 = 0.00146489;

/// Default Fargate Spot price as a fraction of the On-Demand price (≈ 67 % off).
///
/// AWS sets the Fargate Spot price per Region and moves it slowly (§7.3 \[DOC\]); there is no
/// fixed discount, only "up to 70 %".
/// We derive a factor from the observed snapshot in §7.3 \[OBS\]:
/// 0.01334053 / (0.000011244 × 3600) = 0.01334053 / 0.0404784 ≈ 0.3296 per vCPU and
/// 0.00146489 / (0.000001235 × 3600) = 0.00146489 / 0.004446 ≈ 0.3295 per GB, rounded to 0.33
/// \[DERIVED\].
/// It is an observed snapshot (and from another Region), not a contract: scenarios override
/// it with `fargate.spotPriceFactor`.
pub const DEFAULT_FARGATE_SPOT_PRICE_FACTOR: f64 = 0.33;

/// Shortest billed Fargate task run (Linux): one minute.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\] ("1-minute minimum (Linux)").
pub const FARGATE_MINIMUM_BILLED: SimDuration = SimDuration::from_secs(60);

/// Fargate bills per second, rounding a partial second up.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\] ("rounded up to the next second").
pub const FARGATE_BILLING_GRANULARITY: SimDuration = SimDuration::from_secs(1);

/// MiB per "GB" on the Fargate pricing page and in the task-size table (1024³ bytes).
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\] ("GB" = 1024³ bytes).
pub const MIB_PER_FARGATE_GB: u32 = 1024;

/// The memory choices of one CPU size.
#[derive(Clone, Copy, Debug)]
enum MemoryChoices {
    /// An explicit list, in GB (1024 MiB) unless noted.
    ListMib(&'static [u32]),
    /// `min_gb..=max_gb` in steps of `step_gb`.
    RangeGb {
        min_gb: u32,
        max_gb: u32,
        step_gb: u32,
    },
}

/// One row of the task-size table.
#[derive(Clone, Copy, Debug)]
struct SizeRow {
    cpu_units: u32,
    memory: MemoryChoices,
}

/// Valid Linux Fargate task sizes.
/// Source: ecs-reference §7.2 \[DOC Fargate-pricing; API RegisterTaskDefinition\].
const SIZE_TABLE: [SizeRow; 8] = [
    SizeRow {
        cpu_units: 256,
        memory: MemoryChoices::ListMib(&[512, 1024, 2048]),
    },
    SizeRow {
        cpu_units: 512,
        memory: MemoryChoices::RangeGb {
            min_gb: 1,
            max_gb: 4,
            step_gb: 1,
        },
    },
    SizeRow {
        cpu_units: 1024,
        memory: MemoryChoices::RangeGb {
            min_gb: 2,
            max_gb: 8,
            step_gb: 1,
        },
    },
    SizeRow {
        cpu_units: 2048,
        memory: MemoryChoices::RangeGb {
            min_gb: 4,
            max_gb: 16,
            step_gb: 1,
        },
    },
    SizeRow {
        cpu_units: 4096,
        memory: MemoryChoices::RangeGb {
            min_gb: 8,
            max_gb: 30,
            step_gb: 1,
        },
    },
    // 8 and 16 vCPU: added 16 Sep 2022, Linux platform version ≥ 1.4.0 (§7.2 [DOC]).
    SizeRow {
        cpu_units: 8192,
        memory: MemoryChoices::RangeGb {
            min_gb: 16,
            max_gb: 60,
            step_gb: 4,
        },
    },
    SizeRow {
        cpu_units: 16384,
        memory: MemoryChoices::RangeGb {
            min_gb: 32,
            max_gb: 120,
            step_gb: 8,
        },
    },
    // 32 vCPU is the newest addition: it is on the current pricing page but not in the API
    // reference text seen (§7.2 [UNCERTAIN], §8 "allow 32, flag").
    // We allow it; drop this row to model the older 16 vCPU ceiling.
    SizeRow {
        cpu_units: 32768,
        memory: MemoryChoices::ListMib(&[60 * 1024, 120 * 1024, 244 * 1024]),
    },
];

impl SizeRow {
    fn memory_mib(&self) -> Vec<MemoryMib> {
        match self.memory {
            MemoryChoices::ListMib(list) => list.iter().map(|&m| MemoryMib(m)).collect(),
            MemoryChoices::RangeGb {
                min_gb,
                max_gb,
                step_gb,
            } => (min_gb..=max_gb)
                .step_by(step_gb as usize)
                .map(|gb| MemoryMib(gb * MIB_PER_FARGATE_GB))
                .collect(),
        }
    }

    fn allows(&self, memory: MemoryMib) -> bool {
        match self.memory {
            MemoryChoices::ListMib(list) => list.contains(&memory.0),
            MemoryChoices::RangeGb {
                min_gb,
                max_gb,
                step_gb,
            } => {
                memory.0 % MIB_PER_FARGATE_GB == 0
                    && (min_gb..=max_gb).contains(&(memory.0 / MIB_PER_FARGATE_GB))
                    && (memory.0 / MIB_PER_FARGATE_GB - min_gb) % step_gb == 0
            }
        }
    }
}

/// The memory sizes Fargate accepts with `cpu` CPU units, ascending; `None` if `cpu` is not
/// a Fargate CPU size.
pub fn valid_memory_mib(cpu: CpuUnits) -> Option<Vec<MemoryMib>> {
    SIZE_TABLE
        .iter()
        .find(|row| row.cpu_units == cpu.0)
        .map(SizeRow::memory_mib)
}

/// True if `cpu`/`memory` is a valid Linux Fargate task size.
pub fn is_valid_size(cpu: CpuUnits, memory: MemoryMib) -> bool {
    SIZE_TABLE
        .iter()
        .any(|row| row.cpu_units == cpu.0 && row.allows(memory))
}

/// The smallest valid Fargate size that covers `need` on both CPU and memory, or `None` if
/// no size is large enough (more than 32 vCPU or more than 244 GB).
///
/// "Smallest" means cheapest at the Linux/x86 On-Demand rates; equal prices go to the smaller
/// CPU. For example 512 CPU / 1500 MiB → 512/2048, 300/512 → 512/1024, 256/3000 → 512/3072.
pub fn round_up(need: Resources) -> Option<Resources> {
    let price = |size: Resources| {
        size.cpu.as_vcpu_f64() * FARGATE_X86_USD_PER_VCPU_SECOND
            + size.memory.as_gib_f64() * FARGATE_X86_USD_PER_GB_SECOND
    };
    SIZE_TABLE
        .iter()
        .filter(|row| row.cpu_units >= need.cpu.0)
        .filter_map(|row| {
            // Memory choices ascend, so the first that covers the need is this row's cheapest.
            row.memory_mib()
                .into_iter()
                .find(|&m| m >= need.memory)
                .map(|m| Resources {
                    cpu: CpuUnits(row.cpu_units),
                    memory: m,
                })
        })
        .min_by(|a, b| price(*a).total_cmp(&price(*b)).then(a.cpu.cmp(&b.cpu)))
}

/// One architecture's Fargate prices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FargateRate {
    /// USD per vCPU-second.
    pub usd_per_vcpu_second: f64,
    /// USD per GB-second (GB = 1024 MiB).
    pub usd_per_gb_second: f64,
}

/// Fargate's Linux prices in one Region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FargatePricing {
    /// Linux/x86 On-Demand rates.
    pub x86: FargateRate,
    /// Linux/ARM On-Demand rates.
    pub arm: FargateRate,
    /// Fargate Spot price as a fraction of On-Demand, applied to both rates and both
    /// architectures.
    pub spot_price_factor: f64,
    /// USD per GB-second of ephemeral storage above the included 20 GiB (not metered yet).
    pub usd_per_extra_ephemeral_gb_second: f64,
}

impl FargatePricing {
    /// us-east-1 Linux prices from ecs-reference §7.1, with the default Spot factor (§7.3).
    pub fn us_east_1() -> FargatePricing {
        FargatePricing {
            x86: FargateRate {
                usd_per_vcpu_second: FARGATE_X86_USD_PER_VCPU_SECOND,
                usd_per_gb_second: FARGATE_X86_USD_PER_GB_SECOND,
            },
            arm: FargateRate {
                usd_per_vcpu_second: FARGATE_ARM_USD_PER_VCPU_SECOND,
                usd_per_gb_second: FARGATE_ARM_USD_PER_GB_SECOND,
            },
            spot_price_factor: DEFAULT_FARGATE_SPOT_PRICE_FACTOR,
            usd_per_extra_ephemeral_gb_second: FARGATE_EPHEMERAL_STORAGE_USD_PER_GB_SECOND,
        }
    }

    /// The On-Demand rate of `arch`.
    pub fn on_demand_rate(&self, arch: CpuArchitecture) -> FargateRate {
        match arch {
            CpuArchitecture::X86_64 => self.x86,
            CpuArchitecture::Arm64 => self.arm,
        }
    }

    /// The rate a task of `arch` pays, on Fargate Spot if `spot`.
    pub fn rate(&self, arch: CpuArchitecture, spot: bool) -> FargateRate {
        let on_demand = self.on_demand_rate(arch);
        if spot {
            FargateRate {
                usd_per_vcpu_second: on_demand.usd_per_vcpu_second * self.spot_price_factor,
                usd_per_gb_second: on_demand.usd_per_gb_second * self.spot_price_factor,
            }
        } else {
            on_demand
        }
    }
}

impl Default for FargatePricing {
    fn default() -> FargatePricing {
        FargatePricing::us_east_1()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb(n: u32) -> MemoryMib {
        MemoryMib(n * 1024)
    }

    #[test]
    fn memory_lists_match_the_size_table() {
        assert_eq!(
            valid_memory_mib(CpuUnits(256)),
            Some(vec![MemoryMib(512), MemoryMib(1024), MemoryMib(2048)])
        );
        assert_eq!(
            valid_memory_mib(CpuUnits(512)),
            Some((1..=4).map(gb).collect())
        );
        // 4 vCPU: 8..=30 GB in 1 GB steps = 23 sizes.
        assert_eq!(valid_memory_mib(CpuUnits(4096)).map(|v| v.len()), Some(23));
        // 8 vCPU: 16, 20, …, 60 GB = (60 − 16) / 4 + 1 = 12 sizes.
        assert_eq!(valid_memory_mib(CpuUnits(8192)).map(|v| v.len()), Some(12));
        // 16 vCPU: 32, 40, …, 120 GB = (120 − 32) / 8 + 1 = 12 sizes.
        assert_eq!(valid_memory_mib(CpuUnits(16384)).map(|v| v.len()), Some(12));
        assert_eq!(
            valid_memory_mib(CpuUnits(32768)),
            Some(vec![gb(60), gb(120), gb(244)])
        );
        assert_eq!(valid_memory_mib(CpuUnits(300)), None);
    }

    #[test]
    fn valid_sizes() {
        assert!(is_valid_size(CpuUnits(256), MemoryMib(512)));
        assert!(!is_valid_size(CpuUnits(256), MemoryMib(3072)));
        assert!(is_valid_size(CpuUnits(8192), gb(20)));
        assert!(!is_valid_size(CpuUnits(8192), gb(18)));
        assert!(is_valid_size(CpuUnits(16384), gb(40)));
        assert!(!is_valid_size(CpuUnits(16384), gb(36)));
        assert!(!is_valid_size(CpuUnits(1024), MemoryMib(2500)));
        assert!(is_valid_size(CpuUnits(32768), gb(244)));
        assert!(!is_valid_size(CpuUnits(32768), gb(180)));
    }

    #[test]
    fn round_up_examples() {
        // 512 CPU / 1500 MiB: the 512 row's first size ≥ 1500 MiB is 2 GB.
        assert_eq!(
            round_up(Resources::new(512, 1500)),
            Some(Resources::new(512, 2048))
        );
        // 300 CPU needs the 512 row; its smallest memory is 1 GB.
        assert_eq!(
            round_up(Resources::new(300, 512)),
            Some(Resources::new(512, 1024))
        );
        // 256/3000: the 256 row stops at 2048 MiB, so 512 CPU with 3 GB.
        assert_eq!(
            round_up(Resources::new(256, 3000)),
            Some(Resources::new(512, 3072))
        );
        // 300/700 → 512/1024 (the billing example).
        assert_eq!(
            round_up(Resources::new(300, 700)),
            Some(Resources::new(512, 1024))
        );
        // 4 vCPU / 31 GB: the 4 vCPU row stops at 30 GB, so 8 vCPU / 32 GB.
        assert_eq!(
            round_up(Resources::new(4096, 31 * 1024)),
            Some(Resources::new(8192, 32 * 1024))
        );
        // 16 vCPU / 121 GB → the 32 vCPU row.
        assert_eq!(
            round_up(Resources::new(16384, 121 * 1024)),
            Some(Resources::new(32768, 244 * 1024))
        );
        assert_eq!(
            round_up(Resources::new(0, 0)),
            Some(Resources::new(256, 512))
        );
        assert_eq!(round_up(Resources::new(32769, 512)), None);
        assert_eq!(round_up(Resources::new(256, 244 * 1024 + 1)), None);
    }

    #[test]
    fn round_up_is_valid_and_covers_every_need() {
        for cpu in (0..=33_000).step_by(97) {
            for mem in (0..=250_000).step_by(1013) {
                let need = Resources::new(cpu, mem);
                match round_up(need) {
                    Some(size) => {
                        assert!(is_valid_size(size.cpu, size.memory), "{need:?} → {size:?}");
                        assert!(size.fits(need), "{need:?} → {size:?}");
                    }
                    None => assert!(cpu > 32768 || mem > 244 * 1024, "{need:?}"),
                }
            }
        }
    }

    #[test]
    fn spot_factor_matches_the_snapshot() {
        // 0.01334053 / (0.000011244 × 3600) = 0.01334053 / 0.0404784 ≈ 0.32957.
        let per_vcpu =
            FARGATE_SPOT_SNAPSHOT_USD_PER_VCPU_HOUR / (FARGATE_X86_USD_PER_VCPU_SECOND * 3600.0);
        // 0.00146489 / (0.000001235 × 3600) = 0.00146489 / 0.004446 ≈ 0.32949.
        let per_gb =
            FARGATE_SPOT_SNAPSHOT_USD_PER_GB_HOUR / (FARGATE_X86_USD_PER_GB_SECOND * 3600.0);
        assert!((per_vcpu - DEFAULT_FARGATE_SPOT_PRICE_FACTOR).abs() < 0.001);
        assert!((per_gb - DEFAULT_FARGATE_SPOT_PRICE_FACTOR).abs() < 0.001);
    }

    #[test]
    fn spot_rate_scales_on_demand() {
        let p = FargatePricing::us_east_1();
        let r = p.rate(CpuArchitecture::Arm64, true);
        // 0.0000089944 × 0.33 = 0.000002968152.
        assert!((r.usd_per_vcpu_second - 0.000002968152).abs() < 1e-15);
        assert_eq!(p.rate(CpuArchitecture::X86_64, false), p.x86);
    }
}
