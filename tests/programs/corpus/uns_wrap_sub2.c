// expect: no
// Unsigned wraps: an odd x stays odd, so it never reaches 0.
void wrap_sub2(unsigned x) {
    while (x != 0)
        x = x - 2;
}
