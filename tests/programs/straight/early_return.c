int early_return(int x) {
    if (x < 0)
        return -1;
    if (x == 0)
        return 0;
    x = x * 1;
    return 1;
}
