// expect: yes
// y never changes; either branch lowers x, and x - y cannot overflow since x > 0 < y.
void mode(int x, int y) {
    while (x > 0) {
        if (y > 0)
            x = x - y;
        else
            x = x - 1;
    }
}
