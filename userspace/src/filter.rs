//! `--filter EXPR`: tcpdump's filter language, compiled by libpcap's compiler
//! (the `pcap` crate, over a dead handle of the frame's link type) and run on
//! each frame before it is decoded. A frame the filter rejects never makes a
//! flow; it is counted as `filtered`.
//!
//! Offline inputs may hold several link types (pcapng interfaces), and
//! libpcap compiles a filter for one link type: the program for each link
//! type is compiled the first time a frame of that type arrives. The
//! expression is checked at start for the link types known then (Ethernet
//! live, each input's first link type offline), so a filter that does not
//! compile stops the run before anything is attached or read.
#![allow(unsafe_code)] // pcap_offline_filter is called directly to pass the wire length.
use std::fmt;

use crate::decode::LinkType;

/// A compiled `--filter`, one BPF program per link type met so far.
pub struct Filter {
    expr: String,
    /// Programs by link type, or the compiler's message for a link type the
    /// expression does not compile for (its frames are all rejected).
    programs: Vec<(LinkType, Result<pcap::BpfProgram, String>)>,
}

/// A filter expression libpcap could not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The expression as given.
    pub expr: String,
    /// The link type it was compiled for.
    pub link: LinkType,
    /// libpcap's message.
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--filter '{}' does not compile for {} frames: {}",
            self.expr,
            self.link.name(),
            self.message
        )
    }
}

impl std::error::Error for FilterError {}

impl From<FilterError> for crate::error::Error {
    fn from(e: FilterError) -> Self {
        crate::error::Error::BadOption {
            option: "--filter",
            value: e.expr,
            why: format!(
                "libpcap cannot compile it for {} frames: {}",
                e.link.name(),
                e.message
            ),
        }
    }
}

/// The `DLT_*` value libpcap's `pcap_open_dead` takes for `link`.
fn dlt(link: LinkType) -> i32 {
    match link {
        LinkType::Null => 0,
        LinkType::Ethernet => 1,
        LinkType::Ppp => 9,
        LinkType::Raw => 12,
        LinkType::PppHdlc => 50,
        LinkType::CiscoHdlc => 104,
        LinkType::Ieee80211 => 105,
        LinkType::Loop => 108,
        LinkType::LinuxSll => 113,
        LinkType::Radiotap => 127,
        LinkType::Ppi => 192,
        LinkType::Ipv4 => 228,
        LinkType::Ipv6 => 229,
        LinkType::Nflog => 239,
        LinkType::LinuxSll2 => 276,
    }
}

/// Compiles `expr` for frames of `link` (optimized, as tcpdump does).
fn compile(expr: &str, link: LinkType) -> Result<pcap::BpfProgram, String> {
    let dead = pcap::Capture::dead(pcap::Linktype(dlt(link))).map_err(|e| e.to_string())?;
    dead.compile(expr, true).map_err(|e| e.to_string())
}

/// libpcap's `struct pcap_pkthdr`.
#[repr(C)]
struct PktHdr {
    ts: libc::timeval,
    caplen: u32,
    len: u32,
}

extern "C" {
    /// libpcap: runs `prog` on a packet; nonzero when it matches.
    fn pcap_offline_filter(prog: *const libc::c_void, h: *const PktHdr, pkt: *const u8) -> i32;
}

/// Runs `prog` on `frame`, `wire_len` bytes on the wire (what `len`,
/// `greater` and `less` test).
fn matches(prog: &pcap::BpfProgram, frame: &[u8], wire_len: u32) -> bool {
    let caplen = frame.len() as u32;
    let h = PktHdr {
        ts: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        caplen,
        len: wire_len.max(caplen),
    };
    // SAFETY: `BpfProgram` is `#[repr(transparent)]` over libpcap's
    // `struct bpf_program`, alive for the call; the header says `caplen`
    // bytes, which `frame` holds; libpcap's interpreter bounds-checks every
    // load against `caplen`.
    unsafe {
        pcap_offline_filter((prog as *const pcap::BpfProgram).cast(), &h, frame.as_ptr()) != 0
    }
}

impl Filter {
    /// Compiles `expr` for each of `links` (at least one): the error of the
    /// first it does not compile for.
    pub fn new(expr: &str, links: &[LinkType]) -> Result<Filter, FilterError> {
        let mut filter = Filter {
            expr: expr.to_string(),
            programs: Vec::new(),
        };
        for &link in links {
            let program = compile(expr, link).map_err(|message| FilterError {
                expr: expr.to_string(),
                link,
                message,
            })?;
            filter.programs.push((link, Ok(program)));
        }
        Ok(filter)
    }

    /// Compiles `expr` for whichever link types it compiles for (input files
    /// of unknown link types): the error for Ethernet when it compiles for
    /// none. The others are compiled when their frames arrive.
    pub fn for_any_link(expr: &str) -> Result<Filter, FilterError> {
        let ethernet = Filter::new(expr, &[LinkType::Ethernet]);
        if ethernet.is_ok() {
            return ethernet;
        }
        for link in LinkType::ALL {
            if let Ok(program) = compile(expr, link) {
                return Ok(Filter {
                    expr: expr.to_string(),
                    programs: vec![(link, Ok(program))],
                });
            }
        }
        ethernet
    }

    /// The expression as given.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// Whether the filter accepts `frame` (link type `link`, `wire_len`
    /// bytes on the wire). A link type the expression does not compile for
    /// rejects every frame, and says so once on stderr.
    #[inline]
    pub fn accepts(&mut self, link: LinkType, frame: &[u8], wire_len: u32) -> bool {
        let i = match self.programs.iter().position(|(l, _)| *l == link) {
            Some(i) => i,
            None => {
                let program = compile(&self.expr, link);
                if let Err(message) = &program {
                    eprintln!(
                        "sluice: --filter '{}' does not compile for {} frames ({message}): \
                         they are all filtered",
                        self.expr,
                        link.name()
                    );
                }
                self.programs.push((link, program));
                self.programs.len() - 1
            }
        };
        match &self.programs[i].1 {
            Ok(program) => matches(program, frame, wire_len),
            Err(_) => false,
        }
    }

    /// A copy for another worker (its own programs, compiled again).
    pub fn try_clone(&self) -> Result<Filter, FilterError> {
        let links: Vec<LinkType> = self.programs.iter().map(|(l, _)| *l).collect();
        Filter::new(&self.expr, &links)
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter").field("expr", &self.expr).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_expression_names_itself_and_libpcaps_message() {
        let e = Filter::new("udp prot 53", &[LinkType::Ethernet]).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("--filter 'udp prot 53' does not compile for ethernet frames: "));
        assert!(s.contains("syntax error"), "{s}");
    }

    #[test]
    fn wire_length_is_what_len_tests() {
        let mut f = Filter::new("greater 1000", &[LinkType::Ethernet]).unwrap();
        let frame = vec![0u8; 100];
        assert!(!f.accepts(LinkType::Ethernet, &frame, 100));
        assert!(f.accepts(LinkType::Ethernet, &frame, 1500));
    }

    #[test]
    fn ports_match_on_each_link_type() {
        let mut f = Filter::new("udp port 53", &[LinkType::Ethernet]).unwrap();
        // An Ethernet/IPv4/UDP frame to port 53 and one to port 54.
        let frame = |dport: u16| {
            let mut v = vec![0u8; 14 + 20 + 8];
            v[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
            v[14] = 0x45;
            v[16..18].copy_from_slice(&28u16.to_be_bytes());
            v[22] = 64;
            v[23] = 17;
            v[36..38].copy_from_slice(&dport.to_be_bytes());
            v[38..40].copy_from_slice(&8u16.to_be_bytes());
            v
        };
        assert!(f.accepts(LinkType::Ethernet, &frame(53), 42));
        assert!(!f.accepts(LinkType::Ethernet, &frame(54), 42));
        // The same packet without its Ethernet header, as raw IP: compiled on first use.
        assert!(f.accepts(LinkType::Raw, &frame(53)[14..], 28));
        assert!(!f.accepts(LinkType::Raw, &frame(54)[14..], 28));
    }
}
