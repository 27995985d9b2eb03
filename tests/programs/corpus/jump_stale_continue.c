// expect: no
// From n = 0 the second do-while reaches while (1) and runs forever (gcc agrees). A continue
// executed in the first do-while must not leak into the first pass of the second one.
void stale(int n) {
    int k = 0;
    int j = 0;
    if (k > 5)
        k = 0;
    do {
        j++;
        continue;
    } while (j < 1);
    do {
        j = j;
        if (n > 100)
            continue;
        while (1) {
            k = k;
        }
    } while (j < 1);
}
