//! What a Rust operation hands back at completion, kept without an
//! allocation per operation: a value of any type ([`Payload`]: the buffer a
//! port packet returns) and a routine with its captures ([`RustRoutine`]),
//! each stored inline when it fits three words, boxed otherwise.

use std::any::{Any, TypeId};
use std::mem::{ManuallyDrop, MaybeUninit, align_of, size_of};

use crate::error::Result;

/// Room for a value stored inline: three words, word-aligned.
type Words = MaybeUninit<[usize; 3]>;

/// Whether a `T` is stored inline (else it is boxed, and the box is).
const fn fits<T>() -> bool {
    size_of::<T>() <= size_of::<Words>() && align_of::<T>() <= align_of::<Words>()
}

/// Writes `value` into `words`, inline or boxed.
fn store<T>(value: T) -> Words {
    let mut words = Words::uninit();
    if fits::<T>() {
        // SAFETY: `T` fits the words in size and alignment (checked above).
        unsafe { words.as_mut_ptr().cast::<T>().write(value) };
    } else {
        // SAFETY: a pointer fits one word.
        unsafe {
            words
                .as_mut_ptr()
                .cast::<*mut T>()
                .write(Box::into_raw(Box::new(value)))
        };
    }
    words
}

/// Takes the `T` that [`store`] wrote.
///
/// # Safety
/// `words` must hold a `T` written by `store` and not taken yet.
unsafe fn take<T>(words: &mut Words) -> T {
    if fits::<T>() {
        // SAFETY: per the contract, an inline `T`.
        unsafe { words.as_mut_ptr().cast::<T>().read() }
    } else {
        // SAFETY: per the contract, the pointer of a leaked `Box<T>`.
        *unsafe { Box::from_raw(words.as_mut_ptr().cast::<*mut T>().read()) }
    }
}

/// Drops the `T` that [`store`] wrote.
///
/// # Safety
/// As for [`take`].
unsafe fn drop_stored<T>(words: &mut Words) {
    // SAFETY: forwarded contract.
    drop(unsafe { take::<T>(words) });
}

/// What a [`Payload`] knows of the type it holds.
struct PayloadType {
    type_id: fn() -> TypeId,
    drop: unsafe fn(&mut Words),
}

trait PayloadOf {
    const TYPE: &'static PayloadType;
}

impl<T: Any + Send> PayloadOf for T {
    const TYPE: &'static PayloadType = &PayloadType {
        type_id: TypeId::of::<T>,
        drop: drop_stored::<T>,
    };
}

/// A value of any `Send` type, stored inline when it fits three words (a
/// `Vec<u8>`, a `Box<[u8]>`, an `Arc<[u8]>`, a `&'static [u8]`...): what a
/// Rust send on a completion port hands back in its packet, without an
/// allocation per send.
///
/// ```
/// use ws2_engine::completion::Payload;
/// let p = Payload::new(b"hi".to_vec());
/// assert!(p.is::<Vec<u8>>());
/// let p = p.downcast::<String>().unwrap_err();
/// assert_eq!(p.downcast::<Vec<u8>>().unwrap(), b"hi");
/// ```
pub struct Payload {
    words: Words,
    ty: &'static PayloadType,
}

// SAFETY: only `Send` values are stored (`Payload::new`).
unsafe impl Send for Payload {}

impl Payload {
    /// Stores `value`.
    #[inline]
    pub fn new<T: Any + Send>(value: T) -> Payload {
        Payload {
            words: store(value),
            ty: <T as PayloadOf>::TYPE,
        }
    }

    /// Whether the value is a `T`.
    pub fn is<T: Any>(&self) -> bool {
        (self.ty.type_id)() == TypeId::of::<T>()
    }

    /// The value, if it is a `T`; else the payload back.
    pub fn downcast<T: Any>(self) -> std::result::Result<T, Payload> {
        if !self.is::<T>() {
            return Err(self);
        }
        let mut this = ManuallyDrop::new(self);
        // SAFETY: the type matches, so the words hold a `T` from `store`;
        // `this` is never dropped, so it is taken once.
        Ok(unsafe { take::<T>(&mut this.words) })
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        // SAFETY: the words hold the value of this type, not taken yet.
        unsafe { (self.ty.drop)(&mut self.words) }
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Payload")
    }
}

/// What a [`RustRoutine`] knows of the closure it holds.
struct RoutineType {
    call: unsafe fn(&mut Words, Result<usize>),
    drop: unsafe fn(&mut Words),
}

trait RoutineOf {
    const TYPE: &'static RoutineType;
}

/// Calls the stored `F`.
///
/// # Safety
/// As for [`take`].
unsafe fn call_stored<F: FnOnce(Result<usize>)>(words: &mut Words, result: Result<usize>) {
    // SAFETY: forwarded contract.
    (unsafe { take::<F>(words) })(result)
}

impl<F: FnOnce(Result<usize>) + Send + 'static> RoutineOf for F {
    const TYPE: &'static RoutineType = &RoutineType {
        call: call_stored::<F>,
        drop: drop_stored::<F>,
    };
}

/// A Rust completion routine and what it captured (the send's buffers),
/// stored inline when it fits three words: run once with the operation's
/// result by its thread's next alertable wait (S33), or dropped unrun when
/// that thread exits first (S37).
///
/// ```
/// use ws2_engine::completion::RustRoutine;
/// let buffer = b"hi".to_vec();
/// let r = RustRoutine::new(move |result: ws2_engine::Result<usize>| {
///     assert_eq!((result.unwrap(), buffer.len()), (2, 2));
/// });
/// r.call(Ok(2));
/// ```
pub struct RustRoutine {
    words: Words,
    ty: &'static RoutineType,
}

// SAFETY: only `Send` closures are stored (`RustRoutine::new`).
unsafe impl Send for RustRoutine {}

impl RustRoutine {
    /// Stores `routine`.
    #[inline]
    pub fn new<F: FnOnce(Result<usize>) + Send + 'static>(routine: F) -> RustRoutine {
        RustRoutine {
            words: store(routine),
            ty: <F as RoutineOf>::TYPE,
        }
    }

    /// Runs the routine with `result`.
    pub fn call(self, result: Result<usize>) {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: the words hold the closure of this type; `this` is never
        // dropped, so it is taken once.
        unsafe { (this.ty.call)(&mut this.words, result) }
    }
}

impl Drop for RustRoutine {
    fn drop(&mut self) {
        // SAFETY: the words hold the closure of this type, not taken yet.
        unsafe { (self.ty.drop)(&mut self.words) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts its drops.
    struct Counted(Arc<AtomicUsize>, [u8; 40]);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn payloads_inline_and_boxed_drop_once() {
        assert!(fits::<Vec<u8>>() && fits::<&'static [u8]>() && fits::<Arc<[u8]>>());
        assert!(!fits::<Counted>());
        let drops = Arc::new(AtomicUsize::new(0));
        drop(Payload::new(Counted(drops.clone(), [0; 40])));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let p = Payload::new(Counted(drops.clone(), [7; 40]));
        let back = p.downcast::<Counted>().ok().unwrap();
        assert_eq!((back.1[0], drops.load(Ordering::SeqCst)), (7, 1));
        drop(back);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
        let p = Payload::new(vec![1u8, 2]);
        assert!(!p.is::<Box<[u8]>>());
        assert_eq!(p.downcast::<Vec<u8>>().unwrap(), [1, 2]);
    }

    #[test]
    fn routines_run_or_drop_their_captures_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        for big in [false, true] {
            let held = Counted(drops.clone(), [0; 40]);
            let small = Arc::new(0u8);
            let seen = ran.clone();
            let r = if big {
                RustRoutine::new(move |r: Result<usize>| {
                    let _keep = &held;
                    seen.fetch_add(r.unwrap(), Ordering::SeqCst);
                })
            } else {
                drop(held);
                RustRoutine::new(move |r: Result<usize>| {
                    let _keep = &small;
                    seen.fetch_add(r.unwrap(), Ordering::SeqCst);
                })
            };
            r.call(Ok(1));
        }
        assert_eq!(
            (ran.load(Ordering::SeqCst), drops.load(Ordering::SeqCst)),
            (2, 2)
        );
        let held = Counted(drops.clone(), [0; 40]);
        drop(RustRoutine::new(move |_| drop(held)));
        assert_eq!(drops.load(Ordering::SeqCst), 3, "dropped unrun, once");
    }
}
