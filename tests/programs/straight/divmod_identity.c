int divmod_identity(int a, int b) {
    if (b == 0)
        return 1;
    return (b * (a / b) + a % b == a) * 10 + (a % b < 0) * 2 + (a / b < 0);
}
