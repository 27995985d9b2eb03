// 0xFFFFFFFF does not fit in int, so it is an unsigned int: x < 0xFFFFFFFF compares as unsigned
// and is 0 for x = -1.
int hex_const(int x) {
    return x < 0xFFFFFFFF;
}
