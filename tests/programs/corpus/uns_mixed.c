// expect: yes
// x < u compares as unsigned: a negative x is huge, so the loop runs only for 0 <= x < 10.
int mixed(int x) {
    unsigned u = 10;
    while (x < u)
        x++;
    return x;
}
