// expect: yes
// x + 1 wraps to 0 after at most 2^32 - 1 steps (ranking 2^32 - x).
void up_wrap(unsigned x) {
    while (x > 0)
        x = x + 1;
}
