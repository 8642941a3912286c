"""The scaling model of the benchmark report (bench/bench_compare.py, issue 20's target 4).

It turns the single-thread CPU cost of each pipeline stage into the throughput the pipeline
can reach on n cores. The load pipeline has serial stages, each one thread of its own (the
reader: read + cut into batches; the sender: one I/O thread for all connections), and per-batch
work that any of the encoder threads can do (CSV -> JSON, deflate, base64). All costs are CPU
seconds per MB of CSV.
"""

SERIAL = ("cut", "send")  # one thread each, running beside the encoders
PARALLEL = ("transcode", "deflate", "base64")  # per batch, on any encoder
CORES = (1, 2, 4, 8, 16)

EXPLANATION = (
    "The model: the reader (read + cut) is one thread and the sender one I/O thread, each "
    "running beside the encoders, while a batch's CSV -> JSON, deflate and base64 run on any "
    "encoder. On n cores the pipeline can go no faster than its slowest serial stage "
    "(1 / serial cost) nor faster than n cores can do all the work (n / total cost), so "
    "predicted MB/s = min(1 / serial, n / total), and the 16-core / 1-core ratio is "
    "min(1 / s, 16) with s = serial / total: >= 10x needs s <= 0.1. The bound "
    "min(1 / serial, n / parallel), which gives the reader a core of its own beside n encoders, "
    "says the same once the reader caps the rate, and more than any core can do below that "
    "(on 1 core the reader and the encoder share it). The costs are `bench_baseline`'s, one "
    "thread on the same batches, so the model leaves out what the pipeline adds (hand-off "
    "between threads, request envelopes, cores sharing caches and memory bandwidth); the "
    "measured rows say how much that is.")


def stage_costs(base, send=0.0):
    """Returns each stage's CPU seconds per MB of CSV from one bench_baseline result (its rates
    are MB of CSV per CPU second of one thread) and a send cost (0: unknown or not sending)."""
    def per_mb(rate):
        return 1.0 / rate if rate > 0 else 0.0
    return {"cut": per_mb(base["cut_mb_s"]), "transcode": per_mb(base["transcode_mb_s"]),
            "deflate": per_mb(base["deflate_mb_s"]), "base64": per_mb(base["base64_mb_s"]),
            "send": send}


def total(costs):
    return sum(costs.values())


def serial_cap(costs):
    """Returns the cost of the slowest serial stage: the one that caps the pipeline."""
    return max(costs[k] for k in SERIAL)


def serial_fraction(costs):
    """Returns s, the share of the work per MB that only one thread can do."""
    return serial_cap(costs) / total(costs)


def predict(costs, cores):
    """Returns the predicted MB/s of CSV on `cores` cores (REQUIRES: some stage costs > 0)."""
    cap = serial_cap(costs)
    return min(1.0 / cap if cap > 0 else float("inf"), cores / total(costs))
