// expect: yes
// 0x80000000 is an unsigned int, so x < 0x80000000 compares as unsigned: after x = -1
// (4294967295 as unsigned) the test is false.
void hex_const(int x) {
    while (x < 0x80000000)
        x = -1;
}
