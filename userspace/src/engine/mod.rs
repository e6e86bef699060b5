//! The engines. Live (`live`, feature `live`): attach the XDP program, open one AF_XDP
//! socket and one worker per rx queue, write finished flows, stop cleanly on
//! SIGINT/SIGTERM or after a duration. Offline (`offline`): capture files through the
//! same flow table and JSON writer, with packet time as the clock.
#[cfg(feature = "live")]
pub mod cpus;
#[cfg(feature = "live")]
pub mod export_queue;
#[cfg(feature = "live")]
pub mod handoff;
#[cfg(feature = "live")]
mod live;
pub mod offline;
pub mod pipeline;
pub mod progress;
pub mod read_report;
#[cfg(feature = "live")]
pub mod report;
#[cfg(feature = "live")]
mod report_metrics;
#[cfg(feature = "live")]
pub mod shutdown;
#[cfg(feature = "live")]
pub mod worker;
#[cfg(feature = "live")]
pub mod writer;

#[cfg(feature = "live")]
pub use live::{run_capture, CaptureOptions, Queues, StatsFormat};
#[cfg(feature = "live")]
pub use report::{CaptureReport, QueueReport};
