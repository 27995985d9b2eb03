// expect: yes
// s <= i < n, so s + 1 never overflows.
int cont(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) {
        if (i % 2 == 0)
            continue;
        s = s + 1;
    }
    return s;
}
