// expect: dontknow
// 32-bit int: an odd x passes -1, -3, ... and overflows below INT_MIN, so every infinite run
// is undefined behaviour (not a "no"), and odd inputs do not terminate properly (not a "yes").
void sub2(int x) {
    while (x != 0)
        x = x - 2;
}
