//! 802.1Q / 802.1ad (QinQ) VLAN tag view.

use crate::decode::error::{need, DecodeError, Layer};

/// Most VLAN tags [`crate::decode::decode_ethernet`] accepts in one frame.
pub const MAX_VLAN_TAGS: usize = 4;

/// True for TPIDs announcing a VLAN tag: 0x8100 (802.1Q), 0x88a8 (802.1ad)
/// and 0x9100 (legacy QinQ).
pub fn is_vlan_tpid(ethertype: u16) -> bool {
    matches!(ethertype, 0x8100 | 0x88a8 | 0x9100)
}

/// A validated view of the 4 bytes following a VLAN TPID: the TCI and the
/// next EtherType.
#[derive(Debug, Clone, Copy)]
pub struct VlanTag<'a>(&'a [u8]);

impl<'a> VlanTag<'a> {
    /// Bytes consumed by a tag after its TPID.
    pub const LEN: usize = 4;

    /// Wraps `buf` (starting at the TCI, `offset` bytes into the frame).
    pub fn new_checked(buf: &'a [u8], offset: usize) -> Result<Self, DecodeError> {
        need(Layer::Vlan, buf, offset, Self::LEN)?;
        Ok(Self(buf))
    }

    /// VLAN id (low 12 bits of the TCI).
    pub fn vid(&self) -> u16 {
        u16::from_be_bytes([self.0[0], self.0[1]]) & 0x0fff
    }

    /// Priority code point (top 3 bits of the TCI).
    pub fn pcp(&self) -> u8 {
        self.0[0] >> 5
    }

    /// The EtherType (or next TPID) after this tag.
    pub fn ethertype(&self) -> u16 {
        u16::from_be_bytes([self.0[2], self.0[3]])
    }
}
