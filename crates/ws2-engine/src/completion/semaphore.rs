//! Semaphore objects (`CreateSemaphore`): a count between 0 and a maximum;
//! signalled while above 0, each satisfied wait takes one, and
//! `ReleaseSemaphore` adds some back, never past the maximum (ntdll sync.c
//! `test_semaphore`, Microsoft's ReleaseSemaphore page).

use std::sync::{Arc, Mutex};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::{Locked, lock};

use super::thread::{ThreadWaker, add_waker, remove_waker};
use super::wait::Waitable;

/// A semaphore object.
///
/// ```
/// # use ws2_engine::completion::Semaphore;
/// let s = Semaphore::new(1, 2)?;
/// assert_eq!(s.release(1)?, 1, "the count before");
/// let err = s.release(1).err().map(|e| e.code());
/// assert_eq!(err, Some(ws2_abi::ERROR_TOO_MANY_POSTS as i32), "past the maximum");
/// assert_eq!(s.count(), 2, "unchanged by the failed release");
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub struct Semaphore {
    state: Mutex<SemaphoreState>,
}

pub(super) struct SemaphoreState {
    count: i32,
    maximum: i32,
    waiters: Vec<Arc<ThreadWaker>>,
}

impl SemaphoreState {
    pub(super) fn ready(&self) -> bool {
        self.count > 0
    }

    pub(super) fn take(&mut self) {
        self.count -= 1;
    }
}

impl Semaphore {
    /// `CreateSemaphore(lInitialCount, lMaximumCount)`: the maximum above
    /// 0 and the count between 0 and it, else `ERROR_INVALID_PARAMETER`.
    pub fn new(initial: i32, maximum: i32) -> Result<Semaphore> {
        if maximum <= 0 || initial < 0 || initial > maximum {
            return Err(Error::new(
                abi::ERROR_INVALID_PARAMETER as i32,
                format!(
                    "lInitialCount {initial}, lMaximumCount {maximum}: the maximum must be \
                     above 0 and the initial count between 0 and it"
                ),
            ));
        }
        Ok(Semaphore {
            state: Mutex::new(SemaphoreState {
                count: initial,
                maximum,
                waiters: Vec::new(),
            }),
        })
    }

    /// `ReleaseSemaphore`: adds `n` (above 0, else
    /// `ERROR_INVALID_PARAMETER`) and returns the count before; a count
    /// that would pass the maximum is `ERROR_TOO_MANY_POSTS`, and nothing
    /// changes.
    pub fn release(&self, n: i32) -> Result<i32> {
        if n <= 0 {
            return Err(Error::new(
                abi::ERROR_INVALID_PARAMETER as i32,
                format!("lReleaseCount {n}: it must be above 0"),
            ));
        }
        let mut s = lock(&self.state);
        let before = s.count;
        match before.checked_add(n) {
            Some(after) if after <= s.maximum => s.count = after,
            _ => {
                return Err(Error::new(
                    abi::ERROR_TOO_MANY_POSTS as i32,
                    format!(
                        "releasing {n} to a count of {before} would pass the maximum {}",
                        s.maximum
                    ),
                ));
            }
        }
        for w in &s.waiters {
            w.wake();
        }
        Ok(before)
    }

    /// The count now (a look).
    pub fn count(&self) -> i32 {
        lock(&self.state).count
    }

    /// The semaphore's state under its lock, for a wait's test.
    pub(super) fn locked(&self) -> Locked<'_, SemaphoreState> {
        lock(&self.state)
    }
}

#[doc(hidden)]
impl Waitable for Semaphore {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        add_waker(&mut lock(&self.state).waiters, waker);
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        remove_waker(&mut lock(&self.state).waiters, waker);
    }
}
