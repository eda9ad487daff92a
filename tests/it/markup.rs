//! One small well-formedness checker for the markup the renderers write (SVG charts and
//! report.html): balanced tags, quoted attributes, no `<` inside a value. What differs
//! between the two documents (void elements, raw-text elements, text and value rules) is a
//! parameter. No XML crate: the checks are the point.

/// An element as (name, attributes).
pub type Element = (String, Vec<(String, String)>);

/// What a document allows beyond the common rules.
pub struct Rules<'a> {
    /// Elements that never close (HTML `meta`, `br`, …).
    pub void: &'a [&'a str],
    /// Elements whose content is raw text, skipped up to their end tag (HTML `style`).
    pub raw_text: &'a [&'a str],
    /// Checks the text between tags.
    pub text: &'a dyn Fn(&str),
    /// Checks one attribute value (`tag` for messages).
    pub value: &'a dyn Fn(&str, &str, &str),
}

/// What [`parse`] found.
pub struct Parsed<'d> {
    /// Every element, in document order.
    pub elements: Vec<Element>,
    /// Elements opened at the top level.
    pub roots: usize,
    /// Text after the last tag.
    pub rest: &'d str,
}

/// Tokenizes `doc`, asserting the common rules and `rules`.
pub fn parse<'d>(doc: &'d str, rules: &Rules) -> Parsed<'d> {
    let mut rest = doc;
    let mut elements = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    while let Some(start) = rest.find('<') {
        (rules.text)(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .unwrap_or_else(|| panic!("unclosed tag at {:?}", &rest[start..]))
            + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name.trim(), "mismatched closing tag");
            continue;
        }
        assert!(!tag.starts_with('!') && !tag.starts_with('?'), "<{tag}>");
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
        let name = body[..name_end].to_string();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "bad element name in <{tag}>"
        );
        if stack.is_empty() {
            roots += 1;
        }
        let mut attrs = Vec::new();
        let mut a = body[name_end..].trim();
        while !a.is_empty() {
            let eq = a
                .find('=')
                .unwrap_or_else(|| panic!("attribute without value in <{tag}>"));
            let key = a[..eq].trim().to_string();
            let after = &a[eq + 1..];
            assert!(after.starts_with('"'), "unquoted attribute in <{tag}>");
            let close = after[1..].find('"').expect("closing quote") + 1;
            let value = after[1..close].to_string();
            assert!(!value.contains('<'), "'<' in an attribute of <{tag}>");
            (rules.value)(&key, &value, tag);
            attrs.push((key, value));
            a = after[close + 1..].trim_start();
        }
        elements.push((name.clone(), attrs));
        if rules.raw_text.contains(&name.as_str()) {
            let end_tag = format!("</{name}>");
            let close = rest
                .find(&end_tag)
                .unwrap_or_else(|| panic!("no {end_tag}"));
            rest = &rest[close + end_tag.len()..];
            continue;
        }
        if !self_closing && !rules.void.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    Parsed {
        elements,
        roots,
        rest,
    }
}
