//! Fargate's valid task sizes and its per-second prices (Linux and Windows, us-east-1).
//!
//! Owns the table of CPU/memory combinations Fargate accepts (ecs-reference §7.2), the
//! rounding of an arbitrary need up to the cheapest valid size, and the per-vCPU-second and
//! per-GB-second rates On-Demand, on Spot (the published per-dimension Spot rates) and on
//! Windows (with the OS licence fee and the 5-minute minimum) (§7.1, §7.3).
//! It deliberately does not meter time or add up money: `billing` does that, with integers,
//! and converts to USD in one place.

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
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\], AWS Fargate pricing,
/// <https://aws.amazon.com/fargate/pricing/> (≈ 0.000111 per GB-hour).
pub const FARGATE_EPHEMERAL_STORAGE_USD_PER_GB_SECOND: f64 = 0.0000000308;
/// The `ephemeralStorage.sizeInGiB` a task definition may ask for, GiB.
/// Source: Amazon ECS API Reference, EphemeralStorage ("The minimum supported value is 21 GiB
/// and the maximum supported value is 200 GiB"; "for tasks hosted on AWS Fargate"),
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html>.
pub const FARGATE_EPHEMERAL_STORAGE_GIB: std::ops::RangeInclusive<u32> = 21..=200;
/// Ephemeral storage included with every task, GiB.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\].
pub const FARGATE_EPHEMERAL_STORAGE_INCLUDED_GIB: u32 = 20;

/// Fargate Spot (Linux/x86) price per vCPU-hour, USD: the published per-dimension Spot rate
/// the model prices Spot from.
/// Source: ecs-reference §7.3 \[OBS\] Tom Gregory, "AWS Fargate Spot vs Fargate price
/// comparison", <https://tomgregory.com/aws-fargate-spot-vs-fargate-price-comparison/>, a copy
/// of the Spot table of <https://aws.amazon.com/fargate/pricing/>; the page names eu-west-1,
/// whose On-Demand rates it quotes are those of us-east-1 (0.04048 and 0.004445). AWS moves
/// the Spot price slowly (§7.3 \[DOC\]); override it with `catalog.fargate.spot`.
pub const FARGATE_SPOT_SNAPSHOT_USD_PER_VCPU_HOUR: f64 = 0.01334053;
/// Fargate Spot (Linux/x86) price per GB-hour, USD. Same source as
/// [`FARGATE_SPOT_SNAPSHOT_USD_PER_VCPU_HOUR`].
pub const FARGATE_SPOT_SNAPSHOT_USD_PER_GB_HOUR: f64 = 0.00146489;

/// Seconds per hour, to turn the hourly Spot table into per-second rates.
const SECONDS_PER_HOUR: f64 = 3600.0;

/// Fargate Spot Linux/x86 price per vCPU-second, USD: 0.01334053 / 3600.
pub const FARGATE_SPOT_X86_USD_PER_VCPU_SECOND: f64 =
    FARGATE_SPOT_SNAPSHOT_USD_PER_VCPU_HOUR / SECONDS_PER_HOUR;
/// Fargate Spot Linux/x86 price per GB-second, USD: 0.00146489 / 3600.
pub const FARGATE_SPOT_X86_USD_PER_GB_SECOND: f64 =
    FARGATE_SPOT_SNAPSHOT_USD_PER_GB_HOUR / SECONDS_PER_HOUR;

/// Fargate Spot Linux/ARM price per vCPU-second, USD.
///
/// The pricing page lists "Spot Linux/ARM" (ecs-reference §2.2), but no copy of its rates was
/// found, so it takes the x86 Spot discount of each dimension to the ARM On-Demand rate:
/// 0.0000089944 × (0.01334053 / (0.000011244 × 3600)) = 0.0000089944 × 0.32957 ≈ 0.0000029643.
/// \[DERIVED\] Override with `catalog.fargate.spotArm`.
pub const FARGATE_SPOT_ARM_USD_PER_VCPU_SECOND: f64 = FARGATE_ARM_USD_PER_VCPU_SECOND
    * (FARGATE_SPOT_X86_USD_PER_VCPU_SECOND / FARGATE_X86_USD_PER_VCPU_SECOND);
/// Fargate Spot Linux/ARM price per GB-second, USD, derived as the vCPU rate is:
/// 0.0000009889 × (0.00146489 / (0.000001235 × 3600)) = 0.0000009889 × 0.32949 ≈ 0.00000032583.
/// \[DERIVED\]
pub const FARGATE_SPOT_ARM_USD_PER_GB_SECOND: f64 = FARGATE_ARM_USD_PER_GB_SECOND
    * (FARGATE_SPOT_X86_USD_PER_GB_SECOND / FARGATE_X86_USD_PER_GB_SECOND);

/// The Fargate Spot discount as one factor of On-Demand, as ecsim priced Spot before it used
/// the per-dimension rates: 0.01334053 / 0.0404784 ≈ 0.3296 and 0.00146489 / 0.004446 ≈ 0.3295,
/// rounded to 0.33 \[DERIVED\]. Kept as a documented reference point; a scenario that wants
/// one factor for every dimension and architecture gives `catalog.fargate.spotPriceFactor`.
pub const DEFAULT_FARGATE_SPOT_PRICE_FACTOR: f64 = 0.33;

/// Fargate Windows/x86 On-Demand price per vCPU-second, USD (without the OS licence fee).
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\], us-east-1: AWS Fargate pricing,
/// <https://aws.amazon.com/fargate/pricing/> ("Windows/x86"; ≈ 0.09148 per vCPU-hour).
pub const FARGATE_WINDOWS_USD_PER_VCPU_SECOND: f64 = 0.0000254167;
/// Fargate Windows/x86 On-Demand price per GB-second, USD. Same source (≈ 0.01005 per GB-hour).
pub const FARGATE_WINDOWS_USD_PER_GB_SECOND: f64 = 0.0000027778;
/// Fargate Windows OS licence fee per vCPU-second, USD, billed for the same seconds as the
/// task. Same source ("OS license fee", ≈ 0.046 per vCPU-hour).
pub const FARGATE_WINDOWS_LICENCE_USD_PER_VCPU_SECOND: f64 = 0.0000127778;

/// Shortest billed Fargate Windows task run: five minutes.
/// Source: ecs-reference §7.1 \[DOC Fargate-pricing\] ("5-minute minimum" for Windows),
/// AWS Fargate pricing, <https://aws.amazon.com/fargate/pricing/>.
pub const FARGATE_WINDOWS_MINIMUM_BILLED: SimDuration = SimDuration::from_secs(300);

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

/// Which rows of the size table a task may use: its operating system and whether the sizes
/// above 16 vCPU are offered (`settings.fargateLargeSizes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FargateSizes {
    /// The task's operating system.
    pub os: FargateOs,
    /// Whether the 32 vCPU row is offered.
    pub large: bool,
}

/// Default of `settings.fargateLargeSizes`: the 32 vCPU sizes are offered.
///
/// The 8 and 16 vCPU sizes need Linux platform version 1.4.0 or later, the LATEST Linux
/// version, so every Linux task gets them (Amazon ECS API Reference, RegisterTaskDefinition,
/// `cpu`: "This option requires Linux platform 1.4.0 or later",
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html>).
/// The 32 vCPU row (60, 120 or 244 GB) is on the current pricing page,
/// <https://aws.amazon.com/fargate/pricing/>, but not in that API text (ecs-reference §7.2,
/// §8 "allow 32, flag") \[UNCERTAIN\]: `false` models the 16 vCPU / 120 GB ceiling.
pub const DEFAULT_FARGATE_LARGE_SIZES: bool = true;

/// Smallest and largest Windows task CPU, units: 1 vCPU ("The CPU units cannot be less than
/// 1 vCPU when you use Windows containers on Fargate") to 4 vCPU (the 8 and 16 vCPU sizes
/// "require Linux platform 1.4.0 or later"). Source: Amazon ECS API Reference,
/// RegisterTaskDefinition, `cpu` and `memory`,
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html>.
pub const FARGATE_WINDOWS_CPU_UNITS: std::ops::RangeInclusive<u32> = 1024..=4096;

/// Above this many CPU units a size is one of the large sizes ([`FargateSizes::large`]).
const LARGE_ABOVE_CPU_UNITS: u32 = 16384;

impl FargateSizes {
    /// Linux with every size: what the model offered before Windows and the setting.
    pub const LINUX_ALL: FargateSizes = FargateSizes {
        os: FargateOs::Linux,
        large: true,
    };

    fn offers(&self, row: &SizeRow) -> bool {
        match self.os {
            FargateOs::Linux => self.large || row.cpu_units <= LARGE_ABOVE_CPU_UNITS,
            FargateOs::Windows => FARGATE_WINDOWS_CPU_UNITS.contains(&row.cpu_units),
        }
    }

    /// The memory sizes offered with `cpu` CPU units, ascending; `None` if `cpu` is not an
    /// offered CPU size.
    pub fn valid_memory_mib(&self, cpu: CpuUnits) -> Option<Vec<MemoryMib>> {
        SIZE_TABLE
            .iter()
            .filter(|row| self.offers(row))
            .find(|row| row.cpu_units == cpu.0)
            .map(SizeRow::memory_mib)
    }

    /// True if `cpu`/`memory` is an offered size.
    pub fn is_valid_size(&self, cpu: CpuUnits, memory: MemoryMib) -> bool {
        SIZE_TABLE
            .iter()
            .filter(|row| self.offers(row))
            .any(|row| row.cpu_units == cpu.0 && row.allows(memory))
    }

    /// The cheapest offered size covering `need` (see [`round_up`]), or `None`.
    pub fn round_up(&self, need: Resources) -> Option<Resources> {
        let price = |size: Resources| {
            size.cpu.as_vcpu_f64() * FARGATE_X86_USD_PER_VCPU_SECOND
                + size.memory.as_gib_f64() * FARGATE_X86_USD_PER_GB_SECOND
        };
        SIZE_TABLE
            .iter()
            .filter(|row| self.offers(row))
            .filter(|row| row.cpu_units >= need.cpu.0)
            .filter_map(|row| {
                // Memory choices ascend, so the first that covers the need is this row's
                // cheapest.
                row.memory_mib()
                    .into_iter()
                    .find(|&m| m >= need.memory)
                    .map(|m| Resources::new(row.cpu_units, m.0))
            })
            .min_by(|a, b| price(*a).total_cmp(&price(*b)).then(a.cpu.cmp(&b.cpu)))
    }
}

/// The memory sizes Fargate accepts with `cpu` CPU units (Linux, every size), ascending;
/// `None` if `cpu` is not a Fargate CPU size.
pub fn valid_memory_mib(cpu: CpuUnits) -> Option<Vec<MemoryMib>> {
    FargateSizes::LINUX_ALL.valid_memory_mib(cpu)
}

/// True if `cpu`/`memory` is a valid Linux Fargate task size (every size).
pub fn is_valid_size(cpu: CpuUnits, memory: MemoryMib) -> bool {
    FargateSizes::LINUX_ALL.is_valid_size(cpu, memory)
}

/// The smallest valid Fargate size that covers `need` on both CPU and memory, or `None` if
/// no size is large enough (more than 32 vCPU or more than 244 GB).
///
/// "Smallest" means cheapest at the Linux/x86 On-Demand rates; equal prices go to the smaller
/// CPU. For example 512 CPU / 1500 MiB → 512/2048, 300/512 → 512/1024, 256/3000 → 512/3072.
pub fn round_up(need: Resources) -> Option<Resources> {
    FargateSizes::LINUX_ALL.round_up(need)
}

/// One architecture's Fargate prices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FargateRate {
    /// USD per vCPU-second.
    pub usd_per_vcpu_second: f64,
    /// USD per GB-second (GB = 1024 MiB).
    pub usd_per_gb_second: f64,
}

/// The operating system a Fargate task runs, which sets its rates, sizes and minimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum FargateOs {
    /// Linux (`runtimePlatform.operatingSystemFamily` LINUX or absent).
    #[default]
    Linux,
    /// Any Windows Server family (`WINDOWS_SERVER_2019_FULL`, `…_2022_CORE`, …).
    Windows,
}

/// Fargate's prices in one Region: the one place the model reads Fargate rates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FargatePricing {
    /// Linux/x86 On-Demand rates.
    pub x86: FargateRate,
    /// Linux/ARM On-Demand rates.
    pub arm: FargateRate,
    /// Fargate Spot Linux/x86 rates (the published per-dimension Spot table).
    pub spot_x86: FargateRate,
    /// Fargate Spot Linux/ARM rates.
    pub spot_arm: FargateRate,
    /// If set (`catalog.fargate.spotPriceFactor`), Spot costs this fraction of On-Demand on
    /// both dimensions and architectures instead of the Spot rates.
    pub spot_price_factor: Option<f64>,
    /// Windows/x86 On-Demand rates, without the licence fee.
    pub windows: FargateRate,
    /// The Windows OS licence fee, USD per vCPU-second.
    pub windows_usd_per_licence_vcpu_second: f64,
    /// USD per GB-second of ephemeral storage above the included 20 GiB.
    pub usd_per_extra_ephemeral_gb_second: f64,
}

impl FargatePricing {
    /// us-east-1 prices from ecs-reference §7.1 and the Spot table of §7.3.
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
            spot_x86: FargateRate {
                usd_per_vcpu_second: FARGATE_SPOT_X86_USD_PER_VCPU_SECOND,
                usd_per_gb_second: FARGATE_SPOT_X86_USD_PER_GB_SECOND,
            },
            spot_arm: FargateRate {
                usd_per_vcpu_second: FARGATE_SPOT_ARM_USD_PER_VCPU_SECOND,
                usd_per_gb_second: FARGATE_SPOT_ARM_USD_PER_GB_SECOND,
            },
            spot_price_factor: None,
            windows: FargateRate {
                usd_per_vcpu_second: FARGATE_WINDOWS_USD_PER_VCPU_SECOND,
                usd_per_gb_second: FARGATE_WINDOWS_USD_PER_GB_SECOND,
            },
            windows_usd_per_licence_vcpu_second: FARGATE_WINDOWS_LICENCE_USD_PER_VCPU_SECOND,
            usd_per_extra_ephemeral_gb_second: FARGATE_EPHEMERAL_STORAGE_USD_PER_GB_SECOND,
        }
    }

    /// The Linux On-Demand rate of `arch`.
    pub fn on_demand_rate(&self, arch: CpuArchitecture) -> FargateRate {
        match arch {
            CpuArchitecture::X86_64 => self.x86,
            CpuArchitecture::Arm64 => self.arm,
        }
    }

    /// The rate a Linux task of `arch` pays, on Fargate Spot if `spot`.
    pub fn rate(&self, arch: CpuArchitecture, spot: bool) -> FargateRate {
        let on_demand = self.on_demand_rate(arch);
        match (spot, self.spot_price_factor) {
            (false, _) => on_demand,
            (true, Some(factor)) => FargateRate {
                usd_per_vcpu_second: on_demand.usd_per_vcpu_second * factor,
                usd_per_gb_second: on_demand.usd_per_gb_second * factor,
            },
            (true, None) => match arch {
                CpuArchitecture::X86_64 => self.spot_x86,
                CpuArchitecture::Arm64 => self.spot_arm,
            },
        }
    }

    /// The rate a task of `os` and `arch` pays, on Fargate Spot if `spot`. Windows is x86
    /// On-Demand only (validation refuses the rest); its licence fee is per vCPU-second of
    /// the same billed time, so it is added to the vCPU rate.
    pub fn rate_for(&self, os: FargateOs, arch: CpuArchitecture, spot: bool) -> FargateRate {
        match os {
            FargateOs::Linux => self.rate(arch, spot),
            FargateOs::Windows => FargateRate {
                usd_per_vcpu_second: self.windows.usd_per_vcpu_second
                    + self.windows_usd_per_licence_vcpu_second,
                usd_per_gb_second: self.windows.usd_per_gb_second,
            },
        }
    }
}

/// Shortest billed run of a Fargate task on `os`: 1 minute on Linux, 5 on Windows.
pub fn minimum_billed(os: FargateOs) -> SimDuration {
    match os {
        FargateOs::Linux => FARGATE_MINIMUM_BILLED,
        FargateOs::Windows => FARGATE_WINDOWS_MINIMUM_BILLED,
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
    fn spot_rates_are_the_published_table() {
        let p = FargatePricing::us_east_1();
        let x = p.rate(CpuArchitecture::X86_64, true);
        // 0.01334053 / 3600 = 0.00000370570 per vCPU-second; 0.00146489 / 3600 = 0.000000406914.
        assert!((x.usd_per_vcpu_second - 0.0000037057028).abs() < 1e-12);
        assert!((x.usd_per_gb_second - 0.00000040691389).abs() < 1e-13);
        // About one third of On-Demand: 0.0000037057 / 0.000011244 = 0.32957, and
        // 0.00000040691 / 0.000001235 = 0.32949, the rounded factor 0.33 within 0.001.
        assert!(
            (x.usd_per_vcpu_second / p.x86.usd_per_vcpu_second - DEFAULT_FARGATE_SPOT_PRICE_FACTOR)
                .abs()
                < 0.001
        );
        // ARM Spot: the x86 discount per dimension on ARM On-Demand:
        // 0.0000089944 × 0.3295729 = 0.0000029642986; 0.0000009889 × 0.3294848 = 0.00000032582765.
        let a = p.rate(CpuArchitecture::Arm64, true);
        assert!((a.usd_per_vcpu_second - 0.0000029642986).abs() < 1e-12);
        assert!((a.usd_per_gb_second - 0.00000032582765).abs() < 1e-13);
        assert_eq!(p.rate(CpuArchitecture::X86_64, false), p.x86);
    }

    #[test]
    fn a_spot_factor_overrides_the_spot_rates() {
        let p = FargatePricing {
            spot_price_factor: Some(0.33),
            ..FargatePricing::us_east_1()
        };
        let r = p.rate(CpuArchitecture::Arm64, true);
        // 0.0000089944 × 0.33 = 0.000002968152.
        assert!((r.usd_per_vcpu_second - 0.000002968152).abs() < 1e-15);
    }

    #[test]
    fn windows_rate_adds_the_licence_and_has_a_five_minute_minimum() {
        let p = FargatePricing::us_east_1();
        let w = p.rate_for(FargateOs::Windows, CpuArchitecture::X86_64, false);
        // 0.0000254167 + 0.0000127778 = 0.0000381945 per vCPU-second.
        assert!((w.usd_per_vcpu_second - 0.0000381945).abs() < 1e-15);
        assert_eq!(w.usd_per_gb_second, FARGATE_WINDOWS_USD_PER_GB_SECOND);
        assert_eq!(
            minimum_billed(FargateOs::Windows),
            SimDuration::from_secs(300)
        );
        assert_eq!(minimum_billed(FargateOs::Linux), SimDuration::from_secs(60));
    }

    #[test]
    fn windows_sizes_are_1_to_4_vcpu() {
        let w = FargateSizes {
            os: FargateOs::Windows,
            large: true,
        };
        // 0.25 and 0.5 vCPU are Linux only: a 256/512 need rounds up to 1 vCPU / 2 GB.
        assert_eq!(w.valid_memory_mib(CpuUnits(512)), None);
        assert!(!w.is_valid_size(CpuUnits(256), MemoryMib(512)));
        assert_eq!(
            w.round_up(Resources::new(256, 512)),
            Some(Resources::new(1024, 2048))
        );
        // 8 vCPU needs Linux platform 1.4.0: not offered, so 5 vCPU fits no Windows size.
        assert!(!w.is_valid_size(CpuUnits(8192), gb(16)));
        assert_eq!(w.round_up(Resources::new(4097, 1024)), None);
        assert_eq!(
            w.round_up(Resources::new(4096, 30 * 1024)),
            Some(Resources::new(4096, 30 * 1024))
        );
    }

    #[test]
    fn large_sizes_setting_gates_the_32_vcpu_row() {
        let no_large = FargateSizes {
            os: FargateOs::Linux,
            large: false,
        };
        // 16 vCPU / 120 GB stays; 16 vCPU / 121 GB needed the 32 vCPU row, now nothing fits.
        assert!(no_large.is_valid_size(CpuUnits(16384), gb(120)));
        assert!(!no_large.is_valid_size(CpuUnits(32768), gb(244)));
        assert_eq!(no_large.round_up(Resources::new(16384, 121 * 1024)), None);
        assert_eq!(
            FargateSizes::LINUX_ALL.round_up(Resources::new(16384, 121 * 1024)),
            Some(Resources::new(32768, 244 * 1024))
        );
    }
}
