// expect: dontknow
// 32-bit int: x = x + 1 overflows after at most 2^31 steps, so no run is infinite, but
// x > 0 reaches undefined behaviour.
void up(int x) {
    while (x > 0)
        x = x + 1;
}
