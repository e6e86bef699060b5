//! pcapng: sections of blocks; interfaces give each packet its link type and clock.
use pcap_parser::{
    parse_enhancedpacketblock_be, parse_enhancedpacketblock_le, parse_interfacedescriptionblock_be,
    parse_interfacedescriptionblock_le, parse_sectionheaderblock, parse_simplepacketblock_be,
    parse_simplepacketblock_le,
};

use super::error::ReadErrorKind;
use super::interface::Interface;
use super::record::{at_end, need, u32_at, Fail, PacketAt};
use super::source::Source;
use crate::time::Timestamp;

/// Section Header Block type (the same in both byte orders).
pub(super) const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
/// Obsolete Packet Block.
const PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
/// Byte-order magic of a little-endian section.
const BOM_LE: [u8; 4] = [0x4d, 0x3c, 0x2b, 0x1a];
const BOM_BE: [u8; 4] = [0x1a, 0x2b, 0x3c, 0x4d];

/// State of a pcapng file: the current section's byte order and interfaces.
#[derive(Default)]
pub(super) struct PcapNgReader {
    big_endian: bool,
    interfaces: Vec<Interface>,
    /// Time of the previous packet, given to Simple Packet Blocks.
    last_ts: Timestamp,
}

/// Where a packet's fields sit in a packet block, and the block's own values.
struct Fields {
    /// Interface id within the section.
    interface: u32,
    /// Timestamp ticks; `None` for a Simple Packet Block, which has no time and whose
    /// captured length is also limited by its interface's snaplen.
    ticks: Option<u64>,
    /// Offset of the packet data from the start of the block.
    data_at: usize,
    /// Captured length as stored in (or implied by) the block.
    caplen: u32,
    /// Original length on the wire.
    origlen: u32,
}

impl PcapNgReader {
    /// Reads blocks up to the next packet, or `None` at a clean end of file.
    pub(super) fn next(&mut self, src: &mut Source) -> Result<Option<PacketAt>, Fail> {
        loop {
            if at_end(src)? {
                return Ok(None);
            }
            let offset = src.pos();
            let len = self.block_len(src)?;
            let block = src.peek(len);
            let kind = u32_at(block, 0, self.big_endian);
            let fields = match kind {
                _ if u32_at(block, 0, false) == SHB => {
                    self.section(block, offset)?;
                    None
                }
                IDB => {
                    self.interface(block, offset)?;
                    None
                }
                EPB => Some(self.enhanced(block, offset)?),
                SPB => Some(self.simple(block, offset)?),
                PB => Some(self.obsolete(block, offset)?),
                _ => None,
            };
            let Some(f) = fields else {
                src.consume(len);
                continue;
            };
            let known = self.interfaces.len();
            let iface = self.interfaces.get(f.interface as usize).ok_or_else(|| {
                Fail::at(
                    offset,
                    ReadErrorKind::UnknownInterface {
                        id: f.interface,
                        known: u32::try_from(known).unwrap_or(u32::MAX),
                    },
                )
            })?;
            let ts = match f.ticks {
                Some(t) => iface.timestamp(t),
                None => self.last_ts,
            };
            let caplen = if f.ticks.is_none() && iface.snaplen != 0 {
                f.caplen.min(iface.snaplen)
            } else {
                f.caplen
            };
            self.last_ts = ts;
            let packet = PacketAt {
                ts,
                linktype: iface.linktype,
                data_index: src.index() + f.data_at,
                caplen: caplen as usize,
                wire_len: f.origlen.max(caplen),
                interface: f.interface,
                offset,
            };
            src.consume(len);
            return Ok(Some(packet));
        }
    }

    /// Buffers the whole block at the current position, checks its two length fields,
    /// and returns its length. A Section Header Block sets the byte order first.
    fn block_len(&mut self, src: &mut Source) -> Result<usize, Fail> {
        let offset = src.pos();
        need(src, 8)?;
        if u32_at(src.peek(8), 0, false) == SHB {
            need(src, 12)?;
            match src.peek(12).get(8..12) {
                Some(b) if b == BOM_LE => self.big_endian = false,
                Some(b) if b == BOM_BE => self.big_endian = true,
                found => {
                    return Err(Fail::corrupt(
                        offset,
                        format!(
                            "section header has byte-order magic {:02x?}, not 1a2b3c4d",
                            found.unwrap_or(&[])
                        ),
                    ))
                }
            }
        }
        let len = u32_at(src.peek(8), 4, self.big_endian);
        if len < 12 || !len.is_multiple_of(4) {
            return Err(Fail::corrupt(
                offset,
                format!("block length {len} is not a multiple of 4 of at least 12"),
            ));
        }
        let len = len as usize;
        need(src, len)?;
        let trailer = u32_at(src.peek(len), len - 4, self.big_endian);
        if trailer as usize != len {
            return Err(Fail::corrupt(
                offset,
                format!("block length {len} does not match its trailing copy {trailer}"),
            ));
        }
        Ok(len)
    }

    /// Starts a new section: interfaces restart from 0.
    fn section(&mut self, block: &[u8], offset: u64) -> Result<(), Fail> {
        let shb = match parse_sectionheaderblock(block) {
            Ok((_, shb)) => shb,
            Err(_) => return Err(Fail::corrupt(offset, "malformed section header block")),
        };
        if shb.major_version != 1 {
            return Err(Fail::corrupt(
                offset,
                format!(
                    "unsupported pcapng version {}.{}",
                    shb.major_version, shb.minor_version
                ),
            ));
        }
        self.interfaces.clear();
        Ok(())
    }

    /// Adds an interface to the current section.
    fn interface(&mut self, block: &[u8], offset: u64) -> Result<(), Fail> {
        let parsed = if self.big_endian {
            parse_interfacedescriptionblock_be(block)
        } else {
            parse_interfacedescriptionblock_le(block)
        };
        match parsed {
            Ok((_, idb)) => {
                self.interfaces
                    .push(Interface::from_idb(&idb, self.big_endian));
                Ok(())
            }
            Err(_) => Err(Fail::corrupt(
                offset,
                "malformed interface description block",
            )),
        }
    }

    /// An Enhanced Packet Block: interface, 64-bit time, captured and original lengths.
    fn enhanced(&self, block: &[u8], offset: u64) -> Result<Fields, Fail> {
        let parsed = if self.big_endian {
            parse_enhancedpacketblock_be(block)
        } else {
            parse_enhancedpacketblock_le(block)
        };
        match parsed {
            Ok((_, epb)) => Ok(Fields {
                interface: epb.if_id,
                ticks: Some(u64::from(epb.ts_high) << 32 | u64::from(epb.ts_low)),
                data_at: 28,
                caplen: epb.caplen,
                origlen: epb.origlen,
            }),
            Err(_) => Err(Fail::corrupt(
                offset,
                format!(
                    "enhanced packet block of {} bytes cannot hold its {}-byte packet",
                    block.len(),
                    u32_at(block, 20, self.big_endian)
                ),
            )),
        }
    }

    /// A Simple Packet Block: interface 0, no time, captured length implied by the block.
    fn simple(&self, block: &[u8], offset: u64) -> Result<Fields, Fail> {
        let parsed = if self.big_endian {
            parse_simplepacketblock_be(block)
        } else {
            parse_simplepacketblock_le(block)
        };
        match parsed {
            Ok((_, spb)) => Ok(Fields {
                interface: 0,
                ticks: None,
                data_at: 12,
                caplen: spb.origlen.min(block.len().saturating_sub(16) as u32),
                origlen: spb.origlen,
            }),
            Err(_) => Err(Fail::corrupt(offset, "malformed simple packet block")),
        }
    }

    /// An obsolete Packet Block: like an EPB with a 16-bit interface id and drop count.
    fn obsolete(&self, block: &[u8], offset: u64) -> Result<Fields, Fail> {
        let be = self.big_endian;
        let caplen = u32_at(block, 20, be);
        if block.len() < 32 || caplen as usize > block.len() - 32 {
            return Err(Fail::corrupt(
                offset,
                format!(
                    "packet block of {} bytes cannot hold its {caplen}-byte packet",
                    block.len()
                ),
            ));
        }
        let id = u32_at(block, 8, be);
        Ok(Fields {
            interface: if be { id >> 16 } else { id & 0xffff },
            ticks: Some(u64::from(u32_at(block, 12, be)) << 32 | u64::from(u32_at(block, 16, be))),
            data_at: 28,
            caplen,
            origlen: u32_at(block, 24, be),
        })
    }
}
