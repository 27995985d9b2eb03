/* Calls inside loops (each call starts afresh: its return flag and locals are reset), nested calls,
   a call in a for step and in a do-while condition, a long parameter from an int argument, results
   converted to unsigned char and _Bool, the same callee twice in one expression. */
unsigned char cl_low(int v);
_Bool cl_odd(long v);
int cl_first_div(int n);
int cl_half(int n);

int calls_loops(int x, int y) {
  int acc = 0;
  int i;
  for (i = 0; i < 6; i = i + cl_half(4)) {
    acc = acc + cl_first_div(i + 2) + cl_odd(i);
  }
  int k = 3;
  do {
    k = k + 1;
  } while (cl_odd(k) || cl_half(k) < 3);
  int w = cl_low(cl_low(x) + cl_low(y));
  int z = cl_half(cl_half(x)) - cl_half(y);
  return acc * 10000 + k * 1000 + w + z;
}

unsigned char cl_low(int v) {
  return v;
}

_Bool cl_odd(long v) {
  return v % 2;
}

int cl_first_div(int n) {
  int d = 2;
  while (d < n) {
    if (n % d == 0)
      return d;
    d++;
  }
  return n;
}

int cl_half(int n) {
  if (n < 0)
    return -(-n / 2);
  return n / 2;
}
