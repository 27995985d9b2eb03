unsigned unsigned_ops(unsigned a, unsigned b) {
    unsigned c = a - b * 3u;
    if (b + 1u != 0u)
        c = c + a / (b + 1u) + a % (b + 1u);
    return c * 7u;
}
