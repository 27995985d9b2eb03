// expect: no
// i++ on a short wraps from 32767 to -32768 (gcc, implementation-defined, not undefined):
// i < 40000 always holds.
void narrow_short(void) {
    for (short i = 0; i < 40000; i++) {
    }
}
