//! The initial data packet of each direction (Joy's `idp_out`, `idp_in`):
//! the first packet carrying payload, from its IP header on, cut to a
//! configured length.

use std::io::{self, Write};

use sluice_ipfix::{ExportError, Field, RecordFields, VARLEN};

use crate::features::config::{Feature, FeatureConfig};
use crate::features::feature::{FeaturePacket, FlowContext, FlowFeature};
use crate::features::pool::recycle;
use crate::flow::Direction;
use crate::json::num::{write_hex, write_uint};

/// Initial data packet (Cisco ETA, PEN 9, 44940); its reverse element is the
/// responder's.
pub const IDP: Field = Field::enterprise(sluice_ipfix::pen::CISCO, 44940, VARLEN);

/// The first data packet of each direction. The buffers are pooled with the
/// state, so a recycled state copies into memory it already has.
#[derive(Debug, Clone, Default)]
pub struct Idp {
    dirs: [Vec<u8>; 2],
    kept: [bool; 2],
}

/// The most a pooled IDP buffer keeps (Joy's default `idp` of 1300 bytes
/// fits); larger ones (a larger `--idp-bytes`) are freed, not pooled.
pub const POOLED_BYTES: usize = 2048;

recycle!(Idp, |i| {
    for d in &mut i.dirs {
        if d.capacity() > POOLED_BYTES {
            *d = Vec::new();
        } else {
            d.clear();
        }
    }
    i.kept = [false; 2];
});

impl Idp {
    /// True once the direction's packet is kept.
    pub fn has(&self, dir: Direction) -> bool {
        self.kept[dir]
    }

    /// Keeps `ip_packet` (cut to `max` bytes) as the direction's initial
    /// data packet, unless one is kept already.
    pub fn offer(&mut self, dir: Direction, ip_packet: &[u8], max: usize) {
        if self.kept[dir] {
            return;
        }
        let n = ip_packet.len().min(max);
        let buf = &mut self.dirs[dir];
        buf.clear();
        buf.extend_from_slice(ip_packet.get(..n).unwrap_or_default());
        self.kept[dir] = true;
    }

    /// The kept bytes of one direction.
    pub fn get(&self, dir: Direction) -> Option<&[u8]> {
        self.kept[dir].then(|| self.dirs[dir].as_slice())
    }

    /// Writes `,"idp_out":"hex","idp_len_out":n` and the same for `in`.
    pub fn write_json<W: Write + ?Sized>(&self, w: &mut W) -> io::Result<()> {
        for dir in Direction::BOTH {
            if let Some(b) = self.get(dir) {
                let name = dir.name().as_bytes();
                w.write_all(b",\"idp_")?;
                w.write_all(name)?;
                w.write_all(b"\":\"")?;
                write_hex(w, b)?;
                w.write_all(b"\",\"idp_len_")?;
                w.write_all(name)?;
                w.write_all(b"\":")?;
                write_uint(w, b.len() as u64)?;
            }
        }
        Ok(())
    }

    /// The initial data packet record of direction `dir`: one field.
    pub fn put_ipfix_of(
        &self,
        dir: Direction,
        out: &mut dyn RecordFields,
    ) -> Result<(), ExportError> {
        let field = match dir {
            Direction::Out => IDP,
            Direction::In => IDP.reverse(),
        };
        out.bytes(field, self.get(dir).unwrap_or_default())
    }
}

impl FlowFeature for Idp {
    fn on_packet(&mut self, p: &FeaturePacket<'_>, cfg: &FeatureConfig) {
        if p.payload_len() > 0 {
            self.offer(p.dir, p.ip, cfg.idp_bytes);
        }
    }

    fn write_json(&self, w: &mut Vec<u8>, _: &FlowContext<'_>) -> io::Result<()> {
        Idp::write_json(self, w)
    }

    /// Ready once the initiator's packet is kept.
    fn ready(&self, _: u64) -> bool {
        self.has(Direction::Out)
    }
}

/// True if IDP is on.
pub(crate) fn enabled(cfg: &FeatureConfig) -> bool {
    cfg.has(Feature::Idp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_packet_each_way_cut_to_max() {
        let mut idp = Idp::default();
        idp.offer(Direction::Out, &[0x45, 0x00, 0xab, 0xcd], 3);
        idp.offer(Direction::Out, &[0x99], 3);
        let mut out = Vec::new();
        idp.write_json(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\"idp_out\":\"4500ab\",\"idp_len_out\":3"
        );
        idp.offer(Direction::In, &[0x60], 3);
        assert_eq!(idp.get(Direction::In), Some(&[0x60][..]));
    }
}
