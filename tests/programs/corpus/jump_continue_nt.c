// expect: no
// Once x reaches 5 the continue skips the decrement forever.
void cont_nt(int x) {
    while (x > 0) {
        if (x == 5)
            continue;
        x--;
    }
}
