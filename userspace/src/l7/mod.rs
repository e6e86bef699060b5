//! Application (L7) protocol detection, run by the flow table on the first
//! packets of each flow, with nDPI's protocol names (PF_RING FT's L7 support).
//!
//! [`L7Flow`] is the per-flow state (12 bytes, `Copy`) kept in every flow
//! table entry. The table hands it each packet as an [`L7Packet`] (transport
//! ports, direction and the payload slice of the frame, zero-copy) until
//! [`L7Flow::inspect`] says detection is done: a protocol was recognized in
//! the payload, or [`L7Config::max_packets`] payload packets went by without
//! a match and detection gave up, falling back to a port-based guess
//! ([`guess`], PF_RING FT's `L7_GUESS` flag) unless guessing is off.
//!
//! Each protocol (or family sharing a wire format) has its own detector
//! module; [`detect`] runs them in order, strongest signature first.
//! Detectors only read the payload: they never allocate and never panic,
//! whatever the bytes. See `docs/l7.md` for each protocol's rule and the
//! agreement with nDPI on the shared corpus.

mod ber;
mod bittorrent;
pub mod config;
pub mod detect;
mod dhcp;
mod dhcpv6;
mod dtls;
pub mod flow;
mod ftp;
pub mod guess;
mod imap;
mod kerberos;
mod ldap;
mod mqtt;
mod netbios;
mod ntp;
mod openvpn;
pub mod packet;
mod pop3;
pub mod proto;
mod rdp;
mod rtp;
mod sip;
mod smb;
mod smtp;
mod snmp;
mod ssdp;
mod ssh;
mod stun;
mod syslog;
mod wireguard;

#[cfg(test)]
mod tests;

pub use config::L7Config;
pub use flow::L7Flow;
pub use packet::L7Packet;
pub use proto::L7Proto;
