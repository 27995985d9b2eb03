long long_arith(long a, int b) {
    long c = a * b - 7 / 2;
    return c + a % 3 + b;
}
