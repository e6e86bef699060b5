//! pcapng interface time: tick resolution and offset, converted to saturating nanoseconds.
use crate::time::Timestamp;

/// The length of one timestamp tick of a pcapng interface (`if_tsresol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsResolution {
    /// One tick is 10^-n seconds.
    Pow10(u8),
    /// One tick is 2^-n seconds.
    Pow2(u8),
}

impl TsResolution {
    /// Microseconds: the pcapng default when `if_tsresol` is absent.
    pub const MICROS: TsResolution = TsResolution::Pow10(6);

    /// Decodes the `if_tsresol` option byte: high bit set means a power of 2.
    pub fn from_option(byte: u8) -> Self {
        if byte & 0x80 != 0 {
            TsResolution::Pow2(byte & 0x7f)
        } else {
            TsResolution::Pow10(byte)
        }
    }

    /// Nanoseconds in `ticks` ticks (truncated), as a wide integer that cannot overflow.
    fn nanos(self, ticks: u64) -> u128 {
        let ticks = u128::from(ticks);
        match self {
            TsResolution::Pow10(e) if e <= 9 => ticks * 10u128.pow(u32::from(9 - e)),
            TsResolution::Pow10(e) => match 10u128.checked_pow(u32::from(e - 9)) {
                Some(div) => ticks / div,
                None => 0,
            },
            TsResolution::Pow2(e) => (ticks * 1_000_000_000)
                .checked_shr(u32::from(e))
                .unwrap_or(0),
        }
    }
}

/// Converts interface ticks plus an `if_tsoffset` in seconds to a timestamp, saturating
/// at 0 and `u64::MAX` nanoseconds.
pub fn ticks_to_timestamp(ticks: u64, resolution: TsResolution, offset_secs: i64) -> Timestamp {
    // |nanos| < 2^64 * 10^9 < 2^94 and |offset| * 10^9 < 2^93: the sum fits an i128.
    let nanos = i128::try_from(resolution.nanos(ticks)).unwrap_or(i128::MAX);
    let total = nanos.saturating_add(i128::from(offset_secs).saturating_mul(1_000_000_000));
    Timestamp(u64::try_from(total.max(0)).unwrap_or(u64::MAX))
}

/// Converts a legacy pcap record time (seconds and a fraction in µs or ns).
pub fn pcap_timestamp(secs: u32, frac: u32, nanos: bool) -> Timestamp {
    let frac_ns = if nanos {
        u64::from(frac)
    } else {
        u64::from(frac).saturating_mul(1_000)
    };
    Timestamp(
        u64::from(secs)
            .saturating_mul(1_000_000_000)
            .saturating_add(frac_ns),
    )
}
