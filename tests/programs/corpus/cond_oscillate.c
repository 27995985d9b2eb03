// expect: no
// From x = 1: 1 -> 2 -> 1 -> ... forever, never near an overflow.
void oscillate(int x) {
    while (x > 0) {
        if (x % 2 == 0)
            x = x - 1;
        else
            x = x + 1;
    }
}
