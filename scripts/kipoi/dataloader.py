"""The Kipoi dataloaders of a folder written by `epibook export`: dataloader.yaml names
one (defined_as: dataloader.py::SequenceWindows or dataloader.py::ArrayRows). Each is
a Kipoi Dataset (len, and one sample per index as {"inputs", "metadata"}), and works
without Kipoi too; load_all stacks a whole dataset into one batch.

SequenceWindows reads windows (BED) of a FASTA and one-hot encodes them as epibook
does: channels A, C, G, T (in that order) by position, [4, window_length], any other
base all 0 ("zeros") or all 0.25 ("quarter"); lowercase bases count as uppercase.
ArrayRows serves the rows of an .npy array, for models whose inputs are not sequence.
"""
import numpy as np

try:
    from kipoi.data import Dataset
except ImportError:  # no Kipoi: the same interface, standing on its own
    class Dataset:
        pass

ALPHABET = "ACGT"


def read_fasta(path):
    """{record name: sequence} of a FASTA file (the name is the header's first word)."""
    records, name, parts = {}, None, []
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line.startswith(">"):
                if name is not None:
                    records[name] = "".join(parts)
                name, parts = line[1:].split()[0], []
            elif line:
                parts.append(line)
    if name is not None:
        records[name] = "".join(parts)
    return records


def one_hot(sequence, unknown_base="zeros"):
    """[4, len(sequence)] float32 in epibook's layout (channels A, C, G, T)."""
    codes = np.frombuffer(sequence.upper().encode("ascii"), dtype=np.uint8)
    encoded = np.zeros((4, len(sequence)), dtype=np.float32)
    known = np.zeros(len(sequence), dtype=bool)
    for channel, base in enumerate(ALPHABET):
        hits = codes == ord(base)
        encoded[channel, hits] = 1.0
        known |= hits
    if unknown_base == "quarter":
        encoded[:, ~known] = 0.25
    return encoded


class SequenceWindows(Dataset):
    """One sample per BED line: the window's one-hot sequence and its place."""

    def __init__(self, intervals_file, fasta_file, window_length, unknown_base="zeros"):
        self.genome = read_fasta(fasta_file)
        self.unknown_base = unknown_base
        self.intervals = []
        with open(intervals_file) as handle:
            for number, line in enumerate(handle, start=1):
                fields = line.split()
                if not fields or fields[0].startswith(("#", "track", "browser")):
                    continue
                chrom, start, end = fields[0], int(fields[1]), int(fields[2])
                if end - start != int(window_length):
                    raise ValueError(f"{intervals_file}: line {number}: a window of {end - start} bp; "
                                     f"the model takes {window_length}")
                if chrom not in self.genome or end > len(self.genome[chrom]):
                    raise ValueError(f"{intervals_file}: line {number}: {chrom}:{start}-{end} is not in {fasta_file}")
                self.intervals.append((chrom, start, end, fields[3] if len(fields) > 3 else f"{chrom}:{start}-{end}"))

    def __len__(self):
        return len(self.intervals)

    def __getitem__(self, index):
        chrom, start, end, name = self.intervals[index]
        return {"inputs": one_hot(self.genome[chrom][start:end], self.unknown_base),
                "metadata": {"ranges": {"chr": chrom, "start": start, "end": end, "id": name}}}


class ArrayRows(Dataset):
    """One sample per row of an .npy array of model inputs."""

    def __init__(self, inputs_file):
        self.inputs = np.load(inputs_file)

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return {"inputs": np.asarray(self.inputs[index], dtype=np.float32), "metadata": {"row": index}}


def load_all(dataset):
    """Every sample's inputs stacked into one batch ([len(dataset), ...])."""
    return np.stack([dataset[i]["inputs"] for i in range(len(dataset))])
