//! Reading a serde struct out of a [`toml::Value`] while keeping where a problem is.
//!
//! A contract's keys are read only once its `kind` is known, from the table the file (or a `--set`)
//! gave; toml's own deserializer places errors by byte span, which a table taken out of the file no
//! longer has. This deserializer places them by key path instead: the first error comes back as a
//! [`PathError`] with the path from the table read to the offending key or value, so validation can
//! report it at its line and column (or at the `--set` that wrote it) like any other problem.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use toml::Value;

use crate::scenario::source::Seg;

/// A problem found reading a value, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathError {
    /// From the table read to the key (or value) at fault; empty for the table itself.
    pub(crate) path: Vec<Seg>,
    /// What is wrong.
    pub(crate) message: String,
    /// True when the last key of `path` is itself the problem (not a field of its table).
    pub(crate) at_key: bool,
}

impl PathError {
    /// The same error, one level further out: `seg` is the key or element it was found under.
    fn within(mut self, seg: Seg) -> Self {
        self.path.insert(0, seg);
        self
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathError {}

impl de::Error for PathError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PathError { path: Vec::new(), message: msg.to_string(), at_key: false }
    }

    /// A name outside a closed set (`settle = "bonds"`): say which names are allowed.
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let names: Vec<String> = expected.iter().map(|n| format!("{n:?}")).collect();
        let list = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.concat(),
        };
        Self::custom(format!("unknown value {variant:?}; use {list}"))
    }
}

/// Reads a `T` from `value`.
///
/// # Errors
/// The first problem, with its path inside `value`.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, PathError> {
    T::deserialize(ValueDe(value))
}

/// The keys of a struct read by serde's derive, in declaration order (what its unknown-key errors
/// list).
pub(crate) fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldsProbe(&mut fields));
    fields
}

struct ValueDe(Value);

impl<'de> de::Deserializer<'de> for ValueDe {
    type Error = PathError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            Value::Integer(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::Boolean(b) => visitor.visit_bool(b),
            Value::Datetime(_) => Err(de::Error::invalid_type(de::Unexpected::Other("a date-time"), &visitor)),
            Value::Array(items) => visitor.visit_seq(Seq { items: items.into_iter(), index: 0 }),
            Value::Table(t) => visitor.visit_map(Map { entries: t.into_iter(), value: None }),
        }
    }

    /// A key that is present holds a value (absent keys are `None`).
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PathError> {
        visitor.visit_newtype_struct(self)
    }

    /// Closed sets of names are written as strings.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            other => ValueDe(other).deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Map {
    entries: <toml::Table as IntoIterator>::IntoIter,
    value: Option<(String, Value)>,
}

impl<'de> MapAccess<'de> for Map {
    type Error = PathError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, PathError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        let read = seed.deserialize(key.clone().into_deserializer()).map_err(|e: PathError| PathError {
            path: vec![Seg::Key(key.clone())],
            at_key: true,
            ..e
        })?;
        self.value = Some((key, value));
        Ok(Some(read))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, PathError> {
        let (key, value) = self.value.take().ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(ValueDe(value)).map_err(|e| e.within(Seg::Key(key)))
    }
}

struct Seq {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for Seq {
    type Error = PathError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, PathError> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDe(item)).map(Some).map_err(|e| e.within(Seg::Elem { index, name: None }))
    }
}

/// Stops at the struct a derived `Deserialize` asks for, noting its field list.
struct FieldsProbe<'a>(&'a mut &'static [&'static str]);

impl<'de> de::Deserializer<'de> for FieldsProbe<'_> {
    type Error = de::value::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("fields noted"))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        qty: Option<u32>,
        rule: Option<crate::contracts::spec::KpiRule>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: Option<String>,
        items: Option<Vec<Inner>>,
    }

    fn read(src: &str) -> Result<Outer, PathError> {
        from_value(Value::Table(toml::from_str(src).unwrap()))
    }

    #[test]
    fn errors_carry_their_path() {
        assert!(read("name = \"a\"\n[[items]]\nqty = 1\n").is_ok());
        let e = read("[[items]]\nqty = 1\n[[items]]\nqty = \"x\"\n").unwrap_err();
        assert_eq!(e.path, vec![Seg::key("items"), Seg::Elem { index: 1, name: None }, Seg::key("qty")]);
        assert!(e.message.contains("invalid type: string \"x\"") && !e.at_key, "{e:?}");
        let e = read("[[items]]\nqtty = 1\n").unwrap_err();
        assert_eq!(e.path, vec![Seg::key("items"), Seg::Elem { index: 0, name: None }, Seg::key("qtty")]);
        assert!(e.at_key && e.message.contains("unknown field `qtty`, expected `qty` or `rule`"), "{e:?}");
        let e = read("[[items]]\nrule = \"fast\"\n").unwrap_err();
        assert_eq!(e.message, "unknown value \"fast\"; use \"uptime\" or \"exchange_75\"");
    }

    #[test]
    fn a_structs_fields_in_order() {
        assert_eq!(fields_of::<Outer>(), ["name", "items"]);
        assert_eq!(fields_of::<Inner>(), ["qty", "rule"]);
    }
}
