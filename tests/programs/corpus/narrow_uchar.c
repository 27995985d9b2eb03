// expect: no
// unsigned char wraps modulo 256 (defined by the standard): c < 300 always holds.
void narrow_uchar(void) {
    for (unsigned char c = 0; c < 300; c++) {
    }
}
