// expect: no
// If the environment always answers 0, x never changes.
void stay(int x) {
    while (x > 0) {
        int y = __VERIFIER_nondet_int();
        if (y < 0)
            x = x - 1;
    }
}
