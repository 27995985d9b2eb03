/* goto as gcc runs it: backward to a label of an enclosing block (the part from the label to the
   goto repeats), forward out of loops, forward into a loop's body (without its first test), into
   an if's branch (without its test), into a for loop's body (without its first clause), and two
   loops jumping to each other (the "twisted" pattern). */
int gj_resume(int pc, int n) {
  int out = 0, i = 0;
  if (pc == 1)
    goto WAIT;
  if (pc == 2)
    goto INSIDE;
  while (n > 0) {
    out = out + 100;
    n--;
    goto DONE;
  WAIT:
    out = out + 7;
    n = n - 2;
  }
  for (i = 0; i < 3; i++) {
    out = out + i;
    if (n > 50) {
    INSIDE:
      out = out * 2 + 1;
    }
  }
DONE:
  return out + n;
}

int gj_twisted(int k, int l) {
  int i = 0, j = 0, rounds = 0;
L1:
  while (i < k) {
    i++;
    if (i % 2)
      continue;
    goto L2;
  }
L2:
  while (j < l) {
    j++;
    rounds++;
    if (i % 2)
      continue;
    goto L1;
  }
  return i * 1000 + j * 10 + rounds;
}

int goto_jumps(int x, int y) {
  int s = 0;
  int c = 0;
again:
  c++;
  s = s + x % 5;
  if (c < 4 && s < 100)
    goto again;
  if (x > 1000 || x < -1000 || y > 1000 || y < -1000)
    return s;
  return s + gj_resume(x % 3, y % 40) * 3 + gj_twisted(x % 20, y % 20);
}
