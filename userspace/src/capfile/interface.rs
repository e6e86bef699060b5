//! A pcapng interface as described by its Interface Description Block.
use pcap_parser::{InterfaceDescriptionBlock, OptionCode};

use super::timestamp::{ticks_to_timestamp, TsResolution};
use crate::time::Timestamp;

/// Link type, snap length and clock of one pcapng interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Interface {
    /// pcap LINKTYPE_ number.
    pub linktype: u32,
    /// Maximum captured length; 0 means no limit.
    pub snaplen: u32,
    /// Tick length (`if_tsresol`).
    pub resolution: TsResolution,
    /// Seconds added to every timestamp (`if_tsoffset`).
    pub offset_secs: i64,
}

impl Interface {
    /// Builds the interface from a parsed IDB, reading its options in the section's byte
    /// order.
    pub fn from_idb(idb: &InterfaceDescriptionBlock<'_>, big_endian: bool) -> Self {
        let mut resolution = TsResolution::MICROS;
        let mut offset_secs = 0;
        for opt in &idb.options {
            let value = opt.as_bytes().unwrap_or(&[]);
            if opt.code == OptionCode::IfTsresol {
                if let Some(&b) = value.first() {
                    resolution = TsResolution::from_option(b);
                }
            } else if opt.code == OptionCode::IfTsoffset {
                if let Ok(b) = <[u8; 8]>::try_from(value) {
                    offset_secs = if big_endian {
                        i64::from_be_bytes(b)
                    } else {
                        i64::from_le_bytes(b)
                    };
                }
            }
        }
        Interface {
            linktype: u32::from(idb.linktype.0 as u16),
            snaplen: idb.snaplen,
            resolution,
            offset_secs,
        }
    }

    /// The time of a packet stamped with `ticks` on this interface.
    pub fn timestamp(&self, ticks: u64) -> Timestamp {
        ticks_to_timestamp(ticks, self.resolution, self.offset_secs)
    }
}
