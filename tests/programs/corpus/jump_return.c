// expect: yes
int ret(int n) {
    int i = 0;
    while (1) {
        if (i >= n)
            return i;
        i = i + 1;
    }
}
