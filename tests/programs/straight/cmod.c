// C remainder has the sign of the dividend: -7 % 2 == -1; INT_MIN % -1 is undefined.
int cmod(int a, int b) {
    if (b == 0)
        return 0;
    return a % b;
}
