//! Application protocols, one folder each: how the protocol is recognised
//! (`detect`, used by the L7 detector chain for the label), its parser, the
//! per-flow state a feature keeps, and its JSON and IPFIX output, side by side.
//!
//! | folder | label (nDPI name) | feature |
//! |---|---|---|
//! | `tls/` | TLS (and the mail ports' names) | `tls`, `salt`: hellos, certificates, JA3/JA4, SALT |
//! | `quic/` | QUIC | the server name from decrypted client Initials |
//! | `http/` | HTTP | `http`: request/response heads and body starts |
//! | `dns/` | DNS, MDNS, LLMNR | `dns`: messages with questions and answers |
//!
//! The smaller protocols the L7 chain recognises only by label live in
//! `l7/` (one detector file each) until a feature parses them.

pub mod dns;
pub mod http;
pub mod quic;
pub mod tls;
