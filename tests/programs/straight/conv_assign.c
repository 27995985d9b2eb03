// Assignments and returns convert to the target type: long and unsigned to int and short wrap
// (gcc: modulo 2^N), to unsigned char modulo 256, to _Bool 0 or 1.
short conv_assign(long l, unsigned u) {
    int a = l;
    int b = u;
    unsigned char c = l;
    _Bool d = l;
    short e = u;
    return a / 3 + b % 1000 + c + d * 5 + e;
}
