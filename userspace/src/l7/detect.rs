//! The detector chain: which detector runs for which packet, in what
//! order, and what multi-packet detectors remember between packets.

use crate::l7::packet::L7Packet;
use crate::l7::proto::L7Proto;
use crate::l7::{
    bittorrent, dhcp, dhcpv6, dtls, ftp, imap, kerberos, ldap, mqtt, netbios, ntp, openvpn, pop3,
    rdp, rtp, sip, smb, smtp, snmp, ssdp, ssh, stun, syslog, wireguard,
};
use crate::proto::quic::detect as quic_detect;
use crate::proto::{dns::detect as dns, http::detect as http, tls::detect as tls};

/// What one packet did to detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Detected: detection is done.
    Done(L7Proto),
    /// The protocol is known, but later packets may refine it (a mail
    /// session may still switch to TLS with STARTTLS).
    Tentative(L7Proto),
    /// Nothing yet.
    Continue,
}

/// Which multi-packet detector is waiting for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub(crate) enum Stage {
    /// Nothing pending.
    #[default]
    Idle,
    /// An RTP header was seen: `byte` = direction, `half` = sequence
    /// number, `word` = SSRC.
    Rtp,
    /// An OpenVPN hard reset was seen: `byte` = direction, `word` = the
    /// session id's first 4 bytes.
    OpenVpn,
    /// A STUN flow, watched for DTLS (WebRTC: nDPI then says DTLS).
    Stun,
    /// A `220` greeting that did not say SMTP or FTP: the client's first
    /// command tells.
    Greeting220,
    /// A mail session (`byte` = 1 SMTP, 2 POP3, 3 IMAP), watched for a TLS
    /// handshake after STARTTLS.
    Mail,
}

/// What multi-packet detectors remember between packets (8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scratch {
    pub(crate) stage: Stage,
    pub(crate) byte: u8,
    pub(crate) half: u16,
    pub(crate) word: u32,
}

/// Runs the detectors for one TCP or UDP packet with payload.
pub fn step(s: &mut Scratch, p: &L7Packet<'_>) -> Step {
    match s.stage {
        Stage::Mail => return mail_tls(s, p),
        Stage::Stun => {
            return if dtls::is_dtls(p.payload) {
                Step::Done(L7Proto::Dtls)
            } else {
                Step::Tentative(L7Proto::Stun)
            }
        }
        Stage::Greeting220 => {
            if let Some(step) = after_220(s, p) {
                return step;
            }
        }
        _ => {}
    }
    if p.is_tcp() {
        tcp(s, p)
    } else {
        udp(s, p)
    }
}

/// TCP detectors, strongest signatures first.
fn tcp(s: &mut Scratch, p: &L7Packet<'_>) -> Step {
    let b = p.payload;
    if tls::is_tls(b) {
        return Step::Done(tls::tls_name(p));
    }
    if http::is_http(b) {
        return Step::Done(L7Proto::Http);
    }
    if ssh::is_ssh(b) {
        return Step::Done(L7Proto::Ssh);
    }
    if sip::is_sip(b) {
        return Step::Done(L7Proto::Sip);
    }
    if stun::is_stun(b, true) || stun::is_framed(b) {
        return Step::Done(L7Proto::Stun);
    }
    if bittorrent::is_handshake(b) {
        return Step::Done(L7Proto::BitTorrent);
    }
    if let Some(x) = netbios::detect(p).or_else(|| smb::over_session(b)) {
        return Step::Done(x);
    }
    if rdp::is_rdp(p) {
        return Step::Done(L7Proto::Rdp);
    }
    if mqtt::is_mqtt(b) {
        return Step::Done(L7Proto::Mqtt);
    }
    if let Some(x) = dns::detect(p) {
        return Step::Done(x);
    }
    if kerberos::is_kerberos(p) {
        return Step::Done(L7Proto::Kerberos);
    }
    if ldap::is_ldap(p) {
        return Step::Done(L7Proto::Ldap);
    }
    if syslog::is_syslog(p) {
        return Step::Done(L7Proto::Syslog);
    }
    if let Some(step) = mail(s, p) {
        return step;
    }
    vpn(s, p)
}

/// UDP detectors: port-bound message formats first, then the
/// self-describing ones, then the weak heuristics (RTP).
fn udp(s: &mut Scratch, p: &L7Packet<'_>) -> Step {
    let b = p.payload;
    if let Some(x) = dns::detect(p).or_else(|| netbios::detect(p)) {
        return Step::Done(x);
    }
    if bittorrent::is_udp(b) {
        return Step::Done(L7Proto::BitTorrent);
    }
    let by_port = [
        (dhcp::is_dhcp(p), L7Proto::Dhcp),
        (dhcpv6::is_dhcpv6(p), L7Proto::Dhcpv6),
        (ntp::is_ntp(p), L7Proto::Ntp),
        (ssdp::is_ssdp(p), L7Proto::Ssdp),
    ];
    if let Some(&(_, x)) = by_port.iter().find(|(hit, _)| *hit) {
        return Step::Done(x);
    }
    if quic_detect::initial_version(b).is_some() {
        // QUIC SNI extraction (crate::proto::quic) hooks in here.
        return Step::Done(L7Proto::Quic);
    }
    if stun::is_stun(b, false) {
        *s = Scratch {
            stage: Stage::Stun,
            ..Scratch::default()
        };
        return Step::Tentative(L7Proto::Stun);
    }
    let formats = [
        (dtls::is_dtls(b), L7Proto::Dtls),
        (wireguard::is_wireguard(p), L7Proto::WireGuard),
        (rdp::is_rdp_udp(p), L7Proto::Rdp),
        (sip::is_sip(b), L7Proto::Sip),
        (snmp::is_snmp(p), L7Proto::Snmp),
        (kerberos::is_kerberos(p), L7Proto::Kerberos),
        (ldap::is_ldap(p), L7Proto::Ldap),
        (syslog::is_syslog(p), L7Proto::Syslog),
        (rtp::is_rtcp(b), L7Proto::Rtcp),
    ];
    if let Some(&(_, x)) = formats.iter().find(|(hit, _)| *hit) {
        return Step::Done(x);
    }
    match vpn(s, p) {
        Step::Continue => rtp_stream(s, p),
        step => step,
    }
}

/// OpenVPN: a hard reset, then either the same side's next control packet
/// with the same session id, or the server's reset acknowledging it.
fn vpn(s: &mut Scratch, p: &L7Packet<'_>) -> Step {
    if s.stage == Stage::OpenVpn && openvpn::follows(p, s.word, s.byte == u8::from(p.dir.is_out()))
    {
        return Step::Done(L7Proto::OpenVpn);
    }
    if let Some(sid) = openvpn::reset(p) {
        *s = Scratch {
            stage: Stage::OpenVpn,
            byte: u8::from(p.dir.is_out()),
            half: 0,
            word: sid,
        };
    }
    Step::Continue
}

/// RTP: two headers of one stream (same direction and SSRC, sequence
/// numbers close) make an RTP flow. The first header seen is remembered
/// until a later one from the same side replaces it.
fn rtp_stream(s: &mut Scratch, p: &L7Packet<'_>) -> Step {
    let Some((_, seq, ssrc)) = rtp::header(p.payload) else {
        return Step::Continue;
    };
    let dir = u8::from(p.dir.is_out());
    if s.stage == Stage::Rtp && s.byte == dir && s.word == ssrc && rtp::follows(s.half, seq) {
        return Step::Done(L7Proto::Rtp);
    }
    // A candidate is replaced by a new stream from the same side only, so
    // that the two sides of a call cannot keep evicting each other.
    if s.stage == Stage::Idle || s.stage == Stage::Rtp && s.byte == dir {
        *s = Scratch {
            stage: Stage::Rtp,
            byte: dir,
            half: seq,
            word: ssrc,
        };
    }
    Step::Continue
}

/// Mail codes kept in `Scratch::byte` during `Stage::Mail`.
const MAIL: [L7Proto; 3] = [L7Proto::Smtp, L7Proto::Pop3, L7Proto::Imap];

/// Starts watching a mail session of `proto` for STARTTLS.
fn start_mail(s: &mut Scratch, proto: L7Proto) -> Step {
    let code = MAIL.iter().position(|&m| m == proto).unwrap_or(0);
    *s = Scratch {
        stage: Stage::Mail,
        byte: code as u8,
        half: 0,
        word: 0,
    };
    Step::Tentative(proto)
}

/// SMTP, POP3, IMAP and FTP from greetings and first commands.
fn mail(s: &mut Scratch, p: &L7Packet<'_>) -> Option<Step> {
    let b = p.payload;
    if smtp::is_220(b) {
        if smtp::greeting_says_smtp(b) || p.any_port(&[25, 587, 2525]) {
            return Some(start_mail(s, L7Proto::Smtp));
        }
        if ftp::greeting_says_ftp(b) || p.port(21) {
            return Some(Step::Done(L7Proto::FtpControl));
        }
        *s = Scratch {
            stage: Stage::Greeting220,
            ..Scratch::default()
        };
        return Some(Step::Continue);
    }
    if smtp::is_hello(b) {
        return Some(start_mail(s, L7Proto::Smtp));
    }
    if pop3::is_greeting(b) || pop3::is_command(b) {
        return Some(start_mail(s, L7Proto::Pop3));
    }
    if imap::is_greeting(b) || imap::is_command(b) {
        return Some(start_mail(s, L7Proto::Imap));
    }
    if ftp::is_command(b) && p.port(21) {
        return Some(Step::Done(L7Proto::FtpControl));
    }
    None
}

/// After an ambiguous `220` greeting: `EHLO`/`HELO` is SMTP, an FTP
/// command FTP.
fn after_220(s: &mut Scratch, p: &L7Packet<'_>) -> Option<Step> {
    if smtp::is_hello(p.payload) {
        return Some(start_mail(s, L7Proto::Smtp));
    }
    if ftp::is_command(p.payload) {
        return Some(Step::Done(L7Proto::FtpControl));
    }
    None
}

/// A mail session switching to TLS (STARTTLS / STLS) is nDPI's SMTPS, POPS
/// or IMAPS.
fn mail_tls(s: &mut Scratch, p: &L7Packet<'_>) -> Step {
    let proto = MAIL[usize::from(s.byte).min(2)];
    if !tls::is_tls(p.payload) {
        return Step::Tentative(proto);
    }
    Step::Done(match proto {
        L7Proto::Smtp => L7Proto::Smtps,
        L7Proto::Pop3 => L7Proto::Pops,
        _ => L7Proto::Imaps,
    })
}
