//! Which way a packet goes within its flow.

use std::ops::{Index, IndexMut};

/// A packet's direction within its flow: `Out` from the flow's initiator
/// (its first sender), `In` towards it. Per-direction values are kept as
/// `[T; 2]` indexed by a `Direction` (`Out` first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// From the initiator to the responder.
    #[default]
    Out = 0,
    /// From the responder to the initiator.
    In = 1,
}

impl Direction {
    /// Both directions, `Out` first (the order of `[T; 2]` values).
    pub const BOTH: [Direction; 2] = [Direction::Out, Direction::In];

    /// `Out` if `outbound`, else `In`.
    pub const fn from_outbound(outbound: bool) -> Direction {
        if outbound {
            Direction::Out
        } else {
            Direction::In
        }
    }

    /// True for `Out`.
    pub const fn is_out(self) -> bool {
        matches!(self, Direction::Out)
    }

    /// The index of this direction's value in a `[T; 2]`.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The other direction.
    pub const fn reverse(self) -> Direction {
        match self {
            Direction::Out => Direction::In,
            Direction::In => Direction::Out,
        }
    }

    /// Joy's name: `out` or `in`.
    pub const fn name(self) -> &'static str {
        match self {
            Direction::Out => "out",
            Direction::In => "in",
        }
    }
}

impl<T> Index<Direction> for [T; 2] {
    type Output = T;

    fn index(&self, d: Direction) -> &T {
        &self[d.index()]
    }
}

impl<T> IndexMut<Direction> for [T; 2] {
    fn index_mut(&mut self, d: Direction) -> &mut T {
        &mut self[d.index()]
    }
}
