//! Live metrics: the run's counters as Prometheus/OpenMetrics text at
//! `http://ADDR:PORT/metrics` (`--metrics ADDR:PORT`).
//!
//! The engine publishes a snapshot of every counter (a [`Snapshot`]) a few
//! times a second from its control thread; the server's own thread renders
//! the latest snapshot when a scraper asks. No worker ever waits on a
//! scrape: workers only publish their counters under their own mutex once
//! per housekeeping pass, as they do for `--stats-interval`.
//!
//! Rendering uses the `prometheus-client` crate (OpenMetrics text, which
//! Prometheus scrapes); serving uses `tiny_http` on one thread.

mod families;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::registry::Registry;

pub use families::Families;

/// The OpenMetrics text format's content type.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Counters that can be exposed: a run's report (the live capture's is in
/// `engine/report_metrics.rs`).
pub trait Snapshot: Send + Sync + std::fmt::Debug + 'static {
    /// Writes every counter as metric families.
    fn encode(&self, out: &mut Families<'_>) -> std::fmt::Result;
}

/// What the server shows: the latest snapshot (none before the first).
#[derive(Debug, Default)]
struct Latest(Mutex<Option<Arc<dyn Snapshot>>>);

/// The collector of one scrape: the snapshot it renders.
#[derive(Debug)]
struct Scrape(Arc<dyn Snapshot>);

impl Collector for Scrape {
    fn encode(&self, encoder: DescriptorEncoder) -> std::fmt::Result {
        self.0.encode(&mut Families::new(encoder))
    }
}

/// A running `/metrics` endpoint.
pub struct MetricsServer {
    addr: SocketAddr,
    latest: Arc<Latest>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Binds `addr` and starts serving (503 until the first snapshot).
    pub fn start(addr: SocketAddr) -> std::io::Result<MetricsServer> {
        let server = tiny_http::Server::http(addr)
            .map(Arc::new)
            .map_err(std::io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| std::io::Error::other("not an IP listener"))?;
        let latest = Arc::new(Latest::default());
        let thread = {
            let (server, latest) = (Arc::clone(&server), Arc::clone(&latest));
            std::thread::Builder::new()
                .name("sluice-metrics".into())
                .spawn(move || serve(&server, &latest))?
        };
        Ok(MetricsServer {
            addr,
            latest,
            server,
            thread: Some(thread),
        })
    }

    /// The address it listens on (the port chosen when `:0` was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Makes `s` what the next scrapes show.
    pub fn publish(&self, s: Arc<dyn Snapshot>) {
        if let Ok(mut l) = self.latest.0.lock() {
            *l = Some(s);
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Answers requests until the server is unblocked.
fn serve(server: &tiny_http::Server, latest: &Latest) {
    for req in server.incoming_requests() {
        let path = req.url().split('?').next().unwrap_or_default();
        let snapshot = latest.0.lock().ok().and_then(|l| l.clone());
        let response = match (path, snapshot) {
            ("/metrics", Some(s)) => match render(s) {
                Ok(text) => tiny_http::Response::from_string(text).with_header(header()),
                Err(_) => {
                    tiny_http::Response::from_string("encoding failed\n").with_status_code(500)
                }
            },
            ("/metrics", None) => {
                tiny_http::Response::from_string("no counters yet\n").with_status_code(503)
            }
            _ => {
                tiny_http::Response::from_string("not found: try /metrics\n").with_status_code(404)
            }
        };
        // A scraper that went away is its own business.
        let _ = req.respond(response);
    }
}

fn header() -> tiny_http::Header {
    tiny_http::Header {
        field: "Content-Type".parse().unwrap_or_else(|_| unreachable!()),
        value: CONTENT_TYPE.parse().unwrap_or_else(|_| unreachable!()),
    }
}

/// The OpenMetrics text of `s`.
pub fn render(s: Arc<dyn Snapshot>) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Scrape(s)));
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry)?;
    Ok(text)
}

/// User and system CPU time of this process so far, in seconds.
#[allow(unsafe_code)]
pub fn process_cpu() -> (f64, f64) {
    // SAFETY: getrusage fills the zeroed struct we pass; no other effect.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return (0.0, 0.0);
    }
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (s(ru.ru_utime), s(ru.ru_stime))
}

/// Resident memory of this process in bytes (`/proc/self/statm`), 0 if unknown.
pub fn resident_bytes() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/statm") else {
        return 0;
    };
    let pages: u64 = s
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    #[allow(unsafe_code)]
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page).unwrap_or(4096)
}
