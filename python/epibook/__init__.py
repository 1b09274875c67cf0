"""epibook's engine from Python: bigWig reading, the batched loader and the leakage audit.

    import epibook
    bw = epibook.BigWig("signal.bw")
    bw.values("chr2R", 0, 1000)                    # float32 numpy array, NaN = no data
    bw.values_batch([("chr2R", 0, 1000), ("chr2R", 5000, 6000)])   # [2, 1000]
    loader = epibook.Loader(fasta="genome.fa", tracks=["signal.bw"],
                            windows=epibook.tile(["chr2R:0-1,000,000"], 1000), batch_size=64)
    for batch in loader.epoch(0):                  # dicts of numpy arrays
        batch["sequence"], batch["targets"]        # [B, 4, L], [B, T, L / bin]
    report = epibook.audit("windows.bed", genome="genome.fa")

The same seed gives the same batches, bit for bit, as `epibook load` and as the
book's labs. For PyTorch, see epibook.torch_data.WindowDataset. Errors are Python
exceptions (ValueError, KeyError, OSError) with the CLI's messages.
"""
from ._epibook import BigWig, audit, tile, _Loader

__all__ = ["BigWig", "Loader", "audit", "tile"]


class Loader:
    """Batches of one-hot sequence and signal over a list of windows.

    windows: (chrom, start, end) tuples or "chr:start-end" strings, all one length.
    tracks: bigWig paths, one target channel each. fasta: the genome, or None for
    batches without sequence. labels: one int per window, for the samplers.
    threads: worker threads that assemble batches ahead of the training loop.
    """

    def __init__(self, windows, tracks=(), fasta=None, labels=(), batch_size=64, bin=1, transform="none",
                 unknown_base="zeros", reverse_complement=False, max_shift=0, missing_as_zero=False,
                 drop_last=False, sampler="random", seed=1, threads=1, prefetch=4):
        self._settings = dict(fasta=fasta, tracks=list(tracks), windows=list(windows), labels=list(labels),
                              batch_size=batch_size, bin=bin, transform=transform, unknown_base=unknown_base,
                              reverse_complement=reverse_complement, max_shift=max_shift,
                              missing_as_zero=missing_as_zero, drop_last=drop_last, sampler=sampler, seed=seed,
                              threads=threads, prefetch=prefetch)
        self._loader = _Loader(**self._settings)

    @property
    def window_count(self):
        return self._loader.window_count

    @property
    def window_length(self):
        return self._loader.window_length

    def batches_in_epoch(self, epoch=0):
        return self._loader.batches_in_epoch(epoch)

    def epoch(self, epoch=0):
        """The batches of one epoch, in sampler order, prefetched on the worker threads."""
        self._loader.start_epoch(epoch)
        while True:
            batch = self._loader.next()
            if batch is None:
                return
            yield batch

    def batch(self, epoch, number):
        """One batch by its place in an epoch, built on the calling thread."""
        return self._loader.batch(epoch, number)

    def __iter__(self):
        return self.epoch(0)

    def __len__(self):
        return self.batches_in_epoch(0)

    def settings(self):
        """The arguments this loader was made with (a copy)."""
        return dict(self._settings)
