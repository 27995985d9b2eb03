// expect: yes
// Whatever the nondeterministic choice, x drops by 1 or 2 (x > 0, so no overflow).
void choice(int x) {
    while (x > 0) {
        int y = __VERIFIER_nondet_int();
        if (y > 0)
            x = x - 1;
        else
            x = x - 2;
    }
}
