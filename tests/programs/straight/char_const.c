int char_const(int x) {
    return x + 'a' - '0' + 010 + 0x10;
}
