//! The catalog's data tables: every instance type's shape and limits, and per-Region EC2 and
//! Fargate prices, as four tab-separated files.
//!
//! Owns the file format (one header line naming the columns, `#` first; `-` for a value the
//! source does not give), parsing it with every mistake named by file and line, writing it
//! back (what `ecsim catalog` produces), and the embedded copy in `src/cloud/data/`, parsed
//! once per process (`embedded`). `src/cloud/data/SOURCES.md` says where each embedded number
//! comes from, its date and licence, and what is missing.
//! It deliberately does not choose a Region or apply overrides: `Catalog::for_region` does.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::units::CpuArchitecture;

/// Instance types: shapes, accelerators and network limits (Region-independent).
pub const INSTANCE_TYPES_FILE: &str = "instance_types.tsv";
/// EC2 On-Demand prices per Region and instance type, Linux and Windows.
pub const EC2_PRICES_FILE: &str = "ec2_prices.tsv";
/// Fargate rates per Region.
pub const FARGATE_PRICES_FILE: &str = "fargate_prices.tsv";
/// The Regions the tables know and the dates of their prices.
pub const REGIONS_FILE: &str = "regions.tsv";

const INSTANCE_TYPES_HEADER: [&str; 13] = [
    "instance_type",
    "arch",
    "vcpu",
    "memory_mib",
    "gpu_count",
    "gpu_memory_mib_per_gpu",
    "accelerator_count",
    "max_enis",
    "branch_enis",
    "trunking",
    "hypervisor",
    "ecs_awsvpc_tasks",
    "ecs_awsvpc_tasks_trunking",
];
const EC2_PRICES_HEADER: [&str; 4] = [
    "region",
    "instance_type",
    "linux_usd_per_hour",
    "windows_usd_per_hour",
];
const FARGATE_PRICES_HEADER: [&str; 13] = [
    "region",
    "x86_usd_per_vcpu_second",
    "x86_usd_per_gb_second",
    "arm_usd_per_vcpu_second",
    "arm_usd_per_gb_second",
    "windows_usd_per_vcpu_second",
    "windows_usd_per_gb_second",
    "windows_licence_usd_per_vcpu_second",
    "spot_x86_usd_per_vcpu_second",
    "spot_x86_usd_per_gb_second",
    "spot_arm_usd_per_vcpu_second",
    "spot_arm_usd_per_gb_second",
    "ephemeral_usd_per_gb_second",
];
const REGIONS_HEADER: [&str; 3] = ["region", "ec2_prices_as_of", "fargate_prices_as_of"];

/// How an instance type is virtualised (`Hypervisor` of EC2's `DescribeInstanceTypes`).
/// Registered memory depends on it (issue 15 point 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hypervisor {
    /// The Nitro hypervisor.
    Nitro,
    /// The Xen hypervisor (older generations).
    Xen,
    /// Bare metal: EC2 reports no hypervisor.
    None,
}

impl Hypervisor {
    /// The table's spelling: `nitro`, `xen`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hypervisor::Nitro => "nitro",
            Hypervisor::Xen => "xen",
            Hypervisor::None => "none",
        }
    }
}

/// One instance type's shape and limits, as `instance_types.tsv` gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// API name, e.g. `m5.large`.
    pub name: String,
    /// CPU architecture.
    pub arch: CpuArchitecture,
    /// vCPUs.
    pub vcpu: u32,
    /// Nominal memory, MiB.
    pub memory_mib: u32,
    /// GPUs (NVIDIA or AMD).
    pub gpu_count: u32,
    /// Memory of each GPU, MiB (0 without GPUs).
    pub gpu_memory_mib_per_gpu: u32,
    /// AWS Inferentia and Trainium devices (`resourceRequirements` type
    /// `InferenceAccelerator` on inf1/inf2).
    pub accelerator_count: u32,
    /// Maximum network interfaces, the primary included, where known.
    pub max_enis: Option<u32>,
    /// Branch network interfaces, where known: Karpenter's (EKS's) limit, which is not
    /// ECS's trunk limit (c5.large: 9 here, while ECS documents 10 awsvpc tasks with
    /// `awsvpcTrunking`; see `data/SOURCES.md`).
    pub branch_enis: Option<u32>,
    /// Whether the type supports ENI trunking, where known.
    pub trunking: Option<bool>,
    /// Hypervisor, where known.
    pub hypervisor: Option<Hypervisor>,
    /// `awsvpc` tasks ECS places on an instance of this type without ENI trunking, where
    /// ECS's table lists the type (it is max ENIs − 1 for all but the types with several
    /// network cards; see `data/SOURCES.md`).
    pub ecs_awsvpc_tasks: Option<u32>,
    /// `awsvpc` tasks with the `awsvpcTrunking` account setting on, where ECS's table lists
    /// the type as supported (ECS Developer Guide, "Supported instances for increased
    /// Amazon ECS container instance network interfaces").
    pub ecs_awsvpc_tasks_trunking: Option<u32>,
}

/// One instance type's On-Demand prices in one Region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ec2Price {
    /// Linux, USD per hour.
    pub linux_usd_per_hour: f64,
    /// Windows (licence included), USD per hour, where known.
    pub windows_usd_per_hour: Option<f64>,
}

/// Fargate rates in one Region, each where known, USD per second (per vCPU or per GB,
/// GB = 1024 MiB).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FargateRates {
    /// Linux/x86 per vCPU-second.
    pub x86_usd_per_vcpu_second: Option<f64>,
    /// Linux/x86 per GB-second.
    pub x86_usd_per_gb_second: Option<f64>,
    /// Linux/ARM per vCPU-second.
    pub arm_usd_per_vcpu_second: Option<f64>,
    /// Linux/ARM per GB-second.
    pub arm_usd_per_gb_second: Option<f64>,
    /// Windows/x86 per vCPU-second.
    pub windows_usd_per_vcpu_second: Option<f64>,
    /// Windows/x86 per GB-second.
    pub windows_usd_per_gb_second: Option<f64>,
    /// Windows OS licence per vCPU-second, on top of the vCPU rate.
    pub windows_licence_usd_per_vcpu_second: Option<f64>,
    /// Fargate Spot Linux/x86 per vCPU-second.
    pub spot_x86_usd_per_vcpu_second: Option<f64>,
    /// Fargate Spot Linux/x86 per GB-second.
    pub spot_x86_usd_per_gb_second: Option<f64>,
    /// Fargate Spot Linux/ARM per vCPU-second.
    pub spot_arm_usd_per_vcpu_second: Option<f64>,
    /// Fargate Spot Linux/ARM per GB-second.
    pub spot_arm_usd_per_gb_second: Option<f64>,
    /// Ephemeral storage above the included 20 GiB, per GB-second.
    pub ephemeral_usd_per_gb_second: Option<f64>,
}

impl FargateRates {
    fn columns(&self) -> [Option<f64>; 12] {
        [
            self.x86_usd_per_vcpu_second,
            self.x86_usd_per_gb_second,
            self.arm_usd_per_vcpu_second,
            self.arm_usd_per_gb_second,
            self.windows_usd_per_vcpu_second,
            self.windows_usd_per_gb_second,
            self.windows_licence_usd_per_vcpu_second,
            self.spot_x86_usd_per_vcpu_second,
            self.spot_x86_usd_per_gb_second,
            self.spot_arm_usd_per_vcpu_second,
            self.spot_arm_usd_per_gb_second,
            self.ephemeral_usd_per_gb_second,
        ]
    }

    fn from_columns(c: [Option<f64>; 12]) -> FargateRates {
        FargateRates {
            x86_usd_per_vcpu_second: c[0],
            x86_usd_per_gb_second: c[1],
            arm_usd_per_vcpu_second: c[2],
            arm_usd_per_gb_second: c[3],
            windows_usd_per_vcpu_second: c[4],
            windows_usd_per_gb_second: c[5],
            windows_licence_usd_per_vcpu_second: c[6],
            spot_x86_usd_per_vcpu_second: c[7],
            spot_x86_usd_per_gb_second: c[8],
            spot_arm_usd_per_vcpu_second: c[9],
            spot_arm_usd_per_gb_second: c[10],
            ephemeral_usd_per_gb_second: c[11],
        }
    }
}

/// What the tables hold for one Region.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionPrices {
    /// Date of the EC2 prices (`-` in the file: none).
    pub ec2_prices_as_of: Option<String>,
    /// Date of the Fargate prices.
    pub fargate_prices_as_of: Option<String>,
    /// EC2 On-Demand prices by instance type name.
    pub ec2: BTreeMap<String, Ec2Price>,
    /// Fargate rates, if the tables have a row for the Region.
    pub fargate: Option<FargateRates>,
}

/// The four tables, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tables {
    /// Every instance type, in the file's order (sorted by family, then name).
    pub instance_types: Vec<Shape>,
    /// Per Region, by Region code.
    pub regions: BTreeMap<String, RegionPrices>,
}

/// A mistake in a table: the file, the 1-based line and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", if *line == 0 { String::new() } else { format!(", line {line}") })]
pub struct TableError {
    /// The file (a path, or the table's name for the embedded copy).
    pub file: String,
    /// 1-based line; 0 when the whole file is missing or unreadable.
    pub line: usize,
    /// What is wrong, in the table's words.
    pub message: String,
}

/// The embedded tables, parsed on first use and kept for the life of the process, so a sweep
/// or a Monte Carlo run that validates many scenarios parses them once.
///
/// # Panics
/// If the embedded files do not parse: they are part of the source, and a unit test parses
/// them, so this is a build defect, not bad input.
pub fn embedded() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let texts = [
            (
                INSTANCE_TYPES_FILE,
                include_str!("data/instance_types.tsv").to_owned(),
            ),
            (
                EC2_PRICES_FILE,
                include_str!("data/ec2_prices.tsv").to_owned(),
            ),
            (
                FARGATE_PRICES_FILE,
                include_str!("data/fargate_prices.tsv").to_owned(),
            ),
            (REGIONS_FILE, include_str!("data/regions.tsv").to_owned()),
        ];
        match parse(&texts.map(|(n, t)| (n.to_owned(), t))) {
            Ok(t) => t,
            Err(e) => panic!("the embedded catalog tables do not parse: {e:?}"),
        }
    })
}

/// Reads the four tables from `dir` (as `ecsim catalog --out DIR` writes them).
pub fn load_dir(dir: &Path) -> Result<Tables, Vec<TableError>> {
    let mut texts = Vec::new();
    let mut errors = Vec::new();
    for name in [
        INSTANCE_TYPES_FILE,
        EC2_PRICES_FILE,
        FARGATE_PRICES_FILE,
        REGIONS_FILE,
    ] {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(t) => texts.push((path.display().to_string(), t)),
            Err(e) => errors.push(TableError {
                file: path.display().to_string(),
                line: 0,
                message: format!("cannot read it ({e}); `ecsim catalog --out DIR` writes it"),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let texts: [(String, String); 4] = match texts.try_into() {
        Ok(t) => t,
        Err(_) => unreachable!("four names, four texts"),
    };
    parse(&texts)
}

/// Parses the four tables, given as `(file name, text)` in the order instance types, EC2
/// prices, Fargate prices, Regions. Every mistake is returned, each with its file and line.
pub fn parse(texts: &[(String, String); 4]) -> Result<Tables, Vec<TableError>> {
    let mut errors = Vec::new();
    let mut tables = Tables::default();
    let [types, ec2, fargate, regions] = texts;

    // Names met so far: a set, not a scan of the rows, so parsing stays linear.
    let mut seen = std::collections::BTreeSet::new();
    for (line, cells) in rows(types, &INSTANCE_TYPES_HEADER, &mut errors) {
        let mut e = |message: String| {
            errors.push(TableError {
                file: types.0.clone(),
                line,
                message,
            })
        };
        let arch = match cells[1] {
            "x86_64" => Some(CpuArchitecture::X86_64),
            "arm64" => Some(CpuArchitecture::Arm64),
            other => {
                e(format!("arch: expected x86_64 or arm64, found {other:?}"));
                None
            }
        };
        let mut num = |i: usize| -> Option<u32> {
            cells[i].parse::<u32>().ok().or_else(|| {
                e(format!(
                    "{}: expected a whole number, found {:?}",
                    INSTANCE_TYPES_HEADER[i], cells[i]
                ));
                None
            })
        };
        let (vcpu, memory, gpus, gpu_mem, accel) = (num(2), num(3), num(4), num(5), num(6));
        let mut opt_num = |i: usize| -> Option<Option<u32>> {
            if cells[i] == "-" {
                return Some(None);
            }
            match cells[i].parse::<u32>() {
                Ok(n) => Some(Some(n)),
                Err(_) => {
                    e(format!(
                        "{}: expected a whole number or -, found {:?}",
                        INSTANCE_TYPES_HEADER[i], cells[i]
                    ));
                    None
                }
            }
        };
        let (enis, branch) = (opt_num(7), opt_num(8));
        let (awsvpc_tasks, awsvpc_trunk_tasks) = (opt_num(11), opt_num(12));
        let trunking = match cells[9] {
            "true" => Some(Some(true)),
            "false" => Some(Some(false)),
            "-" => Some(None),
            other => {
                e(format!(
                    "trunking: expected true, false or -, found {other:?}"
                ));
                None
            }
        };
        let hypervisor = match cells[10] {
            "nitro" => Some(Some(Hypervisor::Nitro)),
            "xen" => Some(Some(Hypervisor::Xen)),
            "none" => Some(Some(Hypervisor::None)),
            "-" => Some(None),
            other => {
                e(format!(
                    "hypervisor: expected nitro, xen, none or -, found {other:?}"
                ));
                None
            }
        };
        if let (
            Some(arch),
            Some(vcpu),
            Some(memory_mib),
            Some(gpu_count),
            Some(gpu_memory_mib_per_gpu),
            Some(accelerator_count),
            Some(max_enis),
            Some(branch_enis),
            Some(trunking),
            Some(hypervisor),
            Some(ecs_awsvpc_tasks),
            Some(ecs_awsvpc_tasks_trunking),
        ) = (
            arch,
            vcpu,
            memory,
            gpus,
            gpu_mem,
            accel,
            enis,
            branch,
            trunking,
            hypervisor,
            awsvpc_tasks,
            awsvpc_trunk_tasks,
        ) {
            if vcpu == 0 || memory_mib == 0 {
                e("vcpu and memory_mib must be greater than 0".to_owned());
                continue;
            }
            if !seen.insert(cells[0]) {
                e(format!("{} is listed twice", cells[0]));
                continue;
            }
            tables.instance_types.push(Shape {
                name: cells[0].to_owned(),
                arch,
                vcpu,
                memory_mib,
                gpu_count,
                gpu_memory_mib_per_gpu,
                accelerator_count,
                max_enis,
                branch_enis,
                trunking,
                hypervisor,
                ecs_awsvpc_tasks,
                ecs_awsvpc_tasks_trunking,
            });
        }
    }

    for (line, cells) in rows(regions, &REGIONS_HEADER, &mut errors) {
        let date = |s: &str| (s != "-").then(|| s.to_owned());
        if tables.regions.contains_key(cells[0]) {
            errors.push(TableError {
                file: regions.0.clone(),
                line,
                message: format!("region {} is listed twice", cells[0]),
            });
            continue;
        }
        tables.regions.insert(
            cells[0].to_owned(),
            RegionPrices {
                ec2_prices_as_of: date(cells[1]),
                fargate_prices_as_of: date(cells[2]),
                ..RegionPrices::default()
            },
        );
    }

    let known: std::collections::BTreeSet<&str> = tables
        .instance_types
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let mut ec2_rows = Vec::new();
    for (line, cells) in rows(ec2, &EC2_PRICES_HEADER, &mut errors) {
        let mut e = |message: String| {
            errors.push(TableError {
                file: ec2.0.clone(),
                line,
                message,
            })
        };
        if !tables.regions.contains_key(cells[0]) {
            e(format!("region {} is not in {REGIONS_FILE}", cells[0]));
            continue;
        }
        if !known.contains(cells[1]) {
            e(format!(
                "instance type {} is not in {INSTANCE_TYPES_FILE}",
                cells[1]
            ));
            continue;
        }
        let linux = price(cells[2]);
        let windows = if cells[3] == "-" {
            Some(None)
        } else {
            price(cells[3]).map(Some)
        };
        match (linux, windows) {
            (Some(linux_usd_per_hour), Some(windows_usd_per_hour)) => ec2_rows.push((
                cells[0].to_owned(),
                cells[1].to_owned(),
                line,
                Ec2Price {
                    linux_usd_per_hour,
                    windows_usd_per_hour,
                },
            )),
            _ => e(format!(
                "prices: expected finite USD amounts of at least 0 (windows may be -), found \
                 {:?} and {:?}",
                cells[2], cells[3]
            )),
        }
    }
    for (region, name, line, p) in ec2_rows {
        let r = tables.regions.entry(region.clone()).or_default();
        if r.ec2.insert(name.clone(), p).is_some() {
            errors.push(TableError {
                file: ec2.0.clone(),
                line,
                message: format!("{name} in {region} is listed twice"),
            });
        }
    }

    for (line, cells) in rows(fargate, &FARGATE_PRICES_HEADER, &mut errors) {
        let mut columns = [None; 12];
        let mut bad = Vec::new();
        for (i, c) in columns.iter_mut().enumerate() {
            let cell = cells[i + 1];
            if cell != "-" {
                match price(cell) {
                    Some(p) => *c = Some(p),
                    None => bad.push(FARGATE_PRICES_HEADER[i + 1]),
                }
            }
        }
        let message = if !bad.is_empty() {
            Some(format!(
                "{}: expected a finite USD amount of at least 0 or -",
                bad.join(", ")
            ))
        } else if !tables.regions.contains_key(cells[0]) {
            Some(format!("region {} is not in {REGIONS_FILE}", cells[0]))
        } else {
            None
        };
        if let Some(message) = message {
            errors.push(TableError {
                file: fargate.0.clone(),
                line,
                message,
            });
            continue;
        }
        let r = tables.regions.entry(cells[0].to_owned()).or_default();
        if r.fargate.is_some() {
            errors.push(TableError {
                file: fargate.0.clone(),
                line,
                message: format!("region {} is listed twice", cells[0]),
            });
        }
        r.fargate = Some(FargateRates::from_columns(columns));
    }

    if errors.is_empty() {
        Ok(tables)
    } else {
        // Each file's problems in line order (column counts are found before values).
        let order = |file: &str| texts.iter().position(|(n, _)| n == file);
        errors.sort_by_key(|e| (order(&e.file), e.line));
        Err(errors)
    }
}

fn price(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|p| p.is_finite() && *p >= 0.0)
}

/// The data rows of one file as `(line, cells)`, after checking its header; rows with the
/// wrong number of cells are reported and skipped.
fn rows<'a>(
    (file, text): &'a (String, String),
    header: &[&str],
    errors: &mut Vec<TableError>,
) -> Vec<(usize, Vec<&'a str>)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    let expected_header = format!("# {}", header.join("\t"));
    match lines.next() {
        Some((_, first))
            if first.trim_start_matches('\u{FEFF}').trim_end_matches('\r') == expected_header => {}
        _ => {
            errors.push(TableError {
                file: file.clone(),
                line: 1,
                message: format!(
                    "expected the header line {:?} (columns separated by tabs)",
                    expected_header
                ),
            });
            return out;
        }
    }
    for (i, raw) in lines {
        let line = raw.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != header.len() {
            errors.push(TableError {
                file: file.clone(),
                line: i + 1,
                message: format!(
                    "expected {} tab-separated columns ({}), found {}",
                    header.len(),
                    header.join(", "),
                    cells.len()
                ),
            });
            continue;
        }
        out.push((i + 1, cells));
    }
    out
}

/// Shortest decimal that reads back as the same `f64` (Rust's `Display`), or `-`.
fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |p| p.to_string())
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| x.to_string())
}

/// Writes the tables in the format [`parse`] reads: `(file name, text)` in the order
/// instance types, EC2 prices, Fargate prices, Regions. Rows are sorted (Regions and, within
/// a Region, instance types by name), so the same tables give the same bytes.
pub fn render(tables: &Tables) -> [(&'static str, String); 4] {
    let mut types = format!("# {}\n", INSTANCE_TYPES_HEADER.join("\t"));
    for t in &tables.instance_types {
        let row = [
            t.name.clone(),
            t.arch.attribute_value().to_owned(),
            t.vcpu.to_string(),
            t.memory_mib.to_string(),
            t.gpu_count.to_string(),
            t.gpu_memory_mib_per_gpu.to_string(),
            t.accelerator_count.to_string(),
            opt(t.max_enis),
            opt(t.branch_enis),
            opt(t.trunking),
            t.hypervisor
                .map_or_else(|| "-".to_owned(), |h| h.as_str().to_owned()),
            opt(t.ecs_awsvpc_tasks),
            opt(t.ecs_awsvpc_tasks_trunking),
        ];
        types.push_str(&row.join("\t"));
        types.push('\n');
    }
    let mut ec2 = format!("# {}\n", EC2_PRICES_HEADER.join("\t"));
    let mut fargate = format!("# {}\n", FARGATE_PRICES_HEADER.join("\t"));
    let mut regions = format!("# {}\n", REGIONS_HEADER.join("\t"));
    for (code, r) in &tables.regions {
        for (name, p) in &r.ec2 {
            ec2.push_str(&format!(
                "{code}\t{name}\t{}\t{}\n",
                p.linux_usd_per_hour,
                cell(p.windows_usd_per_hour)
            ));
        }
        if let Some(f) = &r.fargate {
            let cells: Vec<String> = f.columns().iter().map(|&c| cell(c)).collect();
            fargate.push_str(&format!("{code}\t{}\n", cells.join("\t")));
        }
        regions.push_str(&format!(
            "{code}\t{}\t{}\n",
            r.ec2_prices_as_of.as_deref().unwrap_or("-"),
            r.fargate_prices_as_of.as_deref().unwrap_or("-")
        ));
    }
    [
        (INSTANCE_TYPES_FILE, types),
        (EC2_PRICES_FILE, ec2),
        (FARGATE_PRICES_FILE, fargate),
        (REGIONS_FILE, regions),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_parse_and_cover_every_type() {
        let t = embedded();
        // 1,363 instance types in Karpenter's instance-types.md (see SOURCES.md).
        assert_eq!(t.instance_types.len(), 1363);
        let us = &t.regions["us-east-1"];
        // 1,345 of them have a us-east-1 Linux On-Demand price in Karpenter's table.
        assert_eq!(us.ec2.len(), 1345);
        assert_eq!(us.ec2_prices_as_of.as_deref(), Some("2026-07-20"));
        let f = us.fargate.expect("us-east-1 Fargate rates");
        assert_eq!(f.x86_usd_per_vcpu_second, Some(0.000011244));
        assert_eq!(f.windows_licence_usd_per_vcpu_second, Some(0.0000127778));
        assert_eq!(f.spot_x86_usd_per_vcpu_second, None);
        for region in [
            "us-west-2",
            "eu-west-1",
            "eu-central-1",
            "ap-southeast-1",
            "ap-northeast-1",
        ] {
            assert!(t.regions[region].ec2.is_empty(), "{region}");
        }
        let p4d = t
            .instance_types
            .iter()
            .find(|s| s.name == "p4d.24xlarge")
            .expect("p4d.24xlarge");
        // 8 × A100 with 40 GiB each.
        assert_eq!((p4d.gpu_count, p4d.gpu_memory_mib_per_gpu), (8, 40960));
        let inf2 = t
            .instance_types
            .iter()
            .find(|s| s.name == "inf2.48xlarge")
            .expect("inf2.48xlarge");
        assert_eq!(inf2.accelerator_count, 12);
        let c5 = t
            .instance_types
            .iter()
            .find(|s| s.name == "c5.large")
            .expect("c5.large");
        // c5.large: 3 ENIs (ecs-reference §4.5: 3 ENIs → 2 awsvpc tasks), trunking supported,
        // Nitro. Karpenter's branch-interface limit is 9: that is EKS's pod-ENI limit, one
        // below the 10 awsvpc tasks ECS documents for c5.large with trunking (§4.5), so it
        // is not ECS's trunk limit (SOURCES.md says so).
        assert_eq!(
            (c5.max_enis, c5.branch_enis, c5.trunking, c5.hypervisor),
            (Some(3), Some(9), Some(true), Some(Hypervisor::Nitro))
        );
        // ECS's own table (container-instance-eni.md, "Supported Amazon EC2 instance
        // types"): c5.large runs 2 awsvpc tasks without trunking (3 ENIs − the primary) and
        // 10 with it (an ENI limit of 12 − the primary − the trunk).
        assert_eq!(
            (c5.ecs_awsvpc_tasks, c5.ecs_awsvpc_tasks_trunking),
            (Some(2), Some(10))
        );
        // 426 of the table's 431 rows are catalog types (mac2.metal, dl1.24xlarge and the
        // three p3 sizes are not in Karpenter's list); i4i.large's trunk cell reads "-2" in
        // the source, so it is left unknown.
        let listed = t
            .instance_types
            .iter()
            .filter(|s| s.ecs_awsvpc_tasks.is_some())
            .count();
        assert_eq!(listed, 426);
        let c4 = t
            .instance_types
            .iter()
            .find(|s| s.name == "c4.large")
            .expect("c4.large");
        assert_eq!(c4.hypervisor, Some(Hypervisor::Xen));
    }

    #[test]
    fn render_then_parse_is_the_identity() {
        let t = embedded();
        let files = render(t).map(|(n, s)| (n.to_owned(), s));
        assert_eq!(&parse(&files).expect("rendered tables parse"), t);
        // And the rendered files are the embedded files, byte for byte (the embedded copy
        // is in canonical form, so `ecsim catalog` output diffs cleanly against it).
        assert_eq!(files[0].1, include_str!("data/instance_types.tsv"));
        assert_eq!(files[1].1, include_str!("data/ec2_prices.tsv"));
        assert_eq!(files[2].1, include_str!("data/fargate_prices.tsv"));
        assert_eq!(files[3].1, include_str!("data/regions.tsv"));
    }

    fn files(types: &str, ec2: &str, fargate: &str, regions: &str) -> [(String, String); 4] {
        [
            ("t.tsv".into(), types.into()),
            ("e.tsv".into(), ec2.into()),
            ("f.tsv".into(), fargate.into()),
            ("r.tsv".into(), regions.into()),
        ]
    }

    #[test]
    fn every_mistake_is_named_by_file_and_line() {
        let types = format!(
            "# {}\nm5.large\tx86_64\t2\t8192\t0\t0\t0\t3\t-\t-\tnitro\t2\t10\nbad\tsparc\ttwo\t1\t0\t0\t0\t-\t-\tmaybe\tnitro\tmany\t-\nshort\tx86_64\nm5.large\tx86_64\t2\t8192\t0\t0\t0\t3\t-\t-\tnitro\t-\t-\n",
            INSTANCE_TYPES_HEADER.join("\t")
        );
        let ec2 = format!(
            "# {}\nus-east-1\tm5.large\t0.096\t-\nus-east-1\tm9.large\t1\t-\nmars-1\tm5.large\t1\t-\nus-east-1\tm5.large\tcheap\t-\n",
            EC2_PRICES_HEADER.join("\t")
        );
        let fargate = "# wrong header\n";
        let regions = format!(
            "# {}\nus-east-1\t2026-07-20\t-\n",
            REGIONS_HEADER.join("\t")
        );
        let errors = parse(&files(&types, &ec2, fargate, &regions)).expect_err("mistakes");
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "t.tsv, line 3: arch: expected x86_64 or arm64, found \"sparc\"",
                "t.tsv, line 3: vcpu: expected a whole number, found \"two\"",
                "t.tsv, line 3: ecs_awsvpc_tasks: expected a whole number or -, found \"many\"",
                "t.tsv, line 3: trunking: expected true, false or -, found \"maybe\"",
                "t.tsv, line 4: expected 13 tab-separated columns (instance_type, arch, vcpu, \
                 memory_mib, gpu_count, gpu_memory_mib_per_gpu, accelerator_count, max_enis, \
                 branch_enis, trunking, hypervisor, ecs_awsvpc_tasks, \
                 ecs_awsvpc_tasks_trunking), found 2",
                "t.tsv, line 5: m5.large is listed twice",
                "e.tsv, line 3: instance type m9.large is not in instance_types.tsv",
                "e.tsv, line 4: region mars-1 is not in regions.tsv",
                "e.tsv, line 5: prices: expected finite USD amounts of at least 0 (windows may \
                 be -), found \"cheap\" and \"-\"",
                "f.tsv, line 1: expected the header line \"# region\\tx86_usd_per_vcpu_second\\t\
                 x86_usd_per_gb_second\\tarm_usd_per_vcpu_second\\tarm_usd_per_gb_second\\t\
                 windows_usd_per_vcpu_second\\twindows_usd_per_gb_second\\t\
                 windows_licence_usd_per_vcpu_second\\tspot_x86_usd_per_vcpu_second\\t\
                 spot_x86_usd_per_gb_second\\tspot_arm_usd_per_vcpu_second\\t\
                 spot_arm_usd_per_gb_second\\tephemeral_usd_per_gb_second\" (columns separated \
                 by tabs)",
            ]
        );
    }

    #[test]
    fn load_dir_names_a_missing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let errors = load_dir(dir.path()).expect_err("empty folder");
        assert_eq!(errors.len(), 4);
        assert!(errors[0].file.ends_with(INSTANCE_TYPES_FILE), "{errors:?}");
        assert!(
            errors[0].message.contains("ecsim catalog --out DIR"),
            "{errors:?}"
        );
    }
}
