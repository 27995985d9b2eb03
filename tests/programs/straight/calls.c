/* Calls between functions: arguments by value (the caller's variables are untouched) and converted
   to the parameter types (int -> unsigned wraps, int -> short wraps as in gcc, int -> _Bool is 0/1),
   the result converted to the return type, the callees' own loops and early returns, a call in a
   loop condition (evaluated before every test), calls in the right operand of && and || and in an
   arm of ?: (run only when needed: no division by zero from cc_tenth(0)), a void call with an early
   return, callees defined after their caller (declared first by prototypes, one in the block). */
int cc_clamp(int v, int lo, int hi);
int cc_tri(int k);
int cc_tenth(int d);
unsigned cc_uinc(unsigned w);
short cc_narrow(short h);
void cc_nothing(int x);

int calls(int x, int y) {
  int a = cc_clamp(x, 0, 9) + cc_clamp(y, -5, 5) * 10;
  int n = 0;
  while (cc_tri(n) < cc_clamp(x, 0, 40))
    n++;
  int b = x != 0 && cc_tenth(x) > 1;
  int c = y == 0 || cc_tenth(y) < 0;
  int d = x == 0 ? 7 : cc_tenth(x);
  unsigned u = cc_uinc(x);
  int s = cc_narrow(y);
  int cc_truth(_Bool q);
  int t = cc_truth(y) + cc_truth(x - x);
  cc_nothing(x);
  return a * 1000 + n * 10 + b + 2 * c + 3 * d + (int) (u % 1000u) + s + t + cc_tri(cc_clamp(y, 0, 6));
}

int cc_clamp(int v, int lo, int hi) {
  if (v < lo)
    return lo;
  if (v > hi)
    return hi;
  return v;
}

int cc_tri(int k) {
  int s = 0;
  for (int i = 0; i <= k; i++)
    s += i;
  k = -1;
  return s;
}

int cc_tenth(int d) {
  return 10 / d;
}

unsigned cc_uinc(unsigned w) {
  return w * 3u + 1u;
}

short cc_narrow(short h) {
  int r = h * 2;
  return r;
}

int cc_truth(_Bool q) {
  return q + 10;
}

void cc_nothing(int x) {
  while (x > 0) {
    x--;
    if (x == 5)
      return;
  }
}
