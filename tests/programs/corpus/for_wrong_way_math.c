// expect: no
// int: math
// i moves away from n: runs forever from n = 1 with mathematical integers.
void wrong_way(int n) {
    for (int i = 0; i < n; i--) {
    }
}
