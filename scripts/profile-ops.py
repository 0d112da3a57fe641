#!/usr/bin/env python3
"""Sum a HEED_PROFILE trace (chrome://tracing JSON of LibTorch's legacy profiler) per
operator: self time (its duration minus the operators it called), calls and share.

    HEED_PROFILE=/tmp/run.trace build/heed train ... --max-steps 12
    scripts/profile-ops.py /tmp/run.trace [--top 30]
"""
import argparse
import collections
import json


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with open(args.trace, encoding="utf-8") as f:
        events = [e for e in json.load(f) if e.get("ph") == "X"]
    by_thread = collections.defaultdict(list)
    for e in events:
        by_thread[e["tid"]].append(e)
    self_us = collections.Counter()
    calls = collections.Counter()
    for thread_events in by_thread.values():
        # Parents start first; at the same start, the longer one is the parent.
        thread_events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [end, name, children_us]
        def close(until):
            while stack and stack[-1][0] <= until:
                end, name, children = stack.pop()
                self_us[name] -= children
        for e in thread_events:
            close(e["ts"])
            if stack:
                stack[-1][2] += e["dur"]
            self_us[e["name"]] += e["dur"]
            calls[e["name"]] += 1
            stack.append([e["ts"] + e["dur"], e["name"], 0.0])
        close(float("inf"))
    total = sum(self_us.values())
    print(f"{'operator':44} {'self ms':>10} {'share':>7} {'calls':>8}")
    for name, us in self_us.most_common(args.top):
        print(f"{name[:44]:44} {us / 1000:10.1f} {100 * us / total:6.1f}% {calls[name]:8}")
    print(f"{'total':44} {total / 1000:10.1f}")


if __name__ == "__main__":
    main()
