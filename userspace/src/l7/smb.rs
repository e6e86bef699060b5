//! SMB over a NetBIOS session header (TCP 139) or directly (TCP 445).

use crate::bytes::be24;
use crate::l7::proto::L7Proto;

/// The SMB dialect family of a message starting at `b`: `\xffSMB` is SMBv1,
/// `\xfeSMB` (and the SMB3 transform/compression headers `\xfdSMB`,
/// `\xfcSMB`) SMBv23.
pub(crate) fn dialect(b: &[u8]) -> Option<L7Proto> {
    match b.get(..4)? {
        [0xff, b'S', b'M', b'B'] => Some(L7Proto::SmbV1),
        [0xfc..=0xfe, b'S', b'M', b'B'] => Some(L7Proto::SmbV23),
        _ => None,
    }
}

/// SMBv1 or SMBv23 if the TCP payload `b` is a NetBIOS session message
/// (type 0, 17-bit length) holding an SMB header.
pub(crate) fn over_session(b: &[u8]) -> Option<L7Proto> {
    let len = be24(b, 1)?;
    if b[0] != 0 || !(4..=0x1_ffff).contains(&len) {
        return None;
    }
    dialect(b.get(4..)?)
}
