//! Quantities with their unit in the type.
//!
//! CPU is counted in ECS CPU units (1024 per vCPU) and memory in MiB, as ECS counts them, so
//! reservation arithmetic is exact integer arithmetic.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

/// ECS CPU units: 1024 per vCPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CpuUnits(pub u32);

/// Memory in MiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemoryMib(pub u32);

/// CPU units per vCPU, as ECS counts them.
/// Source: ecs-reference §4.5 (agent `getCpu` registers numCPU × 1024).
pub const CPU_UNITS_PER_VCPU: u32 = 1024;

impl CpuUnits {
    /// `vcpu` whole vCPUs.
    pub const fn from_vcpu(vcpu: u32) -> CpuUnits {
        CpuUnits(vcpu * CPU_UNITS_PER_VCPU)
    }
    /// As vCPUs, for reports.
    pub fn as_vcpu_f64(self) -> f64 {
        f64::from(self.0) / f64::from(CPU_UNITS_PER_VCPU)
    }
}

impl MemoryMib {
    /// `gib` GiB.
    pub const fn from_gib(gib: u32) -> MemoryMib {
        MemoryMib(gib * 1024)
    }
    /// As GiB, for reports and per-GB prices ("GB" on AWS pricing pages is 1024³ bytes).
    pub fn as_gib_f64(self) -> f64 {
        f64::from(self.0) / 1024.0
    }
}

macro_rules! unit_ops {
    ($t:ident, $suffix:literal) => {
        impl Add for $t {
            type Output = $t;
            fn add(self, rhs: $t) -> $t {
                $t(self.0 + rhs.0)
            }
        }
        impl AddAssign for $t {
            fn add_assign(&mut self, rhs: $t) {
                self.0 += rhs.0;
            }
        }
        impl Sub for $t {
            type Output = $t;
            fn sub(self, rhs: $t) -> $t {
                $t(self.0 - rhs.0)
            }
        }
        impl SubAssign for $t {
            fn sub_assign(&mut self, rhs: $t) {
                self.0 -= rhs.0;
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", self.0, $suffix)
            }
        }
    };
}
unit_ops!(CpuUnits, " CPU units");
unit_ops!(MemoryMib, " MiB");

/// What a task reserves and what an instance offers: CPU and memory, and the devices ECS
/// places whole — network interfaces for `awsvpc` tasks, GPUs, and AWS Neuron devices
/// (Inferentia/Trainium chips).
///
/// The devices are plain counts beside CPU and memory so that every fit test, reservation
/// and over-commit assertion covers them with no second code path; a task that needs none
/// (the usual case) compares three zeros more, which is all it costs placement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Resources {
    /// CPU units.
    pub cpu: CpuUnits,
    /// Memory.
    pub memory: MemoryMib,
    /// Elastic network interfaces: 1 for an `awsvpc` task on EC2; on an instance, the
    /// interfaces left for tasks (see `cloud::InstanceType::awsvpc_task_limit`).
    pub eni: u32,
    /// Whole GPUs (`resourceRequirements` of type `GPU`).
    pub gpu: u32,
    /// AWS Neuron devices, Inferentia or Trainium chips (a container's
    /// `linuxParameters.devices` mapping `/dev/neuronN`).
    pub neuron: u32,
}

impl Resources {
    /// CPU and memory, no devices.
    pub const fn new(cpu: u32, memory_mib: u32) -> Resources {
        Resources {
            cpu: CpuUnits(cpu),
            memory: MemoryMib(memory_mib),
            eni: 0,
            gpu: 0,
            neuron: 0,
        }
    }
    /// `self` with these device counts.
    pub const fn with_devices(self, eni: u32, gpu: u32, neuron: u32) -> Resources {
        Resources {
            eni,
            gpu,
            neuron,
            ..self
        }
    }
    /// True if any device count is above zero.
    #[inline]
    pub fn has_devices(&self) -> bool {
        self.eni > 0 || self.gpu > 0 || self.neuron > 0
    }
    /// True if `need` fits in `self` on every dimension.
    #[inline]
    pub fn fits(&self, need: Resources) -> bool {
        need.cpu <= self.cpu
            && need.memory <= self.memory
            && need.eni <= self.eni
            && need.gpu <= self.gpu
            && need.neuron <= self.neuron
    }
    /// True if `need`'s devices fit in `self`'s (CPU and memory not looked at).
    #[inline]
    pub fn devices_fit(&self, need: Resources) -> bool {
        need.eni <= self.eni && need.gpu <= self.gpu && need.neuron <= self.neuron
    }
    /// `self - rhs` on each dimension, stopping at zero.
    #[inline]
    pub fn saturating_sub(self, rhs: Resources) -> Resources {
        Resources {
            cpu: CpuUnits(self.cpu.0.saturating_sub(rhs.cpu.0)),
            memory: MemoryMib(self.memory.0.saturating_sub(rhs.memory.0)),
            eni: self.eni.saturating_sub(rhs.eni),
            gpu: self.gpu.saturating_sub(rhs.gpu),
            neuron: self.neuron.saturating_sub(rhs.neuron),
        }
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(self, rhs: Resources) -> Resources {
        Resources {
            cpu: self.cpu + rhs.cpu,
            memory: self.memory + rhs.memory,
            eni: self.eni + rhs.eni,
            gpu: self.gpu + rhs.gpu,
            neuron: self.neuron + rhs.neuron,
        }
    }
}
impl Sub for Resources {
    type Output = Resources;
    fn sub(self, rhs: Resources) -> Resources {
        Resources {
            cpu: self.cpu - rhs.cpu,
            memory: self.memory - rhs.memory,
            eni: self.eni - rhs.eni,
            gpu: self.gpu - rhs.gpu,
            neuron: self.neuron - rhs.neuron,
        }
    }
}

/// CPU architecture, as `runtimePlatform.cpuArchitecture` and `ecs.cpu-architecture` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CpuArchitecture {
    /// `X86_64` (attribute value `x86_64`).
    X86_64,
    /// `ARM64` (attribute value `arm64`).
    Arm64,
}

impl CpuArchitecture {
    /// The value of the `ecs.cpu-architecture` attribute.
    pub fn attribute_value(self) -> &'static str {
        match self {
            CpuArchitecture::X86_64 => "x86_64",
            CpuArchitecture::Arm64 => "arm64",
        }
    }
}
