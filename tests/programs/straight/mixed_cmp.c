// A signed/unsigned comparison converts the int to unsigned: -1 < 1u is false.
int mixed_cmp(int x, unsigned u) {
    return (x < u) * 4 + (x == u) * 2 + (u > 5);
}
