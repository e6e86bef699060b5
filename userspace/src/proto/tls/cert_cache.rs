//! Certificates this thread has already summarized, by their DER bytes.
//!
//! A server sends the same chain to every client, so most certificates a probe sees
//! it has seen before; summarizing one (x509-parser, then OpenSSL's names and
//! formats) costs far more than hashing its bytes. Each worker thread keeps its own
//! cache (nothing shared, no lock); a hit gives the summary made from identical
//! bytes, so a record is the same whether or not its certificates were cached. The
//! cache is bounded by [`MAX_CERTS`] entries and [`MAX_DER_BYTES`] of keys, and
//! emptied when either is reached.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::cert::{CertError, Certificate};

/// Certificates kept per thread.
pub const MAX_CERTS: usize = 1024;
/// DER bytes kept per thread (the keys).
pub const MAX_DER_BYTES: usize = 4 << 20;

/// Summaries by the DER they came from.
#[derive(Default)]
struct CertCache {
    by_der: HashMap<Box<[u8]>, Arc<Certificate>, foldhash::fast::RandomState>,
    der_bytes: usize,
}

impl CertCache {
    fn summarize(&mut self, der: &[u8]) -> Result<Arc<Certificate>, CertError> {
        if let Some(c) = self.by_der.get(der) {
            return Ok(Arc::clone(c));
        }
        let c = Arc::new(Certificate::parse(der)?);
        self.keep(der, &c);
        Ok(c)
    }

    /// Keeps `c` under `der`, emptying the cache first if it would overflow.
    fn keep(&mut self, der: &[u8], c: &Arc<Certificate>) {
        if der.len() > MAX_DER_BYTES {
            return;
        }
        if self.by_der.len() >= MAX_CERTS || self.der_bytes + der.len() > MAX_DER_BYTES {
            self.by_der.clear();
            self.der_bytes = 0;
        }
        self.der_bytes += der.len();
        self.by_der.insert(der.into(), Arc::clone(c));
    }
}

thread_local! {
    static CACHE: RefCell<CertCache> = RefCell::new(CertCache::default());
}

/// The summary of one DER certificate: this thread's earlier one of the same
/// bytes, or a new one ([`Certificate::parse`]).
pub fn summarize(der: &[u8]) -> Result<Arc<Certificate>, CertError> {
    CACHE.with(|c| match c.try_borrow_mut() {
        Ok(mut cache) => cache.summarize(der),
        // Not reachable (parsing does not call back here); parse uncached if it were.
        Err(_) => Certificate::parse(der).map(Arc::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_certificate_is_an_error_and_not_kept() {
        let mut cache = CertCache::default();
        assert!(cache.summarize(b"not DER").is_err());
        assert!(cache.by_der.is_empty());
    }

    #[test]
    fn is_emptied_when_full() {
        let mut cache = CertCache::default();
        let c = Arc::new(Certificate::default());
        for i in 0..MAX_CERTS {
            cache.keep(&i.to_be_bytes(), &c);
        }
        assert_eq!(cache.by_der.len(), MAX_CERTS);
        assert_eq!(cache.der_bytes, MAX_CERTS * 8);
        cache.keep(b"one more", &c);
        assert_eq!(cache.by_der.len(), 1);
        assert_eq!(cache.der_bytes, 8);
        // By bytes too; a key larger than the whole budget is never kept.
        cache.keep(&vec![0; MAX_DER_BYTES - 8], &c);
        assert_eq!(cache.by_der.len(), 2);
        cache.keep(b"x", &c);
        assert_eq!(cache.by_der.len(), 1);
        cache.keep(&vec![1; MAX_DER_BYTES + 1], &c);
        assert_eq!(cache.by_der.len(), 1);
    }
}
