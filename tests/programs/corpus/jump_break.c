// expect: yes
int brk(int n) {
    int i = 0;
    while (1) {
        if (i >= n)
            break;
        i++;
    }
    return i;
}
