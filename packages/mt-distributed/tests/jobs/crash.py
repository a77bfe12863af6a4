"""Rank 1 raises while rank 0 waits in a collective: the job must end, not hang."""

import time

import minitorch.distributed as dist
import minitorch.tensor as mt

dist.init_process_group()
if dist.get_rank() == 1:
    time.sleep(0.5)
    raise ValueError("rank one gives up")
dist.all_reduce(mt.zeros(3))  # never completes: rank 1 is gone
print("rank 0 should not get here")
