//! Settings of L7 detection.

/// How the flow table runs L7 detection (part of
/// [`crate::flow::FlowTableConfig`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L7Config {
    /// Run detection at all (default true). Off, every flow stays `Unknown`
    /// and the L7-detected callback never runs.
    pub enabled: bool,
    /// When payload detection gives up, guess from the ports (PF_RING FT's
    /// default; off is `PFRING_FT_TABLE_FLAGS_NO_GUESS`). Default true.
    pub guess: bool,
    /// Payload packets (both directions together) inspected before giving
    /// up; default [`L7Config::DEFAULT_MAX_PACKETS`]. Packets without payload
    /// do not count.
    pub max_packets: u8,
}

impl L7Config {
    /// Default payload-packet budget: enough for the slowest detectors (a
    /// mail session reaching STARTTLS, RTP needing two packets of one
    /// stream after signalling), far below nDPI's own limit of 32 packets.
    pub const DEFAULT_MAX_PACKETS: u8 = 16;
}

impl Default for L7Config {
    /// Enabled, with guesses, [`L7Config::DEFAULT_MAX_PACKETS`].
    fn default() -> Self {
        L7Config {
            enabled: true,
            guess: true,
            max_packets: L7Config::DEFAULT_MAX_PACKETS,
        }
    }
}
