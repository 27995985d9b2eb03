/* A binary search's recursion (the array left out). C's / truncates towards zero, so for
   lo = -2, hi = -1 the midpoint (-3) / 2 is -1 = hi: bsearch(-2, -1) calls bsearch(-2, -1). */
int bsearch(int lo, int hi) {
  if (lo >= hi) return lo;
  int mid = (lo + hi) / 2;
  return bsearch(lo, mid);
}
