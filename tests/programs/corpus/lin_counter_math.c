// expect: yes
// int: math
// With mathematical integers the counter cannot overflow (compare ub_counter.c).
int counter(int x, int y) {
    int c = 0;
    while (x > y) {
        y = y + 1;
        c = c + 1;
    }
    return c;
}
