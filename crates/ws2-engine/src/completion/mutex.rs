//! Mutex objects (`CreateMutex`): owned by one thread at a time, which may
//! wait on it again (each wait counts, each `ReleaseMutex` gives one back);
//! a thread that ends still owning one abandons it, and the next wait to
//! take it learns so (`WAIT_ABANDONED`) and owns it (kernel32 sync.c
//! `test_mutex`, ntdll sync.c `test_mutant`).

use std::sync::{Arc, Mutex};

use ws2_abi as abi;

use crate::error::{Error, Result};
use crate::fork::{Locked, lock};

use super::thread::{Owned, ThreadState, ThreadWaker, add_waker, current_thread, remove_waker};
use super::wait::Waitable;

/// A mutex object. Its owner is a thread's [`ThreadState::id`].
///
/// ```
/// # use ws2_engine::completion::MutexObject;
/// let m = MutexObject::new(true);
/// m.release()?;
/// let err = m.release().err().map(|e| e.code());
/// assert_eq!(err, Some(ws2_abi::ERROR_NOT_OWNER as i32), "no longer owned");
/// # Ok::<(), ws2_engine::Error>(())
/// ```
#[derive(Default)]
pub struct MutexObject {
    state: Mutex<MutexState>,
}

#[derive(Default)]
pub(super) struct MutexState {
    owner: Option<u64>,
    /// How often the owner acquired it and has not released it yet.
    count: u32,
    /// The last owner ended owning it; the next acquirer is told.
    abandoned: bool,
    waiters: Vec<Arc<ThreadWaker>>,
}

impl MutexState {
    /// Whether `me` may take it now: nobody owns it, or `me` does (short
    /// of the count's limit, which no program reaches: 2^32 - 1 waits).
    pub(super) fn ready(&self, me: &ThreadState) -> bool {
        match self.owner {
            None => true,
            Some(owner) => owner == me.id && self.count < u32::MAX,
        }
    }

    /// Takes what [`MutexState::ready`] found. Returns whether it was
    /// abandoned, and whether `me` now owns it afresh (the caller then
    /// records it with [`ThreadState::now_owns`], outside this lock).
    pub(super) fn take(&mut self, me: &ThreadState) -> Taken {
        let fresh = self.owner.is_none();
        self.owner = Some(me.id);
        self.count += 1;
        Taken {
            abandoned: std::mem::take(&mut self.abandoned),
            fresh,
        }
    }

    fn wake_all(&self) {
        for w in &self.waiters {
            w.wake();
        }
    }
}

/// What taking a mutex found.
#[derive(Clone, Copy)]
pub(super) struct Taken {
    pub abandoned: bool,
    pub fresh: bool,
}

impl MutexObject {
    /// `CreateMutex(bInitialOwner)`: a new mutex, owned by the calling
    /// thread when `owned`.
    pub fn new(owned: bool) -> Arc<MutexObject> {
        let mutex = Arc::new(MutexObject::default());
        if owned {
            let me = current_thread();
            lock(&mutex.state).take(&me);
            me.now_owns(mutex.clone());
        }
        mutex
    }

    /// `ReleaseMutex`: gives back one acquisition; at the last one the
    /// mutex is free and its waiters look again. `ERROR_NOT_OWNER` when
    /// the calling thread does not own it (nothing changes).
    pub fn release(&self) -> Result<()> {
        let me = current_thread();
        let mut s = lock(&self.state);
        if s.owner != Some(me.id) {
            return Err(Error::new(
                abi::ERROR_NOT_OWNER as i32,
                "ReleaseMutex by a thread that does not own the mutex",
            ));
        }
        s.count -= 1;
        if s.count > 0 {
            return Ok(());
        }
        s.owner = None;
        s.wake_all();
        drop(s);
        me.no_longer_owns(self);
        Ok(())
    }

    /// The mutex's state under its lock, for a wait's test.
    pub(super) fn locked(&self) -> Locked<'_, MutexState> {
        lock(&self.state)
    }
}

impl Owned for MutexObject {
    fn abandon(&self, owner: u64) {
        let mut s = lock(&self.state);
        if s.owner == Some(owner) {
            s.owner = None;
            s.count = 0;
            s.abandoned = true;
            s.wake_all();
        }
    }
}

#[doc(hidden)]
impl Waitable for MutexObject {
    fn add_waiter(&self, waker: &Arc<ThreadWaker>) {
        add_waker(&mut lock(&self.state).waiters, waker);
    }
    fn remove_waiter(&self, waker: &Arc<ThreadWaker>) {
        remove_waker(&mut lock(&self.state).waiters, waker);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::completion::{Satisfied, SyncRef, Waited, wait_objects};

    fn wait_now(m: &Arc<MutexObject>) -> Waited<Satisfied> {
        wait_objects(&[SyncRef::Mutex(m)], false, Some(Instant::now()), false).unwrap()
    }

    // P6 (ntdll sync.c test_mutant): any thread, not only one CreateThread
    // started, abandons the mutexes it ends owning; the next wait owns it
    // and is told once.
    #[test]
    fn a_thread_that_ends_owning_a_mutex_abandons_it() {
        let m = MutexObject::new(false);
        let held = m.clone();
        std::thread::spawn(move || {
            assert!(matches!(wait_now(&held), Waited::Done(s) if !s.abandoned));
            assert!(matches!(wait_now(&held), Waited::Done(s) if !s.abandoned));
        })
        .join()
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let first = wait_objects(&[SyncRef::Mutex(&m)], false, Some(deadline), false).unwrap();
        assert_eq!(
            first,
            Waited::Done(Satisfied {
                index: 0,
                abandoned: true
            })
        );
        m.release().unwrap();
        assert!(matches!(wait_now(&m), Waited::Done(s) if !s.abandoned));
        m.release().unwrap();
        assert_eq!(
            m.release().err().map(|e| e.code()),
            Some(abi::ERROR_NOT_OWNER as i32)
        );
    }
}
