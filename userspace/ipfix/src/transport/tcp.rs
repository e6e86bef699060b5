//! TCP collectors. A sender thread owns the connection: the exporter only
//! queues messages (a bounded queue), so a collector that is down or slow
//! never stalls the caller. Templates go once per connection, before the
//! first data set that uses them (RFC 7011 §10.4.2); after a reconnect the
//! session starts afresh (templates again, sequence number 0).
//!
//! While the collector is unreachable the thread retries with exponential
//! backoff; messages wait in the queue, and a message that finds the queue
//! full is dropped and counted. A message whose write fails is sent again
//! on the next connection. At close the thread keeps sending for up to the
//! drain timeout; what is left then is counted as dropped.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;

use crate::stream::{Definitions, Outgoing, StreamState, TemplatePolicy};
use crate::transport::{export_time_now, CollectorStats};

/// Settings of a TCP collector.
#[derive(Clone, Copy, Debug)]
pub struct TcpConfig {
    /// Messages that may wait for the collector.
    pub queue: usize,
    /// First retry delay after a failed connect or a broken connection.
    pub backoff_min: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// How long `close` keeps trying to deliver queued messages.
    pub drain_timeout: Duration,
    /// Run first in each sender thread, before it connects: an engine that
    /// drops its privileges after setup passes what drops them, since a
    /// thread started before the drop keeps its own capability sets.
    pub on_thread_start: Option<fn()>,
}

impl Default for TcpConfig {
    fn default() -> TcpConfig {
        TcpConfig {
            queue: 4096,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(5),
            on_thread_start: None,
        }
    }
}

/// A queued message.
enum Item {
    Data {
        sets: Vec<u8>,
        records: u32,
        templates: Vec<u16>,
        defined: Arc<Definitions>,
    },
    Withdraw(u16),
}

/// Counters shared with the sender thread.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    messages: AtomicU64,
    records: AtomicU64,
    bytes: AtomicU64,
    templates: AtomicU64,
    dropped_messages: AtomicU64,
    dropped_records: AtomicU64,
    sessions: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Shared {
    fn error(&self, e: impl ToString) {
        if let Ok(mut g) = self.last_error.lock() {
            *g = Some(e.to_string());
        }
    }

    /// Empties `queue`, counting its data messages as dropped.
    fn drop_queue(&self, queue: &ArrayQueue<Item>) {
        while let Some(item) = queue.pop() {
            if let Item::Data { records, .. } = item {
                self.drop_records(records);
            }
        }
    }

    fn drop_records(&self, records: u32) {
        self.dropped_messages.fetch_add(1, Ordering::Relaxed);
        self.dropped_records
            .fetch_add(u64::from(records), Ordering::Relaxed);
    }
}

/// A TCP collector: the queue side.
pub(crate) struct TcpCollector {
    name: String,
    queue: Arc<ArrayQueue<Item>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl TcpCollector {
    pub(crate) fn start(
        addr: SocketAddr,
        domain: u32,
        mtu: usize,
        cfg: TcpConfig,
    ) -> io::Result<TcpCollector> {
        let name = format!("tcp://{addr}");
        let queue = Arc::new(ArrayQueue::new(cfg.queue.max(1)));
        let shared = Arc::new(Shared::default());
        let sender = Sender {
            addr,
            mtu,
            cfg,
            queue: queue.clone(),
            shared: shared.clone(),
            stream: StreamState::new(domain, TemplatePolicy::PerSession),
            conn: None,
            pending: None,
            buf: Vec::with_capacity(mtu * 2),
        };
        let thread = std::thread::Builder::new()
            .name("ipfix-tcp".into())
            .spawn(move || sender.run())?;
        Ok(TcpCollector {
            name,
            queue,
            shared,
            thread: Some(thread),
        })
    }

    pub(crate) fn send(&mut self, msg: &Outgoing<'_>) {
        let item = Item::Data {
            sets: msg.sets.to_vec(),
            records: msg.records,
            templates: msg.templates.to_vec(),
            defined: msg.defined.clone(),
        };
        if self.queue.push(item).is_err() {
            self.shared.drop_records(msg.records);
        }
        self.wake();
    }

    pub(crate) fn withdraw(&mut self, id: u16) {
        // A withdrawal that finds the queue full is lost with the data around
        // it; the collector then learns nothing of the template's end, which
        // is harmless: the id is not reused with another definition without
        // a withdrawal in the same session.
        let _ = self.queue.push(Item::Withdraw(id));
        self.wake();
    }

    fn wake(&self) {
        if let Some(t) = &self.thread {
            t.thread().unpark();
        }
    }

    pub(crate) fn stats(&self) -> CollectorStats {
        let s = &self.shared;
        CollectorStats {
            name: self.name.clone(),
            messages: s.messages.load(Ordering::Relaxed),
            records: s.records.load(Ordering::Relaxed),
            bytes: s.bytes.load(Ordering::Relaxed),
            templates: s.templates.load(Ordering::Relaxed),
            dropped_messages: s.dropped_messages.load(Ordering::Relaxed),
            dropped_records: s.dropped_records.load(Ordering::Relaxed),
            sessions: s.sessions.load(Ordering::Relaxed),
            last_error: s.last_error.lock().ok().and_then(|g| g.clone()),
        }
    }

    /// Stops the sender after it delivered the queue or the drain timeout
    /// passed; counts what is left as dropped.
    pub(crate) fn close(mut self) -> CollectorStats {
        self.shared.stop.store(true, Ordering::Release);
        self.wake();
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                self.shared.error("the sender thread panicked");
            }
        }
        // Only if the thread died: it empties the queue before it ends.
        self.shared.drop_queue(&self.queue);
        self.stats()
    }
}

impl Drop for TcpCollector {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// The sender thread's state.
struct Sender {
    addr: SocketAddr,
    mtu: usize,
    cfg: TcpConfig,
    queue: Arc<ArrayQueue<Item>>,
    shared: Arc<Shared>,
    stream: StreamState,
    conn: Option<TcpStream>,
    /// A message to (re)send before the queue.
    pending: Option<Item>,
    buf: Vec<u8>,
}

/// Why a write did not complete.
enum WriteFail {
    /// The connection broke: reconnect and send again.
    Broken(io::Error),
    /// Closing and the drain timeout passed.
    OutOfTime,
}

impl Sender {
    fn run(mut self) {
        if let Some(f) = self.cfg.on_thread_start {
            f();
        }
        let mut backoff = self.cfg.backoff_min;
        let mut next_try = Instant::now();
        let mut deadline: Option<Instant> = None;
        loop {
            let stopping = self.shared.stop.load(Ordering::Acquire);
            if stopping && deadline.is_none() {
                deadline = Some(Instant::now() + self.cfg.drain_timeout);
            }
            let idle = self.pending.is_none() && self.queue.is_empty();
            if stopping && idle {
                return;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                self.give_up();
                return;
            }
            if self.conn.is_none() {
                let now = Instant::now();
                if now < next_try {
                    std::thread::park_timeout((next_try - now).min(Duration::from_millis(50)));
                    continue;
                }
                match TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)) {
                    Ok(s) => {
                        let _ = s.set_write_timeout(Some(Duration::from_millis(100)));
                        self.conn = Some(s);
                        self.stream.reset();
                        self.shared.sessions.fetch_add(1, Ordering::Relaxed);
                        backoff = self.cfg.backoff_min;
                    }
                    Err(e) => {
                        self.shared.error(format!("connect: {e}"));
                        next_try = Instant::now() + backoff;
                        backoff = (backoff * 2).min(self.cfg.backoff_max);
                    }
                }
                continue;
            }
            let Some(item) = self.pending.take().or_else(|| self.queue.pop()) else {
                std::thread::park_timeout(Duration::from_millis(20));
                continue;
            };
            // A collector that went away (FIN or RST) is noticed before the
            // write, so the message goes on the next connection instead of
            // into a dead socket.
            if self.conn.as_ref().is_some_and(peer_closed) {
                self.shared.error("the collector closed the connection");
                self.conn = None;
                self.pending = Some(item);
                continue;
            }
            match self.deliver(&item, deadline) {
                Ok(()) => {}
                Err(WriteFail::Broken(e)) => {
                    self.shared.error(e);
                    self.conn = None;
                    self.pending = Some(item);
                    next_try = Instant::now() + backoff;
                    backoff = (backoff * 2).min(self.cfg.backoff_max);
                }
                Err(WriteFail::OutOfTime) => {
                    self.pending = Some(item);
                    self.give_up();
                    return;
                }
            }
        }
    }

    /// Writes one item (with the templates it needs first).
    fn deliver(&mut self, item: &Item, deadline: Option<Instant>) -> Result<(), WriteFail> {
        let export_time = export_time_now();
        self.buf.clear();
        let (records, templates, messages) = match item {
            Item::Data {
                sets,
                records,
                templates,
                defined,
            } => {
                let msg = Outgoing {
                    sets,
                    records: *records,
                    templates,
                    defined,
                };
                let (bodies, n) = self.stream.templates_before(&msg, Instant::now(), self.mtu);
                let messages = bodies.len() as u64 + 1;
                let mut extra = 0;
                for (body, records) in bodies {
                    let h = self.stream.header(body.len(), records, export_time);
                    self.buf.extend_from_slice(&h);
                    self.buf.extend_from_slice(&body);
                    extra += records;
                }
                let h = self.stream.header(sets.len(), *records, export_time);
                self.buf.extend_from_slice(&h);
                self.buf.extend_from_slice(sets);
                (*records + extra, n, messages)
            }
            Item::Withdraw(id) => match self.stream.withdraw(*id) {
                Some(body) => {
                    let h = self.stream.header(body.len(), 0, export_time);
                    self.buf.extend_from_slice(&h);
                    self.buf.extend_from_slice(&body);
                    (0, 0, 1)
                }
                None => return Ok(()),
            },
        };
        self.write_all(deadline)?;
        let s = &self.shared;
        s.messages.fetch_add(messages, Ordering::Relaxed);
        s.records.fetch_add(u64::from(records), Ordering::Relaxed);
        s.bytes.fetch_add(self.buf.len() as u64, Ordering::Relaxed);
        s.templates.fetch_add(templates, Ordering::Relaxed);
        Ok(())
    }

    /// Writes `buf`, riding out write timeouts until the drain deadline.
    fn write_all(&mut self, deadline: Option<Instant>) -> Result<(), WriteFail> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(WriteFail::Broken(io::Error::other("not connected")));
        };
        let mut off = 0;
        while off < self.buf.len() {
            match conn.write(&self.buf[off..]) {
                Ok(0) => return Err(WriteFail::Broken(io::ErrorKind::WriteZero.into())),
                Ok(n) => off += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    let stop = self.shared.stop.load(Ordering::Acquire);
                    let late = deadline.is_some_and(|d| Instant::now() >= d);
                    if stop && late {
                        return Err(WriteFail::OutOfTime);
                    }
                }
                Err(e) => return Err(WriteFail::Broken(e)),
            }
        }
        Ok(())
    }

    /// Counts the pending message and the queue as dropped, and says why:
    /// the collector could not be reached (with the error that says so), or
    /// it did not read fast enough.
    fn give_up(&mut self) {
        if let Some(Item::Data { records, .. }) = self.pending.take() {
            self.shared.drop_records(records);
        }
        self.shared.drop_queue(&self.queue);
        let why = if self.conn.is_some() {
            "the collector did not read it all in time".to_string()
        } else {
            let last = self.shared.last_error.lock().ok().and_then(|g| g.clone());
            match last {
                Some(e) => format!("not connected: {e}"),
                None => "not connected".to_string(),
            }
        };
        self.shared.error(format!(
            "closed before the collector took every message ({why})"
        ));
    }
}

/// Whether the collector closed its side: a collector never sends, so a
/// readable socket means end of stream or an error.
fn peer_closed(s: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut b = [0u8; 1];
    // SAFETY: recv on an open socket into a 1-byte buffer we own.
    let n = unsafe {
        libc::recv(
            s.as_raw_fd(),
            b.as_mut_ptr().cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    match n {
        0 => true,
        n if n > 0 => false,
        _ => {
            let e = io::Error::last_os_error();
            !matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            )
        }
    }
}
