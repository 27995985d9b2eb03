// expect: no
void swap(int x, int y) {
    while (x != y) {
        int t = x;
        x = y;
        y = t;
    }
}
