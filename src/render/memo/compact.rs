//! The compact binary form a page's view is written in to be hashed (see
//! [`super::view_hash`]): never read back, so it only has to be cheap to
//! write and unambiguous, two different views of one type never written
//! alike. JSON did the same job at several times the cost, escaping every
//! string and formatting every number.
//!
//! Every value starts with a tag saying its kind; strings and bytes carry
//! their length; numbers are written in full; sequences, maps and structs
//! end with an end tag that starts no value, so lengths serde does not know
//! (a `#[serde(flatten)]` field, which makes its struct a map) need none.
//! A struct field left out (`skip_serializing_if`) leaves a tag of its own,
//! so that fields' values never shift into their neighbours. Field names
//! are left out but for maps' keys, which flattened fields are: within one
//! type the field order says which is which, and a struct's name is
//! written, so that two types given to one template differ. Well-kept
//! binary formats (bincode, postcard) cannot write what has no length.

use serde::ser::{self, Serialize};

/// What a value starts with: a value of each kind, and the end of a
/// sequence, map or struct.
mod tag {
    pub const FALSE: u8 = 0;
    pub const TRUE: u8 = 1;
    pub const UNSIGNED: u8 = 2;
    pub const SIGNED: u8 = 3;
    pub const UNSIGNED_WIDE: u8 = 4;
    pub const SIGNED_WIDE: u8 = 5;
    pub const F32: u8 = 6;
    pub const F64: u8 = 7;
    pub const STR: u8 = 8;
    pub const BYTES: u8 = 9;
    pub const NONE: u8 = 10;
    pub const SOME: u8 = 11;
    pub const UNIT: u8 = 12;
    pub const VARIANT: u8 = 13;
    pub const SEQ: u8 = 14;
    pub const TUPLE: u8 = 15;
    pub const MAP: u8 = 16;
    pub const STRUCT: u8 = 17;
    pub const SKIPPED: u8 = 18;
    pub const END: u8 = 19;
}

/// Writes `value` in the compact form at the end of `out`.
pub(super) fn write(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) -> Result<(), Unwritten> {
    value.serialize(&mut Writer(out))
}

/// A view whose own `Serialize` failed: it is not hashed, so its page is
/// rendered.
#[derive(Debug, thiserror::Error)]
#[error("a view could not be written out to be hashed: {0}")]
pub(super) struct Unwritten(String);

impl ser::Error for Unwritten {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        Unwritten(message.to_string())
    }
}

struct Writer<'b>(&'b mut Vec<u8>);

impl Writer<'_> {
    /// An unsigned number in LEB128, seven bits a byte: a length or a
    /// small number takes one byte or two.
    fn number(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn text(&mut self, kind: u8, bytes: &[u8]) {
        self.0.push(kind);
        self.number(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }

    fn variant(&mut self, index: u32) {
        self.0.push(tag::VARIANT);
        self.number(u64::from(index));
    }

    fn end(&mut self) -> Result<(), Unwritten> {
        self.0.push(tag::END);
        Ok(())
    }
}

impl ser::Serializer for &mut Writer<'_> {
    type Ok = ();
    type Error = Unwritten;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Unwritten> {
        self.0.push(if v { tag::TRUE } else { tag::FALSE });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Unwritten> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<(), Unwritten> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<(), Unwritten> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<(), Unwritten> {
        self.0.push(tag::SIGNED);
        // Zigzag, so that small negative numbers stay short too.
        self.number(((v << 1) ^ (v >> 63)) as u64);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Unwritten> {
        self.0.push(tag::SIGNED_WIDE);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Unwritten> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<(), Unwritten> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<(), Unwritten> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<(), Unwritten> {
        self.0.push(tag::UNSIGNED);
        self.number(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Unwritten> {
        self.0.push(tag::UNSIGNED_WIDE);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Unwritten> {
        self.0.push(tag::F32);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Unwritten> {
        self.0.push(tag::F64);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    /// As a one-letter string: a template is given the same for both.
    fn serialize_char(self, v: char) -> Result<(), Unwritten> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Unwritten> {
        self.text(tag::STR, v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unwritten> {
        self.text(tag::BYTES, v);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Unwritten> {
        self.0.push(tag::NONE);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unwritten> {
        self.0.push(tag::SOME);
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unwritten> {
        self.0.push(tag::UNIT);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Unwritten> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
    ) -> Result<(), Unwritten> {
        self.variant(index);
        Ok(())
    }

    /// As what it wraps, as a template is given it.
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Unwritten> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<(), Unwritten> {
        self.variant(index);
        value.serialize(self)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Unwritten> {
        self.0.push(tag::SEQ);
        Ok(self)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self, Unwritten> {
        self.0.push(tag::TUPLE);
        Ok(self)
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Unwritten> {
        self.serialize_tuple(len)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Self, Unwritten> {
        self.variant(index);
        self.serialize_tuple(len)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Unwritten> {
        self.0.push(tag::MAP);
        Ok(self)
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Self, Unwritten> {
        self.text(tag::STRUCT, name.as_bytes());
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Self, Unwritten> {
        self.variant(index);
        self.serialize_struct(name, len)
    }
}

/// A sequence's or tuple's values, one after another, then the end tag.
macro_rules! values_then_end {
    ($($compound:ident :: $add:ident),*) => {$(
        impl ser::$compound for &mut Writer<'_> {
            type Ok = ();
            type Error = Unwritten;

            fn $add<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unwritten> {
                value.serialize(&mut **self)
            }

            fn end(self) -> Result<(), Unwritten> {
                Writer::end(self)
            }
        }
    )*};
}

values_then_end!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// A struct's fields' values in their order, a tag for each one left
/// out, then the end tag.
macro_rules! fields_then_end {
    ($($compound:ident),*) => {$(
        impl ser::$compound for &mut Writer<'_> {
            type Ok = ();
            type Error = Unwritten;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _key: &'static str,
                value: &T,
            ) -> Result<(), Unwritten> {
                value.serialize(&mut **self)
            }

            fn skip_field(&mut self, _key: &'static str) -> Result<(), Unwritten> {
                self.0.push(tag::SKIPPED);
                Ok(())
            }

            fn end(self) -> Result<(), Unwritten> {
                Writer::end(self)
            }
        }
    )*};
}

fields_then_end!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for &mut Writer<'_> {
    type Ok = ();
    type Error = Unwritten;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unwritten> {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unwritten> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Unwritten> {
        Writer::end(self)
    }
}
