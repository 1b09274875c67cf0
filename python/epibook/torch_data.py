"""epibook's loader as a PyTorch IterableDataset.

    from epibook.torch_data import WindowDataset
    data = WindowDataset(windows, tracks=["signal.bw"], fasta="genome.fa", batch_size=64)
    for batch in torch.utils.data.DataLoader(data, batch_size=None, num_workers=2):
        x, y = batch["sequence"], batch["targets"]      # torch tensors [B, 4, L], [B, T, bins]

The dataset yields whole batches (give DataLoader batch_size=None). In the main
process the loader assembles them on its own `threads`; in DataLoader workers each
worker builds batch k, k + n, k + 2n, ... of the epoch on one thread of its own, so
n workers use n threads, not n times `threads`, and DataLoader hands the batches back
in the order one process would give them: the same tensors, bit for bit.
"""
import torch
from torch.utils.data import IterableDataset, get_worker_info

from . import Loader

TENSOR_KEYS = ("sequence", "targets", "labels", "loss_weights")


def to_torch(batch):
    """The arrays of a batch as torch tensors sharing their memory (window indices,
    uint64 in the loader, become int64: torch has no unsigned 64-bit type)."""
    out = {k: (torch.from_numpy(v) if k in TENSOR_KEYS else v) for k, v in batch.items()}
    out["examples"] = torch.from_numpy(batch["examples"].astype("int64"))
    return out


class WindowDataset(IterableDataset):
    def __init__(self, windows, tracks=(), fasta=None, epoch=0, **loader_args):
        super().__init__()
        self.loader_args = dict(loader_args, windows=list(windows), tracks=list(tracks), fasta=fasta)
        self.epoch = epoch
        self._loader = None  # built where it is used: a worker process builds its own

    def set_epoch(self, epoch):
        """Which epoch the next iteration gives (its sampler order and augmentation)."""
        self.epoch = epoch

    def _local_loader(self, threads=None):
        args = dict(self.loader_args)
        if threads is not None:
            args["threads"] = threads
        return Loader(**args)

    def __len__(self):
        if self._loader is None:
            self._loader = self._local_loader()
        return self._loader.batches_in_epoch(self.epoch)

    def __iter__(self):
        worker = get_worker_info()
        if worker is None:
            if self._loader is None:
                self._loader = self._local_loader()
            for batch in self._loader.epoch(self.epoch):
                yield to_torch(batch)
            return
        loader = self._local_loader(threads=1)
        for number in range(worker.id, loader.batches_in_epoch(self.epoch), worker.num_workers):
            yield to_torch(loader.batch(self.epoch, number))
