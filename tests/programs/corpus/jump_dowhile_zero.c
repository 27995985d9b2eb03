// expect: yes
// The do { ... } while (0) idiom: the body runs once.
int dowhile_zero(int x) {
    do {
        if (x > 0)
            x = x - 1;
    } while (0);
    return x;
}
