// expect: yes
int branch_dec(int x, int y) {
    while (x > 0 && y > 0) {
        if (x > y)
            x = x - 1;
        else
            y = y - 1;
    }
    return x + 0 * y;
}
