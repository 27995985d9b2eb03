// expect: yes
// The design's g: x - y decreases because y > 0 and the loop never changes y.
void g(int x, int y) {
    if (y > 0)
        while (x > y)
            x = x - y;
}
