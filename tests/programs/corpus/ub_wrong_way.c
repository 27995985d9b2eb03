// expect: dontknow
// 32-bit int: every infinite run of for_wrong_way_math.c overflows i (undefined behaviour),
// so this is not non-terminating, and it is not terminating either (n = 1 reaches UB).
void wrong_way(int n) {
    for (int i = 0; i < n; i--) {
    }
}
