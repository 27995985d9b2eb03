// A continue in an earlier loop must not leak into the first pass of a do-while.
int dowhile_continue(int n) {
    int m = 0;
    int j = 0;
    while (j < 1) {
        j++;
        continue;
    }
    do {
        if (n > 100)
            continue;
        m++;
    } while (0);
    return m;
}
