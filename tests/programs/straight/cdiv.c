// C division truncates toward zero: -7 / 2 == -3; INT_MIN / -1 is undefined.
int cdiv(int a, int b) {
    if (b == 0)
        return 0;
    return a / b;
}
