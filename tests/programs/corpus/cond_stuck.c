// expect: no
// With y <= 0 nothing changes: runs forever from x = 1, y = 0.
void stuck(int x, int y) {
    while (x > 0) {
        if (y > 0)
            x = x - 1;
    }
}
