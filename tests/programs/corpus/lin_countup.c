// expect: yes
int countup(int n) {
    int i = 0;
    while (i < n)
        i = i + 1;
    return i;
}
