//! UDP collectors that are down, restart, or are flooded, checked with real
//! sockets on 127.0.0.1 and the strict decoder.
//!
//! UDP tells an exporter little, so each fault is checked against what is
//! known apart from the exporter's word: what the test wrote, what a socket
//! received, what the kernel reports.
//! - Down: each datagram that leaves finds no socket and draws an ICMP port
//!   unreachable, which Linux reports as ECONNREFUSED on the next send of the
//!   connected socket; that datagram is then not transmitted. No call may
//!   block or fail, and every message is either handed to the kernel or
//!   counted as dropped, with the error that says why.
//! - Restarted: a new collector on the same port knows no templates. It must
//!   have them again within one refresh interval (RFC 7011 §10.3.6) even when
//!   the refresh itself is the send that reports the ICMP error, then decode
//!   every record strictly; and the sequence numbers must count the data
//!   records that left (RFC 7011 §3.1), not those of failed sends.
//! - Flooded: a collector with a tiny receive buffer that does not read loses
//!   datagrams the exporter cannot see. The sequence numbers must account for
//!   every lost record, and the kernel's drop count for every lost datagram.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use crate::decode::{parse_message, Message, Record, Session, Set, Value};
use crate::field::Field;
use crate::registry::ie;
use crate::{CollectorSpec, CollectorStats, Exporter, ExporterConfig, Template};

/// The observation domain of every export here.
const DOMAIN: u32 = 11;
/// flowId, and octetDeltaCount = 3 × flowId.
const FLOWS: u16 = 256;
/// flowId, and packetDeltaCount = 5 × flowId.
const PACKETS: u16 = 257;
/// Longest a call may take: the exporter's sockets never block, so only a
/// stalled machine comes near.
const PROMPT: Duration = Duration::from_secs(1);
/// Longest to wait for datagrams that have left to be received.
const WAIT: Duration = Duration::from_secs(5);
/// Bytes of a message header, a set header, and a record of either template.
const HEADER: u64 = 16;
const SET_HEADER: u64 = 4;
const RECORD: u64 = 16;

/// An exporter of domain [`DOMAIN`] with both templates, sending to a UDP
/// collector at `addr` and refreshing templates every `refresh`.
fn exporter(addr: SocketAddr, refresh: Duration) -> Exporter {
    let mut exp = Exporter::with_config(ExporterConfig {
        domain: DOMAIN,
        template_refresh: refresh,
        ..ExporterConfig::default()
    })
    .expect("config");
    exp.add_collector(&CollectorSpec::Udp(addr)).expect("udp");
    for (id, count) in [
        (FLOWS, ie::OCTET_DELTA_COUNT),
        (PACKETS, ie::PACKET_DELTA_COUNT),
    ] {
        exp.add_template(
            Template::new(id)
                .field(Field::iana(ie::FLOW_ID, 8))
                .field(Field::iana(count, 8)),
        )
        .expect("template");
    }
    exp
}

/// The second field's value for flow `flow` in template `template`.
fn count_of(template: u16, flow: u64) -> u64 {
    if template == FLOWS {
        3 * flow
    } else {
        5 * flow
    }
}

/// A port on 127.0.0.1 where nothing listens: bound to pick it, then let go.
fn vacant_addr() -> SocketAddr {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    s.local_addr().expect("addr")
}

/// The error a send reports for an ICMP port unreachable.
fn refused() -> String {
    io::Error::from_raw_os_error(libc::ECONNREFUSED).to_string()
}

/// The counters of the exporter's only collector.
fn counters(exp: &Exporter) -> CollectorStats {
    exp.stats().collectors[0].clone()
}

/// The next `n` flows (consecutive flowIds from `next`) in template
/// `template`.
fn flows(next: &mut u64, template: u16, n: usize) -> Vec<(u16, u64)> {
    (0..n)
        .map(|_| {
            *next += 1;
            (template, *next - 1)
        })
        .collect()
}

/// The next two flows, one in each template: a message of two data sets.
fn one_of_each(next: &mut u64) -> Vec<(u16, u64)> {
    let mut v = flows(next, FLOWS, 1);
    v.extend(flows(next, PACKETS, 1));
    v
}

/// What one [`Exporter::send`] of a data message did, from the collector's
/// counters.
struct Sent {
    /// The message's flowIds, in order.
    flows: Vec<u64>,
    /// Data records that had left before: the sequence number this send's
    /// messages must carry.
    records_before: u64,
    /// Whether the data message left (else its records count as dropped).
    left: bool,
    /// Datagrams of the call (templates included) that left, and that failed.
    datagrams_left: u64,
    datagrams_failed: u64,
    /// How long `send` took.
    took: Duration,
}

/// Writes one data message of `records` (template, flowId) and sends it.
/// Checks that its records were either all sent or all dropped.
fn send(exp: &mut Exporter, records: &[(u16, u64)]) -> Sent {
    for &(template, flow) in records {
        let mut set = exp.start_data_set(template).expect("data set");
        set.put_uint(flow).expect("flowId");
        set.put_uint(count_of(template, flow)).expect("count");
        set.end_record().expect("record");
    }
    let before = counters(exp);
    let start = Instant::now();
    exp.send();
    let took = start.elapsed();
    let after = counters(exp);
    let n = records.len() as u64;
    let moved = (
        after.records - before.records,
        after.dropped_records - before.dropped_records,
    );
    assert!(
        moved == (n, 0) || moved == (0, n),
        "{n} records: {moved:?} sent and dropped"
    );
    Sent {
        flows: records.iter().map(|&(_, f)| f).collect(),
        records_before: before.records,
        left: moved.0 == n,
        datagrams_left: after.messages - before.messages,
        datagrams_failed: after.dropped_messages - before.dropped_messages,
        took,
    }
}

/// Parses a datagram as exactly one IPFIX message of [`DOMAIN`].
fn parse_datagram(bytes: &[u8]) -> Message {
    let (m, used) = parse_message(bytes).expect("a valid IPFIX message");
    assert_eq!(used, bytes.len(), "one message per datagram");
    assert_eq!(m.domain, DOMAIN);
    m
}

/// Whether a message carries (options) template records.
fn has_templates(m: &Message) -> bool {
    m.sets
        .iter()
        .any(|s| matches!(s, Set::Templates(_) | Set::OptionsTemplates(_)))
}

/// The flowId of a decoded record, after checking its other field holds
/// what was written with it.
fn flow_of(r: &Record) -> u64 {
    let flow = r
        .get(0, ie::FLOW_ID)
        .and_then(Value::as_u64)
        .expect("flowId");
    let element = match r.template_id {
        FLOWS => ie::OCTET_DELTA_COUNT,
        PACKETS => ie::PACKET_DELTA_COUNT,
        t => panic!("a record of template {t}"),
    };
    assert_eq!(
        r.get(0, element).and_then(Value::as_u64),
        Some(count_of(r.template_id, flow)),
        "flow {flow}"
    );
    flow
}

/// Whether an error of a socket read only says that nothing came in time.
fn nothing_yet(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// A UDP collecting process: one socket and one strict session (over UDP:
/// withdrawals are errors). Like a real collector it may start after the
/// exporter: it discards data messages until templates come, and takes the
/// sequence number of the first message with templates as its start (it
/// cannot know earlier ones). From then on the session checks every
/// sequence number and decodes every record.
struct TestCollector {
    sock: UdpSocket,
    session: Session,
    started: Instant,
    datagrams: u64,
    /// Data messages discarded for want of templates.
    discarded: u64,
    /// Messages that carried templates.
    template_messages: u64,
    /// How long after the start the first templates came, and the sequence
    /// number of their message.
    first_templates: Option<(Duration, u32)>,
    /// The flowIds decoded, in order.
    flows: Vec<u64>,
}

impl TestCollector {
    /// Starts a collector on `addr` (port 0: any free port).
    fn bind(addr: SocketAddr) -> TestCollector {
        let sock = UdpSocket::bind(addr).expect("bind the collector's port");
        sock.set_read_timeout(Some(Duration::from_millis(20)))
            .expect("timeout");
        let mut session = Session::new();
        session.udp = true;
        TestCollector {
            sock,
            session,
            started: Instant::now(),
            datagrams: 0,
            discarded: 0,
            template_messages: 0,
            first_templates: None,
            flows: Vec::new(),
        }
    }

    /// Receives until `total` datagrams came since the start.
    fn receive(&mut self, total: u64) {
        let until = Instant::now() + WAIT;
        let mut buf = vec![0u8; 65536];
        while self.datagrams < total {
            assert!(
                Instant::now() < until,
                "{} of {total} datagrams after {WAIT:?}",
                self.datagrams
            );
            match self.sock.recv(&mut buf) {
                Ok(n) => self.take(&buf[..n]),
                Err(e) if nothing_yet(&e) => {}
                Err(e) => panic!("recv: {e}"),
            }
        }
    }

    /// Checks that no datagram waits beyond those received.
    fn assert_nothing_more(&self) {
        self.sock.set_nonblocking(true).expect("nonblocking");
        let r = self.sock.peek(&mut [0u8; 1]);
        assert!(
            r.as_ref().is_err_and(nothing_yet),
            "a datagram beyond the {} counted: {r:?}",
            self.datagrams
        );
        self.sock.set_nonblocking(false).expect("blocking");
    }

    fn take(&mut self, bytes: &[u8]) {
        let m = parse_datagram(bytes);
        self.datagrams += 1;
        let templates = has_templates(&m);
        if self.first_templates.is_none() {
            if !templates {
                self.discarded += 1;
                return;
            }
            self.first_templates = Some((self.started.elapsed(), m.sequence));
            self.session.set_expected_sequence(DOMAIN, Some(m.sequence));
        }
        self.template_messages += u64::from(templates);
        let records = self
            .session
            .feed(&m)
            .unwrap_or_else(|e| panic!("datagram {}: {e}", self.datagrams));
        self.flows.extend(records.iter().map(flow_of));
    }
}

/// Sets a socket's SO_RCVBUF; returns the size in force (Linux doubles the
/// request for its bookkeeping and enforces a minimum).
fn set_receive_buffer(sock: &UdpSocket, bytes: libc::c_int) -> libc::c_int {
    let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: an open socket; the value is a c_int of the length given.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&bytes as *const libc::c_int).cast(),
            len,
        )
    };
    assert_eq!(rc, 0, "SO_RCVBUF: {}", io::Error::last_os_error());
    let mut got: libc::c_int = 0;
    let mut got_len = len;
    // SAFETY: as above; the kernel writes at most `got_len` bytes to `got`.
    let rc = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&mut got as *mut libc::c_int).cast(),
            &mut got_len,
        )
    };
    assert_eq!(rc, 0, "SO_RCVBUF: {}", io::Error::last_os_error());
    got
}

/// Reads, without waiting, every datagram waiting on `sock` into `msgs`;
/// returns how many there were.
fn drain(sock: &UdpSocket, msgs: &mut Vec<Message>) -> usize {
    sock.set_nonblocking(true).expect("nonblocking");
    let mut buf = vec![0u8; 65536];
    let before = msgs.len();
    loop {
        match sock.recv(&mut buf) {
            Ok(n) => msgs.push(parse_datagram(&buf[..n])),
            Err(e) if nothing_yet(&e) => break,
            Err(e) => panic!("recv: {e}"),
        }
    }
    sock.set_nonblocking(false).expect("blocking");
    msgs.len() - before
}

/// The kernel's count of datagrams dropped at the UDP socket bound to
/// 127.0.0.1:`port` (the `drops` column of /proc/net/udp), if it can be read.
fn kernel_drops(port: u16) -> Option<u64> {
    let table = std::fs::read_to_string("/proc/net/udp").ok()?;
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.get(1) != Some(&local.as_str()) {
            return None;
        }
        cols.last()?.parse().ok()
    })
}

#[test]
fn collector_down_no_call_blocks_and_every_failed_send_is_counted() {
    let addr = vacant_addr();
    // One template message, with the first data message: no refresh here.
    let mut exp = exporter(addr, Duration::from_secs(60));
    let mut next = 0;
    let mut sends: Vec<Sent> = Vec::new();
    // Messages of 1, 2 or 3 records, until enough sends failed (each failure
    // waits for the ICMP error of a datagram that left).
    let until = Instant::now() + Duration::from_secs(4);
    loop {
        let n = sends.len() % 3 + 1;
        sends.push(send(&mut exp, &flows(&mut next, FLOWS, n)));
        let failed = sends.iter().filter(|s| !s.left).count();
        if (sends.len() >= 40 && failed >= 10) || Instant::now() >= until {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let c = counters(&exp);
    let failed: Vec<&Sent> = sends.iter().filter(|s| !s.left).collect();
    let slowest = sends.iter().map(|s| s.took).max().unwrap_or_default();
    assert!(slowest < PROMPT, "a send took {slowest:?}");
    assert!(
        !failed.is_empty(),
        "no send failed in {} sends",
        sends.len()
    );
    // The first datagram of the socket, the template message, cannot fail:
    // no error is pending yet. After it, one datagram per send.
    assert_eq!(sends[0].datagrams_left, 1 + u64::from(sends[0].left));
    assert_eq!(sends[0].datagrams_left + sends[0].datagrams_failed, 2);
    for s in &sends[1..] {
        assert_eq!(
            (s.datagrams_left, s.datagrams_failed),
            (u64::from(s.left), u64::from(!s.left))
        );
    }
    // A failure reports the ICMP error of a datagram that left before it,
    // and a socket keeps one pending error: never more failures than
    // datagrams that had left. (A call's template message, which leaves
    // here, goes before its data message.)
    let (mut gone, mut errors) = (0, 0);
    for s in &sends {
        gone += s.datagrams_left - u64::from(s.left);
        errors += s.datagrams_failed;
        assert!(errors <= gone, "{errors} failures after {gone} datagrams");
        gone += u64::from(s.left);
    }
    // Every message assembled is sent or dropped, and so is every record.
    let written: u64 = sends.iter().map(|s| s.flows.len() as u64).sum();
    let lost: u64 = failed.iter().map(|s| s.flows.len() as u64).sum();
    assert_eq!(c.messages + c.dropped_messages, 1 + sends.len() as u64);
    assert_eq!(c.dropped_messages, failed.len() as u64);
    assert_eq!((c.records, c.dropped_records), (written - lost, lost));
    // The bytes are those of the messages that left: a template message
    // (one template record of two fields), then data messages.
    let template_message = HEADER + SET_HEADER + 4 + 2 * 4;
    let data_bytes: u64 = sends
        .iter()
        .filter(|s| s.left)
        .map(|s| HEADER + SET_HEADER + RECORD * s.flows.len() as u64)
        .sum();
    assert_eq!(c.bytes, template_message + data_bytes);
    assert_eq!((c.templates, c.sessions), (1, 1));
    assert_eq!(c.last_error, Some(refused()));
    let start = Instant::now();
    let stats = exp.close();
    assert!(start.elapsed() < PROMPT, "close took {:?}", start.elapsed());
    assert_eq!((stats.records, stats.unsent), (written, 0));
    assert_eq!(stats.collectors[0], c);
    eprintln!(
        "collector down: {} sends, {} failed ({} of {written} records), slowest send {slowest:?}",
        sends.len(),
        failed.len(),
        lost
    );
}

#[test]
fn restarted_collector_gets_the_templates_within_one_refresh_and_decodes_from_then_on() {
    let refresh = Duration::from_millis(300);
    let mut first = TestCollector::bind((Ipv4Addr::LOCALHOST, 0).into());
    let addr = first.sock.local_addr().expect("addr");
    let mut exp = exporter(addr, refresh);
    let mut next = 0;
    let mut sends: Vec<Sent> = Vec::new();

    // Up: the collector decodes every record, from sequence number 0.
    for _ in 0..10 {
        sends.push(send(&mut exp, &one_of_each(&mut next)));
        first.receive(counters(&exp).messages);
    }
    first.assert_nothing_more();
    assert_eq!(first.first_templates.map(|(_, seq)| seq), Some(0));
    assert_eq!(first.discarded, 0);
    assert_eq!(first.flows, (0..next).collect::<Vec<_>>());
    drop(first);

    // Down: the exporter goes on (for a refresh interval at least, so a
    // refresh is lost too) until some sends failed, and stops after a data
    // message that left: its ICMP error waits for the next send.
    let went_down = Instant::now();
    let up = counters(&exp);
    loop {
        let s = send(&mut exp, &one_of_each(&mut next));
        let failed = counters(&exp).dropped_messages - up.dropped_messages;
        let last_left = s.left;
        sends.push(s);
        if went_down.elapsed() >= refresh && failed >= 3 && last_left {
            break;
        }
        assert!(
            went_down.elapsed() < Duration::from_secs(3),
            "{failed} sends failed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let down = counters(&exp);
    assert_eq!(down.last_error, Some(refused()));

    // The exporter is quiet for an interval; then the collector restarts
    // and the exporter resumes at once, sending every few milliseconds. Its
    // first send is a refresh, and the one that reports the ICMP error of
    // the last datagram: were that refresh lost, the next would come an
    // interval after it, later than an interval after the restart.
    std::thread::sleep(refresh);
    let mut second = TestCollector::bind(addr);
    let base = counters(&exp).messages;
    let restart = sends.len();
    let mut synced: Option<usize> = None;
    while second.started.elapsed() < 3 * refresh || sends.len() - restart < 10 {
        let s = send(&mut exp, &one_of_each(&mut next));
        second.receive(counters(&exp).messages - base);
        if synced.is_none() && second.first_templates.is_some() {
            synced = Some(sends.len());
        }
        sends.push(s);
        std::thread::sleep(Duration::from_millis(2));
    }
    second.assert_nothing_more();
    let (after, sequence) = second
        .first_templates
        .expect("templates reached the restarted collector");
    let synced = synced.expect("the send that brought them");
    assert!(
        after <= refresh,
        "templates {after:?} after the collector started ({} sends)",
        synced - restart + 1
    );
    // Their sequence number counts the data records that left before, not
    // those of failed sends.
    assert_eq!(u64::from(sequence), sends[synced].records_before);
    // From then on every data message left, and the collector decoded
    // exactly its records (the session checking each sequence number);
    // before, it discarded exactly the data messages that had left.
    assert!(sends[synced..].iter().all(|s| s.left));
    let want: Vec<u64> = sends[synced..]
        .iter()
        .flat_map(|s| s.flows.iter().copied())
        .collect();
    assert_eq!(second.flows, want);
    let early = sends[restart..synced].iter().filter(|s| s.left).count();
    assert_eq!(second.discarded, early as u64);
    // The regular refresh goes on.
    assert!(
        second.template_messages >= 2,
        "{}",
        second.template_messages
    );
    let end = counters(&exp);
    assert_eq!(
        second.session.expected_sequence(DOMAIN),
        Some(end.records as u32)
    );
    // Every message is counted once, sent or dropped, a template message
    // tried again included: one per data message, and one per two template
    // records (each holds both templates).
    assert_eq!(end.records + end.dropped_records, next);
    assert_eq!(
        end.messages + end.dropped_messages,
        sends.len() as u64 + end.templates / 2
    );
    let slowest = sends.iter().map(|s| s.took).max().unwrap_or_default();
    assert!(slowest < PROMPT, "a send took {slowest:?}");
    eprintln!(
        "collector restarted: down {} failed datagrams ({} records); first send after \
         the restart: {} datagrams failed, {} left; templates {after:?} after the restart, \
         send {} after it; {} data messages discarded before; {} template messages in {:?}",
        down.dropped_messages - up.dropped_messages,
        down.dropped_records - up.dropped_records,
        sends[restart].datagrams_failed,
        sends[restart].datagrams_left,
        synced - restart + 1,
        second.discarded,
        second.template_messages,
        second.started.elapsed()
    );
}

#[test]
fn flooded_collector_losses_are_exactly_the_sequence_gaps() {
    const ROUNDS: usize = 3;
    const PER_ROUND: usize = 1000;
    let rx = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let rcvbuf = set_receive_buffer(&rx, 4096);
    let addr = rx.local_addr().expect("addr");
    let mut exp = exporter(addr, Duration::from_secs(60));
    // Rounds of 1000 messages of 1, 2 or 3 records while the collector
    // reads nothing, then it drains its socket. flowId = the record's number
    // in the export, so a message's sequence number is its first flowId.
    let mut next = 0;
    let mut sends: Vec<Sent> = Vec::new();
    let mut msgs = Vec::new();
    let mut kept = Vec::new();
    for _ in 0..ROUNDS {
        for i in 0..PER_ROUND {
            sends.push(send(&mut exp, &flows(&mut next, FLOWS, i % 3 + 1)));
        }
        kept.push(drain(&rx, &mut msgs));
    }
    let flood = counters(&exp);
    // The exporter saw nothing wrong.
    assert_eq!(
        (flood.messages, flood.records, flood.dropped_messages),
        (1 + (ROUNDS * PER_ROUND) as u64, next, 0)
    );
    let slowest = sends.iter().map(|s| s.took).max().unwrap_or_default();
    assert!(slowest < PROMPT, "a send took {slowest:?}");

    // Then one-record markers until one arrives: its sequence number tells
    // the end of the export.
    let mut buf = vec![0u8; 65536];
    rx.set_read_timeout(Some(Duration::from_millis(20)))
        .expect("timeout");
    let until = Instant::now() + WAIT;
    'markers: loop {
        assert!(Instant::now() < until, "no marker arrived");
        let marker = send(&mut exp, &flows(&mut next, FLOWS, 1));
        let seq = marker.records_before;
        sends.push(marker);
        let wait = Instant::now() + Duration::from_millis(500);
        while Instant::now() < wait {
            match rx.recv(&mut buf) {
                Ok(n) => {
                    let m = parse_datagram(&buf[..n]);
                    let last = u64::from(m.sequence) == seq;
                    msgs.push(m);
                    if last {
                        break 'markers;
                    }
                }
                Err(e) if nothing_yet(&e) => {}
                Err(e) => panic!("recv: {e}"),
            }
        }
    }
    let end = counters(&exp);
    assert_eq!(end.dropped_messages, 0);

    // In sequence order (the template message before the data of equal
    // sequence number): the records received and the gaps between the
    // messages make the records sent. Every gap is whole messages, and every
    // record decoded is the one written at its place.
    msgs.sort_by_key(|m| (m.sequence, !has_templates(m)));
    let starts: std::collections::HashSet<u64> = sends.iter().map(|s| s.records_before).collect();
    let mut session = Session::new();
    session.udp = true;
    let (mut expected, mut received, mut lost, mut gaps) = (0u64, 0u64, 0u64, 0u64);
    for m in &msgs {
        let seq = u64::from(m.sequence);
        assert!(seq >= expected, "sequence {seq} after {expected}");
        if seq > expected {
            assert!(starts.contains(&expected) && starts.contains(&seq));
            lost += seq - expected;
            gaps += 1;
        }
        session.set_expected_sequence(DOMAIN, Some(m.sequence));
        let records = session.feed(m).expect("the session decodes it");
        for (i, r) in records.iter().enumerate() {
            assert_eq!(flow_of(r), seq + i as u64);
        }
        received += records.len() as u64;
        expected = seq + records.len() as u64;
    }
    assert_eq!(expected, end.records, "the last message is the marker");
    assert_eq!(received + lost, end.records);
    assert_eq!(end.records, next);
    // Once over its limit, the socket refuses every datagram until it is
    // read: one gap per round.
    assert!(lost > 0, "a {rcvbuf}-byte buffer kept {kept:?} datagrams");
    assert_eq!(gaps, ROUNDS as u64);
    // What the sequence numbers say was lost, the kernel says it dropped.
    let lost_datagrams = end.messages - msgs.len() as u64;
    let drops = kernel_drops(addr.port());
    if let Some(drops) = drops {
        assert_eq!(drops, lost_datagrams);
    }
    eprintln!(
        "collector flooded: SO_RCVBUF {rcvbuf}, kept {kept:?} of {} datagrams; \
         {received} records received, {lost} lost in {gaps} gaps \
         ({lost_datagrams} datagrams, kernel drops {drops:?}); {} markers",
        flood.messages,
        sends.len() - ROUNDS * PER_ROUND
    );
}
