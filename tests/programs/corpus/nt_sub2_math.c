// expect: no
// int: math
void sub2(int x) {
    while (x != 0)
        x = x - 2;
}
