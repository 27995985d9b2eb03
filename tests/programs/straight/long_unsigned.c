// long can hold every unsigned int, so long + unsigned is a long (LP64): -5 + 1u == -4.
long long_unsigned(long a, unsigned u) {
    return a + u + (a < u) * 1000;
}
