// expect: yes
void countdown(int x) {
    while (x > 0)
        x = x - 1;
}
