// expect: dontknow
// 3 * n + 1 overflows for some n (undefined behaviour), and no one knows a run that loops.
void collatz(int n) {
    while (n > 1) {
        if (n % 2 == 0)
            n = n / 2;
        else
            n = 3 * n + 1;
    }
}
