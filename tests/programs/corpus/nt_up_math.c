// expect: no
// int: math
void up(int x) {
    while (x > 0)
        x = x + 1;
}
