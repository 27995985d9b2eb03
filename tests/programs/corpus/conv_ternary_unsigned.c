// expect: yes
// u ? x : u has type unsigned int, and no unsigned value is < 0u.
void ternary_unsigned(int x) {
    unsigned u = 1;
    while ((u ? x : u) < 0u) {
    }
}
