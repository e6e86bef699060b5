//! Ethernet II header view.

use crate::decode::error::{need, DecodeError, Layer};

/// EtherType of IPv4.
pub const ETHERTYPE_IPV4: u16 = 0x0800;
/// EtherType of IPv6.
pub const ETHERTYPE_IPV6: u16 = 0x86dd;
/// EtherType of ARP.
pub const ETHERTYPE_ARP: u16 = 0x0806;

/// A validated view of an Ethernet II header (14 bytes).
#[derive(Debug, Clone, Copy)]
pub struct EthernetHeader<'a>(&'a [u8]);

impl<'a> EthernetHeader<'a> {
    /// Header length in bytes.
    pub const LEN: usize = 14;

    /// Wraps the start of `frame`, failing if it is shorter than 14 bytes.
    pub fn new_checked(frame: &'a [u8]) -> Result<Self, DecodeError> {
        need(Layer::Ethernet, frame, 0, Self::LEN)?;
        Ok(Self(frame))
    }

    /// Destination MAC address.
    pub fn dst(&self) -> [u8; 6] {
        let b = self.0;
        [b[0], b[1], b[2], b[3], b[4], b[5]]
    }

    /// Source MAC address.
    pub fn src(&self) -> [u8; 6] {
        let b = self.0;
        [b[6], b[7], b[8], b[9], b[10], b[11]]
    }

    /// EtherType (or VLAN TPID) following the MAC addresses.
    pub fn ethertype(&self) -> u16 {
        u16::from_be_bytes([self.0[12], self.0[13]])
    }
}
