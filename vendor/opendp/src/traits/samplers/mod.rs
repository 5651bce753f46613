//! Traits for sampling from probability distributions.

#[cfg(test)]
pub(crate) mod test;

mod bernoulli;
pub use bernoulli::*;

mod cks20;
pub use cks20::*;

mod geometric;
pub use geometric::*;

mod psrn;
pub use psrn::*;

mod uniform;
pub use uniform::*;

use rand::RngCore;
use rand::prelude::SliceRandom;

use crate::error::Fallible;

/// Fill a byte buffer with random bits.
///
/// # Proof Definition
/// For any input `buffer`, fill the `buffer` with random bits, where each bit is an iid draw from Bernoulli(p=0.5).
/// Return `Err(e)` if there is insufficient system entropy, otherwise return `Ok(())`.
#[cfg(feature = "use-openssl")]
pub fn fill_bytes(buffer: &mut [u8]) -> Fallible<()> {
    // "RAND_priv_bytes() has the same semantics as RAND_bytes(). It is intended to be used for generating values that should remain private."
    // https://docs.openssl.org/3.0/man3/RAND_bytes/
    use openssl::rand::rand_priv_bytes;
    use std::cell::RefCell;
    // crowdlens patch (see vendor/README.md in crowdlens): the exact samplers ask for a few
    // bytes at a time, and each RAND_priv_bytes call costs a lock, a getpid fork check and a
    // CTR-DRBG re-key, about two thirds of the sampling time. Bytes are therefore drawn from
    // the same private DRBG in blocks, per thread, and each byte is handed out once and then
    // zeroed. A pool is not fork-safe: a forked child would reuse its parent's pending bytes,
    // so a process that forks must not have sampled before the fork. crowdlens never forks.
    const BLOCK: usize = 4096;
    thread_local! {
        static POOL: RefCell<(Box<[u8; BLOCK]>, usize)> = RefCell::new((Box::new([0u8; BLOCK]), BLOCK));
    }
    if buffer.len() > BLOCK / 4 {
        return rand_priv_bytes(buffer).map_err(|e| err!(FailedFunction, "OpenSSL error: {:?}", e));
    }
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let (block, used) = &mut *pool;
        if BLOCK - *used < buffer.len() {
            rand_priv_bytes(&mut block[..]).map_err(|e| err!(FailedFunction, "OpenSSL error: {:?}", e))?;
            *used = 0;
        }
        let taken = &mut block[*used..*used + buffer.len()];
        buffer.copy_from_slice(taken);
        taken.fill(0);
        *used += buffer.len();
        Ok(())
    })
}

/// Non-securely fill a byte buffer with random bits.
///
/// Enable `use-openssl` for a secure implementation.
#[cfg(not(feature = "use-openssl"))]
pub fn fill_bytes(buffer: &mut [u8]) -> Fallible<()> {
    use rand::Rng;
    if let Err(e) = rand::thread_rng().try_fill(buffer) {
        fallible!(FailedFunction, "Rand error: {:?}", e)
    } else {
        Ok(())
    }
}

/// An OpenDP random number generator that implements [`rand::RngCore`].
pub(crate) struct GeneratorOpenDP {
    /// If an error happens while sampling, it is packed into this struct and thrown later.
    pub error: Fallible<()>,
}

impl GeneratorOpenDP {
    pub fn new() -> Self {
        GeneratorOpenDP { error: Ok(()) }
    }
}
impl Default for GeneratorOpenDP {
    fn default() -> Self {
        Self::new()
    }
}

impl RngCore for GeneratorOpenDP {
    fn next_u32(&mut self) -> u32 {
        let mut buffer = [0u8; 4];
        self.fill_bytes(&mut buffer);
        u32::from_ne_bytes(buffer)
    }

    fn next_u64(&mut self) -> u64 {
        let mut buffer = [0u8; 8];
        self.fill_bytes(&mut buffer);
        u64::from_ne_bytes(buffer)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if let Err(e) = fill_bytes(dest) {
            self.error = Err(e)
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        fill_bytes(dest).map_err(rand::Error::new)
    }
}

/// Shuffle a mutable reference to a collection.
pub trait Shuffle {
    /// # Proof Definition
    /// For any input `self` of type `Self`,
    /// mutate `self` such that the elements within are ordered randomly.
    /// Returns `Err(e)` if there is insufficient system entropy,
    /// or `Ok(())` otherwise.
    fn shuffle(&mut self) -> Fallible<()>;
}
impl<T> Shuffle for Vec<T> {
    fn shuffle(&mut self) -> Fallible<()> {
        let mut rng = GeneratorOpenDP::new();
        SliceRandom::shuffle(self.as_mut_slice(), &mut rng);
        rng.error
    }
}
