#!/usr/bin/env python3
"""steal-sim.py — how often an ASID finds its SPT still there under
group:N, for LRU (what spt.c does) against random replacement, on the
procsN token ring (P processes in strict rotation) and on a workload with
two hot address spaces among 38 cold ones. A model of the steal policy
only, no emulator: bench/README.md quotes it for the procsN step.

    python3 bench/steal-sim.py
"""
import random


def hit_rate(policy, slots, trace, rng):
    held, last, hits = [], {}, 0
    for t, asid in enumerate(trace):
        if asid in held:
            hits += 1
        elif len(held) < slots:
            held.append(asid)
        else:
            victim = (min(held, key=last.get) if policy == "lru" else rng.choice(held))
            held[held.index(victim)] = asid
        last[asid] = t
    return hits / len(trace)


def main():
    rng = random.Random(1)
    print("trace        N    LRU  random")
    for procs in (8, 32, 64):
        ring = [i % procs for i in range(20000)]
        for n in (1, 4, 8, 16, 32):
            print(f"procs{procs:<3} {n:6} {hit_rate('lru', n, ring, rng):6.2f} "
                  f"{hit_rate('random', n, ring, rng):7.2f}")
    hot = [rng.choice((0, 1)) if rng.random() < 0.9 else rng.randrange(2, 40)
           for _ in range(20000)]
    for n in (4, 8, 16):
        print(f"2 hot      {n:6} {hit_rate('lru', n, hot, rng):6.2f} "
              f"{hit_rate('random', n, hot, rng):7.2f}")


if __name__ == "__main__":
    main()
