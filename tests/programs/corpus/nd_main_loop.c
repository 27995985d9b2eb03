// expect: no
// Termination-competition style: main draws x; when the draw is positive, the loop never ends.
extern int __VERIFIER_nondet_int(void);
int main() {
    int x = __VERIFIER_nondet_int();
    while (x > 0) {
        x = x + 0;
    }
    return 0;
}
