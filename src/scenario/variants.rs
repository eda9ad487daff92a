//! Named variants of one scenario: the same workload under other capacity setups, for
//! `ecsim compare`.
//!
//! A scenario file may carry a top-level `variants` list. Each variant has a `name`, an
//! optional `description`, a `set` object mapping RFC 6901 JSON Pointers to values, and a
//! `remove` list of pointers. A variant's document is the base document (without `variants`)
//! with, in this order, every `set` entry applied in the order the file lists them, then every
//! `remove` entry in list order; each pointer addresses the document as the earlier entries
//! left it. `set` creates missing object members on the way as empty objects (so
//! `/settings/measureFrom` works on a file without `settings`; a misspelt member is still
//! refused, by the parser, at its path), then an object gets (or replaces) the key, and an
//! array index must exist (replaced) or be `-` (appended). `remove` needs the target to
//! exist. The patched document then goes through the ordinary parser and validator, so a
//! variant is exactly as strict as a scenario file, and its trace paths stay relative to the
//! base file's folder.
//!
//! Patching works on `serde_json::Value`s; this module does no I/O of its own (the file is read
//! by [`load_set`] once). What it does not do: JSON Patch (RFC 6902) `move`/`copy`/`test`,
//! which a capacity comparison does not need.

use std::path::Path;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::{validate, Problem, Scenario, ScenarioError};

/// Longest variant name: it becomes a folder name under the compare output folder.
pub const MAX_VARIANT_NAME_LEN: usize = 64;

/// Most variants in one file (a limit on everything; each one is a whole run).
pub const MAX_VARIANTS: usize = 64;

/// A scenario file with its validated base and variants.
#[derive(Clone, Debug)]
pub struct ScenarioSet {
    /// The scenario as the file has it, without its variants.
    pub base: Scenario,
    /// The variants, in file order (empty when the file has none).
    pub variants: Vec<Variant>,
}

/// One validated variant.
#[derive(Clone, Debug)]
pub struct Variant {
    /// `variants[].name`: unique in its file, filename-safe.
    pub name: String,
    /// `variants[].description` (empty when absent).
    pub description: String,
    /// The patched, validated scenario. Its name is `<base name>-<variant name>` unless the
    /// variant sets `/name` itself, so each variant's report says which variant it is.
    pub scenario: Scenario,
}

/// `variants[]` as the file has it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct VariantFile {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    set: OrderedObject,
    #[serde(default)]
    remove: Vec<String>,
}

/// The top level, reading only `variants` (the base parser checks the rest).
#[derive(Debug, Deserialize)]
struct VariantsOnly {
    #[serde(default)]
    variants: Option<Vec<VariantFile>>,
}

/// A JSON object's entries in document order. `serde_json::Value` keeps objects sorted by
/// key (the crate's `preserve_order` feature is off), and `set` entries apply in the order
/// written, so `set` is read straight from the text with this visitor.
#[derive(Debug, Default)]
struct OrderedObject(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object mapping JSON Pointers to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedObject, A::Error> {
                let mut entries: Vec<(String, Value)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    if entries.iter().any(|(e, _)| *e == k) {
                        return Err(serde::de::Error::custom(format!(
                            "{k:?} is set twice; expected each pointer once"
                        )));
                    }
                    entries.push((k, v));
                }
                Ok(OrderedObject(entries))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads the scenario file at `path` and validates its base and every variant.
pub fn load_set(path: &Path) -> Result<ScenarioSet, ScenarioError> {
    load_set_with(path, &[])
}

/// [`load_set`] with `overrides` (the command line's `--set`) applied to the base document
/// before its variants, so every variant sees them.
pub fn load_set_with(path: &Path, overrides: &[Override]) -> Result<ScenarioSet, ScenarioError> {
    let (text, base_dir) = validate::read_file(path)?;
    set_from_json_str_with(&text, path, &base_dir, overrides)
}

/// One `--set POINTER=VALUE` of the command line: a what-if applied to a scenario without
/// editing its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// An RFC 6901 JSON Pointer into the scenario document.
    pub pointer: String,
    /// The value to put there.
    pub value: Value,
}

impl Override {
    /// Parses `POINTER=VALUE`. The pointer runs to the first `=` (the scenario format has no
    /// key with an `=` in it). VALUE is JSON (`7.5`, `true`, `[1,2]`, `"x"`); anything that
    /// is not JSON is taken as a string, so `--set /name=what-if` needs no shell quoting of
    /// JSON quotes. The pointer's syntax is checked here; whether it resolves is checked
    /// when it is applied.
    pub fn parse(arg: &str) -> Result<Override, String> {
        let Some((pointer, value)) = arg.split_once('=') else {
            return Err(format!(
                "expected POINTER=VALUE (e.g. /services/0/desiredCount=4), found {arg:?}"
            ));
        };
        // Also refuses a pointer into `variants`: --set changes the base, which every
        // variant is patched from.
        parse_pointer(pointer)?;
        let value =
            serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
        Ok(Override {
            pointer: pointer.to_string(),
            value,
        })
    }
}

/// Parses and validates scenario text with its variants; `file` names it in errors,
/// `base_dir` anchors relative paths (the same for every variant).
///
/// The base is checked first (its errors carry lines and columns). Then every variant is
/// patched and validated, and every problem of every variant is reported at once, each path
/// starting with the variant: `variants[2].set["/services/0/x"]` for a patch that cannot
/// apply, `variants[2] (ec2-spot): services[0].desiredCount` for a problem of the patched
/// scenario.
pub fn set_from_json_str(
    text: &str,
    file: &Path,
    base_dir: &Path,
) -> Result<ScenarioSet, ScenarioError> {
    set_from_json_str_with(text, file, base_dir, &[])
}

/// [`set_from_json_str`] with `overrides` applied, in order, to the base document (without
/// `variants`) before it is validated and before any variant is patched. A problem of the
/// overridden base is reported at its JSON path after `with --set:`, since the document it
/// was found in is not the file's text.
pub fn set_from_json_str_with(
    text: &str,
    file: &Path,
    base_dir: &Path,
    overrides: &[Override],
) -> Result<ScenarioSet, ScenarioError> {
    let text = validate::strip_bom(text);
    // Without overrides the base is validated from the file's text, so its problems carry
    // lines and columns. With overrides it is validated only once patched, so an override
    // can mend what the file gets wrong (the help promises "before validating").
    let validated = if overrides.is_empty() {
        Some(validate::from_json_str(text, file, base_dir)?)
    } else {
        None
    };
    let syntax = |e| validate::syntax_error(file, e);
    let listed: VariantsOnly = {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(syntax)?
    };
    let validated = match (validated, listed.variants.is_none()) {
        (Some(base), true) => {
            return Ok(ScenarioSet {
                base,
                variants: Vec::new(),
            })
        }
        (v, _) => v,
    };
    // The text parsed as `VariantsOnly`, so it is JSON with an object at the top.
    let mut doc: Value = serde_json::from_str(text).map_err(|e| ScenarioError::Syntax {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: super::words::plain(&e.to_string()),
    })?;
    if let Value::Object(m) = &mut doc {
        m.remove("variants");
    }
    let base = match validated {
        Some(base) => base,
        None => {
            let invalid = |problems| ScenarioError::Invalid {
                file: file.to_path_buf(),
                problems,
            };
            for o in overrides {
                set(&mut doc, &o.pointer, o.value.clone()).map_err(|message| {
                    invalid(vec![Problem {
                        path: format!("--set {}", o.pointer),
                        message,
                    }])
                })?;
            }
            validate::from_value(doc.clone(), base_dir).map_err(|ps| {
                invalid(
                    ps.into_iter()
                        .map(|p| Problem {
                            path: format!("with --set: {}", p.path),
                            message: p.message,
                        })
                        .collect(),
                )
            })?
        }
    };
    let Some(files) = listed.variants else {
        return Ok(ScenarioSet {
            base,
            variants: Vec::new(),
        });
    };
    let mut problems = Vec::new();
    if files.is_empty() {
        problems.push(Problem {
            path: "variants".into(),
            message: "expected at least one variant, or no `variants` key".into(),
        });
    }
    if files.len() > MAX_VARIANTS {
        problems.push(Problem {
            path: "variants".into(),
            message: format!(
                "{} variants is over the limit of {MAX_VARIANTS}",
                files.len()
            ),
        });
    }
    let mut variants = Vec::with_capacity(files.len());
    for (i, v) in files.into_iter().enumerate() {
        let at = format!("variants[{i}]");
        if let Err(m) = check_name(&v.name) {
            problems.push(Problem {
                path: format!("{at}.name"),
                message: m,
            });
        } else if let Some(j) = variants_named(&variants, &v.name) {
            problems.push(Problem {
                path: format!("{at}.name"),
                message: format!("{:?} is already the name of variants[{j}]", v.name),
            });
        }
        let patched = match patch(&doc, &v) {
            Ok(p) => p,
            Err((field, message)) => {
                problems.push(Problem {
                    path: format!("{at}.{field}"),
                    message,
                });
                continue;
            }
        };
        let sets_name = v.set.0.iter().any(|(p, _)| p == "/name");
        match validate::from_value(patched, base_dir) {
            Ok(mut scenario) => {
                if !sets_name {
                    scenario.name = format!("{}-{}", base.name, v.name);
                }
                variants.push((
                    i,
                    Variant {
                        name: v.name,
                        description: v.description.unwrap_or_default(),
                        scenario,
                    },
                ));
            }
            Err(ps) => {
                let label = format!("{at} ({})", v.name);
                problems.extend(ps.into_iter().map(|p| Problem {
                    path: if p.path.is_empty() {
                        label.clone()
                    } else {
                        format!("{label}: {}", p.path)
                    },
                    message: p.message,
                }));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid {
            file: file.to_path_buf(),
            problems,
        });
    }
    Ok(ScenarioSet {
        base,
        variants: variants.into_iter().map(|(_, v)| v).collect(),
    })
}

/// The index of the earlier variant called `name`, if any.
fn variants_named(variants: &[(usize, Variant)], name: &str) -> Option<usize> {
    variants
        .iter()
        // Case-insensitively: the names become folders, and some file systems fold case.
        .find(|(_, v)| v.name.eq_ignore_ascii_case(name))
        .map(|(i, _)| *i)
}

/// A variant name becomes a folder name: non-empty, at most [`MAX_VARIANT_NAME_LEN`]
/// characters from `A–Z a–z 0–9 . _ -`, not starting with `.` or `-`, and not one of
/// [`RESERVED_NAMES`].
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("expected a non-empty name".into());
    }
    if is_reserved_name(name) {
        return Err(format!(
            "{name:?} is a file or folder `ecsim compare` writes beside the variants' folders; choose another name"
        ));
    }
    if name.len() > MAX_VARIANT_NAME_LEN {
        return Err(format!(
            "{name:?} is longer than {MAX_VARIANT_NAME_LEN} characters"
        ));
    }
    let safe = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !safe || name.starts_with(['.', '-']) {
        return Err(format!(
            "{name:?} is used as a folder name; expected letters, digits, '.', '_' and '-', not starting with '.' or '-'"
        ));
    }
    Ok(())
}

/// Names `ecsim compare` writes in its output folder beside the variants' folders.
pub const RESERVED_NAMES: [&str; 3] = ["compare.json", "compare.html", "charts"];

/// `name` is one of [`RESERVED_NAMES`], in any case (a case-insensitive file system would
/// take `Charts` for `charts`).
pub fn is_reserved_name(name: &str) -> bool {
    RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// The base document with `v`'s patches applied, or the field (`set["/x"]`, `remove[1]`)
/// that could not apply and why.
fn patch(doc: &Value, v: &VariantFile) -> Result<Value, (String, String)> {
    let mut out = doc.clone();
    for (pointer, value) in &v.set.0 {
        let field = || format!("set[{}]", quoted(pointer));
        set(&mut out, pointer, value.clone()).map_err(|m| (field(), m))?;
    }
    for (i, pointer) in v.remove.iter().enumerate() {
        remove(&mut out, pointer).map_err(|m| (format!("remove[{i}]"), m))?;
    }
    Ok(out)
}

/// `s` as a JSON string literal, for paths like `set["/a/b"]`.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// The reference tokens of an RFC 6901 pointer (`~1` → `/`, `~0` → `~`). The empty pointer
/// (the whole document) and pointers into `variants` are refused: a variant patches a
/// scenario, it does not replace it or nest variants.
pub fn parse_pointer(pointer: &str) -> Result<Vec<String>, String> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "{} is not a JSON Pointer; expected one starting with '/', e.g. \"/services/0/desiredCount\"",
            quoted(pointer)
        ));
    };
    let mut tokens = Vec::new();
    for raw in rest.split('/') {
        let mut t = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '~' {
                t.push(c);
                continue;
            }
            match chars.next() {
                Some('0') => t.push('~'),
                Some('1') => t.push('/'),
                _ => {
                    return Err(format!(
                        "{}: '~' must be followed by '0' (for '~') or '1' (for '/')",
                        quoted(pointer)
                    ))
                }
            }
        }
        tokens.push(t);
    }
    if tokens.first().is_some_and(|t| t == "variants") {
        return Err("a variant cannot change `variants`".into());
    }
    Ok(tokens)
}

/// An array index token: digits without a leading zero (RFC 6901 §4).
fn index(token: &str) -> Option<usize> {
    let ok = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if ok {
        token.parse().ok()
    } else {
        None
    }
}

/// The value at `tokens` (the parent of the target), with a message naming the first token
/// that does not resolve.
fn walk<'a>(doc: &'a mut Value, tokens: &[String]) -> Result<&'a mut Value, String> {
    walk_or_create(doc, tokens, false)
}

/// [`walk`], creating missing object members as empty objects when `create` is set.
fn walk_or_create<'a>(
    doc: &'a mut Value,
    tokens: &[String],
    create: bool,
) -> Result<&'a mut Value, String> {
    let mut at = doc;
    let mut path = String::new();
    for t in tokens {
        path.push('/');
        path.push_str(&t.replace('~', "~0").replace('/', "~1"));
        if let (true, Value::Object(m)) = (create, &mut *at) {
            if !m.contains_key(t.as_str()) {
                m.insert(t.clone(), Value::Object(Default::default()));
            }
        }
        at = match at {
            Value::Object(m) => m
                .get_mut(t.as_str())
                .ok_or_else(|| format!("{} does not exist", quoted(&path)))?,
            Value::Array(a) => {
                let len = a.len();
                let i = index(t).ok_or_else(|| {
                    format!("{}: {} is not an array index", quoted(&path), quoted(t))
                })?;
                a.get_mut(i).ok_or_else(|| {
                    format!(
                        "{} does not exist: the array has {len} element{}",
                        quoted(&path),
                        if len == 1 { "" } else { "s" }
                    )
                })?
            }
            _ => {
                return Err(format!(
                    "{} does not exist: its parent is neither an object nor an array",
                    quoted(&path)
                ))
            }
        };
    }
    Ok(at)
}

/// Sets the value at `pointer`: an object member is added or replaced, an array element
/// replaced, or appended with `-`. Missing object members on the way are created empty (the
/// scenario parser then refuses any that is not a scenario field, at its JSON path); a missing
/// array element is an error.
pub fn set(doc: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let tokens = parse_pointer(pointer)?;
    let Some((last, parent)) = tokens.split_last() else {
        return Err("expected a pointer below the top level".into());
    };
    match walk_or_create(doc, parent, true)? {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" {
                a.push(value);
                return Ok(());
            }
            let len = a.len();
            match index(last).and_then(|i| a.get_mut(i)) {
                Some(slot) => {
                    *slot = value;
                    Ok(())
                }
                None => Err(format!(
                    "{} is not an element of an array of {len}; use an index below {len}, or \"-\" to append",
                    quoted(last)
                )),
            }
        }
        _ => Err(format!(
            "the parent of {} is neither an object nor an array",
            quoted(pointer)
        )),
    }
}

/// Removes the value at `pointer`; it must exist. Later array elements move down by one.
pub fn remove(doc: &mut Value, pointer: &str) -> Result<(), String> {
    let tokens = parse_pointer(pointer)?;
    let Some((last, parent)) = tokens.split_last() else {
        return Err("expected a pointer below the top level".into());
    };
    let missing = || format!("{} does not exist", quoted(pointer));
    match walk(doc, parent)? {
        Value::Object(m) => m.remove(last.as_str()).map(|_| ()).ok_or_else(missing),
        Value::Array(a) => match index(last) {
            Some(i) if i < a.len() => {
                a.remove(i);
                Ok(())
            }
            _ => Err(missing()),
        },
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn pointers_unescape_and_refuse_the_top_level() {
        assert_eq!(
            parse_pointer("/a~1b/c~0d/0").unwrap(),
            vec!["a/b", "c~d", "0"]
        );
        assert!(parse_pointer("a/b").is_err());
        assert!(parse_pointer("/a~2").is_err());
        assert!(parse_pointer("/variants/0").is_err());
        let mut doc = json!({"a": 1});
        assert!(set(&mut doc, "", json!(2)).is_err());
    }

    #[test]
    fn set_adds_replaces_and_appends() {
        let mut doc = json!({"a": {"b": [1, 2]}});
        set(&mut doc, "/a/c", json!("x")).unwrap();
        set(&mut doc, "/a/b/1", json!(20)).unwrap();
        set(&mut doc, "/a/b/-", json!(3)).unwrap();
        assert_eq!(doc, json!({"a": {"b": [1, 20, 3], "c": "x"}}));
    }

    #[test]
    fn set_creates_missing_members_but_needs_an_existing_index() {
        let mut doc = json!({"a": {"b": [1, 2]}});
        set(&mut doc, "/x/y", json!(1)).unwrap();
        assert_eq!(doc["x"], json!({"y": 1}));
        let e = set(&mut doc, "/a/b/5/z", json!(1)).unwrap_err();
        assert!(e.contains("the array has 2 elements"), "{e}");
        let e = set(&mut doc, "/a/b/2", json!(1)).unwrap_err();
        assert!(e.contains("array of 2"), "{e}");
        // RFC 6901: no leading zeros in an index.
        assert!(set(&mut doc, "/a/b/01", json!(1)).is_err());
        assert!(set(&mut doc, "/a/b/0/z", json!(1)).is_err());
    }

    #[test]
    fn remove_deletes_members_and_elements() {
        let mut doc = json!({"a": {"b": [1, 2, 3], "c": true}});
        remove(&mut doc, "/a/c").unwrap();
        remove(&mut doc, "/a/b/0").unwrap();
        assert_eq!(doc, json!({"a": {"b": [2, 3]}}));
        assert!(remove(&mut doc, "/a/c").is_err());
        assert!(remove(&mut doc, "/a/b/-").is_err());
        assert!(remove(&mut doc, "/a/b/5").is_err());
    }

    #[test]
    fn names_are_folder_safe() {
        assert!(check_name("ec2-spot_2.b").is_ok());
        for bad in ["", ".x", "-x", "a b", "a/b", "é"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"x".repeat(MAX_VARIANT_NAME_LEN + 1)).is_err());
    }

    #[test]
    fn set_entries_keep_document_order() {
        let v: VariantFile =
            serde_json::from_str(r#"{"name": "n", "set": {"/z": 1, "/a": 2, "/m": 3}}"#).unwrap();
        let keys: Vec<&str> = v.set.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["/z", "/a", "/m"]);
        let dup =
            serde_json::from_str::<VariantFile>(r#"{"name": "n", "set": {"/a": 1, "/a": 2}}"#);
        assert!(dup.is_err());
    }

    #[test]
    fn an_override_value_is_json_or_else_a_string() {
        let o = Override::parse("/services/0/load/trace/scale=7.5").unwrap();
        assert_eq!(o.pointer, "/services/0/load/trace/scale");
        assert_eq!(o.value, json!(7.5));
        assert_eq!(Override::parse("/a=[1,2]").unwrap().value, json!([1, 2]));
        assert_eq!(Override::parse("/a=\"x\"").unwrap().value, json!("x"));
        assert_eq!(
            Override::parse("/name=what-if").unwrap().value,
            json!("what-if")
        );
        // Only the first `=` splits.
        assert_eq!(Override::parse("/a=b=c").unwrap().value, json!("b=c"));
        assert!(Override::parse("/a").unwrap_err().contains("POINTER=VALUE"));
        assert!(Override::parse("a=1").is_err());
        assert!(Override::parse("/variants/0/name=x").is_err());
    }

    fn ec2_or_fargate() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ec2-or-fargate/scenario.json")
    }

    #[test]
    fn overrides_change_the_base_and_every_variant_sees_them() {
        let plain = load_set(&ec2_or_fargate()).unwrap();
        let o = |arg: &str| Override::parse(arg).unwrap();
        let with = load_set_with(
            &ec2_or_fargate(),
            &[
                o("/services/0/desiredCount=5"),
                o("/services/0/desiredCount=6"),
            ],
        )
        .unwrap();
        // Applied in order: the last one wins.
        assert_eq!(plain.base.services[0].desired_count, 2);
        assert_eq!(with.base.services[0].desired_count, 6);
        assert_eq!(with.base.name, plain.base.name);
        assert_eq!(with.variants.len(), plain.variants.len());
        for v in &with.variants {
            assert_eq!(v.scenario.services[0].desired_count, 6, "{}", v.name);
        }
    }

    #[test]
    fn a_bad_override_names_itself_and_the_json_path() {
        let o = |arg: &str| Override::parse(arg).unwrap();
        let e = load_set_with(&ec2_or_fargate(), &[o("/services/3/desiredCount=1")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--set /services/3/desiredCount"), "{e}");
        assert!(e.contains("does not exist"), "{e}");
        let e = load_set_with(&ec2_or_fargate(), &[o("/services/0/desiredCount=-1")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("with --set: services[0].desiredCount"), "{e}");
    }

    #[test]
    fn names_compare_writes_itself_are_refused_in_any_case() {
        for name in [
            "compare.json",
            "compare.html",
            "charts",
            "Charts",
            "COMPARE.JSON",
        ] {
            let e = check_name(name).unwrap_err();
            assert!(e.contains("ecsim compare"), "{name}: {e}");
        }
        assert!(check_name("charts-2").is_ok());
    }

    #[test]
    fn an_override_can_mend_what_the_file_gets_wrong() {
        let text = std::fs::read_to_string(ec2_or_fargate()).unwrap().replacen(
            "\"duration\": \"7d\"",
            "\"duration\": \"0s\"",
            1,
        );
        let dir = ec2_or_fargate().parent().unwrap().to_path_buf();
        let file = Path::new("broken.json");
        // As written, the file is invalid, with its line.
        let e = set_from_json_str(&text, file, &dir)
            .unwrap_err()
            .to_string();
        assert!(e.contains("duration"), "{e}");
        // With the duration set, base and variants validate.
        let o = Override::parse("/duration=1h").unwrap();
        let set = set_from_json_str_with(&text, file, &dir, &[o]).unwrap();
        assert_eq!(set.base.duration.as_secs_f64(), 3600.0);
        assert_eq!(set.variants.len(), 6);
    }
}
