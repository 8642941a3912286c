// How the process's allocator should treat the pipeline's big blocks. Called first thing by the
// dsfill executable and by the benchmarks that time the pipeline's stages, so they measure what
// dsfill runs.
#pragma once

namespace dsfill::loader {

// Read segments, JSON and request bodies are blocks of about 1-30 MB, allocated and freed on
// every batch by several threads. glibc's defaults give such blocks fresh mmap()ed (or trimmed
// and regrown) memory each time, so the kernel zero-fills every page again: measured at 9.5% of
// `dsfill bench --level 1`. This keeps freed blocks in the heap so the next batch reuses warm
// pages; the pipeline's bounds on what is alive at once still cap peak memory.
// It also makes each heap grow in 16 MiB steps (M_TOP_PAD), so that a thread's heap can be
// backed by whole 2 MiB huge pages (advise_thread_heap_huge_pages).
void keep_freed_blocks_warm();

// Advises transparent huge pages (MADV_HUGEPAGE) for the heap of glibc's arena that serves the
// calling thread, so that its big buffers (an encoder's JSON, gzip output and request bodies)
// fault in 2 MiB at a time instead of 4 KiB: a page fault costs ~14 us on the virtual machines
// this was measured on, and an encoder's first touches of its buffers were ~3,000 of them per
// run (bench/profile_notes.md, round 6). Call it first thing in a thread that allocates such
// buffers. A hint only: without glibc, THP or a thread arena it does nothing.
void advise_thread_heap_huge_pages();

}  // namespace dsfill::loader
