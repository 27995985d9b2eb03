int ternary(int x, int y) {
    int m = x > y ? x : y;
    int d = x > y ? x - y : y - x;
    return m + (d > 10 ? 1 : 0);
}
