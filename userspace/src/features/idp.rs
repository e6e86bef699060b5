//! The initial data packet of each direction (Joy's `idp_out`, `idp_in`):
//! the first packet carrying payload, from its IP header on, cut to a
//! configured length.

use std::io::{self, Write};

use crate::json::num::write_hex;

/// The first data packet of each direction.
#[derive(Debug, Clone, Default)]
pub struct Idp {
    dirs: [Option<Box<[u8]>>; 2],
}

impl Idp {
    /// True once the direction's packet is kept.
    pub fn has(&self, outbound: bool) -> bool {
        self.dirs[usize::from(!outbound)].is_some()
    }

    /// Keeps `ip_packet` (cut to `max` bytes) as the direction's initial
    /// data packet, unless one is kept already.
    pub fn offer(&mut self, outbound: bool, ip_packet: &[u8], max: usize) {
        let slot = &mut self.dirs[usize::from(!outbound)];
        if slot.is_none() {
            let n = ip_packet.len().min(max);
            *slot = Some(ip_packet.get(..n).unwrap_or_default().into());
        }
    }

    /// The kept bytes of one direction.
    pub fn get(&self, outbound: bool) -> Option<&[u8]> {
        self.dirs[usize::from(!outbound)].as_deref()
    }

    /// Writes `,"idp_out":"hex","idp_len_out":n` and the same for `in`.
    pub fn write_json<W: Write + ?Sized>(&self, w: &mut W) -> io::Result<()> {
        for (outbound, name) in [(true, "out"), (false, "in")] {
            if let Some(b) = self.get(outbound) {
                write!(w, ",\"idp_{name}\":\"")?;
                write_hex(w, b)?;
                write!(w, "\",\"idp_len_{name}\":{}", b.len())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_packet_each_way_cut_to_max() {
        let mut idp = Idp::default();
        idp.offer(true, &[0x45, 0x00, 0xab, 0xcd], 3);
        idp.offer(true, &[0x99], 3);
        let mut out = Vec::new();
        idp.write_json(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\"idp_out\":\"4500ab\",\"idp_len_out\":3"
        );
        idp.offer(false, &[0x60], 3);
        assert_eq!(idp.get(false), Some(&[0x60][..]));
    }
}
