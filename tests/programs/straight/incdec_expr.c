/* Stores inside expressions, where C sequences them: x++ and ++x in a comparison, an argument, a
   loop condition and the right operand of && (run only when the left is true), an assignment's value
   used by an outer assignment, compound assignments in a condition, a postfix decrement of an
   unsigned (wraps) and of a short (converts back), and a store next to a call that does not see it. */
int ie_twice(int v);

int incdec_expr(int x, int y) {
  int a = (x++ < y);
  int b = ie_twice(++y) + x;
  int n = 0;
  while (n++ < 3 && y != 0)
    y = y / 2;
  int c = 0;
  int d = (x > 0) && (c++ == 0);
  int e;
  int f = (e = x % 7) + 1;
  int g = 0;
  if ((g += 5) > 3)
    g = g * 2;
  unsigned u = 0u;
  unsigned w = u-- + 1u;
  short h = 32767;
  int k = h++;
  int m = --x * 2;
  return a + 10 * b + 100 * n + 1000 * c + 3 * d + 7 * e + 11 * f + 13 * g + (int) (u % 1000u) + (int) (w % 100u)
         + h + k + m;
}

int ie_twice(int v) {
  return v * 2;
}
