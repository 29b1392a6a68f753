"""Tests of the per-bucket candidate rules (codeintel_spark.candidates): no Spark, no JVM.

Run with `python3 -m unittest discover -s spark/tests -v` (scripts/test.sh does)."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

try:
    import numpy as np
    MISSING = None
except ImportError as error:
    MISSING = "numpy not installed (%s): run scripts/setup.sh --spark" % error


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


@unittest.skipIf(MISSING, MISSING or "")
class CosineBucketTests(unittest.TestCase):
    def setUp(self):
        from codeintel_spark import candidates
        self.c = candidates

    def test_a_small_bucket_scores_every_cross_repository_pair(self):
        rng = np.random.default_rng(3)
        items = [(i, i % 3, unit(rng.normal(size=16)).tobytes(), i) for i in range(12)]
        pairs, compared = self.c.cosine_pairs(items, -1.0, cap=64, window=2)
        cross = sum(1 for a in range(12) for b in range(a + 1, 12) if a % 3 != b % 3)
        self.assertEqual(compared, cross)
        self.assertEqual(len(pairs), cross)  # every cosine is >= -1
        self.assertTrue(all(a < b and (a % 3) != (b % 3) for a, b, _ in pairs))

    def test_an_oversized_bucket_costs_at_most_window_scores_per_unit(self):
        rng = np.random.default_rng(4)
        for n in (200, 800):
            items = [(i, i % 50, unit(rng.normal(size=16)).tobytes(), int(rng.integers(0, 1 << 20)))
                     for i in range(n)]
            _, compared = self.c.cosine_pairs(items, 0.99, cap=64, window=8)
            self.assertLessEqual(compared, n * 8)
            self.assertGreater(compared, n * 7)  # the window is used, not skipped

    def test_near_duplicates_in_an_oversized_bucket_are_found_through_the_order(self):
        rng = np.random.default_rng(5)
        base = [unit(rng.normal(size=32)) for _ in range(100)]
        items = []
        for i, v in enumerate(base):
            # The order key stands for the other bands' bits: a copy agrees with its original on them.
            key = int(rng.integers(0, 1 << 30))
            items.append((2 * i, 0, v.tobytes(), key))
            copy = unit(v + 0.05 * rng.normal(size=32))
            items.append((2 * i + 1, 1, copy.tobytes(), key))
        items = [items[i] for i in rng.permutation(len(items))]  # the bucket's order is the shuffle's
        pairs, compared = self.c.cosine_pairs(items, 0.9, cap=16, window=1)
        self.assertLessEqual(compared, len(items))
        self.assertEqual({(a, b) for a, b, _ in pairs}, {(2 * i, 2 * i + 1) for i in range(100)})

    def test_signatures_and_band_items_split_the_bits_and_order_by_the_other_bands(self):
        self.assertEqual(list(self.c.band_items(0b101100, 2, 3)),
                         [(0, 0b10, 0b1100), (1, 0b11, 0b0010), (2, 0b00, 0b1011)])
        planes = np.eye(3, dtype=np.float32)[:, [0, 1, 2, 0, 1, 2, 0, 1, 2]]  # 9 bits: padding is dropped
        self.assertEqual(self.c.signatures([[1, -1, 0]], planes), [0b101101101])


@unittest.skipIf(MISSING, MISSING or "")
class BagTests(unittest.TestCase):
    def test_set_jaccard_of_the_elements_is_the_bag_jaccard(self):
        from codeintel_spark import candidates
        a = [7, 7, 7, 9, 11]
        b = [7, 7, 9, 12]
        ea, eb = set(candidates.bag_elements(a, 1 << 20)), set(candidates.bag_elements(b, 1 << 20))
        self.assertEqual(len(ea), 5)
        # Bag intersection {7, 7, 9} = 3, union 5 + 4 - 3 = 6.
        self.assertEqual(len(ea & eb), 3)
        self.assertEqual(len(ea | eb), 6)

    def test_jaccard_buckets_keep_pairs_at_the_minimum_across_repositories(self):
        from codeintel_spark import candidates
        items = [(1, 0, [1, 2, 3, 4], (0,)), (2, 1, [1, 2, 3, 5], (0,)), (3, 0, [1, 2, 3, 4], (0,)),
                 (4, 2, [8, 9], (0,))]
        pairs, compared = candidates.jaccard_pairs(items, 0.6, cap=8, window=1)
        self.assertEqual(compared, 5)  # (1, 3) share a repository
        self.assertEqual([(a, b) for a, b, _ in pairs], [(1, 2), (2, 3)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
