/* McCarthy's 91 function: 91 for every n <= 100, n - 10 above. */
int mc91(int n) {
  if (n > 100) return n - 10;
  return mc91(mc91(n + 11));
}
