// expect: yes
int reset(int x, int y) {
    while (x > 0)
        x--;
    y = x;
    while (y < 10)
        y++;
    return y;
}
