// unsigned char is 8 bits: 300 converts to 44.
int uchar_conv(int x) {
    unsigned char c = x;
    return c;
}
