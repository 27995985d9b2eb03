// expect: yes
void uns_countdown(unsigned n) {
    while (n > 0)
        n--;
}
