//! The workers' meeting point at shutdown, safe against a worker that panics.
//!
//! Each worker takes what its rx ring holds, then arrives here and waits for the
//! others before it takes what they handed over and flushes. A worker that panics
//! arrives as it unwinds (its [`Arrival`] is dropped), and asks the whole capture to
//! stop, so the others neither wait for it forever nor go on without the run noticing.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, Condvar, Mutex,
};

/// A barrier for `n` workers that a panicking worker still reaches.
pub struct ShutdownBarrier {
    arrived: Mutex<usize>,
    all_here: Condvar,
    workers: usize,
    /// Set when a worker arrives by panicking: the capture must stop.
    stop_requested: Arc<AtomicBool>,
}

impl ShutdownBarrier {
    /// A barrier for `workers` workers; a panicking worker sets `stop_requested`.
    pub fn new(workers: usize, stop_requested: Arc<AtomicBool>) -> Arc<Self> {
        Arc::new(ShutdownBarrier {
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
            workers,
            stop_requested,
        })
    }

    /// One worker's place at the barrier.
    pub fn arrival(self: &Arc<Self>) -> Arrival {
        Arrival {
            barrier: Arc::clone(self),
            arrived: false,
        }
    }

    fn arrive(&self) {
        let mut n = self.arrived.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        if *n >= self.workers {
            self.all_here.notify_all();
        }
    }

    fn wait_for_all(&self) {
        let mut n = self.arrived.lock().unwrap_or_else(|e| e.into_inner());
        while *n < self.workers {
            n = self.all_here.wait(n).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A worker's arrival at the [`ShutdownBarrier`]: made by
/// [`Arrival::arrive_and_wait`], or by dropping it (a worker that unwinds).
pub struct Arrival {
    barrier: Arc<ShutdownBarrier>,
    arrived: bool,
}

impl Arrival {
    /// Arrives and waits until every worker has arrived.
    pub fn arrive_and_wait(mut self) {
        self.arrived = true;
        self.barrier.arrive();
        self.barrier.wait_for_all();
    }
}

impl Drop for Arrival {
    fn drop(&mut self) {
        if !self.arrived {
            if std::thread::panicking() {
                self.barrier.stop_requested.store(true, Ordering::Relaxed);
            }
            self.barrier.arrive();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_worker_still_arrives_and_asks_to_stop() {
        let stop = Arc::new(AtomicBool::new(false));
        let b = ShutdownBarrier::new(2, Arc::clone(&stop));
        let a = b.arrival();
        let crashed = std::thread::spawn(move || {
            let _a = a;
            panic!("worker fault");
        });
        assert!(crashed.join().is_err());
        assert!(stop.load(Ordering::Relaxed));
        // The survivor does not wait forever.
        b.arrival().arrive_and_wait();
    }

    #[test]
    fn workers_wait_for_each_other() {
        let stop = Arc::new(AtomicBool::new(false));
        let b = ShutdownBarrier::new(3, Arc::clone(&stop));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let a = b.arrival();
                std::thread::spawn(move || a.arrive_and_wait())
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert!(!stop.load(Ordering::Relaxed));
    }
}
