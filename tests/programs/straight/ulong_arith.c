// unsigned long wraps modulo 2^64; unsigned int converts to it.
unsigned long ulong_arith(unsigned long a, unsigned u, int x) {
    unsigned long r = a * 3 + u - 7ul;
    if (x < 0ul)
        r = r + 1;
    return r + (a > u) + x;
}
