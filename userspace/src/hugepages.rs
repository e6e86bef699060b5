//! Huge pages for the big tables (`--hugepages`).
//!
//! The flow table's slab and hash index are a few large allocations touched at
//! random: with 4 KiB pages every flow lookup is a TLB miss as well as a cache miss.
//! (The AF_XDP UMEM is mapped by xsk-rs, not allocated here: `capture` asks it for
//! reserved huge pages itself.) [`HugeAlloc`] is the binary's global allocator; it
//! passes everything to the system allocator, places each allocation of a huge page
//! or more on a huge-page boundary and, once [`enable`] was called, asks the kernel
//! to back those with transparent huge pages (`madvise(MADV_HUGEPAGE)`). The memory is
//! not touched here, so the pages are huge from their first fault. Where the kernel
//! has transparent huge pages off, [`enable`] says so and nothing changes: the
//! fallback is the normal pages, never an error.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

/// The size of one huge page (x86-64 and arm64 with 4 KiB base pages).
pub const HUGE_PAGE: usize = 2 << 20;
/// The kernel's switch for transparent huge pages.
pub const THP_ENABLED: &str = "/sys/kernel/mm/transparent_hugepage/enabled";

static ADVISE: AtomicBool = AtomicBool::new(false);

/// What `--hugepages` got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HugePages {
    /// Large allocations are advised to use transparent huge pages (the kernel's
    /// mode, `always` or `madvise`).
    Transparent(String),
    /// The kernel will not give them (the reason); normal pages are used.
    Unavailable(String),
}

/// Turns the advice on for every later large allocation, if the kernel can honour
/// it. Call it before the tables are made.
pub fn enable() -> HugePages {
    let mode = match std::fs::read_to_string(THP_ENABLED) {
        Ok(text) => selected_mode(&text),
        Err(e) => return HugePages::Unavailable(format!("{THP_ENABLED}: {e}")),
    };
    match mode.as_deref() {
        Some(m @ ("always" | "madvise")) => {
            ADVISE.store(true, Ordering::Relaxed);
            HugePages::Transparent(m.to_string())
        }
        Some(m) => HugePages::Unavailable(format!("{THP_ENABLED} is `{m}`")),
        None => HugePages::Unavailable(format!("{THP_ENABLED} names no mode")),
    }
}

/// Whether large allocations are being advised.
pub fn enabled() -> bool {
    ADVISE.load(Ordering::Relaxed)
}

/// The bracketed word of the kernel's mode list (`always [madvise] never`).
fn selected_mode(text: &str) -> Option<String> {
    let start = text.find('[')? + 1;
    let end = start + text.get(start..)?.find(']')?;
    text.get(start..end).map(str::to_string)
}

/// The layout an allocation of `layout` is made with: from one huge page in size
/// on, aligned to a huge page, so that it starts on one. Decided by size alone,
/// so that `dealloc` and `realloc` find the layout `alloc` used.
fn placed(layout: Layout) -> Layout {
    if layout.size() >= HUGE_PAGE && layout.align() < HUGE_PAGE {
        Layout::from_size_align(layout.size(), HUGE_PAGE).unwrap_or(layout)
    } else {
        layout
    }
}

/// Advises the huge pages of a new allocation of `len` bytes at `ptr`, when the
/// advice is on and the allocation is large; a refusal is harmless.
fn advise(ptr: *mut u8, len: usize) {
    let len = len & !(HUGE_PAGE - 1);
    if len == 0 || ptr.is_null() || !enabled() {
        return;
    }
    if (ptr as usize).is_multiple_of(HUGE_PAGE) {
        // SAFETY: the range lies inside an allocation just made and owned by the
        // caller; MADV_HUGEPAGE changes how it is backed, never its contents.
        unsafe { libc::madvise(ptr.cast(), len, libc::MADV_HUGEPAGE) };
    }
}

/// The system allocator, advising large allocations once [`enable`] was called.
/// Allocations of a huge page or more are aligned to one whether or not the
/// advice is on (the untouched rest of the alignment costs address space only).
pub struct HugeAlloc;

// SAFETY: every call is passed to `System` with the layout `placed` gives, the
// same for an allocation's alloc, realloc and dealloc; `advise` only adds a hint
// on memory the allocation returned.
unsafe impl GlobalAlloc for HugeAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let layout = placed(layout);
        // SAFETY: the caller's contract, with a stricter alignment.
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let layout = placed(layout);
        // SAFETY: the caller's contract, with a stricter alignment.
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with `placed(layout)`.
        unsafe { System.dealloc(ptr, placed(layout)) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = placed(layout);
        let Ok(new) = Layout::from_size_align(new_size, layout.align()).map(placed) else {
            return std::ptr::null_mut();
        };
        if old.align() == new.align() {
            // SAFETY: `ptr` came from `alloc` with `old`; the alignment is kept.
            let p = unsafe { System.realloc(ptr, old, new_size) };
            advise(p, new_size);
            return p;
        }
        // Crossing the huge-page size: a new placement, then the copy.
        // SAFETY: `new` has a non-zero size (the caller's contract).
        let p = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !p.is_null() {
            // SAFETY: both blocks are live, distinct, and at least this long.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bracketed_mode() {
        assert_eq!(
            selected_mode("always [madvise] never\n").as_deref(),
            Some("madvise")
        );
        assert_eq!(
            selected_mode("[always] madvise never").as_deref(),
            Some("always")
        );
        assert_eq!(selected_mode("always madvise never"), None);
    }

    #[test]
    fn places_large_allocations_on_a_huge_page() {
        let small = Layout::from_size_align(HUGE_PAGE - 1, 8).unwrap();
        assert_eq!(placed(small), small);
        let large = Layout::from_size_align(HUGE_PAGE, 8).unwrap();
        assert_eq!(placed(large).align(), HUGE_PAGE);
        assert_eq!(placed(large).size(), HUGE_PAGE);
    }

    #[test]
    fn grows_and_shrinks_across_the_huge_page_size() {
        let a = HugeAlloc;
        let small = Layout::from_size_align(4096, 8).unwrap();
        // SAFETY: a normal alloc/realloc/dealloc sequence on one block.
        unsafe {
            let p = a.alloc(small);
            assert!(!p.is_null());
            p.write_bytes(7, 4096);
            let p = a.realloc(p, small, 3 * HUGE_PAGE);
            assert!(!p.is_null());
            assert_eq!(p as usize % HUGE_PAGE, 0);
            assert_eq!(*p.add(4095), 7);
            let large = Layout::from_size_align(3 * HUGE_PAGE, 8).unwrap();
            let p = a.realloc(p, large, 100);
            assert!(!p.is_null());
            assert_eq!(*p.add(99), 7);
            a.dealloc(p, Layout::from_size_align(100, 8).unwrap());
        }
    }
}
