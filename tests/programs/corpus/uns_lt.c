// expect: yes
unsigned uns_lt(unsigned n) {
    unsigned i = 0;
    while (i < n)
        i++;
    return i;
}
