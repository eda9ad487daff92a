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

/// Operating system family, as `runtimePlatform.operatingSystemFamily` names it for a task and
/// the ECS agent registers it for an instance in the `ecs.os-family` attribute.
///
/// Values: Amazon ECS API Reference, RuntimePlatform, "Valid Values: WINDOWS_SERVER_2019_FULL |
/// WINDOWS_SERVER_2019_CORE | WINDOWS_SERVER_2016_FULL | WINDOWS_SERVER_2004_CORE |
/// WINDOWS_SERVER_2022_CORE | WINDOWS_SERVER_2022_FULL | WINDOWS_SERVER_2025_CORE |
/// WINDOWS_SERVER_2025_FULL | WINDOWS_SERVER_20H2_CORE | LINUX",
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html>.
/// The agent on Windows registers `WINDOWS_SERVER_<release>_<FULL|CORE>` from the host's build
/// number and installation type (aws/amazon-ecs-agent `agent/config/os_family_windows.go`,
/// `osFamilyFormat`), and on Linux `LINUX` (`agent/config/config_unix.go`, `GetOSFamily`:
/// "returns \"LINUX\" as operating system family for linux based ecs instances"), the same
/// spelling, so one type serves both sides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OsFamily {
    /// `LINUX`, the default of both the task definition and the Auto Scaling group.
    #[default]
    Linux,
    /// `WINDOWS_SERVER_2016_FULL`.
    WindowsServer2016Full,
    /// `WINDOWS_SERVER_2019_FULL`.
    WindowsServer2019Full,
    /// `WINDOWS_SERVER_2019_CORE`.
    WindowsServer2019Core,
    /// `WINDOWS_SERVER_2004_CORE`.
    WindowsServer2004Core,
    /// `WINDOWS_SERVER_20H2_CORE`.
    WindowsServer20H2Core,
    /// `WINDOWS_SERVER_2022_FULL`.
    WindowsServer2022Full,
    /// `WINDOWS_SERVER_2022_CORE`.
    WindowsServer2022Core,
    /// `WINDOWS_SERVER_2025_FULL`.
    WindowsServer2025Full,
    /// `WINDOWS_SERVER_2025_CORE`.
    WindowsServer2025Core,
}

impl OsFamily {
    /// Every value, in the order messages list them.
    pub const ALL: [OsFamily; 10] = [
        OsFamily::Linux,
        OsFamily::WindowsServer2016Full,
        OsFamily::WindowsServer2019Full,
        OsFamily::WindowsServer2019Core,
        OsFamily::WindowsServer2004Core,
        OsFamily::WindowsServer20H2Core,
        OsFamily::WindowsServer2022Full,
        OsFamily::WindowsServer2022Core,
        OsFamily::WindowsServer2025Full,
        OsFamily::WindowsServer2025Core,
    ];

    /// The ECS spelling (`runtimePlatform.operatingSystemFamily`, `ecs.os-family`).
    pub fn ecs_name(self) -> &'static str {
        match self {
            OsFamily::Linux => "LINUX",
            OsFamily::WindowsServer2016Full => "WINDOWS_SERVER_2016_FULL",
            OsFamily::WindowsServer2019Full => "WINDOWS_SERVER_2019_FULL",
            OsFamily::WindowsServer2019Core => "WINDOWS_SERVER_2019_CORE",
            OsFamily::WindowsServer2004Core => "WINDOWS_SERVER_2004_CORE",
            OsFamily::WindowsServer20H2Core => "WINDOWS_SERVER_20H2_CORE",
            OsFamily::WindowsServer2022Full => "WINDOWS_SERVER_2022_FULL",
            OsFamily::WindowsServer2022Core => "WINDOWS_SERVER_2022_CORE",
            OsFamily::WindowsServer2025Full => "WINDOWS_SERVER_2025_FULL",
            OsFamily::WindowsServer2025Core => "WINDOWS_SERVER_2025_CORE",
        }
    }

    /// The value spelt `name` exactly as ECS spells it, if any.
    pub fn parse(name: &str) -> Option<OsFamily> {
        OsFamily::ALL.into_iter().find(|f| f.ecs_name() == name)
    }

    /// True for every Windows Server family.
    pub fn is_windows(self) -> bool {
        self != OsFamily::Linux
    }

    /// The value of the `ecs.os-type` attribute: `linux` or `windows` (aws/amazon-ecs-agent
    /// `agent/api/ecsclient/client.go`, `osTypeAttrName`, set to the agent's `OSType`).
    pub fn os_type(self) -> &'static str {
        if self.is_windows() {
            "windows"
        } else {
            "linux"
        }
    }
}
