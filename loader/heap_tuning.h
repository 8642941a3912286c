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
void keep_freed_blocks_warm();

}  // namespace dsfill::loader
