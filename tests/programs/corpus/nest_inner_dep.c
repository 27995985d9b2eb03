// expect: yes
void inner_dep(int n) {
    int i = 0;
    while (i < n) {
        int j = i;
        while (j > 0)
            j--;
        i++;
    }
}
