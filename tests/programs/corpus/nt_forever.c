// expect: no
int forever(int x) {
    while (1) {
        x = x;
    }
    return x;
}
