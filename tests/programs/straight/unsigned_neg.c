unsigned unsigned_neg(unsigned a) {
    unsigned z = 0u - 1u;
    return -a + z;
}
