//! Signatures of certificates and CRLs already checked, so that a verification with a warm cache
//! checks one signature, the document's, instead of four (the signer's certificate, the
//! intermediate's, the CRL's and the document's).
//!
//! What is remembered is a fact that cannot go stale: "the certificate or CRL whose DER hashes to
//! X carries a valid signature by the key of the certificate whose DER hashes to Y". Both hashes
//! cover every byte the check read (the to-be-signed part, the algorithm, the signature, the
//! issuer's key), so any change to either side is another key and is checked afresh; a CRL that
//! is replaced, or a trust list that changes, simply reaches other entries. Only checks that
//! passed are remembered: a bad signature is checked again each time it is presented.
//!
//! Everything else still runs on every verification: issuer names, CA constraints and key usage
//! along the path, the validity of each certificate at the time of receipt, which CRLs belong to
//! which CA, the revocation lookup of each serial and its date, and the IIN.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use sha2::{Digest as _, Sha256};

/// SHA-256 of a certificate's or CRL's DER.
pub(crate) type Digest = [u8; 32];

pub(crate) fn digest(der: &[u8]) -> Digest {
    Sha256::digest(der).into()
}

/// Links kept at most: a few CA certificates and CRLs plus one per signer certificate seen. When
/// full the set is emptied rather than aged: refilling it costs one check per link, and the
/// bound (about 2 MB) matters more than the occasional re-check.
const MAX_LINKS: usize = 16_384;

/// `object` (a certificate or a CRL) verifies under the key of the certificate `issuer`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Link {
    object: Digest,
    issuer: Digest,
}

pub(crate) struct SignatureCache {
    links: RwLock<HashSet<Link>>,
    limit: usize,
    /// Signature checks actually run (cache misses), for tests and benchmarks.
    checks: AtomicU64,
}

impl Default for SignatureCache {
    fn default() -> Self {
        SignatureCache::with_limit(MAX_LINKS)
    }
}

impl SignatureCache {
    fn with_limit(limit: usize) -> Self {
        SignatureCache {
            links: RwLock::default(),
            limit,
            checks: AtomicU64::new(0),
        }
    }

    /// Whether `object` verifies under `issuer`'s key: known, or found by `check`, whose `true`
    /// is remembered and whose `false` never is.
    pub(crate) fn verified(
        &self,
        object: &Digest,
        issuer: &Digest,
        check: impl FnOnce() -> bool,
    ) -> bool {
        let link = Link {
            object: *object,
            issuer: *issuer,
        };
        // A poisoned lock still holds only verified links: a panic cannot half-insert one.
        if self
            .links
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&link)
        {
            return true;
        }
        self.checks.fetch_add(1, Ordering::Relaxed);
        if !check() {
            return false;
        }
        let mut links = self.links.write().unwrap_or_else(PoisonError::into_inner);
        if links.len() >= self.limit {
            links.clear();
        }
        links.insert(link);
        true
    }

    pub(crate) fn clear(&self) {
        self.links
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.links
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub(crate) fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::{SignatureCache, digest};

    #[test]
    fn a_passed_check_is_remembered_and_a_failed_one_never() {
        let cache = SignatureCache::default();
        let (cert, ca) = (digest(b"certificate"), digest(b"CA"));
        assert!(!cache.verified(&cert, &ca, || false));
        assert_eq!((cache.len(), cache.checks()), (0, 1));
        assert!(cache.verified(&cert, &ca, || true));
        assert!(cache.verified(&cert, &ca, || panic!("checked again")));
        assert_eq!((cache.len(), cache.checks()), (1, 2));
        // The same certificate under another issuer's key is another fact.
        assert!(!cache.verified(&cert, &digest(b"other CA"), || false));
        assert_eq!((cache.len(), cache.checks()), (1, 3));
    }

    #[test]
    fn a_full_cache_is_emptied_before_it_grows_past_its_limit() {
        let cache = SignatureCache::with_limit(2);
        let ca = digest(b"CA");
        for name in [b"a", b"b", b"c"] {
            assert!(cache.verified(&digest(name), &ca, || true));
        }
        assert_eq!(cache.len(), 1);
        assert!(cache.verified(&digest(b"c"), &ca, || panic!("checked again")));
        assert!(!cache.verified(&digest(b"a"), &ca, || false));
        cache.clear();
        assert_eq!(cache.len(), 0);
    }
}
