// expect: no
// An unsigned value is always >= 0.
void ge_zero(unsigned i) {
    for (; i >= 0; i--) {
    }
}
