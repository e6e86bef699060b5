//! Sluice's lab: the traffic generator, the namespace topology shared by the demo, the
//! live tests and the live benchmark, frame templates, and the lab's own XDP object
//! (`objects`: the generator and the benchmark's XDP_DROP, from `ebpf/bench`).
pub mod demo;
pub mod frame;
pub mod gen;
pub mod kafka_broker;
pub mod lab;
pub mod live;
pub mod memory;
pub mod mixed;
pub mod netns;
pub mod objects;
pub mod offline;
pub mod outputs;
pub mod pcap;
pub mod pcap_write;
pub mod scenario;
pub mod soak;
