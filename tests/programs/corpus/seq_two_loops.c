// expect: yes
int two_loops(int n) {
    int i = 0;
    int j = 0;
    while (i < n)
        i++;
    while (j < i)
        j++;
    return j;
}
