def bsearch(lo, hi):
    """A binary search's recursion (the array left out). Python's // floors, so the midpoint of
    lo < hi is below hi and the interval shrinks: it ends from every lo, hi (C's / does not)."""
    if lo >= hi:
        return lo
    mid = (lo + hi) // 2
    return bsearch(lo, mid)
