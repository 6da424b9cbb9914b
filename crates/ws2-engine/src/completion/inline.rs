//! What an operation hands back at completion, kept without an allocation
//! per operation: a value of any type ([`Payload`]: the buffer a port
//! packet returns) and a closure with its captures ([`InlineFnOnce`]: a
//! Rust completion routine, [`RustRoutine`]; what a queued receive writes
//! its outputs with), each stored inline when it fits its words, boxed
//! otherwise.

use std::any::{Any, TypeId};
use std::mem::{ManuallyDrop, MaybeUninit, align_of, size_of};

use crate::error::Result;

/// Room for a value stored inline: `N` words, word-aligned.
type Words<const N: usize> = MaybeUninit<[usize; N]>;

/// Whether a `T` is stored inline in `N` words (else it is boxed, and the
/// box is).
const fn fits<T, const N: usize>() -> bool {
    size_of::<T>() <= size_of::<Words<N>>() && align_of::<T>() <= align_of::<Words<N>>()
}

/// Writes `value` into words, inline or boxed.
fn store<T, const N: usize>(value: T) -> Words<N> {
    let mut words = Words::<N>::uninit();
    if fits::<T, N>() {
        // SAFETY: `T` fits the words in size and alignment (checked above).
        unsafe { words.as_mut_ptr().cast::<T>().write(value) };
    } else {
        // SAFETY: a pointer fits one word (N >= 1: `Words<0>` holds no
        // pointer, and no `T` but a zero-sized one fits it... which is
        // stored inline above).
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
unsafe fn take<T, const N: usize>(words: &mut Words<N>) -> T {
    if fits::<T, N>() {
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
unsafe fn drop_stored<T, const N: usize>(words: &mut Words<N>) {
    // SAFETY: forwarded contract.
    drop(unsafe { take::<T, N>(words) });
}

/// What a [`Payload`] knows of the type it holds.
struct PayloadType {
    type_id: fn() -> TypeId,
    drop: unsafe fn(&mut Words<3>),
}

trait PayloadOf {
    const TYPE: &'static PayloadType;
}

impl<T: Any + Send> PayloadOf for T {
    const TYPE: &'static PayloadType = &PayloadType {
        type_id: TypeId::of::<T>,
        drop: drop_stored::<T, 3>,
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
    words: Words<3>,
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
        Ok(unsafe { take::<T, 3>(&mut this.words) })
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

/// What an [`InlineFnOnce`] knows of the closure it holds.
struct FnOnceType<A, R, const N: usize> {
    call: unsafe fn(&mut Words<N>, A) -> R,
    drop: unsafe fn(&mut Words<N>),
}

trait FnOnceOf<A: 'static, R: 'static, const N: usize> {
    const TYPE: &'static FnOnceType<A, R, N>;
}

/// Calls the stored `F`.
///
/// # Safety
/// As for [`take`].
unsafe fn call_stored<F: FnOnce(A) -> R, A, R, const N: usize>(words: &mut Words<N>, a: A) -> R {
    // SAFETY: forwarded contract.
    (unsafe { take::<F, N>(words) })(a)
}

impl<F: FnOnce(A) -> R + Send + 'static, A: 'static, R: 'static, const N: usize> FnOnceOf<A, R, N>
    for F
{
    const TYPE: &'static FnOnceType<A, R, N> = &FnOnceType {
        call: call_stored::<F, A, R, N>,
        drop: drop_stored::<F, N>,
    };
}

/// A `FnOnce(A) -> R` closure and its captures, stored inline when they
/// fit `N` words (boxed otherwise): called once, or dropped uncalled.
///
/// ```
/// use ws2_engine::completion::InlineFnOnce;
/// let (a, b, c) = (1usize, 2usize, 3usize);
/// let f: InlineFnOnce<usize, usize, 3> = InlineFnOnce::new(move |x| a + b + c + x);
/// assert_eq!(f.call(4), 10);
/// ```
pub struct InlineFnOnce<A: 'static, R: 'static, const N: usize> {
    words: Words<N>,
    ty: &'static FnOnceType<A, R, N>,
}

// SAFETY: only `Send` closures are stored (`InlineFnOnce::new`).
unsafe impl<A: 'static, R: 'static, const N: usize> Send for InlineFnOnce<A, R, N> {}

impl<A: 'static, R: 'static, const N: usize> InlineFnOnce<A, R, N> {
    /// Stores `f`.
    #[inline]
    pub fn new<F: FnOnce(A) -> R + Send + 'static>(f: F) -> Self {
        InlineFnOnce {
            words: store::<F, N>(f),
            ty: <F as FnOnceOf<A, R, N>>::TYPE,
        }
    }

    /// Calls the closure with `a`.
    #[inline]
    pub fn call(self, a: A) -> R {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: the words hold the closure of this type; `this` is never
        // dropped, so it is taken once.
        unsafe { (this.ty.call)(&mut this.words, a) }
    }
}

impl<A: 'static, R: 'static, const N: usize> Drop for InlineFnOnce<A, R, N> {
    fn drop(&mut self) {
        // SAFETY: the words hold the closure of this type, not taken yet.
        unsafe { (self.ty.drop)(&mut self.words) }
    }
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
pub type RustRoutine = InlineFnOnce<Result<usize>, (), 3>;

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
        assert!(fits::<Vec<u8>, 3>() && fits::<&'static [u8], 3>() && fits::<Arc<[u8]>, 3>());
        assert!(!fits::<Counted, 3>());
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
