//! Locking without poisoning.
//!
//! A panic while a [`Mutex`] is held must not wedge the server: every later `lock()` would
//! fail, and one panicking device task would take every session with it. The data behind our
//! mutexes stays consistent for our uses (each critical section is a plain field, map or vector
//! update, or a guard with no data at all), so the lock is taken even if poisoned.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Lock `mutex`, ignoring poisoning (see the module documentation).
pub(crate) fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Take the value out of `mutex`, ignoring poisoning (see the module documentation).
#[cfg(feature = "serial")]
pub(crate) fn into_inner<T>(mutex: Mutex<T>) -> T {
    mutex.into_inner().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_locked_does_not_wedge_the_lock() {
        let m = Mutex::new(1);
        let result = std::panic::catch_unwind(|| {
            let mut guard = lock(&m);
            *guard = 2;
            panic!("while locked");
        });
        assert!(result.is_err());
        assert!(m.is_poisoned());
        assert_eq!(*lock(&m), 2);
    }
}
