// expect: no
// With n = 4294967295, i <= n always holds (i wraps to 0).
void le_max(unsigned n) {
    for (unsigned i = 0; i <= n; i++) {
    }
}
