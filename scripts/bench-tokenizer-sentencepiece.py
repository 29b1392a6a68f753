"""Peer for scripts/bench-tokenizer.swift: SentencePiece (the library ContraCode used) on the same file lists.

    python3 -m venv /tmp/sp && /tmp/sp/bin/pip install sentencepiece
    /tmp/sp/bin/python scripts/bench-tokenizer-sentencepiece.py train-files.txt eval-files.txt 8000

Trains a unigram model of the given size on one thread (lines of the train files are SentencePiece's
"sentences"; whitespace kept, identity normalisation, byte fallback, the same character coverage and seed
size as codeintel's defaults) and times encoding and sampling (alpha 0.1, all segmentations) of the eval
files. Times are CPU seconds of this process. Exploratory tooling only; the product never runs Python.
"""

import sys
import time

import sentencepiece as spm


def read(list_path):
    texts = []
    with open(list_path, encoding="utf-8") as names:
        for name in names.read().split("\n"):
            if not name:
                continue
            try:
                with open(name, "rb") as f:
                    texts.append(f.read().decode("utf-8", errors="replace"))
            except OSError:
                pass
    return texts


def main():
    train_list, eval_list, vocab = sys.argv[1], sys.argv[2], int(sys.argv[3])
    train = read(train_list)
    lines = [line for text in train for line in text.split("\n") if line.strip()]
    print(f"train: {len(train)} files, {sum(len(t.encode()) for t in train)} bytes, {len(lines)} non-empty lines")
    t0 = time.process_time()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix="/tmp/sp-peer",
        model_type="unigram",
        vocab_size=vocab,
        character_coverage=0.9995,
        seed_sentencepiece_size=200000,
        num_threads=1,
        max_sentence_length=1 << 20,
        input_sentence_size=0,
        byte_fallback=True,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        split_digits=False,
        minloglevel=2,
    )
    print(f"train: {time.process_time() - t0:.1f} s CPU")
    sp = spm.SentencePieceProcessor(model_file="/tmp/sp-peer.model")
    texts = read(eval_list)
    size = sum(len(t.encode()) for t in texts)
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        tokens = sum(len(sp.encode(t)) for t in texts)
        best = min(best, time.process_time() - t0)
    print(f"encode (Viterbi, best of 3): {size / best / 1e6:.2f} MB/s, {tokens} tokens, {tokens / size:.3f} tokens/byte")
    t0 = time.process_time()
    sampled = sum(len(sp.encode(t, enable_sampling=True, alpha=0.1, nbest_size=-1)) for t in texts)
    dt = time.process_time() - t0
    print(f"encode (sampling alpha 0.10): {size / dt / 1e6:.2f} MB/s, {sampled} tokens, {sampled / size:.3f} tokens/byte")
    lossless = sum(sp.decode(sp.encode(t)) == t for t in texts)
    print(f"round trip exact: {lossless} of {len(texts)}")


if __name__ == "__main__":
    main()
