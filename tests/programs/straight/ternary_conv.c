// Both arms of ?: convert to their common type: unsigned for int and unsigned, long for long and
// unsigned, int for short and unsigned char (promotions).
long ternary_conv(int x, unsigned u, long l) {
    long a = x ? x : u;
    long b = x > 0 ? l : u;
    long c = x > 5 ? (short) x : (unsigned char) x;
    return a + b / 2 + c * 3;
}
