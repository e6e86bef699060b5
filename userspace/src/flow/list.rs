//! Intrusive doubly-linked lists threaded through the flow slab by index.

use crate::flow::entry::FlowEntry;

/// "No entry" index.
pub(crate) const NIL: u32 = u32::MAX;

/// Previous/next slab indices of one list membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Links {
    pub prev: u32,
    pub next: u32,
}

impl Links {
    /// Links of an entry that is in no list.
    pub const NONE: Links = Links {
        prev: NIL,
        next: NIL,
    };
}

/// Which pair of links of an entry a list uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chain {
    /// `FlowEntry::activity`: ordered by last activity (LRU).
    Activity,
    /// `FlowEntry::age`: ordered by creation (FIFO).
    Age,
    /// `FlowEntry::slice`: ordered by the start of the current slice (FIFO).
    Slice,
}

/// A list of slab entries; head is the oldest. All operations are O(1).
#[derive(Debug)]
pub(crate) struct List {
    head: u32,
    tail: u32,
    chain: Chain,
}

impl List {
    /// An empty list over `chain`.
    pub fn new(chain: Chain) -> Self {
        List {
            head: NIL,
            tail: NIL,
            chain,
        }
    }

    /// The oldest entry, if any.
    pub fn head(&self) -> Option<u32> {
        (self.head != NIL).then_some(self.head)
    }

    /// Empties the list without touching entries.
    pub fn clear(&mut self) {
        self.head = NIL;
        self.tail = NIL;
    }

    fn links<'s, A>(&self, slab: &'s mut [FlowEntry<A>], i: u32) -> &'s mut Links {
        let e = &mut slab[i as usize];
        match self.chain {
            Chain::Activity => &mut e.activity,
            Chain::Age => &mut e.age,
            Chain::Slice => &mut e.slice,
        }
    }

    /// Appends entry `i`, which must not be in this list.
    pub fn push_back<A>(&mut self, slab: &mut [FlowEntry<A>], i: u32) {
        let tail = self.tail;
        *self.links(slab, i) = Links {
            prev: tail,
            next: NIL,
        };
        if tail == NIL {
            self.head = i;
        } else {
            self.links(slab, tail).next = i;
        }
        self.tail = i;
    }

    /// Removes entry `i`, which must be in this list.
    pub fn unlink<A>(&mut self, slab: &mut [FlowEntry<A>], i: u32) {
        let Links { prev, next } = *self.links(slab, i);
        if prev == NIL {
            self.head = next;
        } else {
            self.links(slab, prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.links(slab, next).prev = prev;
        }
        *self.links(slab, i) = Links::NONE;
    }

    /// Moves entry `i`, which must be in this list, to the tail.
    pub fn move_to_back<A>(&mut self, slab: &mut [FlowEntry<A>], i: u32) {
        if self.tail != i {
            self.unlink(slab, i);
            self.push_back(slab, i);
        }
    }

    /// The entry after `i` in this list.
    pub fn next<A>(&self, slab: &[FlowEntry<A>], i: u32) -> Option<u32> {
        let e = &slab[i as usize];
        let n = match self.chain {
            Chain::Activity => e.activity.next,
            Chain::Age => e.age.next,
            Chain::Slice => e.slice.next,
        };
        (n != NIL).then_some(n)
    }
}
