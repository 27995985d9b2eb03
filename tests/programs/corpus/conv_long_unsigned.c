// expect: no
// long + unsigned int is a long (LP64): from a = -2, a + u = -1 < 0 forever.
void long_unsigned(long a) {
    unsigned u = 1;
    while (a + u < 0) {
    }
}
