//! A one-line progress bar on stderr for `sluice read`, shown only when stderr
//! is a terminal and the file is big enough to be worth it.
#![allow(unsafe_code)] // isatty and the terminal-size ioctl are libc calls; each block says why it is sound.

use std::io::Write;
use std::time::{Duration, Instant};

/// Files smaller than this get no progress bar.
pub const MIN_BYTES: u64 = 4 << 20;
const EVERY: Duration = Duration::from_millis(200);

/// Progress of reading one file.
pub struct Progress {
    name: String,
    total: u64,
    started: Instant,
    next: Instant,
    shown: bool,
}

impl Progress {
    /// A bar for `name` of `total` bytes, or `None` when it should not be shown.
    pub fn new(name: &str, total: Option<u64>) -> Option<Progress> {
        let total = total.filter(|&t| t >= MIN_BYTES)?;
        // SAFETY: isatty only inspects the descriptor.
        if unsafe { libc::isatty(2) } != 1 {
            return None;
        }
        let now = Instant::now();
        Some(Progress {
            name: name.to_string(),
            total,
            started: now,
            next: now + EVERY,
            shown: false,
        })
    }

    /// Redraws the bar if it is time to, with `done` bytes read and `packets` packets.
    pub fn update(&mut self, done: u64, packets: u64) {
        let now = Instant::now();
        if now < self.next {
            return;
        }
        self.next = now + EVERY;
        self.draw(done, packets);
    }

    fn draw(&mut self, done: u64, packets: u64) {
        const WIDTH: u64 = 30;
        let frac = done.min(self.total) * WIDTH / self.total.max(1);
        let pct = done.min(self.total) * 100 / self.total.max(1);
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let bar: String = (0..WIDTH)
            .map(|i| if i < frac { '#' } else { '.' })
            .collect();
        eprint!(
            "\r{} [{bar}] {pct:3}% {:.0}/{:.0} MB {packets} pkts {:.2} Mpps ",
            self.name,
            done as f64 / 1e6,
            self.total as f64 / 1e6,
            packets as f64 / secs / 1e6
        );
        let _ = std::io::stderr().flush();
        self.shown = true;
    }

    /// Draws the final state and ends the line.
    pub fn finish(mut self, done: u64, packets: u64) {
        self.draw(done, packets);
        if self.shown {
            eprintln!();
        }
    }
}
