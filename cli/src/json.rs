//! Compact JSON lines, byte for byte what `serde_json::to_writer` writes,
//! faster: `qualify --format json` spends a quarter of its time writing
//! decisions, and serde_json looks up every byte of every string (field
//! names included) in its escape table. Here a string is scanned eight
//! bytes at a time and copied whole when nothing in it needs escaping,
//! which is nearly always. Floats, rare in a decision, are written by
//! serde_json itself, so they cannot differ.

use std::io::{self, Write};

use serde::ser::{self, Serialize};

/// Writes values as JSON lines, each made in one buffer kept between them
/// and written whole (serde_json would write a string in many small pieces,
/// each a call through `dyn Write`).
#[derive(Default)]
pub struct Lines {
    line: Vec<u8>,
}

impl Lines {
    /// Writes `value` to `out` as one line of compact JSON, then `\n`.
    pub fn write(&mut self, out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
        self.line.clear();
        line(&mut self.line, value)?;
        out.write_all(&self.line)
    }
}

/// Appends `value` to `out` as one line of compact JSON, then `\n`.
fn line(out: &mut Vec<u8>, value: &impl Serialize) -> serde_json::Result<()> {
    value.serialize(&mut Writer { out })?;
    out.push(b'\n');
    Ok(())
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl<'b> Writer<'b> {
    /// `{"variant":`, which an enum variant with data starts with.
    fn variant(&mut self, variant: &str) {
        self.out.push(b'{');
        string(self.out, variant);
        self.out.push(b':');
    }

    /// An array or object opened with `open`, to be ended with `close`.
    fn open<'a>(&'a mut self, open: u8, close: &'static [u8]) -> Compound<'a, 'b> {
        self.out.push(open);
        Compound { writer: self, first: true, close }
    }
}

type Error = serde_json::Error;

/// Whether any of the eight bytes in `w` is a control character, `"` or `\`:
/// the bytes JSON strings escape. Exact, with no false positives.
fn escapes_any(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (below_space | has_zero(w ^ (ONES * u64::from(b'"'))) | has_zero(w ^ (ONES * u64::from(b'\\')))) != 0
}

fn escapes(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether JSON escapes any byte of `bytes`, eight at a time: the last word
/// overlaps the one before, and fewer than eight bytes are read as two
/// overlapping halves (so a short string costs one check too).
fn needs_escaping(bytes: &[u8]) -> bool {
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().unwrap_or_default());
    let half = |chunk: &[u8]| u64::from(u32::from_le_bytes(chunk.try_into().unwrap_or_default()));
    match bytes.len() {
        0..4 => bytes.iter().any(|&b| escapes(b)),
        n @ 4..8 => escapes_any(half(&bytes[..4]) | half(&bytes[n - 4..]) << 32),
        n => bytes.chunks_exact(8).any(|c| escapes_any(word(c))) || escapes_any(word(&bytes[n - 8..])),
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if needs_escaping(bytes) {
        escaped(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// The slow path: `bytes` with what needs escaping escaped, as serde_json does.
#[cold]
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Bytes before `start` are written.
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !escapes(b) {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Writes `value` through serde_json: for floats and other values that
/// decisions do not carry, so that they are written exactly as it would.
fn delegate<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    serde_json::to_writer(out, value)
}

/// A newtype struct named `.0`, to hand one to serde_json as it came.
struct Newtype<'v, T: ?Sized>(&'static str, &'v T);

impl<T: Serialize + ?Sized> Serialize for Newtype<'_, T> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(self.0, self.1)
    }
}

macro_rules! integers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), Error> {
            self.out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
            Ok(())
        }
    )*};
}

impl<'a, 'b> ser::Serializer for &'a mut Writer<'b> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = Compound<'a, 'b>;
    type SerializeTupleVariant = Compound<'a, 'b>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = Compound<'a, 'b>;

    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128,
              serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        delegate(self.out, &v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        delegate(self.out, &v)
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        delegate(self.out, v)
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if name.starts_with("$serde_json::") {
            // serde_json's private markers (raw values, arbitrary-precision
            // numbers): only serde_json knows what to write.
            return delegate(self.out, &Newtype(name, value));
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(b'[', b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        self.variant(variant);
        Ok(self.open(b'[', b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(b'{', b"}"))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        self.variant(variant);
        Ok(self.open(b'{', b"}}"))
    }
}

/// An array, object or variant being written; `close` ends it.
struct Compound<'a, 'b> {
    writer: &'a mut Writer<'b>,
    first: bool,
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.writer.out.push(b',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.comma();
        string(self.writer.out, key);
        self.writer.out.push(b':');
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Error> {
        self.writer.out.extend_from_slice(self.close);
        Ok(())
    }
}

macro_rules! compound {
    ($($trait:ident::$method:ident($($key:ident)?) => $how:ident;)*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: &'static str,)? value: &T) -> Result<(), Error> {
                self.$how($($key,)? value)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self)
            }
        }
    )*};
}

compound! {
    SerializeSeq::serialize_element() => element;
    SerializeTuple::serialize_element() => element;
    SerializeTupleStruct::serialize_field() => element;
    SerializeTupleVariant::serialize_field() => element;
    SerializeStruct::serialize_field(key) => field;
    SerializeStructVariant::serialize_field(key) => field;
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    /// A key that writes as a string is that string; any other is written
    /// as serde_json writes keys (numbers and booleans quoted, the rest
    /// refused), by serde_json itself.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        let start = self.writer.out.len();
        if key.serialize(&mut *self.writer).is_ok() && self.writer.out.get(start) == Some(&b'"') {
            return Ok(());
        }
        self.writer.out.truncate(start);
        /// A one-entry map, `{KEY:null}`: the key is what lies between `{` and `:null}`.
        struct One<'k, T: ?Sized>(&'k T);
        impl<T: Serialize + ?Sized> Serialize for One<'_, T> {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ser::SerializeMap;
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(self.0, &())?;
                map.end()
            }
        }
        let entry = serde_json::to_vec(&One(key))?;
        self.writer.out.extend_from_slice(&entry[1..entry.len() - ":null}".len()]);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.writer.out.push(b':');
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::Value;

    use super::line;

    /// What serde_json writes for `value`, and what this module writes.
    fn both(value: &impl Serialize) -> (String, String) {
        let mut ours = Vec::new();
        let ours = line(&mut ours, value).map(|()| String::from_utf8(ours).unwrap());
        let theirs = serde_json::to_string(value).map(|s| s + "\n");
        match (theirs, ours) {
            (Ok(theirs), Ok(ours)) => (theirs, ours),
            (Err(theirs), Err(ours)) => (theirs.to_string(), ours.to_string()),
            (theirs, ours) => panic!("serde_json: {theirs:?}, this module: {ours:?}"),
        }
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct Newtype(i8);
        #[derive(Serialize)]
        struct Tuple(u16, char);
        #[derive(Serialize)]
        enum Kind {
            Unit,
            Newtype(bool),
            Tuple(i32, Option<()>),
            Struct { a: f32, b: &'static str },
        }
        #[derive(Serialize)]
        struct All {
            unit: Unit,
            newtype: Newtype,
            tuple: Tuple,
            kinds: [Kind; 4],
            pair: (u8, f64),
            wide: (i128, u128),
            none: Option<i64>,
            some: Option<u64>,
            float: f64,
            not_finite: [f64; 3],
            bytes: serde_bytes_like::Bytes,
            text: &'static str,
            empty: Vec<()>,
            numbers: BTreeMap<i32, bool>,
            flags: BTreeMap<bool, ()>,
            chars: BTreeMap<char, Kind>,
        }
        mod serde_bytes_like {
            pub struct Bytes;
            impl serde::Serialize for Bytes {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_bytes(&[0, 7, 255])
                }
            }
        }
        let all = All {
            unit: Unit,
            newtype: Newtype(-8),
            tuple: Tuple(16, 'é'),
            kinds: [
                Kind::Unit,
                Kind::Newtype(true),
                Kind::Tuple(-1, None),
                Kind::Struct { a: 0.1, b: "\"\\" },
            ],
            pair: (255, -1.5e300),
            wide: (i128::MIN, u128::MAX),
            none: None,
            some: Some(u64::MAX),
            float: 1.0,
            not_finite: [f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
            bytes: serde_bytes_like::Bytes,
            text: "tab\there, bell\u{7}, del\u{7f}, \u{1f}, ünïcödé ✓",
            empty: Vec::new(),
            numbers: BTreeMap::from([(-3, true), (4, false)]),
            flags: BTreeMap::from([(false, ())]),
            chars: BTreeMap::from([('\n', Kind::Unit)]),
        };
        let (theirs, ours) = both(&all);
        assert_eq!(ours, theirs);
    }

    #[test]
    fn keys_serde_json_refuses_are_refused() {
        let (theirs, ours) = both(&BTreeMap::from([(vec![1], 2)]));
        assert_eq!((ours.as_str(), theirs.as_str()), ("key must be a string", "key must be a string"));
        let (theirs, ours) = both(&BTreeMap::from([(Some(1), 2)]));
        assert_eq!(ours, theirs);
    }

    #[test]
    fn the_sample_decisions_are_written_as_serde_json_writes_them() {
        let pack = leadgate::Pack::b2b_bant();
        let qualifier = leadgate::Qualifier::new(&pack).unwrap();
        let as_of = "2026-11-23T00:00:00Z".parse().unwrap();
        let leads = include_str!("../../examples/data/leads.ndjson");
        for lead in leads.lines() {
            let decision = qualifier.evaluate(&leadgate::Lead::from_json(lead).unwrap(), as_of).unwrap();
            let (theirs, ours) = both(&decision);
            assert_eq!(ours, theirs);
        }
    }

    /// Any JSON value, with strings of any characters (escapes included).
    fn value() -> impl Strategy<Value = Value> {
        let text = prop_oneof![any::<String>(), "[\\x00-\\x7f]{0,20}", "[a-z\"\\\\\\n]{0,12}"];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            text.clone().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
                prop::collection::btree_map(text.clone(), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_is_written_as_serde_json_writes_it(v in value()) {
            let (theirs, ours) = both(&v);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in any::<String>(), ascii in "[\\x00-\\x7f]{0,40}") {
            for s in [s, ascii] {
                let (theirs, ours) = both(&s);
                prop_assert_eq!(ours, theirs);
            }
        }
    }
}
