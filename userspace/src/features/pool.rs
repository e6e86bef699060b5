//! Per-worker pools of per-flow feature state.
//!
//! A flow's feature state is taken from its worker's pool when the flow first
//! needs it and goes back when the flow's record has been written (the
//! [`Pooled`] box returns itself on drop), so a worker in steady state
//! allocates nothing per flow or per packet. Each worker thread has its own
//! pools (thread-local: no locks, no sharing); a pool keeps at most
//! [`POOL_LIMIT`] idle objects of each type, and frees what is beyond.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

/// Idle objects kept per type and per worker thread.
pub const POOL_LIMIT: usize = 4096;

/// A type whose boxes are pooled: `clear` readies a returned object for its
/// next flow (keeping buffers it owns, so their capacity is reused).
pub trait Recycle: Default + 'static {
    /// This type's pool on the current thread.
    fn pool() -> &'static LocalKey<RefCell<Vec<Box<Self>>>>;
    /// Resets the object to its `Default` meaning, keeping allocations.
    fn clear(&mut self);
}

/// Implements [`Recycle`] for a type with its own thread-local pool.
macro_rules! recycle {
    ($t:ty, |$s:ident| $clear:expr) => {
        impl $crate::features::pool::Recycle for $t {
            fn pool() -> &'static ::std::thread::LocalKey<
                ::std::cell::RefCell<::std::vec::Vec<::std::boxed::Box<Self>>>,
            > {
                ::std::thread_local! {
                    static POOL: ::std::cell::RefCell<::std::vec::Vec<::std::boxed::Box<$t>>> =
                        const { ::std::cell::RefCell::new(::std::vec::Vec::new()) };
                }
                &POOL
            }

            fn clear(&mut self) {
                let $s = self;
                $clear
            }
        }
    };
}
pub(crate) use recycle;

/// A box taken from its type's pool, returned to it on drop.
pub struct Pooled<T: Recycle>(Option<Box<T>>);

impl<T: Recycle> Pooled<T> {
    /// An object in its default state: a pooled one if the pool has any.
    pub fn take() -> Pooled<T> {
        let b = T::pool()
            .try_with(|p| p.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_default();
        Pooled(Some(b))
    }
}

impl<T: Recycle> Default for Pooled<T> {
    fn default() -> Self {
        Pooled::take()
    }
}

impl<T: Recycle> Drop for Pooled<T> {
    fn drop(&mut self) {
        let Some(mut b) = self.0.take() else {
            return;
        };
        b.clear();
        // At thread exit the pool may be gone: then the box is simply freed.
        let _ = T::pool().try_with(|p| {
            if let Ok(mut p) = p.try_borrow_mut() {
                if p.len() < POOL_LIMIT {
                    p.push(b);
                }
            }
        });
    }
}

impl<T: Recycle> Deref for Pooled<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // Only `drop` empties the option.
        self.0.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl<T: Recycle> DerefMut for Pooled<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.as_deref_mut().unwrap_or_else(|| unreachable!())
    }
}

impl<T: Recycle + fmt::Debug> fmt::Debug for Pooled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug)]
    struct Thing(Vec<u8>);
    recycle!(Thing, |t| t.0.clear());

    #[test]
    fn a_returned_object_is_reused_cleared_with_its_buffer() {
        let mut a: Pooled<Thing> = Pooled::take();
        let a_thing: &mut Thing = &mut a;
        a_thing.0.extend_from_slice(&[1, 2, 3]);
        let ptr = a_thing.0.as_ptr();
        drop(a);
        let b: Pooled<Thing> = Pooled::take();
        let thing: &Thing = &b;
        assert!(thing.0.is_empty(), "cleared");
        assert_eq!(thing.0.as_ptr(), ptr, "the same buffer");
        assert!(thing.0.capacity() >= 3);
    }
}
