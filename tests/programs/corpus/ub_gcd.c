// expect: dontknow
// INT_MIN % -1 is undefined behaviour (a = INT_MIN, b = -1).
int gcd(int a, int b) {
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}
