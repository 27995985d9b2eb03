// expect: yes
// x < 100 in the body, so x + 3 <= 102: no overflow.
int bounded_up(int x) {
    while (x < 100)
        x = x + 3;
    return x;
}
