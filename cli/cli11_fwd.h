#pragma once
// CLI11's App, declared for headers that only take one by reference. Sources that build or read
// commands include <CLI/CLI.hpp> themselves: the header-only library costs about 8 s of compile
// time per translation unit at -O2, and most users of these headers never touch a flag.

namespace CLI {
class App;
}  // namespace CLI
