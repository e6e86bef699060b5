//! Errors of the exporter.

use std::fmt;

/// What went wrong in an exporter call.
#[derive(Debug)]
pub enum ExportError {
    /// Template ids 0..=255 are reserved (RFC 7011 §3.4.1).
    ReservedTemplateId(u16),
    /// No template with this id was added.
    UnknownTemplate(u16),
    /// A template has no field, or an options template's scope count is
    /// 0 or larger than its field count.
    BadTemplate {
        /// The template.
        template: u16,
        /// What is wrong.
        why: String,
    },
    /// A field is not a valid IANA element, or its length does not suit
    /// its type.
    BadField {
        /// Element id.
        id: u16,
        /// Enterprise number (0 for IANA).
        pen: u32,
        /// What is wrong.
        why: String,
    },
    /// A value does not fit the template's field (wrong kind, too long,
    /// out of range), or the record has too many or too few values.
    BadValue {
        /// The template.
        template: u16,
        /// Index of the field in the template.
        field: usize,
        /// What is wrong.
        why: String,
    },
    /// One record alone does not fit the configured message size.
    RecordTooLarge {
        /// The template.
        template: u16,
        /// Bytes the message would need.
        needed: usize,
        /// The configured maximum message size.
        mtu: usize,
    },
    /// `delete_to_marker` without a marker (never set, or gone with a
    /// message that was already sent).
    NoMarker,
    /// A collector address could not be parsed or resolved.
    BadCollector {
        /// The address as given.
        spec: String,
        /// What is wrong.
        why: String,
    },
    /// No collector with this id.
    UnknownCollector(usize),
    /// An I/O error on a collector (file or socket), naming it.
    Io {
        /// The collector (URL or path).
        collector: String,
        /// The error.
        err: std::io::Error,
    },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::ReservedTemplateId(id) => {
                write!(f, "template id {id} is reserved (ids start at 256)")
            }
            ExportError::UnknownTemplate(id) => write!(f, "no template {id}"),
            ExportError::BadTemplate { template, why } => write!(f, "template {template}: {why}"),
            ExportError::BadField { id, pen, why } => {
                if *pen == 0 {
                    write!(f, "element {id}: {why}")
                } else {
                    write!(f, "element {pen}/{id}: {why}")
                }
            }
            ExportError::BadValue {
                template,
                field,
                why,
            } => write!(f, "template {template}, field {field}: {why}"),
            ExportError::RecordTooLarge {
                template,
                needed,
                mtu,
            } => write!(
                f,
                "a record of template {template} needs a {needed}-byte message, more than the maximum {mtu}"
            ),
            ExportError::NoMarker => write!(f, "no data field marker to delete to"),
            ExportError::BadCollector { spec, why } => write!(f, "collector {spec}: {why}"),
            ExportError::UnknownCollector(id) => write!(f, "no collector {id}"),
            ExportError::Io { collector, err } => write!(f, "{collector}: {err}"),
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Io { err, .. } => Some(err),
            _ => None,
        }
    }
}
