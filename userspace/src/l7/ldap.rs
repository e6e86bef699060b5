//! LDAP (and CLDAP) messages.

use crate::l7::ber::{element, integer};
use crate::l7::packet::L7Packet;

/// True if the payload holds an LDAPMessage: a SEQUENCE with a
/// non-negative message id and an application-tagged protocol operation
/// (BindRequest .. IntermediateResponse), on TCP or UDP port 389, 3268 or
/// 636 (plain) or anywhere when the SEQUENCE fills the payload exactly.
pub(crate) fn is_ldap(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    let Some((0x30, off, len)) = element(b, 0) else {
        return false;
    };
    let ldap_port = p.any_port(&[389, 3268]);
    if !(off + len == b.len() || ldap_port && off + len > b.len()) {
        return false;
    }
    let Some((id, at)) = integer(b, off) else {
        return false;
    };
    let Some(&op) = b.get(at) else {
        return false;
    };
    let op_ok = matches!(op, 0x60..=0x79) || matches!(op, 0x42 | 0x4a | 0x50);
    id >= 0 && op_ok && (ldap_port || id > 0)
}
