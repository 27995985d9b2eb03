// expect: no
// y = 0: x - y never changes x.
void uns_sub(unsigned x, unsigned y) {
    while (x > y)
        x = x - y;
}
