// expect: yes
// x >= 0 on entry to the body, so x - 2 >= -2: no overflow.
int by2(int x) {
    while (x >= 0)
        x = x - 2;
    return x;
}
