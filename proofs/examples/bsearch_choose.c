/* The binary search of the issue, each call choosing a half nondeterministically. C's / truncates
   towards zero, so for i = -2, j = -1 the midpoint (-3) / 2 is -1 = j: the choice of the first half
   calls bsearch(-2, -1) again. Some run goes on forever (not every run: the other half returns). */
int bsearch(int i, int j) {
  if (i >= j) return i;
  int mid = (i + j) / 2;
  if (__VERIFIER_nondet_int()) return bsearch(i, mid);
  return bsearch(mid + 1, j);
}

int main() {
  int x = __VERIFIER_nondet_int();
  int y = __VERIFIER_nondet_int();
  return bsearch(x, y);
}
