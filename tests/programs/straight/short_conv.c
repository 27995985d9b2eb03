// short is 16 bits: 40000 converts to -25536 (gcc: modulo 2^16).
int short_conv(int x) {
    short s = x;
    return s;
}
