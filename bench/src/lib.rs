//! Sluice's lab: the traffic generator, the namespace topology shared by the demo, the
//! live tests and the live benchmark, and frame templates.
pub mod demo;
pub mod frame;
pub mod gen;
pub mod lab;
pub mod live;
pub mod memory;
pub mod mixed;
pub mod netns;
pub mod pcap;
pub mod pcap_write;
pub mod scenario;
pub mod soak;
