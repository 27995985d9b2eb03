// Integer constants: a hex or octal constant above INT_MAX is unsigned int, a decimal one long;
// u / l / ul suffixes give unsigned int / long / unsigned long.
long const_types(int x, long l) {
    return (x < 0x7FFFFFFF) + (x < 0xFFFFFFFF) * 2 + (l < 4294967295) * 4 + (x < 037777777777) * 8
        + (x < 1u) * 16 + (x < 1ul) * 32 + (x < 1l) * 64 + (x < 2147483648) * 128 + (l < 0xFFFFFFFFu) * 256
        + (x + 0u > 5u) * 512 + (0x80000000 > x) * 1024;
}
