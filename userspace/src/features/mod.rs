//! Joy's intraflow features, computed per flow by the worker that owns it:
//! packet lengths and times (SPLT), byte distribution and entropy, the initial
//! data packet, TLS, DNS and HTTP metadata with fingerprints, and address and
//! username anonymization at export. Each feature is switched on separately
//! and costs nothing when off.

pub mod dns;
pub mod http;
