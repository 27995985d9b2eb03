// expect: no
// For n >= 2 the inner loop never progresses once i = 1.
void inner_nt(int n) {
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < i) {
            j = j + 0;
        }
    }
}
