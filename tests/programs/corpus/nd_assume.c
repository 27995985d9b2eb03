// expect: yes
// The assume discards the runs with y <= 0 (SV-COMP's reading); the others end.
void assume_pos(int x, int y) {
    __VERIFIER_assume(y > 0);
    while (x > y)
        x = x - y;
}
