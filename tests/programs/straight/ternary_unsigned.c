// The ternary has the common type unsigned: u ? x : u is x converted to unsigned.
unsigned ternary_unsigned(int x, unsigned u) {
    return u ? x : u;
}
