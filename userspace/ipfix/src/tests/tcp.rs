//! TCP collectors that are down, restart, or read slowly: the exporter
//! never blocks, and every record is delivered or counted as dropped.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::decode::{parse_message, Session, Value};
use crate::field::{Field, VARLEN};
use crate::registry::ie;
use crate::{CollectorSpec, Exporter, ExporterConfig, TcpConfig, Template};

/// Reads one connection to its end (or until `want` records), decoding
/// strictly: a new session per connection.
fn collect(conn: &mut TcpStream, want: usize, deadline: Duration) -> Vec<u64> {
    conn.set_read_timeout(Some(Duration::from_millis(50)))
        .expect("timeout");
    let until = Instant::now() + deadline;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let mut session = Session::new();
    let mut ids = Vec::new();
    while ids.len() < want && Instant::now() < until {
        match conn.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
        loop {
            if buf.len() < 4 {
                break;
            }
            let len = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
            if buf.len() < len {
                break;
            }
            let (m, used) = parse_message(&buf[..len]).expect("a valid message");
            assert_eq!(used, len);
            for r in session.feed(&m).expect("the session accepts it") {
                ids.push(
                    r.get(0, ie::FLOW_ID)
                        .and_then(Value::as_u64)
                        .expect("flowId"),
                );
            }
            buf.drain(..len);
        }
    }
    ids
}

fn exporter(addr: SocketAddr, queue: usize) -> Exporter {
    let mut exp = Exporter::with_config(ExporterConfig {
        domain: 1,
        tcp: TcpConfig {
            queue,
            backoff_min: Duration::from_millis(20),
            backoff_max: Duration::from_millis(200),
            drain_timeout: Duration::from_secs(5),
            on_thread_start: None,
        },
        ..ExporterConfig::default()
    })
    .expect("cfg");
    exp.add_collector(&CollectorSpec::Tcp(addr)).expect("tcp");
    exp.add_template(big_template()).expect("t");
    exp
}

/// flowId and a 1000-byte octetArray: messages big enough to fill socket
/// buffers quickly.
fn big_template() -> Template {
    Template::new(256)
        .field(Field::iana(ie::FLOW_ID, 8))
        .field(Field::enterprise(9, 44940, VARLEN))
}

fn put(exp: &mut Exporter, ids: std::ops::Range<u64>) {
    for id in ids {
        let mut set = exp.start_data_set(256).expect("set");
        set.put_uint(id).expect("id");
        set.put_bytes(&[0x5a; 1000]).expect("payload");
        set.end_record().expect("rec");
        drop(set);
        exp.send();
    }
}

/// A free local port with nothing listening.
fn free_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

#[test]
fn collector_down_then_up_gets_the_queued_records() {
    let addr = free_addr();
    let mut exp = exporter(addr, 1000);
    put(&mut exp, 0..100);
    std::thread::sleep(Duration::from_millis(100));
    let s = exp.stats();
    assert_eq!(s.collectors[0].records, 0, "nobody listens yet");
    assert!(s.collectors[0].last_error.is_some());
    let l = TcpListener::bind(addr).expect("rebind");
    let (mut conn, _) = l.accept().expect("the exporter reconnects");
    let ids = collect(&mut conn, 100, Duration::from_secs(10));
    assert_eq!(ids, (0..100).collect::<Vec<_>>());
    let stats = exp.close();
    assert_eq!(stats.collectors[0].records, 100);
    assert_eq!(stats.collectors[0].dropped_records, 0);
    assert_eq!(stats.collectors[0].sessions, 1);
}

#[test]
fn collector_restart_starts_a_new_session() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let mut exp = exporter(addr, 1000);
    put(&mut exp, 0..10);
    let (mut conn, _) = l.accept().expect("accept");
    assert_eq!(
        collect(&mut conn, 10, Duration::from_secs(10)),
        (0..10).collect::<Vec<_>>()
    );
    // The collector restarts: the connection closes; records written
    // meanwhile wait for the next connection.
    drop(conn);
    std::thread::sleep(Duration::from_millis(100));
    put(&mut exp, 10..20);
    let (mut conn, _) = l.accept().expect("reconnect");
    // A new session: templates again, sequence numbers from 0 (the strict
    // session checks both).
    assert_eq!(
        collect(&mut conn, 10, Duration::from_secs(10)),
        (10..20).collect::<Vec<_>>()
    );
    let stats = exp.close();
    let c = &stats.collectors[0];
    assert_eq!((c.records, c.dropped_records, c.sessions), (20, 0, 2));
}

#[test]
fn slow_collector_never_blocks_and_every_record_is_accounted() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let mut exp = exporter(addr, 8);
    let (mut conn, _) = l.accept().expect("accept");
    // The collector reads nothing while 20,000 records (each its own
    // message) go out: socket buffers and the 8-message queue fill, the
    // rest is dropped and counted, and the calls return.
    let n = 20_000u64;
    put(&mut exp, 0..n);
    std::thread::sleep(Duration::from_millis(200));
    let mid = exp.stats();
    assert!(mid.collectors[0].dropped_records > 0, "{mid:?}");
    let reader =
        std::thread::spawn(move || collect(&mut conn, usize::MAX, Duration::from_secs(20)));
    let stats = exp.close();
    let got = reader.join().expect("reader");
    let c = &stats.collectors[0];
    assert_eq!(got.len() as u64, c.records);
    assert_eq!(c.records + c.dropped_records, n);
    // Delivered records arrive in order, without duplicates.
    assert!(got.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn collector_that_never_comes_counts_everything_as_dropped_at_close() {
    let addr = free_addr();
    let mut exp = Exporter::with_config(ExporterConfig {
        tcp: TcpConfig {
            queue: 16,
            backoff_min: Duration::from_millis(10),
            backoff_max: Duration::from_millis(50),
            drain_timeout: Duration::from_millis(300),
            on_thread_start: None,
        },
        ..ExporterConfig::default()
    })
    .expect("cfg");
    exp.add_collector(&CollectorSpec::Tcp(addr)).expect("tcp");
    exp.add_template(big_template()).expect("t");
    put(&mut exp, 0..50);
    let stats = exp.close();
    let c = &stats.collectors[0];
    assert_eq!(
        (c.records, c.dropped_records, c.dropped_messages),
        (0, 50, 50)
    );
    // The report keeps the cause, not only the giving up.
    let e = c.last_error.as_deref().unwrap_or_default();
    assert!(
        e.starts_with("closed before the collector took every message (not connected: connect: "),
        "{e}"
    );
}
