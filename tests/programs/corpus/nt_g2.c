// expect: no
// The design's g2: from x = 1, y = 0 it runs forever without overflow.
void g2(int x, int y) {
    while (x > y)
        x = x - y;
}
