// expect: dontknow
// c counts x - y steps, up to 2^32 - 1 (x = INT_MAX, y = INT_MIN): c = c + 1 overflows.
int counter(int x, int y) {
    int c = 0;
    while (x > y) {
        y = y + 1;
        c = c + 1;
    }
    return c;
}
