// expect: yes
// A local declared without a value, assigned before it is read.
int uninit_local(int n) {
    int i;
    for (i = 0; i < n; i++) {
    }
    return i;
}
