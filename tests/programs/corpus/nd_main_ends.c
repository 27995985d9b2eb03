// expect: yes
// Whatever the draws, x only goes down while positive.
extern int __VERIFIER_nondet_int(void);
int main() {
    int x = __VERIFIER_nondet_int();
    while (x > 0) {
        int d = __VERIFIER_nondet_int();
        if (d > 0 && d < 10)
            x = x - d;
        else
            x = x - 1;
    }
    return 0;
}
