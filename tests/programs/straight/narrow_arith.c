// short and char operands are promoted to int; the results wrap when stored back (gcc: modulo 2^N).
int narrow_arith(short s, unsigned char c, signed char k, unsigned short w) {
    short t = s * 2;
    unsigned char d = c + 200;
    signed char m = k - 100;
    unsigned short v = w * 3;
    char p = c;
    t++;
    d += c;
    m--;
    return t + d * 3 + m * 7 + v + p * 11 + (short) (s + 40000) * 13 + -c;
}
