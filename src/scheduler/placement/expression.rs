//! The cluster query language subset used by `memberOf` constraints: a hand-written lexer and
//! recursive-descent parser, and the compiled form matched on the hot path.
//!
//! Owns `parse`, `Expr` (names as written), `CompiledExpr` (names resolved to typed ids) and
//! `ExpressionError`.
//! It does not know JSON paths (the scenario validator prefixes them) and models only the
//! subjects in [`Attribute`] and the operators `==`, `!=`, `in`, `!in` with `and`, `or`, `not`
//! and parentheses (ecs-reference §4.4); anything else is rejected with a message naming what
//! is accepted.
//!
//! Grammar (keywords are case-insensitive, `and` binds tighter than `or`):
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | "(" expr ")" | test
//! test    := subject ("==" value | "!=" value | "in" list | "!in" list)
//! list    := "[" value ("," value)* "]"
//! ```

use std::fmt;

use crate::cluster::ContainerInstance;

use super::attribute::{Attribute, AttributeNames, InstanceAttributes};

/// A comparison operator of the query language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `==`: the attribute equals the single value.
    Eq,
    /// `!=`: the attribute differs from the single value.
    Ne,
    /// `in [a, b]`: the attribute is one of the values.
    In,
    /// `!in [a, b]`: the attribute is none of the values.
    NotIn,
}

impl Operator {
    /// True for the operators that hold when the value is absent from the list.
    fn negated(self) -> bool {
        matches!(self, Operator::Ne | Operator::NotIn)
    }
}

/// A parsed expression, with attribute values as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `subject op value(s)`.
    Test {
        /// The attribute compared.
        subject: Attribute,
        /// The operator.
        op: Operator,
        /// One value for `==`/`!=`, one or more for `in`/`!in`.
        values: Vec<String>,
    },
    /// `not e`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// True if an instance with attributes `attrs` satisfies the expression.
    ///
    /// String comparison, exact and case-sensitive like ECS attribute values; for validation
    /// and tests. The simulation matches [`CompiledExpr`]s instead.
    pub fn matches(&self, attrs: &InstanceAttributes) -> bool {
        match self {
            Expr::Test {
                subject,
                op,
                values,
            } => {
                let v = attrs.get(*subject);
                values.iter().any(|x| x == v) != op.negated()
            }
            Expr::Not(e) => !e.matches(attrs),
            Expr::And(a, b) => a.matches(attrs) && b.matches(attrs),
            Expr::Or(a, b) => a.matches(attrs) || b.matches(attrs),
        }
    }

    /// Resolves value names to typed ids so matching compares integers.
    ///
    /// A value that names no AZ, instance type or architecture of the scenario is dropped: it
    /// can equal no instance's attribute, so `==`/`in` on it match nothing and `!=`/`!in`
    /// match everything, exactly as the string comparison would.
    pub fn compile(&self, names: &AttributeNames) -> CompiledExpr {
        match self {
            Expr::Test {
                subject,
                op,
                values,
            } => {
                let mut codes: Vec<u16> = values
                    .iter()
                    .filter_map(|v| names.value_code(*subject, v))
                    .collect();
                codes.sort_unstable();
                codes.dedup();
                CompiledExpr::Test {
                    subject: *subject,
                    codes,
                    negated: op.negated(),
                }
            }
            Expr::Not(e) => CompiledExpr::Not(Box::new(e.compile(names))),
            Expr::And(a, b) => {
                CompiledExpr::And(Box::new(a.compile(names)), Box::new(b.compile(names)))
            }
            Expr::Or(a, b) => {
                CompiledExpr::Or(Box::new(a.compile(names)), Box::new(b.compile(names)))
            }
        }
    }
}

impl fmt::Display for Expr {
    /// Writes the expression back in query-language syntax, fully parenthesised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Test {
                subject,
                op,
                values,
            } => match op {
                Operator::Eq => write!(f, "{} == {}", subject.subject(), values.join(", ")),
                Operator::Ne => write!(f, "{} != {}", subject.subject(), values.join(", ")),
                Operator::In => write!(f, "{} in [{}]", subject.subject(), values.join(", ")),
                Operator::NotIn => {
                    write!(f, "{} !in [{}]", subject.subject(), values.join(", "))
                }
            },
            Expr::Not(e) => write!(f, "not ({e})"),
            Expr::And(a, b) => write!(f, "({a}) and ({b})"),
            Expr::Or(a, b) => write!(f, "({a}) or ({b})"),
        }
    }
}

/// An expression whose values are typed ids ([`Attribute::value_of`] codes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompiledExpr {
    /// The attribute's code is in `codes` (or not, when `negated`).
    Test {
        /// The attribute compared.
        subject: Attribute,
        /// Sorted, deduplicated codes of the known values.
        codes: Vec<u16>,
        /// True for `!=` and `!in`.
        negated: bool,
    },
    /// `not e`.
    Not(Box<CompiledExpr>),
    /// `a and b`.
    And(Box<CompiledExpr>, Box<CompiledExpr>),
    /// `a or b`.
    Or(Box<CompiledExpr>, Box<CompiledExpr>),
}

impl CompiledExpr {
    /// True if `inst` satisfies the expression.
    #[inline]
    pub fn matches(&self, inst: &ContainerInstance) -> bool {
        match self {
            CompiledExpr::Test {
                subject,
                codes,
                negated,
            } => codes.contains(&subject.value_of(inst)) != *negated,
            CompiledExpr::Not(e) => !e.matches(inst),
            CompiledExpr::And(a, b) => a.matches(inst) && b.matches(inst),
            CompiledExpr::Or(a, b) => a.matches(inst) || b.matches(inst),
        }
    }
}

/// Why an expression did not parse: what was expected, at which character.
///
/// The scenario validator prefixes the JSON path of the expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} at character {offset} of the expression, found {found}")]
pub struct ExpressionError {
    /// 0-based offset, in characters (not bytes), of the offending token.
    pub offset: usize,
    /// What the parser would have accepted there.
    pub expected: String,
    /// What it found, quoted, or `end of expression`.
    pub found: String,
}

/// Parses a `memberOf` expression.
///
/// # Errors
/// If `s` is not in the supported subset; the error names the expected token and its offset.
pub fn parse(s: &str) -> Result<Expr, ExpressionError> {
    let tokens = lex(s);
    let end = s.chars().count();
    let mut p = Parser {
        tokens,
        pos: 0,
        end,
    };
    let e = p.or_expr()?;
    if p.pos < p.tokens.len() {
        return Err(p.error("`and`, `or` or the end of the expression"));
    }
    Ok(e)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    EqEq,
    NotEq,
    NotIn,
    Word(String),
    /// Punctuation the subset does not support (`=~`, `!exists`, a lone `=`…), kept so the
    /// parser can report it where it stands.
    Unsupported(String),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::EqEq => "`==`".into(),
            Tok::NotEq => "`!=`".into(),
            Tok::NotIn => "`!in`".into(),
            Tok::Word(w) | Tok::Unsupported(w) => format!("`{w}`"),
        }
    }
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']' | ',' | '=' | '!')
}

/// Splits `s` into tokens with their character offsets. Never fails: unknown punctuation
/// becomes `Tok::Unsupported` so the error can say what was expected instead.
fn lex(s: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word_end = |mut j: usize| {
        while j < chars.len() && is_word_char(chars[j]) {
            j += 1;
        }
        j
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '=' | '!' if chars.get(i + 1) == Some(&'=') => {
                i += 2;
                out.push((if c == '=' { Tok::EqEq } else { Tok::NotEq }, start));
                continue;
            }
            '=' | '!' => {
                let j = word_end(i + 1);
                let rest: String = chars[i + 1..j].iter().collect();
                i = j;
                let tok = if c == '!' && rest.eq_ignore_ascii_case("in") {
                    Tok::NotIn
                } else {
                    Tok::Unsupported(format!("{c}{rest}"))
                };
                out.push((tok, start));
                continue;
            }
            _ => {
                let j = word_end(i);
                let w: String = chars[i..j].iter().collect();
                i = j;
                out.push((Tok::Word(w), start));
                continue;
            }
        };
        i += 1;
        out.push((tok, start));
    }
    out
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

const SUBJECTS: &str =
    "a subject (attribute:ecs.availability-zone, attribute:ecs.instance-type, attribute:ecs.cpu-architecture, attribute:ecs.os-type or attribute:ecs.os-family)";

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn error(&self, expected: &str) -> ExpressionError {
        let (offset, found) = match self.tokens.get(self.pos) {
            Some((t, off)) => (*off, t.describe()),
            None => (self.end, "end of expression".to_string()),
        };
        ExpressionError {
            offset,
            expected: expected.to_string(),
            found,
        }
    }

    fn or_expr(&mut self) -> Result<Expr, ExpressionError> {
        let mut e = self.and_expr()?;
        while self.peek_keyword("or") {
            self.pos += 1;
            let rhs = self.and_expr()?;
            e = Expr::Or(Box::new(e), Box::new(rhs));
        }
        Ok(e)
    }

    fn and_expr(&mut self) -> Result<Expr, ExpressionError> {
        let mut e = self.unary()?;
        while self.peek_keyword("and") {
            self.pos += 1;
            let rhs = self.unary()?;
            e = Expr::And(Box::new(e), Box::new(rhs));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, ExpressionError> {
        if self.peek_keyword("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or_expr()?;
            if self.peek() != Some(&Tok::RParen) {
                return Err(self.error("`)`, `and` or `or`"));
            }
            self.pos += 1;
            return Ok(e);
        }
        self.test()
    }

    fn test(&mut self) -> Result<Expr, ExpressionError> {
        let subject = match self.peek() {
            Some(Tok::Word(w)) => Attribute::parse(w).ok_or_else(|| self.error(SUBJECTS))?,
            _ => return Err(self.error(&format!("`not`, `(` or {SUBJECTS}"))),
        };
        self.pos += 1;
        let op = match self.peek() {
            Some(Tok::EqEq) => Operator::Eq,
            Some(Tok::NotEq) => Operator::Ne,
            Some(Tok::NotIn) => Operator::NotIn,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => Operator::In,
            _ => return Err(self.error("an operator (`==`, `!=`, `in` or `!in`)")),
        };
        self.pos += 1;
        let values = match op {
            Operator::Eq | Operator::Ne => vec![self.value()?],
            Operator::In | Operator::NotIn => self.list()?,
        };
        Ok(Expr::Test {
            subject,
            op,
            values,
        })
    }

    fn value(&mut self) -> Result<String, ExpressionError> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.error("an attribute value")),
        }
    }

    fn list(&mut self) -> Result<Vec<String>, ExpressionError> {
        if self.peek() != Some(&Tok::LBracket) {
            return Err(self.error("`[` starting a value list"));
        }
        self.pos += 1;
        let mut values = vec![self.value()?];
        loop {
            match self.peek() {
                Some(Tok::Comma) => {
                    self.pos += 1;
                    values.push(self.value()?);
                }
                Some(Tok::RBracket) => {
                    self.pos += 1;
                    return Ok(values);
                }
                _ => return Err(self.error("`,` or `]`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::CpuArchitecture;

    fn attrs<'a>(az: &'a str, ty: &'a str, arch: CpuArchitecture) -> InstanceAttributes<'a> {
        InstanceAttributes {
            availability_zone: az,
            instance_type: ty,
            cpu_architecture: arch,
            os: crate::units::OsFamily::Linux,
        }
    }

    #[test]
    fn parses_in_list() {
        let e = parse("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]").unwrap();
        assert_eq!(
            e,
            Expr::Test {
                subject: Attribute::AvailabilityZone,
                op: Operator::In,
                values: vec!["us-east-1a".into(), "us-east-1b".into()],
            }
        );
        assert!(e.matches(&attrs("us-east-1b", "m5.large", CpuArchitecture::X86_64)));
        assert!(!e.matches(&attrs("us-east-1c", "m5.large", CpuArchitecture::X86_64)));
    }

    #[test]
    fn parses_or_of_eq_and_ne() {
        let e = parse(
            "attribute:ecs.instance-type == t3.large or attribute:ecs.cpu-architecture != arm64",
        )
        .unwrap();
        assert!(matches!(e, Expr::Or(_, _)));
        // t3.large on arm64: left side true.
        assert!(e.matches(&attrs("a", "t3.large", CpuArchitecture::Arm64)));
        // m6g.large on arm64: both sides false.
        assert!(!e.matches(&attrs("a", "m6g.large", CpuArchitecture::Arm64)));
        // m5.large on x86_64: right side true.
        assert!(e.matches(&attrs("a", "m5.large", CpuArchitecture::X86_64)));
    }

    #[test]
    fn parses_not_with_parentheses() {
        let e = parse("not (attribute:ecs.availability-zone == us-east-1c)").unwrap();
        assert!(matches!(e, Expr::Not(_)));
        assert!(e.matches(&attrs("us-east-1a", "x", CpuArchitecture::X86_64)));
        assert!(!e.matches(&attrs("us-east-1c", "x", CpuArchitecture::X86_64)));
        // No space after `not`, and upper-case keywords.
        let e2 = parse("NOT(attribute:ecs.availability-zone == us-east-1c)").unwrap();
        assert_eq!(e, e2);
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // a or b and c == a or (b and c): true when only a holds.
        let e = parse(
            "attribute:ecs.availability-zone == z1 or attribute:ecs.instance-type == t \
             and attribute:ecs.cpu-architecture == arm64",
        )
        .unwrap();
        assert!(e.matches(&attrs("z1", "other", CpuArchitecture::X86_64)));
        assert!(!e.matches(&attrs("z2", "t", CpuArchitecture::X86_64)));
        assert!(e.matches(&attrs("z2", "t", CpuArchitecture::Arm64)));
    }

    #[test]
    fn not_in_list() {
        let e = parse("attribute:ecs.instance-type !in [t3.large,t3.small]").unwrap();
        assert!(!e.matches(&attrs("z", "t3.small", CpuArchitecture::X86_64)));
        assert!(e.matches(&attrs("z", "m5.large", CpuArchitecture::X86_64)));
    }

    #[test]
    fn rejects_garbage_with_position() {
        let err = parse("attribute:ecs.ami-id == ami-123").unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(
            err.expected.contains("attribute:ecs.availability-zone"),
            "{err}"
        );
        assert_eq!(err.found, "`attribute:ecs.ami-id`");

        // `=~` is real ECS syntax the subset does not model: reported at its position.
        let err = parse("attribute:ecs.instance-type =~ t2.*").unwrap_err();
        // The subject is 27 characters, then a space: `=~` starts at 28.
        assert_eq!(err.offset, 28);
        assert!(err.expected.contains("`==`"), "{err}");

        let err = parse("attribute:ecs.availability-zone in [a, b").unwrap_err();
        // "attribute:ecs.availability-zone in [a, b" is 40 characters long.
        assert_eq!(err.offset, 40);
        assert_eq!(err.found, "end of expression");
        assert_eq!(err.expected, "`,` or `]`");

        let err = parse("(attribute:ecs.availability-zone == a").unwrap_err();
        assert!(err.expected.starts_with("`)`"), "{err}");

        let err = parse("attribute:ecs.availability-zone == a b").unwrap_err();
        assert_eq!(err.offset, 37);

        assert!(parse("").is_err());
        assert!(parse("attribute:ecs.availability-zone in []").is_err());
        assert_eq!(
            parse("attribute:ecs.availability-zone ==").unwrap_err().to_string(),
            "expected an attribute value at character 34 of the expression, found end of expression"
        );
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        // "é" is two bytes but one character.
        let err = parse("é").unwrap_err();
        assert_eq!(err.offset, 0);
        let err = parse("attribute:ecs.availability-zone == é x").unwrap_err();
        // 31 (subject) + 1 + 2 (==) + 1 + 1 (é) + 1 = 37.
        assert_eq!(err.offset, 37);
    }

    #[test]
    fn compile_resolves_names_and_unknown_values_match_nothing() {
        let names = AttributeNames::new(
            vec!["us-east-1a".into(), "us-east-1b".into()],
            vec!["m5.large".into()],
        );
        let c = parse("attribute:ecs.availability-zone in [us-east-1b, nowhere-1z]")
            .unwrap()
            .compile(&names);
        assert_eq!(
            c,
            CompiledExpr::Test {
                subject: Attribute::AvailabilityZone,
                codes: vec![1],
                negated: false,
            }
        );
        let none = parse("attribute:ecs.instance-type == c7.huge")
            .unwrap()
            .compile(&names);
        assert_eq!(
            none,
            CompiledExpr::Test {
                subject: Attribute::InstanceType,
                codes: vec![],
                negated: false,
            }
        );
    }
}
