//! One function per record shape, for both the template and the values.
//!
//! A record writer takes `&mut dyn RecordFields` and names every field as it
//! puts its value. Given a [`TemplateFields`] it describes the template (the
//! values are ignored); given a [`DataSet`] it writes the values, and each
//! field it names is checked against the set's template. A template and its
//! encoder are therefore the same code and cannot drift apart.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::ExportError;
use crate::field::{Field, VARLEN};
use crate::record::DataSet;
use crate::registry::ie;
use crate::template::Template;

/// The template field of every basicList (RFC 6313 `basicList`, variable length).
pub const BASIC_LIST: Field = Field::iana(ie::BASIC_LIST, VARLEN);

/// The fields of one record, each named with its value.
pub trait RecordFields {
    /// An unsigned integer in `field`'s length.
    fn uint(&mut self, field: Field, v: u64) -> Result<(), ExportError>;
    /// An octet string (fixed length: exactly the field's).
    fn bytes(&mut self, field: Field, v: &[u8]) -> Result<(), ExportError>;
    /// A string (UTF-8 octets).
    fn str(&mut self, field: Field, v: &str) -> Result<(), ExportError> {
        self.bytes(field, v.as_bytes())
    }
    /// An IPv4 address.
    fn ipv4(&mut self, field: Field, a: Ipv4Addr) -> Result<(), ExportError>;
    /// An IPv6 address.
    fn ipv6(&mut self, field: Field, a: Ipv6Addr) -> Result<(), ExportError>;
    /// A basicList of unsigned integers of `element` (the template holds
    /// [`BASIC_LIST`]; the element travels in the list's header).
    fn uint_list(
        &mut self,
        semantic: u8,
        element: Field,
        items: &mut dyn ExactSizeIterator<Item = u64>,
    ) -> Result<(), ExportError>;
}

/// Collects the fields a record writer names into a template.
#[derive(Debug)]
pub struct TemplateFields(Template);

impl TemplateFields {
    /// Starts template `id` (no fields yet).
    pub fn new(id: u16) -> TemplateFields {
        TemplateFields(Template::new(id))
    }

    /// The template described.
    pub fn into_template(self) -> Template {
        self.0
    }
}

impl RecordFields for TemplateFields {
    fn uint(&mut self, field: Field, _: u64) -> Result<(), ExportError> {
        self.0.push(field);
        Ok(())
    }

    fn bytes(&mut self, field: Field, _: &[u8]) -> Result<(), ExportError> {
        self.0.push(field);
        Ok(())
    }

    fn ipv4(&mut self, field: Field, _: Ipv4Addr) -> Result<(), ExportError> {
        self.0.push(field);
        Ok(())
    }

    fn ipv6(&mut self, field: Field, _: Ipv6Addr) -> Result<(), ExportError> {
        self.0.push(field);
        Ok(())
    }

    fn uint_list(
        &mut self,
        _: u8,
        _: Field,
        _: &mut dyn ExactSizeIterator<Item = u64>,
    ) -> Result<(), ExportError> {
        self.0.push(BASIC_LIST);
        Ok(())
    }
}

impl DataSet<'_> {
    /// Fails unless the template's next field is `field`.
    fn expect(&mut self, field: Field) -> Result<(), ExportError> {
        match self.next_field() {
            Some(f) if f == field => Ok(()),
            got => {
                let why = format!("the writer names {field:?}, the template has {got:?}");
                Err(self.refuse(why))
            }
        }
    }
}

impl RecordFields for DataSet<'_> {
    fn uint(&mut self, field: Field, v: u64) -> Result<(), ExportError> {
        self.expect(field)?;
        self.put_uint(v)
    }

    fn bytes(&mut self, field: Field, v: &[u8]) -> Result<(), ExportError> {
        self.expect(field)?;
        self.put_bytes(v)
    }

    fn ipv4(&mut self, field: Field, a: Ipv4Addr) -> Result<(), ExportError> {
        self.expect(field)?;
        self.put_ipv4(a)
    }

    fn ipv6(&mut self, field: Field, a: Ipv6Addr) -> Result<(), ExportError> {
        self.expect(field)?;
        self.put_ipv6(a)
    }

    fn uint_list(
        &mut self,
        semantic: u8,
        element: Field,
        items: &mut dyn ExactSizeIterator<Item = u64>,
    ) -> Result<(), ExportError> {
        self.expect(BASIC_LIST)?;
        self.put_uint_list(semantic, element, ExactIter(items))
    }
}

/// A `&mut dyn ExactSizeIterator` as an owned iterator.
struct ExactIter<'a>(&'a mut dyn ExactSizeIterator<Item = u64>);

impl Iterator for ExactIter<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for ExactIter<'_> {}
