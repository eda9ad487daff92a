//! `ecsim catalog`: AWS Price List bulk offer files (AmazonEC2 and AmazonECS, JSON) into
//! catalog tables.
//!
//! Owns reading one offer file as a stream (a serde visitor over `products` and `terms`, so a
//! multi-gigabyte EC2 offer file is never held whole: only the products that pass the filter
//! and their On-Demand prices are kept), the filter (EC2: `Compute Instance` products with
//! shared tenancy, `capacitystatus` Used, no pre-installed software, Linux or Windows with the
//! licence included, in the Region itself — not a Local or Wavelength Zone; ECS: the Fargate usage types), and merging what the files gave into
//! [`Tables`] over the embedded instance shapes.
//! It deliberately does not open files or write them: the binary hands it readers and writes
//! [`tables::render`](crate::cloud::tables::render)'s output.
//!
//! The format is AWS's: `{"formatVersion", "offerCode", "version", "publicationDate",
//! "products": {sku: {"productFamily", "attributes": {...}}}, "terms": {"OnDemand": {sku:
//! {offerTermCode: {"priceDimensions": {rateCode: {"unit", "pricePerUnit": {"USD"}}}}}}}}`
//! (AWS Billing User Guide, "Reading an offer file").

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::cloud::tables::{Ec2Price, FargateRates, Shape, Tables};
use crate::units::CpuArchitecture;

/// Seconds per hour: offer files price per hour, the tables per second.
const SECONDS_PER_HOUR: f64 = 3600.0;

/// Something wrong with an offer file: the file, where in it (a JSON path, or a line and
/// column for broken JSON) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {place}: {message}")]
pub struct OfferError {
    /// The offer file.
    pub file: String,
    /// JSON path (`products.SKU.attributes.vcpu`) or `line L, column C`.
    pub place: String,
    /// What is wrong.
    pub message: String,
}

/// What one offer file contributed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferSummary {
    /// `offerCode`: `AmazonEC2` or `AmazonECS`.
    pub offer_code: String,
    /// `publicationDate`, as the file gives it.
    pub publication_date: String,
    /// Products that passed the filter.
    pub products_kept: usize,
    /// Prices found for them.
    pub prices_kept: usize,
}

/// A product kept by the filter.
#[derive(Clone, Debug)]
enum Kept {
    /// An EC2 instance type's price in a Region for one operating system.
    Ec2 {
        region: String,
        instance_type: String,
        windows: bool,
        shape: OfferShape,
    },
    /// One Fargate rate in a Region.
    Fargate { region: String, rate: FargateRate },
}

/// The shape an EC2 product states, for types the embedded tables do not know.
#[derive(Clone, Debug, Default)]
struct OfferShape {
    vcpu: Option<u32>,
    memory_mib: Option<u32>,
    gpu_count: u32,
    arm: bool,
}

/// Which Fargate rate a usage type prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FargateRate {
    X86Vcpu,
    X86Gb,
    ArmVcpu,
    ArmGb,
    WindowsVcpu,
    WindowsGb,
    WindowsLicence,
    SpotX86Vcpu,
    SpotX86Gb,
    SpotArmVcpu,
    SpotArmGb,
    Ephemeral,
}

/// The Fargate usage types of the AmazonECS offer, after the Region prefix (`USE1-`).
const FARGATE_USAGE_TYPES: [(&str, FargateRate); 12] = [
    ("Fargate-vCPU-Hours:perCPU", FargateRate::X86Vcpu),
    ("Fargate-GB-Hours", FargateRate::X86Gb),
    ("Fargate-ARM-vCPU-Hours:perCPU", FargateRate::ArmVcpu),
    ("Fargate-ARM-GB-Hours", FargateRate::ArmGb),
    (
        "Fargate-Windows-vCPU-Hours:perCPU",
        FargateRate::WindowsVcpu,
    ),
    ("Fargate-Windows-GB-Hours", FargateRate::WindowsGb),
    (
        "Fargate-Windows-OS-Hours:perCPU",
        FargateRate::WindowsLicence,
    ),
    (
        "SpotUsage-Fargate-vCPU-Hours:perCPU",
        FargateRate::SpotX86Vcpu,
    ),
    ("SpotUsage-Fargate-GB-Hours", FargateRate::SpotX86Gb),
    (
        "SpotUsage-Fargate-ARM-vCPU-Hours:perCPU",
        FargateRate::SpotArmVcpu,
    ),
    ("SpotUsage-Fargate-ARM-GB-Hours", FargateRate::SpotArmGb),
    ("Fargate-EphemeralStorage-GB-Hours", FargateRate::Ephemeral),
];

/// The Fargate rate a `usagetype` prices: the name itself (us-east-1 files may omit the
/// prefix) or the name after a Region prefix without dashes (`USE1-`, `EU-`, `APN1-`).
fn fargate_rate(usage: &str) -> Option<FargateRate> {
    let lookup = |name: &str| {
        FARGATE_USAGE_TYPES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, r)| r)
    };
    lookup(usage).or_else(|| usage.split_once('-').and_then(|(_, rest)| lookup(rest)))
}

/// What every offer file read so far has given, to be turned into tables by [`Offers::tables`].
#[derive(Debug, Default)]
pub struct Offers {
    ec2: BTreeMap<(String, String), (Option<f64>, Option<f64>)>,
    shapes: BTreeMap<String, OfferShape>,
    fargate: BTreeMap<String, FargateRates>,
    ec2_dates: BTreeMap<String, String>,
    fargate_dates: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawProduct {
    #[serde(rename = "productFamily", default)]
    product_family: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawTerm {
    #[serde(rename = "priceDimensions", default)]
    price_dimensions: BTreeMap<String, RawDimension>,
}

#[derive(Deserialize)]
struct RawDimension {
    #[serde(rename = "pricePerUnit", default)]
    price_per_unit: BTreeMap<String, String>,
}

/// The state of one file's read, shared by the visitors.
struct Reading<'a> {
    file: &'a str,
    offer_code: Option<String>,
    publication_date: Option<String>,
    /// Products kept, by SKU.
    kept: HashMap<String, Kept>,
    /// `products` has been read (so `terms` can drop prices of SKUs not kept).
    products_done: bool,
    /// On-Demand price per SKU, USD per unit, and the JSON path it came from.
    prices: HashMap<String, (f64, String)>,
    /// The first problem met; reading stops there.
    problem: Option<OfferError>,
}

impl Reading<'_> {
    fn fail(&mut self, place: String, message: String) {
        if self.problem.is_none() {
            self.problem = Some(OfferError {
                file: self.file.to_owned(),
                place,
                message,
            });
        }
    }

    /// Classifies one product; `None` if the filter drops it.
    fn classify(&mut self, sku: &str, p: RawProduct) -> Option<Kept> {
        let a = &p.attributes;
        let get = |k: &str| a.get(k).map(String::as_str);
        let region = get("regionCode");
        if let Some(rate) = get("usagetype").and_then(fargate_rate) {
            let Some(region) = region else {
                self.fail(
                    format!("products.{sku}.attributes.regionCode"),
                    "missing: expected the Region code, e.g. \"us-east-1\"".to_owned(),
                );
                return None;
            };
            return Some(Kept::Fargate {
                region: region.to_owned(),
                rate,
            });
        }
        let family = p.product_family.as_deref().unwrap_or("");
        if !family.starts_with("Compute Instance") {
            return None;
        }
        let os = get("operatingSystem")?;
        let windows = match (os, get("licenseModel")) {
            ("Linux", Some("No License required")) => false,
            ("Windows", Some("License Included")) => true,
            _ => return None,
        };
        if get("tenancy") != Some("Shared")
            || get("capacitystatus") != Some("Used")
            || get("preInstalledSw") != Some("NA")
            || get("marketoption").is_some_and(|m| m != "OnDemand")
            // A Local Zone's or Wavelength Zone's products carry their parent Region's
            // `regionCode` at the zone's own (dearer) price; kept, the one later in SKU order
            // would silently replace the Region's price. Older files without the attribute
            // only list Regions.
            || get("locationType").is_some_and(|l| l != "AWS Region")
        {
            return None;
        }
        let path = |k: &str| format!("products.{sku}.attributes.{k}");
        let (Some(region), Some(instance_type)) = (region, get("instanceType")) else {
            let missing = if region.is_none() {
                "regionCode"
            } else {
                "instanceType"
            };
            self.fail(path(missing), "missing".to_owned());
            return None;
        };
        let vcpu = get("vcpu").and_then(|v| v.parse().ok());
        // "8 GiB", "0.5 GiB", "1,952 GiB".
        let memory_mib = get("memory").and_then(|m| {
            let gib: f64 = m.trim_end_matches(" GiB").replace(',', "").parse().ok()?;
            let mib = (gib * 1024.0).round();
            (mib.is_finite() && mib > 0.0 && mib <= f64::from(u32::MAX)).then_some(mib as u32)
        });
        Some(Kept::Ec2 {
            region: region.to_owned(),
            instance_type: instance_type.to_owned(),
            windows,
            shape: OfferShape {
                vcpu,
                memory_mib,
                gpu_count: get("gpu").and_then(|g| g.parse().ok()).unwrap_or(0),
                arm: get("physicalProcessor").is_some_and(|p| p.contains("Graviton")),
            },
        })
    }
}

impl Offers {
    /// Reads one offer file from `reader` (`file` names it in errors).
    pub fn read(&mut self, reader: impl Read, file: &str) -> Result<OfferSummary, OfferError> {
        let mut reading = Reading {
            file,
            offer_code: None,
            publication_date: None,
            kept: HashMap::new(),
            products_done: false,
            prices: HashMap::new(),
            problem: None,
        };
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
        let result = TopSeed(&mut reading)
            .deserialize(&mut de)
            .and_then(|()| de.end());
        if let Some(p) = reading.problem.take() {
            return Err(p);
        }
        if let Err(e) = result {
            return Err(OfferError {
                file: file.to_owned(),
                place: format!("line {}, column {}", e.line(), e.column()),
                message: format!(
                    "not an AWS price list offer file: {}",
                    crate::scenario::words::plain(&strip_position(&e.to_string()))
                ),
            });
        }
        let err = |place: &str, message: &str| OfferError {
            file: file.to_owned(),
            place: place.to_owned(),
            message: message.to_owned(),
        };
        let offer_code = reading
            .offer_code
            .clone()
            .ok_or_else(|| err("offerCode", "missing: expected AmazonEC2 or AmazonECS"))?;
        if offer_code != "AmazonEC2" && offer_code != "AmazonECS" {
            return Err(err(
                "offerCode",
                &format!("expected AmazonEC2 or AmazonECS, found {offer_code:?}"),
            ));
        }
        let publication_date = reading.publication_date.clone().ok_or_else(|| {
            err(
                "publicationDate",
                "missing: expected the offer's date, e.g. \"2026-07-20T13:44:30Z\"",
            )
        })?;
        // "2026-07-20T13:44:30Z" → "2026-07-20".
        let date = publication_date
            .split('T')
            .next()
            .unwrap_or(&publication_date)
            .to_owned();
        let mut prices_kept = 0;
        // In SKU order, so which product's shape a type takes (the first) never depends on
        // hash order: same files, same tables.
        let mut kept: Vec<(&String, &Kept)> = reading.kept.iter().collect();
        kept.sort_by(|a, b| a.0.cmp(b.0));
        for (sku, kept) in kept {
            let Some((usd, _)) = reading.prices.get(sku) else {
                continue;
            };
            prices_kept += 1;
            match kept {
                Kept::Ec2 {
                    region,
                    instance_type,
                    windows,
                    shape,
                } => {
                    let entry = self
                        .ec2
                        .entry((region.clone(), instance_type.clone()))
                        .or_default();
                    if *windows {
                        entry.1 = Some(*usd);
                    } else {
                        entry.0 = Some(*usd);
                    }
                    self.shapes
                        .entry(instance_type.clone())
                        .or_insert_with(|| shape.clone());
                    self.ec2_dates.insert(region.clone(), date.clone());
                }
                Kept::Fargate { region, rate } => {
                    let per_second = Some(usd / SECONDS_PER_HOUR);
                    let r = self.fargate.entry(region.clone()).or_default();
                    let slot = match rate {
                        FargateRate::X86Vcpu => &mut r.x86_usd_per_vcpu_second,
                        FargateRate::X86Gb => &mut r.x86_usd_per_gb_second,
                        FargateRate::ArmVcpu => &mut r.arm_usd_per_vcpu_second,
                        FargateRate::ArmGb => &mut r.arm_usd_per_gb_second,
                        FargateRate::WindowsVcpu => &mut r.windows_usd_per_vcpu_second,
                        FargateRate::WindowsGb => &mut r.windows_usd_per_gb_second,
                        FargateRate::WindowsLicence => &mut r.windows_licence_usd_per_vcpu_second,
                        FargateRate::SpotX86Vcpu => &mut r.spot_x86_usd_per_vcpu_second,
                        FargateRate::SpotX86Gb => &mut r.spot_x86_usd_per_gb_second,
                        FargateRate::SpotArmVcpu => &mut r.spot_arm_usd_per_vcpu_second,
                        FargateRate::SpotArmGb => &mut r.spot_arm_usd_per_gb_second,
                        FargateRate::Ephemeral => &mut r.ephemeral_usd_per_gb_second,
                    };
                    *slot = per_second;
                    self.fargate_dates.insert(region.clone(), date.clone());
                }
            }
        }
        if reading.kept.is_empty() {
            return Err(err(
                "products",
                &format!(
                    "no product passed the filter ({}); is this the whole offer file?",
                    if offer_code == "AmazonEC2" {
                        "Compute Instance, shared tenancy, capacitystatus Used, no pre-installed \
                         software, Linux or Windows with the licence included, locationType AWS \
                         Region"
                    } else {
                        "the Fargate usage types, e.g. USE1-Fargate-vCPU-Hours:perCPU"
                    }
                ),
            ));
        }
        Ok(OfferSummary {
            offer_code,
            publication_date,
            products_kept: reading.kept.len(),
            prices_kept,
        })
    }

    /// The tables the files read so far describe: the instance shapes of `base` (whose ENI,
    /// trunking, GPU memory and hypervisor columns offer files do not carry), plus any type
    /// only the offer files know, with what they state; and per Region the prices found.
    /// A type with a Windows price and no Linux price is left out (the catalog is keyed on
    /// the Linux price).
    pub fn tables(&self, base: &Tables) -> Tables {
        let mut out = Tables {
            instance_types: base.instance_types.clone(),
            regions: BTreeMap::new(),
        };
        let known: std::collections::BTreeSet<String> =
            base.instance_types.iter().map(|t| t.name.clone()).collect();
        for (name, s) in &self.shapes {
            if known.contains(name) {
                continue;
            }
            let (Some(vcpu), Some(memory_mib)) = (s.vcpu, s.memory_mib) else {
                continue;
            };
            if vcpu == 0 || memory_mib == 0 {
                continue;
            }
            out.instance_types.push(Shape {
                name: name.clone(),
                arch: if s.arm {
                    CpuArchitecture::Arm64
                } else {
                    CpuArchitecture::X86_64
                },
                vcpu,
                memory_mib,
                gpu_count: s.gpu_count,
                gpu_memory_mib_per_gpu: 0,
                accelerator_count: 0,
                max_enis: None,
                branch_enis: None,
                trunking: None,
                hypervisor: None,
                ecs_awsvpc_tasks: None,
                ecs_awsvpc_tasks_trunking: None,
            });
        }
        let shaped: std::collections::BTreeSet<&str> =
            out.instance_types.iter().map(|t| t.name.as_str()).collect();
        for ((region, name), (linux, windows)) in &self.ec2 {
            let Some(linux) = linux else { continue };
            if !shaped.contains(name.as_str()) {
                continue;
            }
            out.regions.entry(region.clone()).or_default().ec2.insert(
                name.clone(),
                Ec2Price {
                    linux_usd_per_hour: *linux,
                    windows_usd_per_hour: *windows,
                },
            );
        }
        for (region, rates) in &self.fargate {
            out.regions.entry(region.clone()).or_default().fargate = Some(*rates);
        }
        for (region, r) in out.regions.iter_mut() {
            r.ec2_prices_as_of = self.ec2_dates.get(region).cloned();
            r.fargate_prices_as_of = self.fargate_dates.get(region).cloned();
        }
        out
    }
}

/// serde_json appends " at line L column C"; the error reports them separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

struct TopSeed<'r, 'a>(&'r mut Reading<'a>);

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an offer file: a JSON object with products and terms")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "offerCode" => self.0.offer_code = Some(map.next_value()?),
                "publicationDate" => self.0.publication_date = Some(map.next_value()?),
                "products" => {
                    map.next_value_seed(ProductsSeed(&mut *self.0))?;
                    self.0.products_done = true;
                }
                "terms" => map.next_value_seed(TermsSeed(&mut *self.0))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if self.0.problem.is_some() {
                // Stop at the first problem: the rest of a huge file would only be skipped.
                return Ok(());
            }
        }
        Ok(())
    }
}

struct ProductsSeed<'r, 'a>(&'r mut Reading<'a>);

impl<'de> DeserializeSeed<'de> for ProductsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ProductsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("products: an object of products by SKU")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(sku) = map.next_key::<String>()? {
            let product: RawProduct = map.next_value()?;
            if let Some(kept) = self.0.classify(&sku, product) {
                self.0.kept.insert(sku, kept);
            }
            if self.0.problem.is_some() {
                return Ok(());
            }
        }
        Ok(())
    }
}

struct TermsSeed<'r, 'a>(&'r mut Reading<'a>);

impl<'de> DeserializeSeed<'de> for TermsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TermsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("terms: an object of term types (OnDemand, Reserved)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(kind) = map.next_key::<String>()? {
            if kind == "OnDemand" {
                map.next_value_seed(OnDemandSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct OnDemandSeed<'r, 'a>(&'r mut Reading<'a>);

impl<'de> DeserializeSeed<'de> for OnDemandSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OnDemandSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("terms.OnDemand: an object of offer terms by SKU")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(sku) = map.next_key::<String>()? {
            // Once products are read, the terms of SKUs the filter dropped are skipped
            // unparsed; before (an unusual key order), every price is kept until the end.
            if self.0.products_done && !self.0.kept.contains_key(&sku) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let terms: BTreeMap<String, RawTerm> = map.next_value()?;
            for (code, term) in terms {
                for (rate_code, dim) in term.price_dimensions {
                    let path = format!(
                        "terms.OnDemand.{sku}.{code}.priceDimensions.{rate_code}.pricePerUnit.USD"
                    );
                    let Some(text) = dim.price_per_unit.get("USD") else {
                        self.0
                            .fail(path, "missing: expected a price in USD".to_owned());
                        return Ok(());
                    };
                    match text.parse::<f64>() {
                        Ok(usd) if usd.is_finite() && usd >= 0.0 => {
                            // The first dimension wins: On-Demand instance and Fargate terms
                            // have one ("Hrs", "hours", "GB-Hours").
                            self.0.prices.entry(sku.clone()).or_insert((usd, path));
                        }
                        _ => {
                            self.0.fail(
                                path,
                                format!(
                                    "expected a price such as \"0.0960000000\", found {text:?}"
                                ),
                            );
                            return Ok(());
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_usage_types_with_and_without_a_region_prefix() {
        assert_eq!(fargate_rate("Fargate-GB-Hours"), Some(FargateRate::X86Gb));
        assert_eq!(
            fargate_rate("USE1-Fargate-GB-Hours"),
            Some(FargateRate::X86Gb)
        );
        // eu-west-1's prefix is "EU-"; the Spot name must not be read as the On-Demand one.
        assert_eq!(
            fargate_rate("EU-SpotUsage-Fargate-GB-Hours"),
            Some(FargateRate::SpotX86Gb)
        );
        assert_eq!(
            fargate_rate("SpotUsage-Fargate-ARM-vCPU-Hours:perCPU"),
            Some(FargateRate::SpotArmVcpu)
        );
        assert_eq!(
            fargate_rate("APN1-Fargate-Windows-OS-Hours:perCPU"),
            Some(FargateRate::WindowsLicence)
        );
        assert_eq!(fargate_rate("USE1-ECS-EC2-vCPU-Hours"), None);
        assert_eq!(fargate_rate("USE1-BoxUsage:m5.large"), None);
    }

    const EC2: &str = r#"{
      "offerCode": "AmazonEC2", "publicationDate": "2026-08-01T00:00:00Z",
      "terms": {"OnDemand": {
        "A": {"A.T": {"priceDimensions": {"A.T.R": {"unit": "Hrs", "pricePerUnit": {"USD": "0.1000000000"}}}}},
        "B": {"B.T": {"priceDimensions": {"B.T.R": {"unit": "Hrs", "pricePerUnit": {"USD": "0.3000000000"}}}}}
      }},
      "products": {
        "A": {"productFamily": "Compute Instance", "attributes": {"instanceType": "m5.large",
          "regionCode": "eu-west-1", "operatingSystem": "Linux", "licenseModel": "No License required",
          "tenancy": "Shared", "capacitystatus": "Used", "preInstalledSw": "NA", "vcpu": "2", "memory": "8 GiB"}},
        "B": {"productFamily": "Compute Instance", "attributes": {"instanceType": "m5.large",
          "regionCode": "eu-west-1", "operatingSystem": "Linux", "licenseModel": "No License required",
          "tenancy": "Host", "capacitystatus": "Used", "preInstalledSw": "NA"}}
      }
    }"#;

    #[test]
    fn terms_before_products_still_pair_prices_with_the_kept_products() {
        // AWS writes products first; a file with the other order (hand-trimmed, say) keeps
        // every On-Demand price until the products are known, then uses the kept ones only.
        let mut offers = Offers::default();
        let s = offers
            .read(EC2.as_bytes(), "inline.json")
            .expect("valid offer");
        assert_eq!((s.products_kept, s.prices_kept), (1, 1));
        let t = offers.tables(crate::cloud::tables::embedded());
        let eu = &t.regions["eu-west-1"];
        assert_eq!(eu.ec2.len(), 1);
        assert_eq!(eu.ec2["m5.large"].linux_usd_per_hour, 0.1);
        assert_eq!(eu.ec2["m5.large"].windows_usd_per_hour, None);
        assert_eq!(eu.ec2_prices_as_of.as_deref(), Some("2026-08-01"));
        // No ECS file: no Fargate row, so `Catalog::for_region` refuses the Region and says
        // to give the AmazonECS offer file.
        assert_eq!(eu.fargate, None);
        let e = crate::cloud::Catalog::for_region(&t, "eu-west-1", Some("dir"))
            .expect_err("no Fargate rates");
        assert!(e.contains("AmazonECS offer file"), "{e}");
    }

    #[test]
    fn a_local_zone_product_does_not_replace_its_regions_price() {
        // Product "Z" sorts after "A", so before Local Zones were dropped its 0.12 replaced
        // the Region's 0.1 (SKU order decides which product of a type is applied last).
        let text = EC2
            .replacen(
                r#""regionCode": "eu-west-1", "operatingSystem""#,
                r#""regionCode": "eu-west-1", "locationType": "AWS Region", "operatingSystem""#,
                1,
            )
            .replacen(
                r#""B": {"B.T""#,
                r#""Z": {"Z.T": {"priceDimensions": {"Z.T.R": {"unit": "Hrs", "pricePerUnit": {"USD": "0.1200000000"}}}}},
        "B": {"B.T""#,
                1,
            )
            .replacen(
                r#""B": {"productFamily""#,
                r#""Z": {"productFamily": "Compute Instance", "attributes": {"instanceType": "m5.large",
          "regionCode": "eu-west-1", "location": "Europe (Dublin Local Zone)", "locationType": "AWS Local Zone",
          "operatingSystem": "Linux", "licenseModel": "No License required",
          "tenancy": "Shared", "capacitystatus": "Used", "preInstalledSw": "NA"}},
        "B": {"productFamily""#,
                1,
            );
        assert!(text.contains("AWS Local Zone") && text.contains("0.1200000000"));
        let mut offers = Offers::default();
        let s = offers
            .read(text.as_bytes(), "inline.json")
            .expect("valid offer");
        assert_eq!((s.products_kept, s.prices_kept), (1, 1));
        let t = offers.tables(crate::cloud::tables::embedded());
        assert_eq!(
            t.regions["eu-west-1"].ec2["m5.large"].linux_usd_per_hour,
            0.1
        );
    }

    #[test]
    fn a_product_without_its_region_is_named_by_path() {
        let text = EC2.replacen("\"regionCode\": \"eu-west-1\", ", "", 1);
        let e = Offers::default()
            .read(text.as_bytes(), "inline.json")
            .expect_err("no regionCode");
        assert_eq!(
            e.to_string(),
            "inline.json: products.A.attributes.regionCode: missing"
        );
    }
}
