//! Markdown memory stays in proportion to the input: the bytes allocated at
//! the peak of rendering one long paragraph, counted by a global allocator
//! (deterministic, unlike timings). Its own test binary, so that no other
//! test allocates while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's layout is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated at the peak of `f`, above what was allocated before it.
fn peak_of(f: impl FnOnce()) -> usize {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - before
}

#[test]
fn emphasis_on_one_line_does_not_keep_every_event() {
    let text = "*a* ".repeat(100_000);
    let peak = peak_of(|| {
        let rendered = stele::content::markdown::render(&text);
        assert_eq!(rendered.html.matches("<em>").count(), 100_000);
    });
    // 58 MB now, nearly all of it pulldown-cmark's tree of the paragraph;
    // keeping the 400,000 events (80 bytes each, in a doubling vector) added
    // another 40 to 60 MB.
    assert!(peak < 200 * text.len(), "peak {peak} bytes for {} bytes of Markdown", text.len());
}
