//! serde's messages in the scenario's words.
//!
//! serde describes what it expected in Rust's terms (`expected i64`, `struct ClusterFile`,
//! `unknown variant`, `a sequence`) and appends `at line 3 column 5` to messages that already
//! carry a position. A scenario's author wrote JSON, not Rust, so every message serde produces
//! passes through [`plain`] once, where it is read: `Lenient` elements, the whole file and
//! variant documents. The rewrites are textual because serde offers no structured form of
//! these messages; a message it does not recognise passes through unchanged (never worse).

/// `message` (a serde or serde_json error's text) in JSON terms: "expected a whole number,
/// found \"6\"" instead of "invalid type: string \"6\", expected i64".
pub(crate) fn plain(message: &str) -> String {
    let message = without_position(message);
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((found, expected)) = rest.split_once(", expected ") {
                return format!(
                    "expected {}, found {}",
                    expected_words(expected),
                    found_words(found)
                );
            }
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        if let Some((n, expected)) = rest.split_once(", expected ") {
            let items = if n == "1" { "item" } else { "items" };
            return format!("expected {}, found {n} {items}", expected_words(expected));
        }
    }
    // Enums stand for "exactly one of these keys" (a workload source, a distribution).
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return match rest.split_once(", expected ") {
            Some((found, expected)) => format!("unknown key {found}; expected {expected}"),
            None => format!("unknown key {rest}"),
        };
    }
    message.to_string()
}

/// serde_json appends ` at line L column C`; the caller reports the position itself.
fn without_position(message: &str) -> &str {
    if let Some(i) = message.rfind(" at line ") {
        let tail = &message[i + " at line ".len()..];
        let mut parts = tail.split(" column ");
        if let (Some(l), Some(c), None) = (parts.next(), parts.next(), parts.next()) {
            if l.chars().all(|x| x.is_ascii_digit()) && c.chars().all(|x| x.is_ascii_digit()) {
                return &message[..i];
            }
        }
    }
    message
}

/// What serde expected, as a JSON value.
fn expected_words(expected: &str) -> String {
    let words = match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "f32" | "f64" => "a number",
        "a sequence" => "a list",
        "a map" => "an object",
        "a boolean" => "true or false",
        "a borrowed string" | "a string" => "a string",
        "unit" => "null",
        "map with a single key" => "an object with exactly one key",
        e if e.starts_with("struct ") || e.starts_with("tuple struct ") => "an object",
        e if e.starts_with("enum ") => "an object with exactly one key",
        e => return e.to_string(),
    };
    words.to_string()
}

/// What serde found, as the JSON the author wrote.
fn found_words(found: &str) -> String {
    let unquote = |s: &str| s.trim_matches('`').to_string();
    match found {
        "map" => "an object".to_string(),
        "sequence" => "a list".to_string(),
        "null" | "unit value" => "null".to_string(),
        f => {
            for prefix in ["integer ", "floating point ", "boolean "] {
                if let Some(v) = f.strip_prefix(prefix) {
                    return unquote(v);
                }
            }
            // `string "x"`: the quotes already say it is a string.
            f.strip_prefix("string ").unwrap_or(f).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn rust_types_become_json_words() {
        assert_eq!(
            plain("invalid type: string \"6\", expected i64"),
            "expected a whole number, found \"6\""
        );
        assert_eq!(
            plain("invalid value: integer `-1`, expected u32"),
            "expected a whole number from 0 to 4294967295, found -1"
        );
        assert_eq!(
            plain("invalid type: floating point `6.5`, expected i64"),
            "expected a whole number, found 6.5"
        );
        assert_eq!(
            plain("invalid type: string \"x\", expected struct ClusterFile"),
            "expected an object, found \"x\""
        );
        assert_eq!(
            plain("invalid type: map, expected a sequence at line 86 column 14"),
            "expected a list, found an object"
        );
        assert_eq!(
            plain("invalid length 1, expected struct ScenarioFile with 15 elements"),
            "expected an object, found 1 item"
        );
        assert_eq!(
            plain("unknown variant `csvv`, expected one of `csv`, `swf`"),
            "unknown key `csvv`; expected one of `csv`, `swf`"
        );
        assert_eq!(
            plain("invalid value: map, expected map with a single key"),
            "expected an object with exactly one key, found an object"
        );
    }

    #[test]
    fn messages_in_json_terms_pass_through() {
        for m in [
            "missing field `maxCapacity`",
            "unknown field `foo`, expected `name` or `autoScalingGroupProvider`",
            "negative duration -5; expected a duration such as \"90s\"",
        ] {
            assert_eq!(plain(m), m);
        }
    }
}
