"""Returning freed memory: Python's garbage collector, then CUDA's caching allocator."""

from __future__ import annotations

import gc

import torch


def free_cached_memory() -> None:
    """Collect unreachable objects, then hand the CUDA allocator's cached blocks back to the driver."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
