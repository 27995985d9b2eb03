int bool_conv(int x) {
    _Bool b = x;
    _Bool c = x - 1;
    return b * 2 + c;
}
